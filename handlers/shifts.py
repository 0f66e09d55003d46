"""Volunteers: finding open shifts (/shifts), signing up or joining the waitlist, and their own
shifts (/my) with cancelling and a calendar file."""

from __future__ import annotations

import datetime as dt

from telegram import InlineKeyboardButton

from bot.buttons import AskLeave
from bot.db.models import Assignment, AssignmentStatus, PostType, Shift
from bot.i18n import Translator
from bot.services.rostering import leave
from bot.services.schedule import calendar, deadlines, shifts, signup, waitlist
from bot.services.schedule.deadlines import WayOut
from bot.services.schedule.shift_text import (
    open_shift_lines,
    post_type_name,
    shift_label,
    sign_up_label,
)
from bot.services.swaps import queries as swap_queries
from bot.settings import Settings
from handlers.keyboards import button, callback_args, inline, int_arg
from handlers.swaps import swap_button
from handlers.turn import Turn

PAGE_SIZE = 5
DAYS_SHOWN = 7
LIST_BUTTON = "sh"
DAY_PICK_BUTTON = "sh.d"
TYPE_PICK_BUTTON = "sh.t"
SIGN_UP_BUTTON = "su"
WAITLIST_BUTTON = "wl"
MY_BUTTON = "my"
MY_CANCEL_BUTTON = "mc"
MY_CANCEL_YES_BUTTON = "mcy"
CALENDAR_BUTTON = "ics"
ANY = "-"


def sign_up_button(text: str, shift_id: int) -> InlineKeyboardButton:
    return button(text, f"{SIGN_UP_BUTTON}:{shift_id}")


# -- /shifts ----------------------------------------------------------------------------------


def way_out_text(t: Translator, shift: Shift, now: dt.datetime, settings: Settings) -> str:
    """What someone who holds a seat may still do if they cannot come, said at this moment:
    cancel in /my until the cut-off, then swap or tell the coordinator, then only the latter."""
    way = deadlines.way_out(shift, now, settings)
    if way is WayOut.CANCEL:
        deadline = deadlines.cancel_deadline(shift, settings)
        return t("signup.way_out.cancel", deadline=t.datetime(deadline))
    if way is WayOut.SWAP:
        return t("signup.way_out.swap", count=settings.cancel_cutoff_hours)
    return t("signup.way_out.coordinator")


def _parse_filters(args: list[str]) -> tuple[int, dt.date | None, PostType | None]:
    """The list's callback arguments: offset, day (YYYYMMDD or -), post type (or -)."""
    offset = int_arg(args, 0) or 0
    day = _day_arg(args[1]) if len(args) > 1 else None
    post_type = next((k for k in PostType if len(args) > 2 and k.value == args[2]), None)
    return max(offset, 0), day, post_type


def _list_data(offset: int, day: dt.date | None, post_type: PostType | None) -> str:
    day_arg = day.strftime("%Y%m%d") if day else ANY
    return f"{LIST_BUTTON}:{offset}:{day_arg}:{post_type.value if post_type else ANY}"


async def list_open(turn: Turn) -> None:
    await _show_page(turn, 0, None, None)


async def page(turn: Turn) -> None:
    query = turn.update.callback_query
    assert query is not None
    await _show_page(turn, *_parse_filters(callback_args(query.data, LIST_BUTTON)))


async def _show_page(
    turn: Turn, offset: int, day: dt.date | None, post_type: PostType | None
) -> None:
    t = turn.t
    member = turn.actor.require_member()
    settings = turn.runtime.settings
    result = await shifts.open_for(
        turn.session,
        member,
        turn.now,
        settings,
        day=day,
        post_type=post_type,
        offset=offset,
        limit=PAGE_SIZE,
    )
    filters = []
    if day is not None:
        filters.append(t.weekday_date(day))
    if post_type is not None:
        filters.append(post_type_name(t, post_type))
    lines = [t("shifts.header", filters=" · ".join(filters) or t("shifts.filter.none"))]
    rows: list[list[InlineKeyboardButton]] = []
    signups: list[InlineKeyboardButton] = []
    for number, item in enumerate(result.items, start=offset + 1):
        lines += open_shift_lines(t, number, item, brief=False)
        signups.append(sign_up_button(sign_up_label(t, item, number), item.shift.id))
    if not result.items:
        lines.append(t("shifts.none", count=settings.signup_open_days))
    rows += [signups[i : i + 3] for i in range(0, len(signups), 3)]
    navigation = []
    if offset > 0:
        navigation.append(
            button(t("shifts.button.previous"), _list_data(offset - PAGE_SIZE, day, post_type))
        )
    if offset + PAGE_SIZE < result.total:
        navigation.append(
            button(t("shifts.button.next"), _list_data(offset + PAGE_SIZE, day, post_type))
        )
    if navigation:
        rows.append(navigation)
    type_arg = post_type.value if post_type else ANY
    day_arg = day.strftime("%Y%m%d") if day else ANY
    rows.append(
        [
            button(t("shifts.button.by_day"), f"{DAY_PICK_BUTTON}:{type_arg}"),
            button(t("shifts.button.by_type"), f"{TYPE_PICK_BUTTON}:{day_arg}"),
        ]
    )
    if result.total > PAGE_SIZE:
        lines.append(
            t("shifts.page", first=offset + 1, last=offset + len(result.items), total=result.total)
        )
    text = "\n".join(lines)
    if turn.update.callback_query is not None:
        turn.edit(text, inline(rows))
    else:
        turn.reply(text, inline(rows))


