"""Showing a journey's next screen: a button press edits the message it came from, a typed
message gets a new one; and the number a pressed button carries."""

from __future__ import annotations

from telegram import InlineKeyboardButton

from handlers.keyboards import callback_args, inline, int_arg
from handlers.turn import Turn


def pressed_id(turn: Turn, prefix: str, index: int = 0) -> int | None:
    """The number at ``index`` after ``prefix:`` in the pressed button's data (None if none)."""
    query = turn.update.callback_query
    assert query is not None
    return int_arg(callback_args(query.data, prefix), index)


def show(turn: Turn, text: str, rows: list[list[InlineKeyboardButton]] | None = None) -> None:
    markup = inline(rows) if rows else None
    if turn.update.callback_query is not None:
        turn.edit(text, markup)
    else:
        turn.reply(text, markup)
