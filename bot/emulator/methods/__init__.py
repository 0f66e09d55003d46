"""The Bot API methods: each reads `Params`, changes the `World` and returns the `result`, or
raises `ApiError` with the description Telegram would give. This module names them; each area
of the Bot API has a module of its own (messages, media, editing, callbacks, chats, the bot's
profile, its connection), and markup is checked in one place for all of them."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from bot.emulator.methods.callbacks import answer_callback_query
from bot.emulator.methods.chats import get_chat, get_chat_member
from bot.emulator.methods.connection import delete_webhook, get_webhook_info, ok, set_webhook
from bot.emulator.methods.editing import (
    delete_message,
    edit_message_caption,
    edit_message_reply_markup,
    edit_message_text,
)
from bot.emulator.methods.media import (
    get_file,
    send_document,
    send_media_group,
    send_photo,
    send_sticker,
)
from bot.emulator.methods.messages import (
    send_chat_action,
    send_contact,
    send_location,
    send_message,
    send_venue,
)
from bot.emulator.methods.profile import (
    delete_my_commands,
    get_chat_menu_button,
    get_me,
    get_my_commands,
    set_chat_menu_button,
    set_my_commands,
)
from bot.emulator.params import Params
from bot.emulator.state import World

Method = Callable[[World, Params], Awaitable[Any]]

# Methods that put a message in a chat: the ones flood limits count.
SENDING = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendMediaGroup",
        "sendLocation",
        "sendVenue",
        "sendContact",
        "sendSticker",
        "copyMessage",
        "forwardMessage",
    }
)


METHODS: dict[str, Method] = {
    "getMe": get_me,
    "logOut": ok,
    "close": ok,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
    "setChatMenuButton": set_chat_menu_button,
    "getChatMenuButton": get_chat_menu_button,
    "sendMessage": send_message,
    "sendPhoto": send_photo,
    "sendDocument": send_document,
    "sendMediaGroup": send_media_group,
    "sendLocation": send_location,
    "sendVenue": send_venue,
    "sendContact": send_contact,
    "sendSticker": send_sticker,
    "sendChatAction": send_chat_action,
    "editMessageText": edit_message_text,
    "editMessageCaption": edit_message_caption,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "deleteMessage": delete_message,
    "answerCallbackQuery": answer_callback_query,
    "getFile": get_file,
    "getChat": get_chat,
    "getChatMember": get_chat_member,
    "setWebhook": set_webhook,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
}

# Telegram matches method names case-insensitively.
CANONICAL = {name.lower(): name for name in (*METHODS, "getUpdates")}


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
