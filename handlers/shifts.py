"""Volunteers: finding open shifts (/shifts), signing up or joining the waitlist, and their own
shifts (/my) with cancelling and a calendar file."""

from __future__ import annotations

import datetime as dt

from telegram import InlineKeyboardButton

from bot.buttons import (
    AskLeave,
    JoinWaitlist,
    MyCalendar,
    MyCancel,
    MyCancelConfirm,
    MyShifts,
    ShiftDayPick,
    ShiftList,
    ShiftTypePick,
    SignUp,
)
from bot.db.models import AssignmentStatus, PostType
from bot.i18n import Translator
from bot.services.rostering import my_seats
from bot.services.schedule import calendar, deadlines, shifts, signup
from bot.services.schedule.shift_text import (
    open_shift_lines,
    post_type_name,
    shift_label,
    sign_up_label,
)
from handlers.keyboards import button, inline
from handlers.swaps import swap_button
from handlers.turn import Turn

PAGE_SIZE = 5
DAYS_SHOWN = 7


def sign_up_button(text: str, shift_id: int) -> InlineKeyboardButton:
    return button(text, SignUp(shift_id))


# -- /shifts ----------------------------------------------------------------------------------


async def list_open(turn: Turn) -> None:
    await _show_page(turn, 0, None, None)


