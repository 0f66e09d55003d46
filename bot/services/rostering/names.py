"""Finding members by what a coordinator types (or writes in the spreadsheet's 人员 column):
names or phone numbers, several separated by 、 , ; or new lines.

A name matches exactly (any case) or, failing that, as a part of one name; a phone number by its
digits (the last 7 or more). The unit's members come first; someone of another unit is found
only when nobody of the unit matches, so that assigning them is refused with that reason rather
than as an unknown name.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Member
from bot.errors import DomainError, ErrorCode
from bot.services.people.names import plain

SEPARATORS = re.compile(r"[、,，;；\n\r]+")
NAME_MAX = 64
MAX_NAMES = 50
PHONE_DIGITS_MIN = 7
SHOWN_MATCHES = 5


@dataclass(frozen=True)
class Ambiguous:
    typed: str
    matches: tuple[Member, ...]


@dataclass
class Resolved:
    found: list[Member] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    ambiguous: list[Ambiguous] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.unknown and not self.ambiguous


def typed(text: str) -> list[str]:
    """The names a coordinator typed to assign, refused when none, too many or one too long."""
    found = split(text)
    if not found or len(found) > MAX_NAMES or any(len(name) > NAME_MAX for name in found):
        raise DomainError(ErrorCode.ASSIGN_NAMES_INVALID, limit=MAX_NAMES)
    return found


def split(text: str) -> list[str]:
    """The names in a cell or a message, cleaned, in order, without repeats."""
    names: list[str] = []
    for part in SEPARATORS.split(text):
        name = plain(part)
        if name and name not in names:
            names.append(name)
    return names


# What people put between a phone number's digits: +86 138-0000-1234, (+86)13800001234.
PHONE_PUNCTUATION = frozenset(" -()+")


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdecimal() and ch.isascii())


def _phone(typed: str) -> str | None:
    """The digits of a typed phone number (full-width digits too), or None for a name."""
    plain = unicodedata.normalize("NFKC", typed)
    digits = "".join(ch for ch in plain if ch not in PHONE_PUNCTUATION)
    if len(digits) >= PHONE_DIGITS_MIN and digits.isascii() and digits.isdecimal():
        return digits
    return None


def _matches(people: Sequence[Member], typed: str) -> list[Member]:
    digits = _phone(typed)
    if digits is not None:
        return [p for p in people if p.phone and _digits(p.phone).endswith(digits)]
    wanted = typed.casefold()
    exact = [p for p in people if p.display_name.casefold() == wanted]
    return exact or [p for p in people if wanted in p.display_name.casefold()]


def _whole_match(people: Sequence[Member], typed: str) -> list[Member]:
    """The one member of another unit whose whole name or whole phone number was typed (to be
    told they are not of this unit), or none: a part of a name or a phone's tail would list
    other units' people, with their phone tails, to anyone who types a surname."""
    digits = _phone(typed)
    if digits is not None:
        found = [p for p in people if p.phone and _whole_phone(_digits(p.phone), digits)]
    else:
        wanted = typed.casefold()
        found = [p for p in people if p.display_name.casefold() == wanted]
    return found if len(found) == 1 else []


def _whole_phone(number: str, typed: str) -> bool:
    # 13800001234 typed for +86 138-0000-1234: the number without its country code.
    return number == typed or (len(typed) >= 11 and number.endswith(typed))


async def active_members(session: AsyncSession) -> list[Member]:
    return list(
        (
            await session.scalars(
                select(Member)
                .where(Member.active.is_(True))
                .order_by(Member.display_name, Member.id)
            )
        ).unique()
    )


def resolve_in(people: Sequence[Member], unit_id: int, names: Sequence[str]) -> Resolved:
    """Each typed name to one member of `people`, the unit's first (see the module's doc)."""
    own = [p for p in people if p.unit_id == unit_id]
    others = [p for p in people if p.unit_id != unit_id]
    resolved = Resolved()
    for typed in names:
        found = _matches(own, typed) or _whole_match(others, typed)
        if not found:
            resolved.unknown.append(typed)
        elif len(found) > 1:
            resolved.ambiguous.append(Ambiguous(typed, tuple(found)))
        elif found[0] not in resolved.found:
            resolved.found.append(found[0])
    return resolved


async def resolve(session: AsyncSession, unit_id: int, names: Sequence[str]) -> Resolved:
    return resolve_in(await active_members(session), unit_id, names)
