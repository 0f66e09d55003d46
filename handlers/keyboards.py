"""Keyboard builders shared by every journey."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Translator

CANCEL_DATA = "cancel"


def button(text: str, data: str) -> InlineKeyboardButton:
    if len(data.encode()) > 64:
        raise ValueError(f"callback data over Telegram's 64 bytes: {data!r}")
    return InlineKeyboardButton(text, callback_data=data)


def inline(rows: Iterable[Sequence[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([list(row) for row in rows])


def cancel_row(t: Translator) -> list[InlineKeyboardButton]:
    return [button(t("common.button.cancel"), CANCEL_DATA)]


def callback_args(data: str | None, prefix: str) -> list[str]:
    """The arguments after ``prefix:`` in a button's callback data."""
    if not data or not (data == prefix or data.startswith(prefix + ":")):
        return []
    return data.split(":")[1:]


def int_arg(args: list[str], index: int) -> int | None:
    try:
        return int(args[index])
    except (IndexError, ValueError):
        return None
