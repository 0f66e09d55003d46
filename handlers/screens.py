"""Showing a journey's next screen: a button press edits the message it came from, a typed
message gets a new one."""

from __future__ import annotations

from telegram import InlineKeyboardButton

from handlers.keyboards import inline
from handlers.turn import Turn


def show(turn: Turn, text: str, rows: list[list[InlineKeyboardButton]] | None = None) -> None:
    markup = inline(rows) if rows else None
    if turn.update.callback_query is not None:
        turn.edit(text, markup)
    else:
        turn.reply(text, markup)
