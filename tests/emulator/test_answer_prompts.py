"""A dialogue's prompt (bot/answers.py): its message id comes back once sent, and its buttons
can be taken off later; a prompt gone meanwhile (deleted, too old) is no refusal."""

from __future__ import annotations

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from bot import answers
from bot.emulator import BotApiEmulator

CHAT = 1001
RADIUS = InlineKeyboardMarkup([[InlineKeyboardButton("150 米", callback_data="r:150")]])


async def test_a_prompt_comes_back_with_its_message_id_and_loses_its_buttons(
    emu: BotApiEmulator, bot: Bot
) -> None:
    emu.user(user_id=CHAT, first_name="Alice").started = True
    outcome = await answers.send(
        bot,
        [
            answers.message(CHAT, "之前"),
            answers.message(CHAT, "半径多大？", RADIUS, prompt=[CHAT, 42]),
        ],
    )
    prompt = emu.messages(CHAT)[1]
    assert outcome == answers.Outcome([], None, [([CHAT, 42], prompt.message_id)])
    assert prompt.buttons() == ["150 米"]
    outcome = await answers.send(bot, [answers.buttons_off(CHAT, prompt.message_id)])
    assert outcome == answers.Outcome([])
    assert emu.messages(CHAT)[1].buttons() == []
    assert emu.messages(CHAT)[1].text == "半径多大？"
    # Gone meanwhile: nothing to take off, nothing refused.
    outcome = await answers.send(bot, [answers.buttons_off(CHAT, 999_999)])
    assert outcome == answers.Outcome([])