async def page(turn: Turn, data: ShiftList) -> None:
    await _show_page(turn, max(data.offset, 0), data.day, data.post_type)


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
    if result.may_sign_up:
        rows += [signups[i : i + 3] for i in range(0, len(signups), 3)]
    else:
        lines.append(t("error.not_on_post"))
    navigation = []
    if offset > 0:
        navigation.append(
            button(t("shifts.button.previous"), ShiftList(offset - PAGE_SIZE, day, post_type))
        )
    if offset + PAGE_SIZE < result.total:
        navigation.append(
            button(t("shifts.button.next"), ShiftList(offset + PAGE_SIZE, day, post_type))
        )
    if navigation:
        rows.append(navigation)
    rows.append(
        [
            button(t("shifts.button.by_day"), ShiftDayPick(post_type)),
            button(t("shifts.button.by_type"), ShiftTypePick(day)),
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


async def pick_day(turn: Turn, data: ShiftDayPick) -> None:
    post_type = data.post_type
    t = turn.t
    today = turn.today
    days = [today + dt.timedelta(days=n) for n in range(DAYS_SHOWN)]
    rows = [[button(t.weekday_date(day), ShiftList(0, day, post_type))] for day in days]
    rows.append([button(t("shifts.filter.any_day"), ShiftList(0, None, post_type))])
    turn.edit(t("shifts.pick_day"), inline(rows))


async def pick_type(turn: Turn, data: ShiftTypePick) -> None:
    day = data.day
    t = turn.t
    rows = [[button(post_type_name(t, kind), ShiftList(0, day, kind))] for kind in PostType]
    rows.append([button(t("shifts.filter.any_type"), ShiftList(0, day, None))])
    turn.edit(t("shifts.pick_type"), inline(rows))


# -- signing up ------------------------------------------------------------------------------


async def sign_up(turn: Turn, data: SignUp) -> None:
    await _sign_up(turn, data.shift_id, join_waitlist=False)


async def join_waitlist(turn: Turn, data: JoinWaitlist) -> None:
    await _sign_up(turn, data.shift_id, join_waitlist=True)


async def _sign_up(turn: Turn, shift_id: int, *, join_waitlist: bool) -> None:
    t = turn.t
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
                cancel=deadlines.way_out_text(t, shift, turn.now, settings),
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
            inline([[button(t("signup.button.waitlist"), JoinWaitlist(shift_id))]]),
        )


# -- /my -------------------------------------------------------------------------------------


def _state(t: Translator, seat: my_seats.MySeat) -> str:
    if seat.waitlist_position is not None:
        return t("my.state.waitlisted", position=seat.waitlist_position)
    if seat.assignment.status is AssignmentStatus.CHECKED_IN:
        return t("my.state.checked_in")
    if seat.offer_status is not None:
        return t("swaps.my_state", state=t(f"swaps.status.{seat.offer_status.value}"))
    if seat.assignment.assigned:
        if seat.leave_asked:
            return t("rostering.my.leave_asked")
        if seat.assignment.acknowledged_at is None:
            return t("rostering.my.unacknowledged")
        return t("rostering.my.assigned")
    return ""


async def show_mine(turn: Turn) -> None:
    t = turn.t
    member = turn.actor.require_member()
    mine = await my_seats.of(turn.session, member, turn.now, turn.runtime.settings)
    if not mine:
        text, markup = t("my.none"), None
    else:
        lines = [t("my.header")]
        cancels: list[InlineKeyboardButton] = []
        swap_buttons: list[InlineKeyboardButton] = []
        for number, seat in enumerate(mine, start=1):
            assignment_id = seat.assignment.id
            lines.append(
                t(
                    "my.item",
                    n=number,
                    shift=shift_label(t, seat.assignment.shift),
                    state=_state(t, seat),
                )
            )
            if seat.may_ask_leave:
                cancels.append(
                    button(t("rostering.button.leave_n", n=number), AskLeave(assignment_id))
                )
            if seat.may_cancel:
                # A place in the queue is left, not a shift cancelled: its button says so.
                waiting = seat.waitlist_position is not None
                label = "my.button.leave_waitlist_n" if waiting else "my.button.cancel"
                cancels.append(button(t(label, n=number), MyCancel(assignment_id)))
            if seat.may_swap:
                swap_buttons.append(swap_button(t, number, assignment_id))
        rows = [cancels[i : i + 3] for i in range(0, len(cancels), 3)]
        rows += [swap_buttons[i : i + 3] for i in range(0, len(swap_buttons), 3)]
        rows.append([button(t("my.button.calendar"), MyCalendar())])
        text, markup = "\n".join(lines), inline(rows)
    if turn.update.callback_query is not None:
        turn.edit(text, markup)
    else:
        turn.reply(text, markup)


async def back_to_mine(turn: Turn, data: MyShifts) -> None:
    await show_mine(turn)


async def ask_cancel(turn: Turn, data: MyCancel) -> None:
    t = turn.t
    assignment_id = data.assignment_id
    member = turn.actor.require_member()
    mine = await signup.upcoming_of(turn.session, member, turn.now)
    assignment = next((a for a in mine if a.id == assignment_id), None)
    if assignment is None:
        turn.answer(t("error.assignment_not_found"), alert=True)
        return
    signup.check_not_lapsed(assignment, turn.now)
    # A place in the queue is left, not a shift cancelled.
    queued = assignment.status is AssignmentStatus.WAITLISTED
    turn.edit(
        t(
            "my.confirm_leave_waitlist" if queued else "my.confirm_cancel",
            shift=shift_label(t, assignment.shift),
        ),
        inline(
            [
                [
                    button(
                        t("my.button.leave_waitlist" if queued else "my.button.confirm_cancel"),
                        MyCancelConfirm(assignment.id, queued=queued or None),
                    ),
                    button(t("my.button.keep"), MyShifts()),
                ]
            ]
        ),
    )


async def confirm_cancel(turn: Turn, data: MyCancelConfirm) -> None:
    t = turn.t
    cancelled = await signup.cancel(
        turn.session,
        turn.actor,
        data.assignment_id,
        turn.now,
        turn.runtime.settings,
        queued=bool(data.queued),
    )
    key = "my.cancelled" if cancelled.was_seated else "my.left_waitlist"
    turn.edit(t(key, shift=shift_label(t, cancelled.assignment.shift)))


async def send_calendar(turn: Turn, data: MyCalendar) -> None:
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
