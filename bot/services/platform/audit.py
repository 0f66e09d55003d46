"""The audit trail of coordinator corrections, approvals and removals: who, what, before,
after, and why."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import AuditEntry, Member


def record(
    session: AsyncSession,
    *,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: int | None,
    now: dt.datetime,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        actor_id=actor_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        before=before,
        after=after,
        reason=reason,
        created_at=now,
    )
    session.add(entry)
    return entry


async def exists(session: AsyncSession, *, action: str, object_type: str, object_id: int) -> bool:
    """Whether this action was already recorded on this object (a repeated button press)."""
    found = await session.scalar(
        select(AuditEntry.id)
        .where(
            AuditEntry.action == action,
            AuditEntry.object_type == object_type,
            AuditEntry.object_id == object_id,
        )
        .limit(1)
    )
    return found is not None


async def count(session: AsyncSession, *, action: str, object_type: str, object_id: int) -> int:
    """How many times this action was recorded on this object (one recorded in this session
    too: it is flushed first)."""
    found = await session.scalar(
        select(func.count()).where(
            AuditEntry.action == action,
            AuditEntry.object_type == object_type,
            AuditEntry.object_id == object_id,
        )
    )
    return int(found or 0)


@dataclass(frozen=True)
class Step:
    """One entry of an object's trail and the name of who took it (None: the bot itself)."""

    entry: AuditEntry
    actor_name: str | None


async def trail(session: AsyncSession, object_type: str, object_id: int) -> list[Step]:
    """What happened to one object (an order, a swap offer), oldest first, with names."""
    entries = list(
        await session.scalars(
            select(AuditEntry)
            .where(AuditEntry.object_type == object_type, AuditEntry.object_id == object_id)
            .order_by(AuditEntry.created_at, AuditEntry.id)
        )
    )
    ids = {entry.actor_id for entry in entries if entry.actor_id is not None}
    names: dict[int, str] = {}
    if ids:
        rows = await session.execute(
            select(Member.id, Member.display_name).where(Member.id.in_(ids))
        )
        names = {int(key): str(name) for key, name in rows.all()}
    return [
        Step(entry, names.get(entry.actor_id) if entry.actor_id is not None else None)
        for entry in entries
    ]
