"""Pieces the oversight journeys share: reading a photo or a place off a message, showing
evidence photos (one, or an album), and refusals whose parameters need words first."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton

from bot.buttons import CallbackData
from bot.errors import DomainError
from handlers.checkin import photo_of, position_of
from handlers.keyboards import button
from handlers.turn import Turn, error_text

MAX_SHOWN = 10

__all__ = ["data_button", "photo_of", "position_of", "refuse", "send_photos"]


def data_button(text: str, data: CallbackData) -> InlineKeyboardButton:
    return button(text, data)


def refuse(turn: Turn, error: DomainError) -> None:
    """A refusal: an alert on a button press, a reply to a message."""
    text = error_text(turn.t, error)
    if turn.update.callback_query is not None:
        turn.answer(text, alert=True)
    else:
        turn.reply(text)


def send_photos(turn: Turn, file_ids: Sequence[str], caption: str | None = None) -> None:
    """Evidence photos into the chat as part of the answer (kept with the commit, so a crash
    loses none), the caption on the first. At most ten: an album's worth."""
    for index, file_id in enumerate(list(file_ids)[:MAX_SHOWN]):
        turn.reply_photo_file(file_id, caption if index == 0 else None)
