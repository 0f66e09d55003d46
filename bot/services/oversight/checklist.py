"""The inspectors' checklist: what a check looks at and what each finding deducts.

The list is data. A database without one gets the default list on first use; admins change
deductions, switch lines off and on, and add lines of their own with /checklist. A check keeps
the lines and points it applied, so changing the list later never rewrites an old score.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import ChecklistGroup, ChecklistItem
from bot.errors import DomainError, ErrorCode
from bot.i18n import Translator
from bot.services.people.access import Actor
from bot.services.platform import audit

LABEL_MAX = 32
DEDUCTION_MAX = 100
SHORT_STAFFED = "short_staffed"


@dataclass(frozen=True)
class Default:
    code: str
    group: ChecklistGroup
    deduction: int
    per_person: bool = False


DEFAULTS = (
    Default(SHORT_STAFFED, ChecklistGroup.STAFFING, 10, per_person=True),
    Default("no_vest", ChecklistGroup.ATTIRE, 5),
    Default("on_phone", ChecklistGroup.CONDUCT, 5),
    Default("sitting", ChecklistGroup.CONDUCT, 5),
    Default("off_spot", ChecklistGroup.CONDUCT, 10),
    Default("litter", ChecklistGroup.SURROUNDINGS, 5),
    Default("parking", ChecklistGroup.SURROUNDINGS, 5),
    Default("stalls", ChecklistGroup.SURROUNDINGS, 5),
)


def label(t: Translator, item: ChecklistItem) -> str:
    if item.label:
        return item.label
    return t(f"oversight.item.{item.code}")


async def _seed(session: AsyncSession, now: dt.datetime) -> None:
    """The default list, once; two inspectors starting at once insert it once between them."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    rows = [
        {
            "code": default.code,
            "label": None,
            "group": default.group,
            "deduction": default.deduction,
            "per_person": default.per_person,
            "active": True,
            "position": position,
            "created_at": now,
        }
        for position, default in enumerate(DEFAULTS)
    ]
    await session.execute(
        insert(ChecklistItem).values(rows).on_conflict_do_nothing(index_elements=["code"])
    )


async def items(
    session: AsyncSession, now: dt.datetime, *, active_only: bool = True
) -> list[ChecklistItem]:
    if not await session.scalar(select(func.count()).select_from(ChecklistItem)):
        await _seed(session, now)
    query = select(ChecklistItem).order_by(ChecklistItem.position, ChecklistItem.id)
    if active_only:
        query = query.where(ChecklistItem.active.is_(True))
    return list(await session.scalars(query))


def deductions(
    t: Translator, chosen: Sequence[ChecklistItem], shortfall: int
) -> list[dict[str, object]]:
    """What a check deducts: each chosen line once, a per-person line for each person short
    (and not at all when nobody is short). Labels are kept in the inspector's language."""
    result: list[dict[str, object]] = []
    for item in chosen:
        times = shortfall if item.per_person else 1
        if times <= 0:
            continue
        result.append(
            {
                "item": item.id,
                "code": item.code,
                "label": label(t, item),
                "points": item.deduction * times,
                "times": times,
            }
        )
    return result


def score_of(applied: Sequence[dict[str, object]]) -> float:
    total = sum(int(str(entry["points"])) for entry in applied)
    return float(max(0, 100 - total))


async def _item(session: AsyncSession, actor: Actor, item_id: int) -> ChecklistItem:
    if not actor.is_admin:
        raise DomainError(ErrorCode.FORBIDDEN)
    item = await session.get(ChecklistItem, item_id)
    if item is None:
        raise DomainError(ErrorCode.CHECKLIST_ITEM_INVALID)
    return item


def _actor_id(actor: Actor) -> int | None:
    return actor.member.id if actor.member is not None else None


async def adjust(
    session: AsyncSession, actor: Actor, item_id: int, delta: int, now: dt.datetime
) -> ChecklistItem:
    item = await _item(session, actor, item_id)
    before = item.deduction
    item.deduction = max(0, min(DEDUCTION_MAX, item.deduction + delta))
    if item.deduction != before:
        audit.record(
            session,
            actor_id=_actor_id(actor),
            action="checklist.deduction",
            object_type="checklist_item",
            object_id=item.id,
            now=now,
            before={"deduction": before},
            after={"deduction": item.deduction},
        )
    return item


async def switch(
    session: AsyncSession, actor: Actor, item_id: int, active: bool | None, now: dt.datetime
) -> ChecklistItem:
    """Switch a line on or off (None: over); a line already as asked is left alone."""
    item = await _item(session, actor, item_id)
    wanted = not item.active if active is None else active
    if wanted == item.active:
        return item
    item.active = wanted
    audit.record(
        session,
        actor_id=_actor_id(actor),
        action="checklist.on" if item.active else "checklist.off",
        object_type="checklist_item",
        object_id=item.id,
        now=now,
    )
    return item


async def add(session: AsyncSession, actor: Actor, text: str, now: dt.datetime) -> ChecklistItem:
    """A line of the admin's own, typed as "label points" (随意张贴小广告 5)."""
    if not actor.is_admin:
        raise DomainError(ErrorCode.FORBIDDEN)
    words = text.split()
    if len(words) < 2 or not words[-1].isascii() or not words[-1].isdecimal():
        raise DomainError(ErrorCode.CHECKLIST_ITEM_INVALID)
    name, points = " ".join(words[:-1]), int(words[-1])
    if len(name) > LABEL_MAX or name.startswith("/") or not 0 < points <= DEDUCTION_MAX:
        raise DomainError(ErrorCode.CHECKLIST_ITEM_INVALID)
    last = await session.scalar(select(func.max(ChecklistItem.position)))
    item = ChecklistItem(
        code=None,
        label=name,
        group=ChecklistGroup.SURROUNDINGS,
        deduction=points,
        per_person=False,
        active=True,
        position=int(last or 0) + 1,
        created_at=now,
    )
    session.add(item)
    await session.flush()
    audit.record(
        session,
        actor_id=_actor_id(actor),
        action="checklist.add",
        object_type="checklist_item",
        object_id=item.id,
        now=now,
        after={"label": name, "deduction": points},
    )
    return item
