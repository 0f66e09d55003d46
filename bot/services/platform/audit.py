"""The audit trail of coordinator corrections, approvals and removals: who, what, before,
after, and why."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import AuditEntry


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
