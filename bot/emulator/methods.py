"""The Bot API methods: each reads `Params`, changes the `World` and returns the `result`, or
raises `ApiError` with the description Telegram would give."""

from __future__ import annotations

import copy
import json
from collections.abc import Awaitable, Callable
from typing import Any

from bot.emulator.formatting import parse, utf16_len
from bot.emulator.params import ApiError, Params, Upload, bad_request
from bot.emulator.state import (
    ALBUM_LEAST,
    ALBUM_MOST,
    JSON,
    ChatState,
    SentMessage,
    StoredFile,
    World,
    command_key,
)

Method = Callable[[World, Params], Awaitable[Any]]

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_ANSWER = 200
# Telegram refuses a bigger inline keyboard as a whole, whatever the buttons hold.
MAX_INLINE_BUTTONS = 100
MAX_INLINE_ROW = 8
MARKUP_TOO_LONG = "reply markup is too long"
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)

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


# -- markup -------------------------------------------------------------------------------------


def _validate_inline_keyboard(rows: Any) -> None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('can\'t parse inline keyboard: field "inline_keyboard" must be an Array')
    if sum(len(row) for row in rows) > MAX_INLINE_BUTTONS or any(
        len(row) > MAX_INLINE_ROW for row in rows
    ):
        raise bad_request(MARKUP_TOO_LONG)
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not button.get("text"):
                raise bad_request("can't parse inline keyboard button: Text must be non-empty")
            actions = {
                "url",
                "callback_data",
                "web_app",
                "login_url",
                "switch_inline_query",
                "switch_inline_query_current_chat",
                "switch_inline_query_chosen_chat",
                "copy_text",
                "callback_game",
                "pay",
            }
            if not actions & button.keys():
                raise bad_request(
                    "can't parse inline keyboard button: Text buttons are unallowed in the "
                    "inline keyboard"
                )
            if "callback_data" in button:
                data = button["callback_data"]
                if not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
                    raise bad_request("BUTTON_DATA_INVALID")
            if "url" in button and not str(button["url"]).startswith(
                ("http://", "https://", "tg://")
            ):
                raise bad_request("BUTTON_URL_INVALID")
            if "web_app" in button:
                _check_web_app(button["web_app"], "inline keyboard button")


def _check_web_app(web_app: Any, where: str) -> None:
    """Telegram opens a Mini App from an https:// address only."""
    url = str(web_app.get("url", "")) if isinstance(web_app, dict) else ""
    if not url.startswith("https://"):
        raise bad_request(f"{where} Web App URL '{url}' is invalid: Only HTTPS links are allowed")


def _reply_keyboard(rows: Any) -> list[list[JSON]]:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request("can't parse reply keyboard markup JSON object")
    keyboard: list[list[JSON]] = []
    for row in rows:
        buttons: list[JSON] = []
        for button in row:
            button_json = {"text": button} if isinstance(button, str) else button
            if not isinstance(button_json, dict) or not button_json.get("text"):
                raise bad_request("can't parse keyboard button: Text must be non-empty")
            buttons.append(button_json)
        keyboard.append(buttons)
    return keyboard


def _markup(params: Params) -> JSON | None:
    markup = params.structured("reply_markup")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        _validate_inline_keyboard(markup["inline_keyboard"])
    elif "keyboard" in markup:
        _reply_keyboard(markup["keyboard"])
    elif not markup.get("remove_keyboard") and not markup.get("force_reply"):
        raise bad_request('can\'t find field "inline_keyboard"')
    return markup


def _apply_markup(chat: ChatState, message: JSON, markup: JSON | None) -> None:
    """Only inline keyboards belong to a message; the others change the chat's keyboard."""
    if markup is None:
        return
    if "inline_keyboard" in markup:
        message["reply_markup"] = {"inline_keyboard": markup["inline_keyboard"]}
    elif "keyboard" in markup:
        chat.reply_keyboard = _reply_keyboard(markup["keyboard"])
    elif markup.get("remove_keyboard"):
        chat.reply_keyboard = None


