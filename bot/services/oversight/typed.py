"""A line people type in the oversight loop (a street report's text, the note of an order's
reply, the problem of a drafted order): what is kept of it, and why one is refused."""

from __future__ import annotations

from bot.errors import DomainError, ErrorCode
from bot.services.people import names


def line(text: str, limit: int) -> str:
    """`text` as kept (invisible marks dropped, see names.plain). Refused when nothing visible
    is left or it is longer than `limit`, and, with its own answer, when it begins with "/" (the
    way a command begins: a space typed before it keeps Telegram from taking it for one)."""
    kept = names.plain(text)
    if not kept or len(kept) > limit:
        raise DomainError(ErrorCode.NOTE_TOO_LONG, limit=limit)
    if kept.startswith("/"):
        raise DomainError(ErrorCode.NOTE_SLASH)
    return kept
