"""Group chats bound to the campaign (headquarters) or to one unit, for tallies and reports."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import BoundGroup, Role
from bot.errors import DomainError, ErrorCode
from bot.i18n import LANGUAGES
from bot.services.people import units
from bot.services.people.access import Actor
from bot.services.platform import audit

TITLE_MAX = 128


async def get(session: AsyncSession, chat_id: int) -> BoundGroup | None:
    group: BoundGroup | None = await session.get(BoundGroup, chat_id)
    return group


async def require(session: AsyncSession, chat_id: int) -> BoundGroup:
    group = await get(session, chat_id)
    if group is None:
        raise DomainError(ErrorCode.GROUP_NOT_BOUND)
    return group


async def all_bound(session: AsyncSession) -> list[BoundGroup]:
    return list(await session.scalars(select(BoundGroup).order_by(BoundGroup.chat_id)))


async def bind(
    session: AsyncSession,
    actor: Actor,
    *,
    chat_id: int,
    title: str,
    unit_id: int | None,
    language: str,
    now: dt.datetime,
) -> BoundGroup:
    """Bind (or re-bind) a group to headquarters (unit_id None) or a unit; admins only."""
    actor.require(Role.ADMIN)
    if unit_id is not None:
        await units.get(session, unit_id)
    group = await get(session, chat_id)
    before = None
    if group is None:
        group = BoundGroup(
            chat_id=chat_id,
            title=title[:TITLE_MAX],
            unit_id=unit_id,
            language=language,
            bound_by=actor.telegram_id,
            bound_at=now,
        )
        session.add(group)
    else:
        before = {"unit_id": group.unit_id}
        group.title = title[:TITLE_MAX]
        group.unit_id = unit_id
        group.bound_by = actor.telegram_id
        group.bound_at = now
    await session.flush()
    await session.refresh(group)
    audit.record(
        session,
        actor_id=actor.member.id if actor.member else None,
        action="group.bind",
        object_type="group",
        object_id=None,
        before=before,
        after={"chat_id": chat_id, "unit_id": unit_id},
        now=now,
    )
    return group


async def unbind(session: AsyncSession, actor: Actor, chat_id: int, now: dt.datetime) -> bool:
    actor.require(Role.ADMIN)
    group = await get(session, chat_id)
    if group is None:
        return False
    audit.record(
        session,
        actor_id=actor.member.id if actor.member else None,
        action="group.unbind",
        object_type="group",
        object_id=None,
        before={"chat_id": chat_id, "unit_id": group.unit_id},
        now=now,
    )
    await session.delete(group)
    return True


async def set_language(
    session: AsyncSession, actor: Actor, chat_id: int, language: str
) -> BoundGroup:
    actor.require(Role.ADMIN)
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}")
    group = await require(session, chat_id)
    group.language = language
    return group
