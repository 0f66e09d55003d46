"""Files: uploaded, referred to by file_id or fetched from a URL; the methods that send photos,
documents, albums and stickers, and getFile."""

from __future__ import annotations

from typing import Any

from bot.emulator.methods.markup import parse_markup
from bot.emulator.methods.messages import formatted_text, record_sent, target_chat
from bot.emulator.params import Params, Upload, bad_request
from bot.emulator.state import ALBUM_LEAST, ALBUM_MOST, JSON, StoredFile, World

MAX_CAPTION = 1024


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


def document_json(stored: StoredFile) -> JSON:
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


def read_caption(params: Params, body: JSON, caption_field: str = "caption") -> str | None:
    caption, entities, parse_mode = formatted_text(
        params, caption_field, "caption_entities", MAX_CAPTION, "message caption"
    )
    if caption:
        body["caption"] = caption
        if entities:
            body["caption_entities"] = entities
    return parse_mode


async def send_photo(world: World, params: Params) -> JSON:
    chat = target_chat(world, params)
    stored = _input_file(world, params, "photo", "photo")
    body: JSON = {"photo": photo_sizes(world, stored)}
    parse_mode = read_caption(params, body)
    markup = parse_markup(params)
    return record_sent(
        world, chat, body, params, kind="photo", parse_mode=parse_mode, stored=stored, markup=markup
    )


async def send_document(world: World, params: Params) -> JSON:
    chat = target_chat(world, params)
    stored = _input_file(world, params, "document", "document")
    body: JSON = {"document": document_json(stored)}
    parse_mode = read_caption(params, body)
    markup = parse_markup(params)
    return record_sent(
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
    chat = target_chat(world, params)
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
            body["document"] = document_json(stored)
        parse_mode = read_caption(item_params, body)
        planned.append((body, stored, parse_mode))
    return [
        record_sent(
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


async def send_sticker(world: World, params: Params) -> JSON:
    chat = target_chat(world, params)
    stored = _input_file(world, params, "sticker", "sticker")
    body: JSON = {"sticker": sticker_json(stored)}
    return record_sent(
        world, chat, body, params, kind="sticker", stored=stored, markup=parse_markup(params)
    )


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
