"""Coordinators: the shift card (who is on the shift with their attendance, the waitlist and
its swaps) and what it changes: capacity, notes or time, cancelling the shift, and taking
someone off it."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from telegram import InlineKeyboardButton

from bot.buttons import (
    OpenShiftCard,
    RosterDayPage,
    SeatRemove,
    SeatRemoveConfirm,
    ShiftCancel,
    ShiftCancelConfirm,
    ShiftCard,
    ShiftEditCapacity,
    ShiftEditNotes,
    ShiftEditTime,
)
from bot.db.models import AssignmentStatus, Dialogue, DialogueKind, Role, ShiftStatus
from bot.errors import DomainError
from bot.moves import AFTER_MOVE
from bot.services.duty import attendance
from bot.services.platform import dialogues
from bot.services.schedule import roster, shifts, signup, timespec
from bot.services.schedule.counts import people_count
from bot.services.schedule.shift_text import shift_label
from handlers.assign import ack_mark, assign_row
from handlers.attendance import roster_buttons, status_line
from handlers.keyboards import button, cancel_row, inline, page
from handlers.newshift import capacity_question
from handlers.screens import show
from handlers.swaps import shift_card_lines as swap_card_lines
from handlers.turn import Turn, error_text

DIALOGUE_EDIT = DialogueKind.SHIFT_EDIT
CARD_PAGE_SIZE = 25  # people a page of the shift card: with their buttons well within 100


class EditStep(StrEnum):
    """What a shift card's edit dialogue waits for."""

    CAPACITY = "capacity"
    NOTES = "notes"
    TIME = "time"


