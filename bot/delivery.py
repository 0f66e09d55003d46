"""How the sender (bot/sender.py) sends one stored message: the Bot API call its kind asks for,
with its buttons, photos or document."""

from __future__ import annotations

import asyncio
from pathlib import Path

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot.db.models import OutboxMessage
from bot.services.platform.outbox import Message as OutboxBody


def _markup(
    message: OutboxBody,
) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None:
    if message.buttons:
        return InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(button.text, callback_data=button.data) for button in row]
                for row in message.buttons
            ]
        )
    if message.location_button:
        return ReplyKeyboardMarkup(
            [[KeyboardButton(message.location_button, request_location=True)]],
            resize_keyboard=True,
            one_time_keyboard=True,
        )
    if message.remove_keyboard:
        return ReplyKeyboardRemove()
    return None


async def _read(path: str) -> bytes:
    return await asyncio.to_thread(Path(path).read_bytes)


async def deliver(
    bot: Bot, chat_id: int, message: OutboxBody
) -> Message | tuple[Message, ...] | bool:
    """Send one stored message."""
    text = message.text
    markup = _markup(message)
    topic = message.thread_id
    if message.edit_message_id is not None:
        inline = markup if isinstance(markup, InlineKeyboardMarkup) else None
        return await bot.edit_message_text(
            text or "", chat_id=chat_id, message_id=message.edit_message_id, reply_markup=inline
        )
    if message.media:
        media = [
            InputMediaPhoto(file_id, caption=text if index == 0 else None)
            for index, file_id in enumerate(message.media)
        ]
        return await bot.send_media_group(chat_id, media, message_thread_id=topic)
    if message.photo or message.photo_path:
        photo = message.photo or await _read(str(message.photo_path))
        return await bot.send_photo(
            chat_id, photo, caption=text, reply_markup=markup, message_thread_id=topic
        )
    if message.document or message.document_path:
        document = message.document or await _read(str(message.document_path))
        return await bot.send_document(
            chat_id,
            document,
            filename=message.filename,
            caption=text,
            reply_markup=markup,
            message_thread_id=topic,
        )
    return await bot.send_message(chat_id, text or "", reply_markup=markup, message_thread_id=topic)


def counted_messages(row: OutboxMessage) -> int:
    """How many messages Telegram's flood limits count for a stored message: an album's
    photos each (they are sent as messages of their own), else one."""
    return len(OutboxBody.from_json(row.payload).media) or 1
