"""Names people type (a member's name, a unit's, a tag): what is kept of them."""

from __future__ import annotations

import re
import unicodedata

# A zero-width joiner holds an emoji sequence together (👩‍🚒): kept between visible letters.
ZWJ = "\u200d"
# Joiners in a row join no more than one; one beside a space or at an end joins nothing.
_JOINERS = re.compile(f"{ZWJ}+")
_LOOSE_JOINER = re.compile(rf"(?<!\S){ZWJ}|{ZWJ}(?!\S)")


def plain(typed: str) -> str:
    """`typed` as a name is kept: invisible marks dropped (control characters, zero-width
    spaces, direction overrides, soft hyphens: Unicode's Cc and Cf, but a joiner between two
    visible letters), spaces collapsed; "" when nothing visible is left, so that a name of
    marks alone is blank. Two names that look the same are then kept the same."""
    kept = "".join(ch for ch in typed if ch == ZWJ or unicodedata.category(ch) not in {"Cc", "Cf"})
    cleaned = " ".join(kept.split())
    cleaned = _LOOSE_JOINER.sub("", _JOINERS.sub(ZWJ, cleaned))
    return " ".join(cleaned.split())