async def render_card(
    turn: Turn, shift_id: int, offset: int = 0, *, new_message: bool = False
) -> None:
    """The shift card; its people come ``CARD_PAGE_SIZE`` at a time (a shift may seat up to
    500, each with up to three buttons, and Telegram takes 100 in one keyboard). A press shows
    it in place of the pressed message, unless `new_message` asks for a message of its own."""
    t = turn.t
    shift = await shifts.get_managed(turn.session, turn.actor, shift_id)
    attached = await roster.roster_of_shift(turn.session, shift, turn.now)
    records = await attendance.attendance(
        turn.session,
        [a.id for a in attached.seated],
        turn.now,
        turn.runtime.settings,
        turn.actor,
    )
    lines = [
        t(
            "schedule.card",
            shift=shift_label(t, shift),
            unit=shift.post.unit.name,
            seated=len(attached.seated),
            count=shift.capacity,
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
        lambda at: ShiftCard(shift_id, at),
        size=CARD_PAGE_SIZE,
        line_key="schedule.card_page",
    )
    if shown.line is not None:
        lines.append(shown.line)
    for number, assignment in enumerate(shown.items, start=shown.offset + 1):
        name = assignment.member.display_name
        record = records[assignment.id]
        leave_asked = assignment.id in attached.leave_asked
        status = status_line(t, record) + ack_mark(t, assignment, leave_asked)
        lines.append(t("schedule.card_person", n=number, name=name, status=status))
        if buttons := roster_buttons(t, record, name):
            rows.append(buttons)
        if assignment.status is AssignmentStatus.SIGNED_UP:
            rows.append(
                [
                    button(
                        t("schedule.button.remove", name=assignment.member.display_name),
                        SeatRemove(assignment.id),
                    )
                ]
            )
    rows += shown.nav_rows
    if attached.waitlisted:
        names = t("common.list_separator").join(a.member.display_name for a in attached.waitlisted)
        lines.append(t("schedule.card_waitlist", names=names)[:1000])
    lines += await swap_card_lines(turn, shift.id)
    if shift.status is not ShiftStatus.CANCELLED and shift.starts_at > turn.now:
        if len(attached.seated) < shift.capacity and not shift.post.archived:
            rows.append(assign_row(t, shift.id))
        rows.append(
            [
                button(t("schedule.button.capacity"), ShiftEditCapacity(shift.id)),
                button(t("schedule.button.edit_notes"), ShiftEditNotes(shift.id)),
                button(t("schedule.button.time"), ShiftEditTime(shift.id)),
            ]
        )
        rows.append([button(t("schedule.button.cancel_shift"), ShiftCancel(shift.id))])
    # The card often opens in place of the roster page: a way back to that day's roster.
    day = shift.starts_at.astimezone(turn.runtime.settings.zone).date()
    rows.append([button(t("schedule.button.day_roster"), RosterDayPage(day, 0))])
    if new_message:
        turn.reply("\n".join(lines), inline(rows) if rows else None)
    else:
        show(turn, "\n".join(lines), rows)


async def open_card(turn: Turn, data: OpenShiftCard) -> None:
    """The card opened from a notice (the 🚨 no-show alert): a new message, so the notice, with
    who is missing and their phone, stays where it was."""
    await render_card(turn, data.shift_id, new_message=True)


async def show_card(turn: Turn, data: ShiftCard) -> None:
    """The card, or (with an offset) another page of its people."""
    if data.offset is not None and data.offset < 0:
        turn.stale()
        return
    await render_card(turn, data.shift_id, data.offset or 0)


async def _begin_edit(turn: Turn, shift_id: int, step: EditStep, prompt: str) -> None:
    shift = await shifts.get_managed(turn.session, turn.actor, shift_id)
    # Refused at the press, not after the new value is typed.
    shifts.check_changeable(shift, turn.now)
    dialogue = await dialogues.begin(
        turn.session, turn.user_id, DIALOGUE_EDIT, step, turn.now, {"shift_id": shift.id}
    )
    text = turn.t(prompt, shift=shift_label(turn.t, shift))
    turn.show_prompt(dialogue, text, inline([cancel_row(turn.t)]))


async def ask_capacity(turn: Turn, data: ShiftEditCapacity) -> None:
    await _begin_edit(turn, data.shift_id, EditStep.CAPACITY, "schedule.ask_new_capacity")


async def ask_edit_notes(turn: Turn, data: ShiftEditNotes) -> None:
    await _begin_edit(turn, data.shift_id, EditStep.NOTES, "schedule.ask_new_notes")


async def ask_time(turn: Turn, data: ShiftEditTime) -> None:
    await _begin_edit(turn, data.shift_id, EditStep.TIME, "schedule.ask_new_time")


async def on_edit(turn: Turn, dialogue: Dialogue) -> None:
    t = turn.t
    message = turn.message
    assert message is not None
    text = (message.text or "").strip()
    shift_id = int(dialogue.data["shift_id"])
    change: dict[str, Any] = {}
    if dialogue.step == EditStep.CAPACITY:
        capacity = people_count(text)
        if capacity is None:
            turn.prompt(dialogue, capacity_question(t, text), inline([cancel_row(t)]))
            return
        change["capacity"] = capacity
    elif dialogue.step == EditStep.TIME:
        window = timespec.parse_time_range(text)
        if window is None:
            turn.prompt(dialogue, t("schedule.need_time"), inline([cancel_row(t)]))
            return
        change["times"] = window
    else:
        if not text:
            turn.prompt(dialogue, t("schedule.need_text"), inline([cancel_row(t)]))
            return
        clear = text == "-"
        change.update(notes=None if clear else text, clear_notes=clear)
    try:
        edited = await shifts.edit(
            turn.session,
            turn.actor,
            shift_id,
            turn.now,
            turn.runtime.settings,
            after_move=AFTER_MOVE,
            **change,
        )
    except DomainError as error:
        # Nothing was written. A shift that began or was cancelled meanwhile takes no value
        # typed next: the edit ends rather than refuse every later message the same way.
        if error.for_good or error.code in shifts.EDIT_ENDS:
            await turn.end_refused(error, dialogue)
        else:
            turn.prompt(dialogue, error_text(t, error), inline([cancel_row(t)]))
        return
    await dialogues.end(turn.session, turn.user_id)
    if not edited.changed:
        turn.reply(t("schedule.unchanged"))
    elif edited.told == 0:
        turn.reply(t("schedule.updated_nobody"))
    else:
        turn.reply(t("schedule.updated"))
    await render_card(turn, shift_id)


async def ask_cancel_shift(turn: Turn, data: ShiftCancel) -> None:
    t = turn.t
    shift = await shifts.get_managed(turn.session, turn.actor, data.shift_id)
    # Refused at the press (a card opened before the start), not after the confirmation.
    shifts.check_changeable(shift, turn.now)
    turn.edit(
        t("schedule.confirm_cancel", shift=shift_label(t, shift)),
        inline(
            [
                [
                    button(t("schedule.button.confirm_cancel"), ShiftCancelConfirm(shift.id)),
                    button(t("shifts.button.back"), ShiftCard(shift.id)),
                ]
            ]
        ),
    )


async def cancel_shift(turn: Turn, data: ShiftCancelConfirm) -> None:
    t = turn.t
    shift, told = await shifts.cancel(
        turn.session, turn.actor, data.shift_id, turn.now, turn.runtime.settings
    )
    turn.edit(t("schedule.cancelled", shift=shift_label(t, shift), count=told))


async def ask_remove(turn: Turn, data: SeatRemove) -> None:
    t = turn.t
    assignment = await shifts.assignment_managed(turn.session, turn.actor, data.assignment_id)
    turn.edit(
        t(
            "schedule.confirm_remove",
            name=assignment.member.display_name,
            shift=shift_label(t, assignment.shift),
        ),
        inline(
            [
                [
                    button(t("schedule.button.confirm_remove"), SeatRemoveConfirm(assignment.id)),
                    button(t("shifts.button.back"), ShiftCard(assignment.shift_id)),
                ]
            ]
        ),
    )


async def remove(turn: Turn, data: SeatRemoveConfirm) -> None:
    t = turn.t
    turn.actor.require(Role.COORDINATOR)
    assignment = await signup.remove(
        turn.session, turn.actor, data.assignment_id, turn.now, turn.runtime.settings
    )
    turn.answer(t("schedule.removed", name=assignment.member.display_name))
    await render_card(turn, assignment.shift_id)
