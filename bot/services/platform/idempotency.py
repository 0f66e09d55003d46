"""Telegram redelivers updates that were not acknowledged before a crash (principle 6)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import ProcessedUpdate


async def claim_update(session: AsyncSession, update_id: int, now: dt.datetime) -> bool:
    """Record the update in the caller's transaction; False when it was handled before.

    The row commits together with the change the update causes, so a crash before the commit
    leaves no row and the redelivered update is handled again.
    """
    existing = await session.scalar(
        select(ProcessedUpdate.update_id).where(ProcessedUpdate.update_id == update_id)
    )
    if existing is not None:
        return False
    session.add(ProcessedUpdate(update_id=update_id, processed_at=now))
    try:
        await session.flush()
    except IntegrityError:
        # Another worker holds the same update and committed first; the caller aborts.
        return False
    return True


async def prune(session: AsyncSession, older_than: dt.datetime) -> int:
    result = await session.execute(
        delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < older_than)
    )
    return int(getattr(result, "rowcount", 0) or 0)
