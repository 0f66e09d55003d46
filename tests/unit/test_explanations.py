"""A refusal goes out whatever its length: cut to an alert's 200 characters on a pressed button,
split at Telegram's message limit in a chat."""

from __future__ import annotations

import datetime as dt
from typing import cast
from zoneinfo import ZoneInfo

from telegram import Update

from bot.answers import ALERT_LIMIT
from bot.db.engine import DbSession
from bot.db.models import OrderStatus
from bot.errors import DomainError, ErrorCode
from bot.i18n import Translator
from bot.services.people.access import Actor
from handlers.turn import BotContext, Turn, error_text, explanation_rows

USER = {"id": 7, "is_bot": False, "first_name": "甲"}
CHAT = {"id": 7, "type": "private", "first_name": "甲"}


def _message_update() -> Update:
    message = {"message_id": 1, "date": 0, "chat": CHAT, "from": USER, "text": "/tag"}
    return Update.de_json({"update_id": 1, "message": message}, None)


def _button_update() -> Update:
    query = {"id": "q1", "from": USER, "chat_instance": "c", "data": "x"}
    return Update.de_json({"update_id": 2, "callback_query": query}, None)


def test_a_long_explanation_in_a_chat_is_split_into_messages_that_fit() -> None:
    text = "找不到叫「" + "名" * 5000 + "」的成员。"
    rows = explanation_rows(_message_update(), text)
    assert len(rows) == 2
    assert "".join(row["text"] for row in rows) == text
    assert all(len(row["text"]) <= 4096 for row in rows)


def test_a_long_explanation_on_a_button_is_cut_to_an_alert() -> None:
    [row] = explanation_rows(_button_update(), "名" * 300)
    assert row["alert"] is True and len(row["text"]) == ALERT_LIMIT
    assert row["text"].endswith("…")
    [short] = explanation_rows(_button_update(), "这个按钮已失效")
    assert short["text"] == "这个按钮已失效"


def test_an_alert_full_of_emoji_is_cut_to_200_utf_16_code_units() -> None:
    """Telegram counts text in UTF-16 code units, where an emoji outside the BMP is two: a
    refusal quoting a name of 🚦 that is 150 characters long is 300 units, and is cut."""
    [row] = explanation_rows(_button_update(), "「" + "🚦" * 150 + "」不存在")
    assert len(row["text"].encode("utf-16-le")) // 2 <= ALERT_LIMIT
    assert row["text"].startswith("「🚦") and row["text"].endswith("🚦…")
    # A family emoji joined by ZWJs is not left with a dangling joiner at the cut.
    family = "👨\u200d👩\u200d👧"
    [cut] = explanation_rows(_button_update(), family * 40)
    assert len(cut["text"].encode("utf-16-le")) // 2 <= ALERT_LIMIT
    assert not cut["text"][:-1].endswith("\u200d")
    # 200 characters of the BMP are 200 units: they fit as they are.
    [fits] = explanation_rows(_button_update(), "岗" * 200)
    assert fits["text"] == "岗" * 200


def test_a_refusal_shows_moments_and_states_in_words_wherever_it_is_caught() -> None:
    t = Translator("zh_Hans", ZoneInfo("Asia/Shanghai"))
    past = DomainError(
        ErrorCode.ORDER_DEADLINE_PAST, deadline=dt.datetime(2026, 12, 3, 10, 0, tzinfo=dt.UTC)
    )
    assert error_text(t, past) == "期限 2026年12月3日 18:00 已经过去了，请选一个以后的时间。"
    wrong = DomainError(ErrorCode.ORDER_WRONG_STATE, state=OrderStatus.ACCEPTED)
    assert error_text(t, wrong) == "这件整改令现在是「已办结」，不能这样操作。"


def test_a_refusal_caught_by_the_handler_on_a_button_is_cut_to_an_alert_as_one_raised() -> None:
    """`turn.refuse` answers a pressed button as a raised refusal does: within the 200
    characters Telegram takes in an alert (longer, the answer fails and the button spins)."""
    t = Translator("en", ZoneInfo("Asia/Shanghai"))
    error = DomainError(ErrorCode.ALREADY_MEMBER, unit="Civil Affairs Bureau", other="Traffic")
    assert len(error_text(t, error)) > ALERT_LIMIT
    actor = Actor(telegram_id=7, member=None, roles=frozenset())
    now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    turn = Turn(_button_update(), cast(BotContext, None), cast(DbSession, None), actor, t, now)
    turn.refuse(error)
    assert turn.answer_rows() == explanation_rows(_button_update(), error_text(t, error))
