"""Coordinators: shifts. /newshift (post, day or weekdays with a date range, time, capacity,
then an optional required tag and notes) and the shift card (who is on it, change capacity,
notes or time, cancel the shift, take someone off)."""

from __future__ import annotations

import datetime as dt

from telegram import InlineKeyboardButton

from bot.db.models import AssignmentStatus, Dialogue, Post, Role, ShiftStatus
from bot.services.duty import attendance
from bot.services.people.tags import clean_tag
from bot.services.platform import dialogues
from bot.services.schedule import posts, roster, shifts, signup, timespec
from bot.services.schedule.shift_text import shift_label
from handlers.attendance import roster_buttons, status_line
from handlers.keyboards import (
    button,
    callback_args,
    cancel_row,
    inline,
    int_arg,
    offset_arg,
    page,
    page_offset,
)
from handlers.swaps import shift_card_lines as swap_card_lines
from handlers.turn import Turn

DIALOGUE_NEW = "shift_new"
DIALOGUE_EDIT = "shift_edit"
NEW_FOR_POST_BUTTON = "ns.p"
NEW_POST_PAGE_BUTTON = "ns.pg"  # ns.pg:<offset>
NEW_DAY_BUTTON = "ns.d"
NEW_TIME_BUTTON = "ns.t"
NEW_CAPACITY_BUTTON = "ns.c"
NEW_CREATE_BUTTON = "ns.ok"
NEW_TAG_BUTTON = "ns.tag"
NEW_NOTES_BUTTON = "ns.note"
CARD_BUTTON = shifts.SHIFT_CARD_BUTTON
EDIT_CAPACITY_BUTTON = "se.c"
EDIT_NOTES_BUTTON = "se.n"
EDIT_TIME_BUTTON = "se.t"
CANCEL_SHIFT_BUTTON = "sx"
CANCEL_SHIFT_YES_BUTTON = "sxy"
REMOVE_BUTTON = "rm"
REMOVE_YES_BUTTON = "rmy"
DAYS_OFFERED = 7
COMMON_SLOTS = ("07:00-09:00", "17:00-19:00")
CAPACITY_CHOICES = (1, 2, 3, 4, 6, 8)
CARD_PAGE_SIZE = 25  # people a page of the shift card: with their buttons well within 100


def _arg(turn: Turn, prefix: str, index: int = 0) -> int | None:
    query = turn.update.callback_query
    assert query is not None
    return int_arg(callback_args(query.data, prefix), index)


def _show(turn: Turn, text: str, rows: list[list[InlineKeyboardButton]] | None = None) -> None:
    markup = inline(rows) if rows else None
    if turn.update.callback_query is not None:
        turn.edit(text, markup)
    else:
        turn.reply(text, markup)


# -- /newshift -------------------------------------------------------------------------------


async def start_new(turn: Turn) -> None:
    t = turn.t
    managed = await posts.managed(turn.session, turn.actor)
    if not managed:
        turn.reply(t("schedule.no_posts"))
        return
    await dialogues.begin(turn.session, turn.user_id, DIALOGUE_NEW, "post", turn.now)
    _ask_post(turn, managed, 0)


def _ask_post(turn: Turn, managed: list[Post], offset: int) -> None:
    t = turn.t
    shown = page(t, managed, offset, NEW_POST_PAGE_BUTTON, line_key="posts.page")
    rows = [
        [button(f"{post.name} · {post.unit.name}", f"{NEW_FOR_POST_BUTTON}:{post.id}")]
        for post in shown.items
    ]
    text = t("schedule.pick_post")
    if shown.line is not None:
        text += "\n" + shown.line
    _show(turn, text, [*rows, *shown.nav_rows, cancel_row(t)])


async def page_posts(turn: Turn) -> None:
    """Another page of posts, only while /newshift is at its post step."""
    query = turn.update.callback_query
    assert query is not None
    offset = page_offset(query.data, NEW_POST_PAGE_BUTTON)
    if await _new_dialogue(turn, "post") is None:
        return
    managed = await posts.managed(turn.session, turn.actor)
    if offset is None or not managed:
        turn.answer(turn.t("common.stale_button"), alert=True)
        return
    _ask_post(turn, managed, offset)


