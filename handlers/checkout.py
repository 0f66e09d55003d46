"""Check-out (/checkout, the 🏁 button, the early leave's reason) and the "still on post?"
answer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from telegram import ReplyKeyboardRemove

from bot.buttons import CheckOut, OnPost
from bot.db.models import CheckIn, Dialogue
from bot.errors import DomainError, ErrorCode
from bot.services.duty import checkout as checkout_service
from bot.services.duty.checkin_text import duration
from bot.services.platform import dialogues, inbox
from handlers.checkin_input import checkout_markup, sent_at
from handlers.keyboards import cancel_row, inline
from handlers.turn import Turn, error_text


async def confirm_on_post(turn: Turn, data: OnPost) -> None:
    member = turn.actor.require_member()
    current = await checkout_service.open_checkin(turn.session, member.id)
    if current is None or current.id != data.checkin_id:
        # The check-in asked about is over: neither button of the question can do anything.
        turn.stale()
        turn.pressed_buttons_off()
        return
    turn.edit(turn.t("checkin.on_post_thanks"), checkout_markup(turn.t, current))


async def checkout(turn: Turn) -> None:
    """/checkout: as of when it was sent."""
    message = turn.message
    await _checkout(turn, None, sent_at(message) if message is not None else None)


async def checkout_pressed(turn: Turn, data: CheckOut) -> None:
    """The check-out button of a confirmation or an alert: Telegram puts no time on a press,
    so as of when the bot received it (a press stored and handled late still counts then)."""
    received = await inbox.received_at(turn.session, turn.update.update_id)
    await _checkout(turn, data.checkin_id, received)


async def _checkout(turn: Turn, checkin_id: int | None, sent: dt.datetime | None = None) -> None:
    member = turn.actor.require_member()
    try:
        outcome = await checkout_service.request_checkout(
            turn.session, member, checkin_id, turn.now, sent_at=sent
        )
    except DomainError as error:
        turn.refuse(error)
        if checkin_id is not None and (error.for_good or error.code in checkout_service.PRESS_ENDS):
            # Pressed on a check-in that is over: its buttons can never check anyone out.
            turn.pressed_buttons_off()
        return
    t = turn.t
    if isinstance(outcome, checkout_service.NeedReason):
        shift = outcome.checkin.assignment.shift
        question = dialogues.known(turn.session, turn.user_id)
        assert question is not None
        # Its prompt, so that its ✖️ goes once it ends or another command replaces it.
        turn.prompt(
            question,
            t(
                "checkout.ask_reason",
                post=shift.post.name,
                end=t.end_time(shift.starts_at, shift.ends_at),
            ),
            inline([cancel_row(t)]),
        )
        return
    _checked_out(turn, outcome.checkin)


def _checked_out(turn: Turn, record: CheckIn) -> None:
    t = turn.t
    shift = record.assignment.shift
    lines = [
        t(
            "checkout.done",
            post=shift.post.name,
            time=t.time(record.checked_out_at or turn.now),
            hours=duration(t, record.credited_minutes or 0),
        )
    ]
    if record.early_reason:
        lines.append(t("checkout.done.early", reason=record.early_reason))
    if record.presence_ratio is not None:
        lines.append(t("checkout.done.presence", percent=round(record.presence_ratio * 100)))
    turn.reply("\n".join(lines), ReplyKeyboardRemove())


def tell_left_as_asked(turn: Turn, record: CheckIn) -> None:
    """The early check-out whose reason never came, made as something else replaced its
    question (a check-in, another command)."""
    t = turn.t
    left = record.checked_out_at
    assert left is not None
    turn.reply(
        t(
            "checkout.left_without_reason",
            post=record.assignment.shift.post.name,
            time=t.time(left),
            hours=duration(t, record.credited_minutes or 0),
        )
    )


async def reason_replaced(turn: Turn, question: Mapping[str, Any]) -> None:
    """Another command begun instead of the early check-out's reason: she left when she sent
    /checkout, and is told so."""
    member = turn.actor.member
    if member is None:
        return
    record = await checkout_service.leave_as_replaced(turn.session, member, question, turn.now)
    if record is not None:
        tell_left_as_asked(turn, record)


async def on_checkout_dialogue(turn: Turn, dialogue: Dialogue) -> None:
    message = turn.message
    assert message is not None
    member = turn.actor.require_member()
    if not message.text:
        turn.prompt(dialogue, turn.t("checkout.need_reason_text"), inline([cancel_row(turn.t)]))
        return
    try:
        record = await checkout_service.checkout_with_reason(
            turn.session, member, dialogue, message.text, turn.now
        )
    except DomainError as error:
        if error.code is ErrorCode.CHECKIN_NOT_CHECKED_IN:
            # Checked out meanwhile (automatically, or by a coordinator): nothing is left to
            # give a reason for, so the question ends with the answer.
            await dialogues.end(turn.session, turn.user_id)
            turn.refuse(error)
            return
        turn.prompt(dialogue, error_text(turn.t, error), inline([cancel_row(turn.t)]))
        return
    _checked_out(turn, record)
