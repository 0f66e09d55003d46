"""Whole numbers people type where a count is asked (a shift's capacity, a post's radius), and
read in the schedule spreadsheet's cells: the digits of any script (３ as 3), and the word a
person writes after them in any of the interface's languages (3人, 3 名, 3 people, 150米, 150 m).
The chat's questions and the import read them here, the same way."""

from __future__ import annotations

import re

# More digits than any count the rules take. A longer number is read as one past every limit,
# so the rule refuses it with its range, rather than int() refusing to read it at all (it reads
# no more than 4,300 digits).
DIGITS_MAX = 9
PAST_EVERY_LIMIT = 10**DIGITS_MAX

# Full-width forms (３, ｐｅｏｐｌｅ, the ideographic space) as their ASCII: an input method
# in full-width mode types them. Not NFKC, which would read ② or ² as a 2.
_HALF_WIDTH = {0xFF01 + i: 0x21 + i for i in range(0x5E)} | {0x3000: 0x20}
# What follows a number of people, as each language's question names them.
_PEOPLE = re.compile(r"\s*(?:人|名|位|个|個|people|persons?)$")
# What follows a distance, as each language's question names it: 米, 公尺, m, metres.
_METRES = re.compile(r"\s*(?:m|米|公尺|metres?|meters?)$")


def typed_count(text: str) -> int | None:
    """The number `text` holds (its digits alone, any script's), or None when it holds none."""
    if not text.isdecimal():
        return None
    digits = text.lstrip("0") or "0"
    return int(digits) if len(digits) <= DIGITS_MAX else PAST_EVERY_LIMIT


def _counted(text: str, word: re.Pattern[str]) -> int | None:
    cleaned = text.translate(_HALF_WIDTH).strip().lower()
    return typed_count(word.sub("", cleaned).strip())


def people_count(text: str) -> int | None:
    """A number of people: 3, ３, 3人, 3 名, 3 people; None when `text` holds none."""
    return _counted(text, _PEOPLE)


def metres(text: str) -> int | None:
    """A distance in metres: 150, 150米, 150 m, 150 metres; None when `text` holds none."""
    return _counted(text, _METRES)


def length_not_people(text: str) -> bool:
    """Whether `text` is a length (150m, 150 米: a road section's, or a radius typed in the wrong
    place) rather than a number of people: read as a count it would ask for 150 volunteers, so
    the chat and the import both say it is a length."""
    return people_count(text) is None and metres(text) is not None