async def pick_post(turn: Turn) -> None:
    """From /newshift's post list, or the New shift button of a post card."""
    t = turn.t
    post_id = _arg(turn, NEW_FOR_POST_BUTTON)
    if post_id is None:
        turn.answer(t("common.stale_button"), alert=True)
        return
    post = await shifts.schedulable_post(turn.session, turn.actor, post_id)
    await dialogues.begin(
        turn.session, turn.user_id, DIALOGUE_NEW, "day", turn.now, {"post_id": post.id}
    )
    today = turn.now.astimezone(turn.runtime.settings.zone).date()
    days = [today + dt.timedelta(days=n) for n in range(DAYS_OFFERED)]
    rows = [
        [button(t.weekday_date(day), f"{NEW_DAY_BUTTON}:{day:%Y%m%d}") for day in days[i : i + 4]]
        for i in range(0, len(days), 4)
    ]
    _show(turn, t("schedule.ask_day", post=post.name), [*rows, cancel_row(t)])


async def _new_dialogue(turn: Turn, step: str) -> Dialogue | None:
    dialogue = await dialogues.current(turn.session, turn.user_id)
    if dialogue is None or dialogue.kind != DIALOGUE_NEW or dialogue.step != step:
        turn.answer(turn.t("common.stale_button"), alert=True)
        return None
    return dialogue


async def pick_day(turn: Turn) -> None:
    query = turn.update.callback_query
    assert query is not None
    args = callback_args(query.data, NEW_DAY_BUTTON)
    dialogue = await _new_dialogue(turn, "day")
    if dialogue is None:
        return
    try:
        day = dt.datetime.strptime(args[0], "%Y%m%d").date() if args else None
    except ValueError:
        day = None
    if day is None:
        turn.answer(turn.t("common.stale_button"), alert=True)
        return
    _ask_time(turn, dialogue, [day.isoformat()], turn.t.weekday_date(day))


def _ask_time(turn: Turn, dialogue: Dialogue, days: list[str], described: str) -> None:
    t = turn.t
    dialogues.advance(dialogue, "time", turn.now, days=days)
    rows = [
        [button(slot.replace("-", "–"), f"{NEW_TIME_BUTTON}:{slot.replace(':', '')}")]
        for slot in COMMON_SLOTS
    ]
    _show(turn, t("schedule.ask_time", days=described), [*rows, cancel_row(t)])


async def pick_time(turn: Turn) -> None:
    query = turn.update.callback_query
    assert query is not None
    args = callback_args(query.data, NEW_TIME_BUTTON)
    dialogue = await _new_dialogue(turn, "time")
    if dialogue is None:
        return
    window = timespec.parse_time_range(args[0]) if args else None
    if window is None:
        turn.answer(turn.t("common.stale_button"), alert=True)
        return
    _ask_capacity(turn, dialogue, window)


def _ask_capacity(turn: Turn, dialogue: Dialogue, window: tuple[dt.time, dt.time]) -> None:
    t = turn.t
    start, end = shifts.check_times(*window)
    dialogues.advance(dialogue, "capacity", turn.now, start=f"{start:%H:%M}", end=f"{end:%H:%M}")
    rows = [[button(str(n), f"{NEW_CAPACITY_BUTTON}:{n}") for n in CAPACITY_CHOICES]]
    _show(turn, t("schedule.ask_capacity"), [*rows, cancel_row(t)])


async def pick_capacity(turn: Turn) -> None:
    capacity = _arg(turn, NEW_CAPACITY_BUTTON)
    dialogue = await _new_dialogue(turn, "capacity")
    if dialogue is None:
        return
    if capacity is None:
        turn.answer(turn.t("common.stale_button"), alert=True)
        return
    await _review(turn, dialogue, shifts.check_capacity(capacity))


async def _review(turn: Turn, dialogue: Dialogue, capacity: int | None = None) -> None:
    t = turn.t
    if capacity is not None:
        dialogues.advance(dialogue, "review", turn.now, capacity=capacity)
    else:
        dialogues.advance(dialogue, "review", turn.now)
    data = dialogue.data
    post = await posts.get(turn.session, int(data["post_id"]))
    days = [dt.date.fromisoformat(day) for day in data["days"]]
    lines = [
        t(
            "schedule.review",
            post=post.name,
            days=_describe_days(turn, days),
            count=len(days),
            start=data["start"],
            end=data["end"],
            capacity=data["capacity"],
        )
    ]
    if data.get("tag"):
        lines.append(t("schedule.review_tag", tag=data["tag"]))
    if data.get("notes"):
        lines.append(t("schedule.review_notes", notes=data["notes"]))
    rows = [
        [button(t("schedule.button.create"), NEW_CREATE_BUTTON)],
        [
            button(t("schedule.button.tag"), NEW_TAG_BUTTON),
            button(t("schedule.button.notes"), NEW_NOTES_BUTTON),
        ],
        cancel_row(t),
    ]
    _show(turn, "\n".join(lines), rows)


