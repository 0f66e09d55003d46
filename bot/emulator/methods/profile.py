"""The bot itself as people see it: getMe, its command menus per scope and language, and the
menu button of its chats."""

from __future__ import annotations

import copy
from typing import Any

from bot.emulator.methods.markup import check_web_app
from bot.emulator.params import Params, bad_request
from bot.emulator.state import JSON, World, command_key


async def get_me(world: World, params: Params) -> JSON:
    return dict(world.bot_user)


def _commands(params: Params) -> list[JSON]:
    commands = params.structured("commands")
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request('parameter "commands" must be an array of at most 100 BotCommand')
    for command in commands:
        name = str(command.get("command", "")) if isinstance(command, dict) else ""
        description = str(command.get("description", "")) if isinstance(command, dict) else ""
        if not (1 <= len(name) <= 32) or not all(
            c.islower() or c.isdigit() or c == "_" for c in name
        ):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(description) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    return [{"command": c["command"], "description": c["description"]} for c in commands]


def _command_key(params: Params) -> Any:
    scope = params.structured("scope")
    if scope is not None and not isinstance(scope, dict):
        raise bad_request("can't parse BotCommandScope JSON object")
    return command_key(scope, params.text_or_none("language_code") or "")


async def set_my_commands(world: World, params: Params) -> bool:
    commands = _commands(params)
    key = _command_key(params)
    if commands:
        world.commands[key] = commands
    else:
        world.commands.pop(key, None)
    return True


async def get_my_commands(world: World, params: Params) -> list[JSON]:
    return copy.deepcopy(world.commands.get(_command_key(params), []))


async def delete_my_commands(world: World, params: Params) -> bool:
    world.commands.pop(_command_key(params), None)
    return True


def _menu_button(params: Params) -> JSON:
    button = params.structured("menu_button")
    if button is None:
        return {"type": "default"}
    if not isinstance(button, dict) or button.get("type") not in ("commands", "web_app", "default"):
        raise bad_request("can't parse menu button")
    if button["type"] != "web_app":
        return {"type": button["type"]}
    text = str(button.get("text", ""))
    if not text.strip():
        raise bad_request("menu button text must be non-empty")
    check_web_app(button.get("web_app"), "menu button")
    return {"type": "web_app", "text": text, "web_app": {"url": button["web_app"]["url"]}}


async def set_chat_menu_button(world: World, params: Params) -> bool:
    """The menu button of one private chat, or the default of every chat without a chat_id."""
    button = _menu_button(params)
    chat_id = params.integer("chat_id") if params.has("chat_id") else None
    if chat_id is not None:
        chat = world.chat(chat_id)
        if chat.is_group:
            raise bad_request("chat is not a private chat")
    world.menu_buttons[chat_id] = button
    return True


async def get_chat_menu_button(world: World, params: Params) -> JSON:
    chat_id = params.integer("chat_id") if params.has("chat_id") else None
    if chat_id is not None:
        world.chat(chat_id)
    button = world.menu_buttons.get(chat_id) or world.menu_buttons.get(None)
    return copy.deepcopy(button or {"type": "commands"})
