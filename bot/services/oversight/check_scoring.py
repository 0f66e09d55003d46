"""A check's grading: the checklist lines ticked and what a shortfall of people seen deducts."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import ChecklistItem, Dialogue
from bot.errors import DomainError, ErrorCode
from bot.services.oversight import checklist, deadline_words
from bot.services.oversight.check_reading import Situation
from bot.services.oversight.checks import Step
from bot.services.platform import dialogues

SEEN_MAX = 999  # people an inspector may count on one post (a shift holds up to 500)
# What may follow the number of people typed: 12人, 两个人, 5名.
_PEOPLE = ("个人", "個人", "人", "名", "位")


@dataclass(frozen=True)
class Checklist:
    """The lines an inspector ticks (per-person lines apply by themselves), those ticked, and
    what the shortfall of people seen against the plan deducts."""

    items: list[ChecklistItem]
    chosen: set[int]
    shortfall: int
    shortfall_points: int


def read_seen(text: str) -> int | None:
    """The number of people seen as an inspector types it, in digits or as it is said (12, １２人,
    三人, 两个人, 十二人); None for text that is no count from 0 to SEEN_MAX (很多, 三四人)."""
    word = unicodedata.normalize("NFKC", text).strip()
    for suffix in _PEOPLE:
        if word.endswith(suffix):
            word = word.removesuffix(suffix).strip()
            break
    value = int(word) if word.isdecimal() and len(word) <= 3 else deadline_words.number(word)
    return value if value is not None and 0 <= value <= SEEN_MAX else None


async def set_seen(
    session: AsyncSession, dialogue: Dialogue, seen: int, now: dt.datetime
) -> Checklist:
    if not 0 <= seen <= SEEN_MAX:
        raise DomainError(ErrorCode.INSPECTION_NOT_FOUND)
    dialogues.advance(dialogue, Step.ITEMS, now, seen=seen, items=[])
    return await current_checklist(session, dialogue, now)


async def current_checklist(
    session: AsyncSession, dialogue: Dialogue, now: dt.datetime
) -> Checklist:
    items = await checklist.items(session, now)
    found = Situation.from_data(dialogue.data["situation"])
    short = shortfall(found.planned, int(dialogue.data.get("seen") or 0))
    return Checklist(
        [item for item in items if not item.per_person],
        {int(i) for i in dialogue.data.get("items") or []},
        short,
        sum(item.deduction * short for item in items if item.per_person),
    )


async def toggle_item(
    session: AsyncSession, dialogue: Dialogue, item_id: int, now: dt.datetime
) -> Checklist:
    found = await current_checklist(session, dialogue, now)
    if item_id not in {item.id for item in found.items}:
        # Switched off (or never a line) since the checklist was shown.
        raise DomainError(ErrorCode.INSPECT_ITEM_OFF)
    chosen = found.chosen ^ {item_id}
    dialogues.advance(dialogue, Step.ITEMS, now, items=sorted(chosen))
    return Checklist(found.items, chosen, found.shortfall, found.shortfall_points)


def shortfall(planned: int, seen: int) -> int:
    return max(0, planned - seen)
