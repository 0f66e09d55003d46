"""Sending messages: what every sent message goes through (its chat, its topic, the message
it replies to, its formatted text) and the methods that send text, places and contacts."""

from __future__ import annotations

import copy

from bot.emulator.formatting import parse, utf16_len
from bot.emulator.methods.markup import apply_markup, parse_markup
from bot.emulator.params import ApiError, Params, bad_request
from bot.emulator.state import JSON, ChatState, SentMessage, StoredFile, World

MAX_TEXT = 4096


def formatted_text(
    params: Params, field: str, entities_field: str, limit: int, what: str
) -> tuple[str | None, list[JSON], str | None]:
    """The text (or caption) in `field` with its entities, given or parsed by its parse_mode;
    refused when longer than `limit`, counted as Telegram counts (UTF-16 code units)."""
    raw = params.text_or_none(field)
    parse_mode = params.text_or_none("parse_mode")
    if raw is None:
        return None, [], parse_mode
    entities = params.structured(entities_field)
    if entities:
        text, parsed = raw, list(entities)
    else:
        text, parsed = parse(raw, parse_mode)
    if utf16_len(text) > limit:
        raise bad_request(f"{what} is too long")
    return text, parsed, parse_mode


def _reply_to(world: World, chat: ChatState, params: Params) -> JSON | None:
    reply = params.structured("reply_parameters")
    if reply is None and params.has("reply_to_message_id"):
        reply = {"message_id": params.integer("reply_to_message_id")}
    if not reply:
        return None
    replied_chat = chat
    if reply.get("chat_id") is not None:
        replied_chat = world.chat(reply["chat_id"])
    target = replied_chat.messages.get(int(reply.get("message_id", 0)))
    if target is None:
        if reply.get("allow_sending_without_reply"):
            return None
        raise bad_request("message to be replied not found")
    quoted = copy.deepcopy(target)
    quoted.pop("reply_to_message", None)
    return quoted


def _topic(chat: ChatState, params: Params) -> int | None:
    """The forum topic a message goes to: `message_thread_id`, which must name a topic of the
    forum; without it, General. Outside forums it is not a topic."""
    thread = params.int_or_none("message_thread_id")
    if thread is None or not chat.chat.get("is_forum"):
        return None
    if thread not in chat.topics:
        raise bad_request("message thread not found")
    if thread in chat.closed_topics:
        raise bad_request("TOPIC_CLOSED")
    return thread


def record_sent(
    world: World,
    chat: ChatState,
    body: JSON,
    params: Params,
    *,
    kind: str,
    parse_mode: str | None = None,
    stored: StoredFile | None = None,
    markup: JSON | None = None,
) -> JSON:
    """Store a message the bot sent, in its topic and replying to what it names, with its
    markup applied; tests read it back as a `SentMessage`."""
    thread = _topic(chat, params)
    if thread is not None:
        body["message_thread_id"] = thread
        body["is_topic_message"] = True
    reply = _reply_to(world, chat, params)
    if reply is not None:
        body["reply_to_message"] = reply
    message = world.add_message(chat, body, world.bot_user)
    apply_markup(chat, message, markup)
    chat.sent[message["message_id"]] = SentMessage(
        message_id=message["message_id"],
        chat_id=chat.id,
        text=message.get("text"),
        caption=message.get("caption"),
        reply_markup=message.get("reply_markup"),
        kind=kind,
        file_id=stored.file_id if stored else None,
        file_name=stored.file_name if stored else None,
        data=stored.data if stored else None,
        parse_mode=parse_mode,
        date=message["date"],
        thread_id=thread,
        entities=list(message.get("entities") or message.get("caption_entities") or []),
        payload=message,
    )
    chat.note_sent()
    return copy.deepcopy(message)


def target_chat(world: World, params: Params) -> ChatState:
    """The chat to send to: a person must have written to the bot first."""
    chat = world.chat(params.chat_id())
    if not chat.is_group and chat.id not in world.started:
        raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
    return chat


def _web_apps_in_private_only(chat: ChatState, markup: JSON | None) -> None:
    """Web App buttons are available only in private chats with the bot."""
    rows = (markup or {}).get("inline_keyboard") or []
    if chat.is_group and any("web_app" in button for row in rows for button in row):
        raise bad_request("BUTTON_TYPE_INVALID")


async def send_message(world: World, params: Params) -> JSON:
    chat = target_chat(world, params)
    text, entities, parse_mode = formatted_text(params, "text", "entities", MAX_TEXT, "message")
    if not text or not text.strip():
        raise bad_request("message text is empty")
    markup = parse_markup(params)
    _web_apps_in_private_only(chat, markup)
    body: JSON = {"text": text}
    if entities:
        body["entities"] = entities
    return record_sent(world, chat, body, params, kind="text", parse_mode=parse_mode, markup=markup)


def _location(params: Params) -> JSON:
    latitude, longitude = params.number("latitude"), params.number("longitude")
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise bad_request("wrong latitude or longitude")
    location: JSON = {"latitude": latitude, "longitude": longitude}
    accuracy = params.number_or_none("horizontal_accuracy")
    if accuracy is not None:
        location["horizontal_accuracy"] = accuracy
    live_period = params.int_or_none("live_period")
    if live_period is not None:
        location["live_period"] = live_period
    return location


async def send_location(world: World, params: Params) -> JSON:
    chat = target_chat(world, params)
    body: JSON = {"location": _location(params)}
    return record_sent(world, chat, body, params, kind="location", markup=parse_markup(params))


async def send_venue(world: World, params: Params) -> JSON:
    chat = target_chat(world, params)
    location = _location(params)
    venue = {
        "location": location,
        "title": params.text("title"),
        "address": params.text("address"),
    }
    body: JSON = {"location": location, "venue": venue}
    return record_sent(world, chat, body, params, kind="venue", markup=parse_markup(params))


async def send_contact(world: World, params: Params) -> JSON:
    chat = target_chat(world, params)
    contact: JSON = {
        "phone_number": params.text("phone_number"),
        "first_name": params.text("first_name"),
    }
    if params.has("last_name"):
        contact["last_name"] = params.text("last_name")
    body: JSON = {"contact": contact}
    return record_sent(world, chat, body, params, kind="contact", markup=parse_markup(params))


async def send_chat_action(world: World, params: Params) -> bool:
    target_chat(world, params)
    params.text("action")
    return True