def _inline_only(params: Params) -> JSON | None:
    markup = _markup(params)
    if markup is not None and "inline_keyboard" not in markup:
        raise bad_request("inline keyboard expected")
    return markup


# -- sending ------------------------------------------------------------------------------------


def _formatted(
    params: Params, field: str, entities_field: str, limit: int, what: str
) -> tuple[str | None, list[JSON], str | None]:
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
    target_chat = chat
    if reply.get("chat_id") is not None:
        target_chat = world.chat(reply["chat_id"])
    target = target_chat.messages.get(int(reply.get("message_id", 0)))
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
    return thread


def _record(
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
    thread = _topic(chat, params)
    if thread is not None:
        body["message_thread_id"] = thread
        body["is_topic_message"] = True
    reply = _reply_to(world, chat, params)
    if reply is not None:
        body["reply_to_message"] = reply
    message = world.add_message(chat, body, world.bot_user)
    _apply_markup(chat, message, markup)
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


def _target_chat(world: World, params: Params) -> ChatState:
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
    chat = _target_chat(world, params)
    text, entities, parse_mode = _formatted(params, "text", "entities", MAX_TEXT, "message")
    if not text or not text.strip():
        raise bad_request("message text is empty")
    markup = _markup(params)
    _web_apps_in_private_only(chat, markup)
    body: JSON = {"text": text}
    if entities:
        body["entities"] = entities
    return _record(world, chat, body, params, kind="text", parse_mode=parse_mode, markup=markup)


def _input_file(
    world: World, params: Params, field: str, kind: str, value: Any = None
) -> StoredFile:
    """An uploaded part, an attach:// reference, a file_id, or a URL Telegram would fetch."""
    value = params.values.get(field) if value is None else value
    upload: Upload | None = params.uploads.get(field)
    if upload is None and isinstance(value, str) and value.startswith("attach://"):
        upload = params.uploads.get(value[len("attach://") :])
        if upload is None:
            raise bad_request(f"file {value} not found in the request")
    if upload is not None:
        return world.new_file(
            upload.data,
            kind,
            file_name=upload.filename if kind != "photo" else None,
            mime_type=upload.content_type if kind != "photo" else None,
        )
    if not isinstance(value, str) or not value:
        raise bad_request(f"there is no {field} in the request")
    if value.startswith(("http://", "https://")):
        return world.new_file(b"", kind, file_name=value.rsplit("/", 1)[-1] or None)
    known = world.files.get(value)
    if known is None:
        raise bad_request("wrong file identifier/HTTP URL specified")
    if (known.kind == "photo") != (kind == "photo"):
        raise bad_request(
            f"can't use file of type {known.kind.capitalize()} as {kind.capitalize()}"
        )
    return known


def photo_sizes(world: World, stored: StoredFile) -> list[JSON]:
    """A thumbnail and the full size; the full size carries the uploaded file."""
    thumb_unique = f"{stored.file_unique_id}-t"
    thumb = world.find_by_unique_id(thumb_unique) or world.new_file(
        stored.data, "photo", unique_id=thumb_unique
    )
    return [
        {
            "file_id": thumb.file_id,
            "file_unique_id": thumb.file_unique_id,
            "file_size": thumb.size,
            "width": 90,
            "height": 68,
        },
        {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
            "width": 1280,
            "height": 960,
        },
    ]


def _document(stored: StoredFile) -> JSON:
    document: JSON = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.size,
    }
    if stored.file_name:
        document["file_name"] = stored.file_name
    if stored.mime_type:
        document["mime_type"] = stored.mime_type
    return document


def _caption(params: Params, body: JSON, caption_field: str = "caption") -> str | None:
    caption, entities, parse_mode = _formatted(
        params, caption_field, "caption_entities", MAX_CAPTION, "message caption"
    )
    if caption:
        body["caption"] = caption
        if entities:
            body["caption_entities"] = entities
    return parse_mode