def _describe_days(turn: Turn, days: list[dt.date]) -> str:
    t = turn.t
    if len(days) == 1:
        return t.weekday_date(days[0])
    return t("schedule.days_range", first=t.date(days[0]), last=t.date(days[-1]), count=len(days))


async def ask_tag(turn: Turn) -> None:
    dialogue = await _new_dialogue(turn, "review")
    if dialogue is None:
        return
    dialogues.advance(dialogue, "tag", turn.now)
    turn.edit(turn.t("schedule.ask_tag"), inline([cancel_row(turn.t)]))


async def ask_notes(turn: Turn) -> None:
    dialogue = await _new_dialogue(turn, "review")
    if dialogue is None:
        return
    dialogues.advance(dialogue, "notes", turn.now)
    turn.edit(turn.t("schedule.ask_notes"), inline([cancel_row(turn.t)]))


async def create(turn: Turn) -> None:
    t = turn.t
    dialogue = await _new_dialogue(turn, "review")
    if dialogue is None:
        return
    data = dialogue.data
    start = timespec.parse_time(str(data["start"]))
    end = timespec.parse_time(str(data["end"]))
    assert start is not None and end is not None
    created = await shifts.create(
        turn.session,
        turn.actor,
        post_id=int(data["post_id"]),
        days=[dt.date.fromisoformat(day) for day in data["days"]],
        start=start,
        end=end,
        capacity=int(data["capacity"]),
        required_tag=data.get("tag"),
        notes=data.get("notes"),
        now=turn.now,
        settings=turn.runtime.settings,
    )
    await dialogues.end(turn.session, turn.user_id)
    first = created[0]
    turn.edit(
        t("schedule.created", count=len(created), shift=shift_label(t, first)),
        inline(
            [
                [
                    button(t("schedule.button.open_card"), f"{CARD_BUTTON}:{first.id}"),
                    button(t("schedule.button.another"), f"{NEW_FOR_POST_BUTTON}:{first.post_id}"),
                ]
            ]
        ),
    )


async def on_new(turn: Turn, dialogue: Dialogue) -> None:
    t = turn.t
    message = turn.message
    assert message is not None
    text = (message.text or "").strip()
    step = dialogue.step
    if step == "day":
        await _on_day_text(turn, dialogue, text)
    elif step == "time":
        window = timespec.parse_time_range(text)
        if window is None:
            turn.reply(t("schedule.need_time"), inline([cancel_row(t)]))
            return
        _ask_capacity(turn, dialogue, window)
    elif step == "capacity":
        if not text.isdigit():
            turn.reply(t("schedule.need_capacity"), inline([cancel_row(t)]))
            return
        await _review(turn, dialogue, shifts.check_capacity(int(text)))
    elif step == "tag":
        if not text:
            turn.reply(t("schedule.need_text"), inline([cancel_row(t)]))
            return
        dialogue.data = {**dialogue.data, "tag": clean_tag(text)}
        await _review(turn, dialogue)
    elif step == "notes":
        if not text:
            turn.reply(t("schedule.need_text"), inline([cancel_row(t)]))
            return
        dialogue.data = {**dialogue.data, "notes": shifts.clean_notes(text)}
        await _review(turn, dialogue)
    else:
        turn.reply(t("schedule.need_button"))


async def _on_day_text(turn: Turn, dialogue: Dialogue, text: str) -> None:
    """A date (2026-12-01, 12-01), or weekdays with a range: ``mon-fri 12-01 12-31``."""
    t = turn.t
    today = turn.now.astimezone(turn.runtime.settings.zone).date()
    parts = text.split()
    if len(parts) == 1:
        day = timespec.parse_date(parts[0], today)
        if day is None:
            turn.reply(t("schedule.need_day"), inline([cancel_row(t)]))
            return
        _ask_time(turn, dialogue, [day.isoformat()], t.weekday_date(day))
        return
    if len(parts) == 3:
        weekdays = timespec.parse_weekdays(parts[0])
        first = timespec.parse_date(parts[1], today)
        last = timespec.parse_date(parts[2], first or today)
        if weekdays is not None and first is not None and last is not None:
            days = timespec.days_between(weekdays, first, last)
            shifts.check_days(days)
            _ask_time(turn, dialogue, [day.isoformat() for day in days], _describe_days(turn, days))
            return
    turn.reply(t("schedule.need_day"), inline([cancel_row(t)]))


