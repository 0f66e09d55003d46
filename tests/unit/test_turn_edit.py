"""Turn.edit replaces the pressed message only when its text or buttons would change: Telegram
refuses an edit to what the message already shows ("message is not modified")."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
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

from bot.buttons import CancelDialogue
from bot.db.models import Dialogue, DialogueKind
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


def test_a_cancel_button_goes_out_marked_with_the_open_dialogue() -> None:
    """A ✖️ is kept with the mark of the dialogue open as the turn ends, so an edit to the same
    prompt (already marked) is not sent again, and a prompt marked otherwise is re-marked."""
    open_now = Dialogue(
        telegram_id=1, kind=DialogueKind.STREET_REPORT, step="photo", data={"mark": 5}
    )
    session = SimpleNamespace(info={"dialogues.known": {1: open_now}})
    cancel = [InlineKeyboardButton("✖️", callback_data=CancelDialogue().pack())]

    def with_cancel(data: str) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[InlineKeyboardButton("✖️", callback_data=data)]])

    turn = pressed("Send a photo.", with_cancel("cancel:5"))
    turn.session = cast(Any, session)
    turn.edit("Send a photo.", InlineKeyboardMarkup([cancel]))
    assert queued(turn) == 0

    turn = pressed("Send a photo.", with_cancel("cancel:4"))
    turn.session = cast(Any, session)
    turn.edit("Send a photo.", InlineKeyboardMarkup([cancel]))
    [row] = turn.answer_rows()[:1]
    assert row["markup"]["data"]["inline_keyboard"][0][0]["callback_data"] == "cancel:5"