async def send_photo(world: World, params: Params) -> JSON:
    chat = _target_chat(world, params)
    stored = _input_file(world, params, "photo", "photo")
    body: JSON = {"photo": photo_sizes(world, stored)}
    parse_mode = _caption(params, body)
    markup = _markup(params)
    return _record(
        world, chat, body, params, kind="photo", parse_mode=parse_mode, stored=stored, markup=markup
    )


async def send_document(world: World, params: Params) -> JSON:
    chat = _target_chat(world, params)
    stored = _input_file(world, params, "document", "document")
    body: JSON = {"document": _document(stored)}
    parse_mode = _caption(params, body)
    markup = _markup(params)
    return _record(
        world,
        chat,
        body,
        params,
        kind="document",
        parse_mode=parse_mode,
        stored=stored,
        markup=markup,
    )


async def send_media_group(world: World, params: Params) -> list[JSON]:
    chat = _target_chat(world, params)
    if not params.has("media"):
        raise bad_request('parameter "media" is required')
    media = params.structured("media")
    if not isinstance(media, list):
        raise bad_request("can't parse media JSON object")
    # The Bot API's words: `media` "must include 2-10 items". Telegram answers an empty album
    # and one of more than ten so; its server sends a lone item as a plain message, which the
    # documentation does not promise, so a lone item is refused here: the bot must not rely
    # on it.
    if not media:
        raise bad_request("there are no messages to send")
    if len(media) > ALBUM_MOST:
        raise bad_request("too many messages to send as an album")
    if len(media) < ALBUM_LEAST:
        raise bad_request("media must include 2-10 items")
    types = {str(item.get("type")) for item in media if isinstance(item, dict)}
    if "document" in types and len(types) > 1:
        raise bad_request("document can't be mixed with other media types")
    group_id = f"{chat.id}{chat.next_message_id}{world.now()}"
    planned: list[tuple[JSON, StoredFile, str | None]] = []
    # Everything is checked before anything is stored: Telegram sends all or nothing.
    for item in media:
        if not isinstance(item, dict) or item.get("type") not in ("photo", "document", "video"):
            raise bad_request("unsupported media type in the media group")
        kind = "photo" if item["type"] == "photo" else "document"
        stored = _input_file(world, params, "media", kind, item.get("media"))
        item_params = Params(values={k: v for k, v in item.items() if k != "media"})
        body: JSON = {"media_group_id": group_id}
        if kind == "photo":
            body["photo"] = photo_sizes(world, stored)
        else:
            body["document"] = _document(stored)
        parse_mode = _caption(item_params, body)
        planned.append((body, stored, parse_mode))
    return [
        _record(
            world,
            chat,
            body,
            params,
            kind="media_group_item",
            parse_mode=parse_mode,
            stored=stored,
        )
        for body, stored, parse_mode in planned
    ]


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
    chat = _target_chat(world, params)
    body: JSON = {"location": _location(params)}
    return _record(world, chat, body, params, kind="location", markup=_markup(params))


async def send_venue(world: World, params: Params) -> JSON:
    chat = _target_chat(world, params)
    location = _location(params)
    venue = {
        "location": location,
        "title": params.text("title"),
        "address": params.text("address"),
    }
    body: JSON = {"location": location, "venue": venue}
    return _record(world, chat, body, params, kind="venue", markup=_markup(params))


async def send_contact(world: World, params: Params) -> JSON:
    chat = _target_chat(world, params)
    contact: JSON = {
        "phone_number": params.text("phone_number"),
        "first_name": params.text("first_name"),
    }
    if params.has("last_name"):
        contact["last_name"] = params.text("last_name")
    body: JSON = {"contact": contact}
    return _record(world, chat, body, params, kind="contact", markup=_markup(params))


