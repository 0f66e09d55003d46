"""Whole numbers people type where a count is asked (a shift's capacity, a post's radius)."""

from __future__ import annotations

# More digits than any count the rules take. A longer number is read as one past every limit,
# so the rule refuses it with its range, rather than int() refusing to read it at all (it reads
# no more than 4,300 digits).
DIGITS_MAX = 9
PAST_EVERY_LIMIT = 10**DIGITS_MAX


def typed_count(text: str) -> int | None:
    """The number `text` holds (its digits alone, any script's), or None when it holds none."""
    if not text.isdecimal():
        return None
    digits = text.lstrip("0") or "0"
    return int(digits) if len(digits) <= DIGITS_MAX else PAST_EVERY_LIMIT
