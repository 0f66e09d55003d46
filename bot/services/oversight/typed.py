"""A line people type in the oversight loop (a street report's text, the note of an order's
reply, the problem of a drafted order, the reason of a send-back or a dismissal): what is kept
of it, and why one is refused."""

from __future__ import annotations

from bot.errors import DomainError, ErrorCode
from bot.services.people import names

REASON_MIN = 2  # letters of the reason a reply is sent back or a report dismissed for
# Letters of a note typed in the oversight loop: a check's, an order reply's, a drafted
# order's problem, the reason a reply is sent back.
NOTE_MAX = 500


def line(
    text: str,
    limit: int,
    *,
    shortest: int = 1,
    refused: ErrorCode = ErrorCode.NOTE_TOO_LONG,
) -> str:
    """`text` as kept (invisible marks dropped, see names.plain). Refused with `refused` when
    fewer than `shortest` visible letters are left or it is longer than `limit`, and, with its
    own answer, when it begins with "/" (the way a command begins: a space typed before it
    keeps Telegram from taking it for one)."""
    kept = names.plain(text)
    if len(kept) < shortest or len(kept) > limit:
        raise DomainError(refused, limit=limit)
    if kept.startswith("/"):
        raise DomainError(ErrorCode.NOTE_SLASH)
    return kept