async def send_sticker(world: World, params: Params) -> JSON:
    chat = _target_chat(world, params)
    stored = _input_file(world, params, "sticker", "sticker")
    body: JSON = {"sticker": sticker_json(stored)}
    return _record(world, chat, body, params, kind="sticker", stored=stored, markup=_markup(params))


def sticker_json(stored: StoredFile) -> JSON:
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.size,
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "emoji": "👍",
    }


async def send_chat_action(world: World, params: Params) -> bool:
    _target_chat(world, params)
    params.text("action")
    return True


# -- editing ------------------------------------------------------------------------------------


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
    text, entities, parse_mode = _formatted(params, "text", "entities", MAX_TEXT, "message")
    if not text or not text.strip():
        raise bad_request("message text is empty")
    markup = _inline_only(params)
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
    parse_mode = _caption(params, body)
    markup = _inline_only(params)
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
    markup = _inline_only(params)
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


async def answer_callback_query(world: World, params: Params) -> bool:
    query_id = params.text("callback_query_id")
    known = world.callback_queries.get(query_id)
    if known is None or known[1]:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    user_id, _ = known
    text = params.text_or_none("text")
    # 200 characters, counted as Telegram counts text: in UTF-16 code units. A refused answer
    # answers nothing: the query may still be answered.
    if text is not None and utf16_len(text) > MAX_ANSWER:
        raise bad_request("MESSAGE_TOO_LONG")
    world.callback_queries[query_id] = (user_id, True)
    world.answered_callbacks.setdefault(user_id, []).append(
        {
            "callback_query_id": query_id,
            "text": text,
            "show_alert": params.flag("show_alert"),
            "url": params.text_or_none("url"),
        }
    )
    return True


# -- files, chats, commands, webhook ------------------------------------------------------------


async def get_file(world: World, params: Params) -> JSON:
    stored = world.files.get(params.text("file_id"))
    if stored is None:
        raise bad_request("invalid file_id")
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.size,
        "file_path": stored.file_path,
    }


async def get_chat(world: World, params: Params) -> JSON:
    chat = world.chat(params.chat_id())
    info = copy.deepcopy(chat.chat)
    info.update(
        {
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }
    )
    return info


async def get_chat_member(world: World, params: Params) -> JSON:
    chat = world.chat(params.chat_id())
    user_id = params.integer("user_id")
    user = world.bot_user if user_id == world.bot_user["id"] else world.users.get(user_id)
    if user is None:
        raise bad_request("user not found")
    if chat.is_group and user_id in chat.admins:
        return {
            "status": "administrator",
            "user": user,
            "can_be_edited": False,
            "is_anonymous": False,
            "can_manage_chat": True,
            "can_delete_messages": True,
            "can_manage_video_chats": True,
            "can_restrict_members": True,
            "can_promote_members": False,
            "can_change_info": True,
            "can_invite_users": True,
            "can_post_stories": False,
            "can_edit_stories": False,
            "can_delete_stories": False,
        }
    return {"status": "member", "user": user}


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
    _check_web_app(button.get("web_app"), "menu button")
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


async def get_me(world: World, params: Params) -> JSON:
    return dict(world.bot_user)


async def ok(world: World, params: Params) -> bool:
    return True


async def set_webhook(world: World, params: Params) -> bool:
    world.webhook_url = params.text_or_none("url") or ""
    world.webhook_secret = params.text_or_none("secret_token") or ""
    if params.flag("drop_pending_updates"):
        world.updates.clear()
    return True


async def delete_webhook(world: World, params: Params) -> bool:
    world.webhook_url = ""
    if params.flag("drop_pending_updates"):
        world.updates.clear()
    return True


async def get_webhook_info(world: World, params: Params) -> JSON:
    info: JSON = {
        "url": world.webhook_url,
        "has_custom_certificate": False,
        "pending_update_count": world.updates.pending(),
    }
    if world.webhook_last_error is not None:
        info["last_error_date"], info["last_error_message"] = world.webhook_last_error
    return info


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
