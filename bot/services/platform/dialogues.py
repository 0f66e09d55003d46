"""Multi-step dialogues are kept in the database so a restart resumes them (principle 1).

Every update reads the person's dialogue: `with_member` reads it together with their member
record in one statement at the start of a turn, and the session then knows the answer, also
when there is none, so `current`, `begin` and `end` do not ask the database again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from bot.db import direct
from bot.db.models import Dialogue, DialogueKind, Member

# session.info key: the dialogue of a telegram id as this session knows it (None: there is
# none). A strong reference: the session's identity map alone would let it be collected.
_KNOWN = "dialogues.known"


def _known(session: AsyncSession) -> dict[int, Dialogue | None]:
    known: dict[int, Dialogue | None] = session.info.setdefault(_KNOWN, {})
    return known


_KEY = select(bindparam("telegram_id", type_=BigInteger).label("telegram_id")).subquery()
# Built once: every update of a private chat runs it.
_WITH_MEMBER = (
    select(Member, Dialogue)
    .select_from(_KEY)
    .outerjoin(Member, Member.telegram_id == _KEY.c.telegram_id)
    .outerjoin(Dialogue, Dialogue.telegram_id == _KEY.c.telegram_id)
    .options(joinedload(Member.role_rows), joinedload(Member.tag_rows))
)


async def with_member(
    session: AsyncSession, telegram_id: int
) -> tuple[Member | None, Dialogue | None]:
    """The member with this Telegram id (with unit, roles and tags) and their open dialogue,
    either of which may be missing, in one statement."""
    result = await session.execute(_WITH_MEMBER, {"telegram_id": telegram_id})
    row = result.unique().first()
    member, dialogue = (row[0], row[1]) if row is not None else (None, None)
    _known(session)[telegram_id] = dialogue
    return member, dialogue


async def current(session: AsyncSession, telegram_id: int) -> Dialogue | None:
    known = _known(session)
    if telegram_id not in known:
        known[telegram_id] = await session.get(Dialogue, telegram_id)
    return known[telegram_id]


async def begin(
    session: AsyncSession,
    telegram_id: int,
    kind: DialogueKind,
    step: str,
    now: dt.datetime,
    data: dict[str, Any] | None = None,
) -> Dialogue:
    """Start a dialogue, replacing whatever this person had open."""
    dialogue = await current(session, telegram_id)
    values = {"kind": kind, "step": step, "data": dict(data or {}), "updated_at": now}
    # Written at once (bot/db/direct.py): most updates of a dialogue start or end one.
    if dialogue is None:
        dialogue = await direct.insert_row(session, Dialogue(telegram_id=telegram_id, **values))
        _known(session)[telegram_id] = dialogue
    else:
        await direct.update_row(session, dialogue, **values)
    return dialogue


def advance(dialogue: Dialogue, step: str, now: dt.datetime, **data: Any) -> None:
    # A new dict, so SQLAlchemy sees the JSON column change.
    dialogue.data = {**dialogue.data, **data}
    dialogue.step = step
    dialogue.updated_at = now


async def end(session: AsyncSession, telegram_id: int) -> bool:
    dialogue = await current(session, telegram_id)
    if dialogue is None:
        return False
    await direct.delete_row(session, dialogue)
    _known(session)[telegram_id] = None
    return True