async def pick_day(turn: Turn) -> None:
    query = turn.update.callback_query
    assert query is not None
    args = callback_args(query.data, DAY_PICK_BUTTON)
    post_type = next((k for k in PostType if args and k.value == args[0]), None)
    t = turn.t
    today = turn.now.astimezone(turn.runtime.settings.zone).date()
    days = [today + dt.timedelta(days=n) for n in range(DAYS_SHOWN)]
    rows = [[button(t.weekday_date(day), _list_data(0, day, post_type))] for day in days]
    rows.append([button(t("shifts.filter.any_day"), _list_data(0, None, post_type))])
    turn.edit(t("shifts.pick_day"), inline(rows))


async def pick_type(turn: Turn) -> None:
    query = turn.update.callback_query
    assert query is not None
    args = callback_args(query.data, TYPE_PICK_BUTTON)
    day = _day_arg(args[0] if args else ANY)
    t = turn.t
    rows = [[button(post_type_name(t, kind), _list_data(0, day, kind))] for kind in PostType]
    rows.append([button(t("shifts.filter.any_type"), _list_data(0, day, None))])
    turn.edit(t("shifts.pick_type"), inline(rows))


def _day_arg(value: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(value, "%Y%m%d").date()
    except ValueError:
        return None


# -- signing up ------------------------------------------------------------------------------


def _id_arg(turn: Turn, prefix: str) -> int | None:
    query = turn.update.callback_query
    assert query is not None
    return int_arg(callback_args(query.data, prefix), 0)


async def sign_up(turn: Turn) -> None:
    await _sign_up(turn, SIGN_UP_BUTTON, join_waitlist=False)


async def join_waitlist(turn: Turn) -> None:
    await _sign_up(turn, WAITLIST_BUTTON, join_waitlist=True)


async def _sign_up(turn: Turn, prefix: str, *, join_waitlist: bool) -> None:
    t = turn.t
    shift_id = _id_arg(turn, prefix)
    if shift_id is None:
        turn.answer(t("common.stale_button"), alert=True)
        return
    settings = turn.runtime.settings
    outcome = await signup.sign_up(
        turn.session, turn.actor, shift_id, turn.now, settings, join_waitlist=join_waitlist
    )
    if isinstance(outcome, signup.SignedUp):
        shift = outcome.assignment.shift
        turn.answer(t("signup.toast.done"))
        turn.reply(
            t(
                "signup.done",
                shift=shift_label(t, shift),
                seats=t("signup.seats_left", count=outcome.seats_left),
                cancel=way_out_text(t, shift, turn.now, settings),
            )
        )
    elif isinstance(outcome, signup.Waitlisted):
        shift = outcome.assignment.shift
        turn.answer(t("signup.toast.waitlisted"))
        turn.reply(t("signup.waitlisted", shift=shift_label(t, shift), position=outcome.position))
    else:
        turn.answer(t("signup.toast.full"))
        turn.reply(
            t("signup.full", shift=shift_label(t, outcome.shift)),
            inline([[button(t("signup.button.waitlist"), f"{WAITLIST_BUTTON}:{shift_id}")]]),
        )


# -- /my -------------------------------------------------------------------------------------


async def _state(turn: Turn, assignment: Assignment) -> str:
    t = turn.t
    if assignment.status is AssignmentStatus.WAITLISTED:
        position = await waitlist.waitlist_position(turn.session, assignment)
        return t("my.state.waitlisted", position=position)
    if assignment.status is AssignmentStatus.CHECKED_IN:
        return t("my.state.checked_in")
    offer = await swap_queries.open_offer_of(turn.session, assignment.id)
    if offer is not None:
        return t("swaps.my_state", state=t(f"swaps.status.{offer.status.value}"))
    if assignment.assigned:
        if await leave.pending_of(turn.session, assignment.id) is not None:
            return t("rostering.my.leave_asked")
        if assignment.acknowledged_at is None:
            return t("rostering.my.unacknowledged")
        return t("rostering.my.assigned")
    return ""


async def show_mine(turn: Turn) -> None:
    t = turn.t
    member = turn.actor.require_member()
    mine = await signup.upcoming_of(turn.session, member, turn.now)
    if not mine:
        text, markup = t("my.none"), None
    else:
        lines = [t("my.header")]
        cancels: list[InlineKeyboardButton] = []
        swap_buttons: list[InlineKeyboardButton] = []
        for number, assignment in enumerate(mine, start=1):
            lines.append(
                t(
                    "my.item",
                    n=number,
                    shift=shift_label(t, assignment.shift),
                    state=await _state(turn, assignment),
                )
            )
            if assignment.assigned and assignment.status is AssignmentStatus.SIGNED_UP:
                # An assigned seat is not cancelled: leave is asked, and a coordinator decides.
                if await leave.pending_of(turn.session, assignment.id) is None:
                    cancels.append(
                        button(
                            t("rostering.button.leave_n", n=number),
                            AskLeave(assignment.id).pack(),
                        )
                    )
            elif assignment.status in (AssignmentStatus.SIGNED_UP, AssignmentStatus.WAITLISTED):
                cancels.append(
                    button(t("my.button.cancel", n=number), f"{MY_CANCEL_BUTTON}:{assignment.id}")
                )
            if (
                assignment.status is AssignmentStatus.SIGNED_UP
                and assignment.shift.starts_at > turn.now
            ):
                swap_buttons.append(swap_button(t, number, assignment.id))
        rows = [cancels[i : i + 3] for i in range(0, len(cancels), 3)]
        rows += [swap_buttons[i : i + 3] for i in range(0, len(swap_buttons), 3)]
        rows.append([button(t("my.button.calendar"), CALENDAR_BUTTON)])
        text, markup = "\n".join(lines), inline(rows)
    if turn.update.callback_query is not None:
        turn.edit(text, markup)
    else:
        turn.reply(text, markup)


async def ask_cancel(turn: Turn) -> None:
    t = turn.t
    assignment_id = _id_arg(turn, MY_CANCEL_BUTTON)
    member = turn.actor.require_member()
    mine = await signup.upcoming_of(turn.session, member, turn.now)
    assignment = next((a for a in mine if a.id == assignment_id), None)
    if assignment is None:
        turn.answer(t("error.assignment_not_found"), alert=True)
        return
    turn.edit(
        t("my.confirm_cancel", shift=shift_label(t, assignment.shift)),
        inline(
            [
                [
                    button(
                        t("my.button.confirm_cancel"), f"{MY_CANCEL_YES_BUTTON}:{assignment.id}"
                    ),
                    button(t("my.button.keep"), MY_BUTTON),
                ]
            ]
        ),
    )


async def confirm_cancel(turn: Turn) -> None:
    t = turn.t
    assignment_id = _id_arg(turn, MY_CANCEL_YES_BUTTON)
    if assignment_id is None:
        turn.answer(t("common.stale_button"), alert=True)
        return
    assignment = await signup.cancel(
        turn.session, turn.actor, assignment_id, turn.now, turn.runtime.settings
    )
    turn.edit(t("my.cancelled", shift=shift_label(t, assignment.shift)))


async def send_calendar(turn: Turn) -> None:
    t = turn.t
    member = turn.actor.require_member()
    mine = [
        a
        for a in await signup.upcoming_of(turn.session, member, turn.now)
        if a.status is not AssignmentStatus.WAITLISTED
    ]
    if not mine:
        turn.answer(t("my.calendar_empty"), alert=True)
        return
    entries = [
        calendar.CalendarEntry(
            uid=f"dutybot-assignment-{a.id}",
            starts_at=a.shift.starts_at,
            ends_at=a.shift.ends_at,
            summary=t(
                "my.calendar_summary",
                kind=post_type_name(t, a.shift.post.type),
                post=a.shift.post.name,
            ),
            location=a.shift.post.name,
            latitude=a.shift.post.latitude,
            longitude=a.shift.post.longitude,
            description=a.shift.notes or "",
        )
        for a in mine
    ]
    turn.answer()
    turn.reply_document(
        "dutybot-shifts.ics",
        calendar.build_ics(entries, turn.now),
        caption=t("my.calendar_caption", count=len(entries)),
    )
