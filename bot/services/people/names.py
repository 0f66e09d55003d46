"""Names people type (a member's name, a unit's, a tag): what is kept of them."""

from __future__ import annotations

import unicodedata

# A zero-width joiner holds an emoji sequence together (👩‍🚒): kept between visible letters.
ZWJ = "\u200d"


def plain(typed: str) -> str:
    """`typed` as a name is kept: invisible marks dropped (control characters, zero-width
    spaces, direction overrides, soft hyphens: Unicode's Cc and Cf, but the joiner), spaces
    collapsed; "" when nothing visible is left, so that a name of marks alone is blank."""
    kept = "".join(ch for ch in typed if ch == ZWJ or unicodedata.category(ch) not in {"Cc", "Cf"})
    cleaned = " ".join(kept.split())
    return cleaned if cleaned.replace(ZWJ, "").strip() else ""
