"""Multi-step dialogues are kept in the database so a restart resumes them (principle 1)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Dialogue, DialogueKind


async def current(session: AsyncSession, telegram_id: int) -> Dialogue | None:
    return await session.get(Dialogue, telegram_id)


async def begin(
    session: AsyncSession,
    telegram_id: int,
    kind: DialogueKind,
    step: str,
    now: dt.datetime,
    data: dict[str, Any] | None = None,
) -> Dialogue:
    """Start a dialogue, replacing whatever this person had open."""
    dialogue = await session.get(Dialogue, telegram_id)
    if dialogue is None:
        dialogue = Dialogue(telegram_id=telegram_id)
        session.add(dialogue)
    dialogue.kind = kind
    dialogue.step = step
    dialogue.data = dict(data or {})
    dialogue.updated_at = now
    return dialogue


def advance(dialogue: Dialogue, step: str, now: dt.datetime, **data: Any) -> None:
    # A new dict, so SQLAlchemy sees the JSON column change.
    dialogue.data = {**dialogue.data, **data}
    dialogue.step = step
    dialogue.updated_at = now


async def end(session: AsyncSession, telegram_id: int) -> bool:
    dialogue = await session.get(Dialogue, telegram_id)
    if dialogue is None:
        return False
    await session.delete(dialogue)
    return True
