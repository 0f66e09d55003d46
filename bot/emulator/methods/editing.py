"""Changing what the bot sent: a message's text, caption or inline keyboard, or deleting it.
An edit that changes nothing is refused, as Telegram does."""

from __future__ import annotations

import copy

from bot.emulator.methods.markup import inline_markup
from bot.emulator.methods.media import read_caption
from bot.emulator.methods.messages import MAX_TEXT, formatted_text
from bot.emulator.params import Params, bad_request
from bot.emulator.state import JSON, ChatState, SentMessage, World

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)


def _editable(world: World, params: Params, missing: str) -> tuple[ChatState, SentMessage]:
    if params.has("inline_message_id"):
        raise bad_request("inline messages are not supported by the emulator")
    chat = world.chat(params.chat_id())
    message_id = params.integer("message_id")
    if message_id not in chat.messages:
        raise bad_request(missing)
    sent = chat.sent.get(message_id)
    if sent is None:
        raise bad_request("message can't be edited")
    return chat, sent


def _finish_edit(world: World, sent: SentMessage, message: JSON) -> JSON:
    message["edit_date"] = world.now()
    sent.edited = True
    sent.text = message.get("text")
    sent.caption = message.get("caption")
    sent.reply_markup = message.get("reply_markup")
    sent.entities = list(message.get("entities") or message.get("caption_entities") or [])
    return copy.deepcopy(message)


async def edit_message_text(world: World, params: Params) -> JSON:
    chat, sent = _editable(world, params, "message to edit not found")
    message = chat.messages[sent.message_id]
    if "text" not in message:
        raise bad_request("there is no text in the message to edit")
    text, entities, parse_mode = formatted_text(params, "text", "entities", MAX_TEXT, "message")
    if not text or not text.strip():
        raise bad_request("message text is empty")
    markup = inline_markup(params)
    new_markup = {"inline_keyboard": markup["inline_keyboard"]} if markup else None
    if (
        text == message["text"]
        and entities == message.get("entities", [])
        and new_markup == message.get("reply_markup")
    ):
        raise bad_request(NOT_MODIFIED)
    message["text"] = text
    message.pop("entities", None)
    if entities:
        message["entities"] = entities
    _set_markup(message, new_markup)
    sent.parse_mode = parse_mode
    return _finish_edit(world, sent, message)


def _set_markup(message: JSON, markup: JSON | None) -> None:
    if markup is None:
        message.pop("reply_markup", None)
    else:
        message["reply_markup"] = markup


async def edit_message_caption(world: World, params: Params) -> JSON:
    chat, sent = _editable(world, params, "message to edit not found")
    message = chat.messages[sent.message_id]
    if "text" in message or not any(k in message for k in ("photo", "document", "video")):
        raise bad_request("there is no caption in the message to edit")
    body: JSON = {}
    parse_mode = read_caption(params, body)
    markup = inline_markup(params)
    new_markup = {"inline_keyboard": markup["inline_keyboard"]} if markup else None
    if (
        body.get("caption") == message.get("caption")
        and body.get("caption_entities") == message.get("caption_entities")
        and new_markup == message.get("reply_markup")
    ):
        raise bad_request(NOT_MODIFIED)
    message.pop("caption", None)
    message.pop("caption_entities", None)
    message.update(body)
    _set_markup(message, new_markup)
    sent.parse_mode = parse_mode
    return _finish_edit(world, sent, message)


async def edit_message_reply_markup(world: World, params: Params) -> JSON:
    chat, sent = _editable(world, params, "message to edit not found")
    message = chat.messages[sent.message_id]
    markup = inline_markup(params)
    new_markup = {"inline_keyboard": markup["inline_keyboard"]} if markup else None
    if new_markup == message.get("reply_markup"):
        raise bad_request(NOT_MODIFIED)
    _set_markup(message, new_markup)
    return _finish_edit(world, sent, message)


async def delete_message(world: World, params: Params) -> bool:
    chat = world.chat(params.chat_id())
    message_id = params.integer("message_id")
    if chat.messages.pop(message_id, None) is None:
        raise bad_request("message to delete not found")
    chat.sent.pop(message_id, None)
    return True
