"""Mini App buttons and the chat menu button (the live board's entry points)."""

from __future__ import annotations

import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MenuButtonCommands,
    MenuButtonWebApp,
    WebAppInfo,
)
from telegram.error import BadRequest

from bot.emulator import BotApiEmulator

BOARD = "https://bot.example.org/board/"


def web_app_keyboard(url: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton("open", web_app=WebAppInfo(url))]])


async def test_a_web_app_button_opens_an_https_url_in_a_private_chat(
    emu: BotApiEmulator, bot: Bot
) -> None:
    alice = emu.user(user_id=1001, first_name="Alice")
    await alice.send_text("hi")
    await bot.send_message(1001, "board", reply_markup=web_app_keyboard(BOARD))
    assert alice.last().button_link("open") == BOARD
    with pytest.raises(BadRequest, match="(?i)only https links are allowed"):
        await bot.send_message(1001, "board", reply_markup=web_app_keyboard("http://x.org/"))
    group = emu.group(-100_1, "leaders")
    with pytest.raises(BadRequest, match="(?i)button_type_invalid"):
        await bot.send_message(group.chat_id, "board", reply_markup=web_app_keyboard(BOARD))


async def test_the_menu_button_of_a_chat_and_the_default(emu: BotApiEmulator, bot: Bot) -> None:
    alice = emu.user(user_id=1001, first_name="Alice")
    emu.user(user_id=1002, first_name="Bob")
    await alice.send_text("hi")
    assert isinstance(await bot.get_chat_menu_button(1001), MenuButtonCommands)
    await bot.set_chat_menu_button(1001, MenuButtonWebApp("看板", WebAppInfo(BOARD)))
    mine = await bot.get_chat_menu_button(1001)
    assert isinstance(mine, MenuButtonWebApp) and mine.web_app.url == BOARD
    assert emu.menu_button(1001)["text"] == "看板"
    assert isinstance(await bot.get_chat_menu_button(1002), MenuButtonCommands)
    await bot.set_chat_menu_button(menu_button=MenuButtonWebApp("All", WebAppInfo(BOARD)))
    assert emu.menu_button(1002)["text"] == "All"  # the default reaches chats without their own
    with pytest.raises(BadRequest, match="(?i)only https links are allowed"):
        await bot.set_chat_menu_button(1001, MenuButtonWebApp("x", WebAppInfo("http://x.org/")))
    group = emu.group(-100_1, "leaders")
    with pytest.raises(BadRequest, match="(?i)not a private chat"):
        await bot.set_chat_menu_button(group.chat_id, MenuButtonCommands())