# -- the shift card --------------------------------------------------------------------------


async def render_card(turn: Turn, shift_id: int, offset: int = 0) -> None:
    """The shift card; its people come ``CARD_PAGE_SIZE`` at a time (a shift may seat up to
    500, each with up to three buttons, and Telegram takes 100 in one keyboard)."""
    t = turn.t
    shift = await shifts.get_managed(turn.session, turn.actor, shift_id)
    attached = await roster.roster_of_shift(turn.session, shift)
    records = await attendance.attendance(
        turn.session, [a.id for a in attached.seated], turn.now, turn.runtime.settings
    )
    lines = [
        t(
            "schedule.card",
            shift=shift_label(t, shift),
            unit=shift.post.unit.name,
            seated=len(attached.seated),
            capacity=shift.capacity,
        )
    ]
    if shift.required_tag:
        lines.append(t("schedule.review_tag", tag=shift.required_tag))
    if shift.notes:
        lines.append(t("schedule.review_notes", notes=shift.notes))
    if shift.status is ShiftStatus.CANCELLED:
        lines.append(t("schedule.card_cancelled"))
    rows: list[list[InlineKeyboardButton]] = []
    shown = page(
        t,
        attached.seated,
        offset,
        f"{CARD_BUTTON}:{shift.id}",
        size=CARD_PAGE_SIZE,
        line_key="schedule.card_page",
    )
    if shown.line is not None:
        lines.append(shown.line)
    for number, assignment in enumerate(shown.items, start=shown.offset + 1):
        name = assignment.member.display_name
        record = records[assignment.id]
        lines.append(t("schedule.card_person", n=number, name=name, status=status_line(t, record)))
        if buttons := roster_buttons(t, record, name):
            rows.append(buttons)
        if assignment.status is AssignmentStatus.SIGNED_UP:
            rows.append(
                [
                    button(
                        t("schedule.button.remove", name=assignment.member.display_name),
                        f"{REMOVE_BUTTON}:{assignment.id}",
                    )
                ]
            )
    rows += shown.nav_rows
    if attached.waitlisted:
        names = t("common.list_separator").join(a.member.display_name for a in attached.waitlisted)
        lines.append(t("schedule.card_waitlist", names=names)[:1000])
    lines += await swap_card_lines(turn, shift.id)
    if shift.status is not ShiftStatus.CANCELLED and shift.starts_at > turn.now:
        rows.append(
            [
                button(t("schedule.button.capacity"), f"{EDIT_CAPACITY_BUTTON}:{shift.id}"),
                button(t("schedule.button.edit_notes"), f"{EDIT_NOTES_BUTTON}:{shift.id}"),
                button(t("schedule.button.time"), f"{EDIT_TIME_BUTTON}:{shift.id}"),
            ]
        )
        rows.append(
            [button(t("schedule.button.cancel_shift"), f"{CANCEL_SHIFT_BUTTON}:{shift.id}")]
        )
    _show(turn, "\n".join(lines), rows)


async def show_card(turn: Turn) -> None:
    """``sc:<shift>`` opens the card, ``sc:<shift>:<offset>`` turns the page of its people."""
    query = turn.update.callback_query
    assert query is not None
    args = callback_args(query.data, CARD_BUTTON)
    shift_id = int_arg(args, 0)
    offset = offset_arg(args[1:]) if args[1:] else 0
    if shift_id is None or offset is None:
        turn.answer(turn.t("common.stale_button"), alert=True)
        return
    await render_card(turn, shift_id, offset)


async def _begin_edit(turn: Turn, prefix: str, step: str, prompt: str) -> None:
    shift_id = _arg(turn, prefix)
    if shift_id is None:
        turn.answer(turn.t("common.stale_button"), alert=True)
        return
    shift = await shifts.get_managed(turn.session, turn.actor, shift_id)
    await dialogues.begin(
        turn.session, turn.user_id, DIALOGUE_EDIT, step, turn.now, {"shift_id": shift.id}
    )
    turn.edit(turn.t(prompt, shift=shift_label(turn.t, shift)), inline([cancel_row(turn.t)]))


