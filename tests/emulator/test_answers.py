"""Answer rows (bot/answers.py) as Telegram receives them: texts and edits go out as stored,
without PTB's named methods, and must arrive exactly as those would send them."""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass, field

import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.error import BadRequest

from bot import answers
from bot.clock import ManualClock
from bot.emulator import BotApiEmulator, Fault
from bot.pacing import Pacer

CHAT = 1001
INLINE = InlineKeyboardMarkup([[InlineKeyboardButton("签到", callback_data="c:1")]])


async def test_texts_and_edits_arrive_with_their_markup(emu: BotApiEmulator, bot: Bot) -> None:
    emu.user(user_id=CHAT, first_name="Alice").started = True
    location = KeyboardButton("发送位置", request_location=True)
    keyboard = ReplyKeyboardMarkup([[location]], resize_keyboard=True, one_time_keyboard=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no PTB warning about the generic call either
        outcome = await answers.send(
            bot,
            [
                answers.message(CHAT, "请发送位置", keyboard),
                answers.message(CHAT, "选择岗位", INLINE),
                answers.message(CHAT, "好", ReplyKeyboardRemove()),
                answers.message(CHAT, "无按钮"),
            ],
        )
    assert outcome == answers.Outcome([])
    sent = emu.messages(CHAT)
    assert [message.text for message in sent] == ["请发送位置", "选择岗位", "好", "无按钮"]
    # What Telegram was sent (a message keeps only an inline keyboard).
    calls = [params for method, params in emu.calls if method == "sendMessage"]
    assert [call.get("reply_markup") for call in calls] == [
        keyboard.to_dict(),
        INLINE.to_dict(),
        {"remove_keyboard": True},
        None,
    ]
    assert sent[1].button_data("签到") == "c:1"

    chosen = InlineKeyboardMarkup([[InlineKeyboardButton("已签到", callback_data="c:2")]])
    outcome = await answers.send(
        bot, [answers.edit(CHAT, sent[1].message_id, "已选择岗位", chosen)]
    )
    assert outcome == answers.Outcome([])
    edited = emu.messages(CHAT)[1]
    assert (edited.text, edited.edited) == ("已选择岗位", True)
    assert edited.button_data("已签到") == "c:2"


async def test_refusals_of_texts_and_edits_are_told_apart(emu: BotApiEmulator, bot: Bot) -> None:
    emu.user(user_id=CHAT, first_name="Alice").started = True
    await answers.send(bot, [answers.message(CHAT, "选择岗位", INLINE)])
    shown = emu.messages(CHAT)[0]
    # The same text and buttons again: a replay after a crash meets "not modified", which is fine.
    replay = await answers.send(bot, [answers.edit(CHAT, shown.message_id, "选择岗位", INLINE)])
    assert replay == answers.Outcome([])
    # A message that does not exist is a real refusal, reported, and the rest still goes out.
    outcome = await answers.send(
        bot, [answers.edit(CHAT, 999_999, "x", None), answers.message(CHAT, "之后")]
    )
    assert outcome.unsent == [] and outcome.refused is not None
    assert "message to edit not found" in outcome.refused.message.lower()
    assert emu.messages(CHAT)[-1].text == "之后"


async def test_a_buttons_answer_is_measured_in_utf_16_as_telegram_counts_text(
    emu: BotApiEmulator, bot: Bot
) -> None:
    """An answer takes 200 characters, counted as Telegram counts text (in UTF-16 code units,
    as the emulator does for messages and captions): an emoji outside the BMP is two."""
    alice = emu.user(user_id=CHAT, first_name="Alice")
    alice.started = True
    await bot.send_message(CHAT, "签到", reply_markup=INLINE)
    pressed = await alice.press("签到")
    with pytest.raises(BadRequest, match="(?i)message_too_long"):
        # 101 characters, 202 code units.
        await bot.answer_callback_query(pressed["id"], "🚦" * 101)
    assert alice.answered_callbacks == []
    await bot.answer_callback_query(pressed["id"], "🚦" * 100)
    again = await alice.press("签到")
    await bot.answer_callback_query(again["id"], "岗" * 200)
    assert [answer["text"] for answer in alice.answered_callbacks] == ["🚦" * 100, "岗" * 200]


@dataclass
class Counting:
    """What the runtime gives `answers.send`: the process's pacer and its clock."""

    clock: ManualClock
    pacer: Pacer = field(default_factory=Pacer)


async def test_answers_that_telegram_counts_as_messages_take_room_in_the_pacer(
    emu: BotApiEmulator, bot: Bot
) -> None:
    """A text, a photo, a document and an edit each take a place in the second's 30, so the
    outbox sender leaves it; a button's answer and a menu do not."""
    alice = emu.user(user_id=CHAT, first_name="Alice")
    alice.started = True
    shown = await bot.send_message(CHAT, "签到", reply_markup=INLINE)
    pressed = await alice.press("签到")
    counting = Counting(ManualClock(dt.datetime(2026, 12, 1, 0, 0, tzinfo=dt.UTC)))
    moment = counting.clock.now().timestamp()
    assert counting.pacer.room(moment) == 30

    outcome = await answers.send(
        bot,
        [
            answers.answer_query(str(pressed["id"]), "已收到", user=CHAT),
            answers.message(CHAT, "请发送位置"),
            answers.photo(CHAT, data=b"\x89PNG\r\n\x1a\n" + b"0" * 64, caption="图表"),
            answers.document(CHAT, "ledger.xlsx", b"PK\x03\x04" + b"1" * 64),
            answers.edit(CHAT, shown.message_id, "已签到", None),
            answers.menu(CHAT, [("help", "帮助")]),
        ],
        counting,
    )

    assert outcome == answers.Outcome([])
    assert [m.kind for m in emu.messages(CHAT)[1:]] == ["text", "photo", "document"]
    assert alice.answered_callbacks[-1]["text"] == "已收到"
    assert counting.pacer.room(moment) == 26
    # In the overall limit only: a notice for Alice does not wait on her own dialogue.
    assert counting.pacer.chat_delay(CHAT, moment) == 0.0
    # Sent without a pacer (a test's own call), an answer counts nowhere.
    await answers.send(bot, [answers.message(CHAT, "无计数")])
    assert counting.pacer.room(moment) == 26
    # A second after their answers they have left the overall window.
    assert counting.pacer.room(moment + 1.0) == 30


async def test_a_buttons_429_pauses_only_the_person_who_pressed(
    emu: BotApiEmulator, bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Telegram limits a button's answers per person: the answer's 429 holds Alice (her later
    answers and her private chat) for `retry_after`, and no one else. An answer stored before
    rows named the person who pressed names no one: its 429 still holds every chat."""
    alice = emu.user(user_id=CHAT, first_name="Alice")
    alice.started = True
    await bot.send_message(CHAT, "签到", reply_markup=INLINE)
    counting = Counting(ManualClock(dt.datetime(2026, 12, 1, 0, 0, tzinfo=dt.UTC)))
    held: list[tuple[float, float, float]] = []

    async def wait_out(seconds: float) -> None:
        moment = counting.clock.now().timestamp()
        pacer = counting.pacer
        held.append(
            (pacer.paused(CHAT, moment), pacer.paused(2002, moment), pacer.paused(None, moment))
        )
        counting.clock.advance(seconds=seconds)

    monkeypatch.setattr(answers, "wait_out", wait_out)
    pressed = await alice.press("签到")
    emu.inject_fault(Fault(kind="429", method="answerCallbackQuery", retry_after=3))
    row = answers.answer_query(str(pressed["id"]), "已收到", user=CHAT)
    assert await answers.send(bot, [row], counting) == answers.Outcome([])
    assert held == [(3.0, 0.0, 0.0)]
    assert alice.answered_callbacks[-1]["text"] == "已收到"

    again = await alice.press("签到")
    emu.inject_fault(Fault(kind="429", method="answerCallbackQuery", retry_after=2))
    stored = {"op": "answer", "query": str(again["id"]), "text": None, "alert": False}
    assert await answers.send(bot, [stored], counting) == answers.Outcome([])
    assert held[-1] == (2.0, 2.0, 2.0)
