"""Turn.edit replaces the pressed message only when its text or buttons would change: Telegram
refuses an edit to what the message already shows ("message is not modified")."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from telegram import (
    CallbackQuery,
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
    User,
)

from handlers.turn import Turn

NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


def keyboard(*labels: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=label)] for label in labels]
    )


def pressed(text: str, markup: InlineKeyboardMarkup | None) -> Turn:
    """A turn for a press on a message showing `text` and `markup`."""
    user = User(1, "Ann", is_bot=False)
    message = Message(7, NOW, Chat(1, Chat.PRIVATE), text=text, reply_markup=markup)
    query = CallbackQuery("q1", user, "chat-instance", message=message, data="a")
    none = cast(Any, None)
    return Turn(Update(1, callback_query=query), none, none, none, none, NOW)


def queued(turn: Turn) -> int:
    return len(turn._answers)


def test_the_same_text_and_buttons_are_not_sent_again() -> None:
    turn = pressed("Reports are in English.", keyboard("English", "中文"))
    turn.edit("Reports are in English.", keyboard("English", "中文"))
    assert queued(turn) == 0
    turn = pressed("Done.", None)
    turn.edit("Done.")
    assert queued(turn) == 0


def test_another_text_or_other_buttons_are_an_edit() -> None:
    turn = pressed("Reports are in English.", keyboard("English", "中文"))
    turn.edit("Reports are in Chinese.", keyboard("English", "中文"))
    assert queued(turn) == 1
    turn = pressed("Reports are in English.", keyboard("English", "中文"))
    turn.edit("Reports are in English.", keyboard("English"))
    assert queued(turn) == 1
    turn = pressed("Reports are in English.", keyboard("English"))
    turn.edit("Reports are in English.")
    assert queued(turn) == 1