async def ask_capacity(turn: Turn) -> None:
    await _begin_edit(turn, EDIT_CAPACITY_BUTTON, "capacity", "schedule.ask_new_capacity")


async def ask_edit_notes(turn: Turn) -> None:
    await _begin_edit(turn, EDIT_NOTES_BUTTON, "notes", "schedule.ask_new_notes")


async def ask_time(turn: Turn) -> None:
    await _begin_edit(turn, EDIT_TIME_BUTTON, "time", "schedule.ask_new_time")


async def on_edit(turn: Turn, dialogue: Dialogue) -> None:
    t = turn.t
    message = turn.message
    assert message is not None
    text = (message.text or "").strip()
    shift_id = int(dialogue.data["shift_id"])
    settings = turn.runtime.settings
    if dialogue.step == "capacity":
        if not text.isdigit():
            turn.reply(t("schedule.need_capacity"), inline([cancel_row(t)]))
            return
        await shifts.edit(
            turn.session, turn.actor, shift_id, turn.now, settings, capacity=int(text)
        )
    elif dialogue.step == "time":
        window = timespec.parse_time_range(text)
        if window is None:
            turn.reply(t("schedule.need_time"), inline([cancel_row(t)]))
            return
        await shifts.edit(turn.session, turn.actor, shift_id, turn.now, settings, times=window)
    else:
        if not text:
            turn.reply(t("schedule.need_text"), inline([cancel_row(t)]))
            return
        clear = text == "-"
        await shifts.edit(
            turn.session,
            turn.actor,
            shift_id,
            turn.now,
            settings,
            notes=None if clear else text,
            clear_notes=clear,
        )
    await dialogues.end(turn.session, turn.user_id)
    turn.reply(t("schedule.updated"))
    await render_card(turn, shift_id)


async def ask_cancel_shift(turn: Turn) -> None:
    t = turn.t
    shift_id = _arg(turn, CANCEL_SHIFT_BUTTON)
    if shift_id is None:
        turn.answer(t("common.stale_button"), alert=True)
        return
    shift = await shifts.get_managed(turn.session, turn.actor, shift_id)
    turn.edit(
        t("schedule.confirm_cancel", shift=shift_label(t, shift)),
        inline(
            [
                [
                    button(
                        t("schedule.button.confirm_cancel"), f"{CANCEL_SHIFT_YES_BUTTON}:{shift.id}"
                    ),
                    button(t("shifts.button.back"), f"{CARD_BUTTON}:{shift.id}"),
                ]
            ]
        ),
    )


async def cancel_shift(turn: Turn) -> None:
    t = turn.t
    shift_id = _arg(turn, CANCEL_SHIFT_YES_BUTTON)
    if shift_id is None:
        turn.answer(t("common.stale_button"), alert=True)
        return
    shift, told = await shifts.cancel(
        turn.session, turn.actor, shift_id, turn.now, turn.runtime.settings
    )
    turn.edit(t("schedule.cancelled", shift=shift_label(t, shift), told=told))


async def ask_remove(turn: Turn) -> None:
    t = turn.t
    assignment_id = _arg(turn, REMOVE_BUTTON)
    if assignment_id is None:
        turn.answer(t("common.stale_button"), alert=True)
        return
    assignment = await shifts.assignment_managed(turn.session, turn.actor, assignment_id)
    turn.edit(
        t(
            "schedule.confirm_remove",
            name=assignment.member.display_name,
            shift=shift_label(t, assignment.shift),
        ),
        inline(
            [
                [
                    button(
                        t("schedule.button.confirm_remove"), f"{REMOVE_YES_BUTTON}:{assignment.id}"
                    ),
                    button(t("shifts.button.back"), f"{CARD_BUTTON}:{assignment.shift_id}"),
                ]
            ]
        ),
    )


async def remove(turn: Turn) -> None:
    t = turn.t
    assignment_id = _arg(turn, REMOVE_YES_BUTTON)
    if assignment_id is None:
        turn.answer(t("common.stale_button"), alert=True)
        return
    turn.actor.require(Role.COORDINATOR)
    assignment = await signup.remove(
        turn.session, turn.actor, assignment_id, turn.now, turn.runtime.settings
    )
    turn.answer(t("schedule.removed", name=assignment.member.display_name))
    await render_card(turn, assignment.shift_id)
