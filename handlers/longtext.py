"""Texts longer than one Telegram message (4096 characters) go out as several messages."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardMarkup

from handlers.turn import Turn

MESSAGE_LIMIT = 4000


def chunks(lines: Sequence[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for line in lines:
        line = line[:limit]
        if current and size + len(line) + 1 > limit:
            parts.append("\n".join(current))
            current, size = [], 0
        current.append(line)
        size += len(line) + 1
    if current:
        parts.append("\n".join(current))
    return parts


def reply_long(
    turn: Turn, lines: Sequence[str], markup: InlineKeyboardMarkup | None = None
) -> None:
    """Reply with the lines, split at line ends; the buttons go with the last part."""
    parts = chunks(lines)
    for part in parts[:-1]:
        turn.reply(part)
    turn.reply(parts[-1] if parts else "", markup)
