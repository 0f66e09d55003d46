"""Names people type (a member's name, a unit's, a post's, a tag) and the free texts of a few
lines (a shift's notes, an announcement): what is kept of them."""

from __future__ import annotations

import re
import unicodedata

# A zero-width joiner holds an emoji sequence together (👩‍🚒): kept between visible letters.
ZWJ = "\u200d"
# Joiners in a row join no more than one; one beside a space or at an end joins nothing.
_JOINERS = re.compile(f"{ZWJ}+")
_LOOSE_JOINER = re.compile(rf"(?<!\S){ZWJ}|{ZWJ}(?!\S)")
# Letters that draw nothing though Unicode does not call them marks (Cc, Cf): the Hangul fillers
# (ㅤ, alone a blank name that passes for a real one), variation selectors (they only choose
# how the letter before them is drawn: ❤️ stays a heart), tag characters (the inside of a
# tagged flag such as Scotland's: its black flag is kept). Braille's blank pattern and the
# combining grapheme joiner draw nothing either.
_INVISIBLE = re.compile(
    "[\u115f\u1160\u3164\uffa0\u034f\u2800\ufe00-\ufe0f\U000e0000-\U000e007f\U000e0100-\U000e01ef]"
)


def plain(typed: str) -> str:
    """`typed` as a name is kept: invisible marks dropped (control characters, zero-width
    spaces, direction overrides, soft hyphens: Unicode's Cc and Cf, but a joiner between two
    visible letters; and the letters that draw nothing, `_INVISIBLE`), spaces collapsed; ""
    when nothing visible is left, so that a name of marks alone is blank. Two names that look
    the same are then kept the same."""
    cleaned = " ".join(_visible(typed).split())
    cleaned = _LOOSE_JOINER.sub("", _JOINERS.sub(ZWJ, cleaned))
    return " ".join(cleaned.split())


def lines(typed: str) -> str:
    """A text of several lines as kept: each line's invisible marks dropped as `plain` drops
    them, its spaces left as typed (a list may be indented); blank lines at either end gone. ""
    when nothing visible is left, so that a text of marks alone is empty."""
    kept = []
    for line in typed.splitlines():
        visible = _LOOSE_JOINER.sub("", _JOINERS.sub(ZWJ, _visible(line)))
        kept.append(visible.rstrip())
    return "\n".join(kept).strip()


def _visible(typed: str) -> str:
    """`typed` without its invisible marks, a joiner kept (`plain` says which)."""
    return "".join(
        ch
        for ch in _INVISIBLE.sub("", typed)
        if ch == ZWJ or unicodedata.category(ch) not in {"Cc", "Cf"}
    )
