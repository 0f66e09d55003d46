"""The volunteer's answer to "your shift has started, are you coming?" (the no-show question
the scheduler sends, bot/services/noshow.py)."""

from __future__ import annotations

from telegram import KeyboardButton, ReplyKeyboardMarkup

from bot.buttons import NoShowComing, NoShowNotComing
from bot.errors import DomainError
from bot.services.duty import noshow
from bot.services.duty.checkin_text import location_button
from bot.services.schedule.shift_text import shift_label
from handlers.turn import Turn, error_text


async def coming(turn: Turn, data: NoShowComing) -> None:
    await _answer(turn, data.assignment_id, coming=True)


async def not_coming(turn: Turn, data: NoShowNotComing) -> None:
    await _answer(turn, data.assignment_id, coming=False)


async def _answer(turn: Turn, assignment_id: int, *, coming: bool) -> None:
    member = turn.actor.require_member()
    try:
        answered = await noshow.answer(
            turn.session, member, assignment_id, coming, turn.now, turn.runtime.settings
        )
    except DomainError as error:
        # Every refusal is for good (the shift over, the volunteer on post, the seat gone): the
        # question's buttons go with it, rather than be refused the same way at each press.
        text = error_text(turn.t, error)
        turn.answer(text, alert=True)
        turn.edit(text)
        return
    t = turn.t
    assignment = answered.assignment
    label = shift_label(t, assignment.shift)
    # Who was told: the coordinators, or the admins when the unit has none to tell.
    told = "_admins" if answered.to_admins else ""
    if coming:
        turn.edit(t(f"noshow.reply.coming{told}", shift=label))
        _check_in_on_arrival(turn)
    else:
        # A seat a coordinator assigned is not cancelled: its way out is leave.
        key = (
            "noshow.reply.not_coming_assigned" if assignment.assigned else "noshow.reply.not_coming"
        )
        turn.edit(t(f"{key}{told}", shift=label))


def _check_in_on_arrival(turn: Turn) -> None:
    """How to check in once on post: the 📍 button alone, as under the check-in-open notice. No
    check-in is begun (a location sent when one is due is the check-in), so there is no Cancel:
    on the way, there is nothing to cancel. Where a live location is required no button can
    share one: how to, and no keyboard."""
    t = turn.t
    label = location_button(t, turn.runtime.settings)
    if label is None:
        turn.reply(t("checkin.ask_live_location"))
        return
    keyboard = [[KeyboardButton(label, request_location=True)]]
    markup = ReplyKeyboardMarkup(keyboard, resize_keyboard=True, one_time_keyboard=True)
    turn.reply(t("noshow.reply.coming_checkin"), markup)
