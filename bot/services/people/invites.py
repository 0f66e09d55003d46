"""Invite codes: deep links (https://t.me/<bot>?start=<code>) that register a person in a unit
with a role."""

from __future__ import annotations

import datetime as dt
import re
import secrets

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Invite, Role
from bot.errors import DomainError, ErrorCode
from bot.services.people import units
from bot.services.people.access import Actor

INVITE_VALID_DAYS = 7
# A unit's volunteer link is pasted into its group chat; a role with power goes to one person.
DEFAULT_MAX_USES = {
    Role.VOLUNTEER: 200,
    Role.COORDINATOR: 1,
    Role.INSPECTOR: 1,
    Role.LEADER: 5,
}
INVITABLE_ROLES = (Role.VOLUNTEER, Role.COORDINATOR, Role.INSPECTOR, Role.LEADER)
# Telegram allows A-Z, a-z, 0-9, _ and - in a start parameter, up to 64 characters.
CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def roles_actor_may_invite(actor: Actor) -> tuple[Role, ...]:
    if actor.is_admin:
        return INVITABLE_ROLES
    if Role.COORDINATOR in actor.roles:
        return (Role.VOLUNTEER,)
    return ()


async def create(
    session: AsyncSession,
    actor: Actor,
    unit_id: int,
    role: Role,
    now: dt.datetime,
    *,
    valid_days: int = INVITE_VALID_DAYS,
    max_uses: int | None = None,
) -> Invite:
    actor.require_unit(unit_id, Role.COORDINATOR)
    if role not in roles_actor_may_invite(actor):
        raise DomainError(ErrorCode.ROLE_NOT_ALLOWED)
    unit = await units.get_open(session, unit_id)
    invite = Invite(
        code=secrets.token_urlsafe(12),
        unit=unit,
        role=role,
        created_by_id=actor.member.id if actor.member else None,
        created_at=now,
        expires_at=now + dt.timedelta(days=valid_days),
        max_uses=max_uses if max_uses is not None else DEFAULT_MAX_USES[role],
        uses=0,
        revoked=False,
    )
    session.add(invite)
    await session.flush()
    return invite


async def check(session: AsyncSession, code: str, now: dt.datetime) -> Invite:
    """The invite behind a code, or the reason it cannot be used."""
    if not CODE_PATTERN.match(code):
        raise DomainError(ErrorCode.INVITE_UNKNOWN)
    invite: Invite | None = await session.scalar(select(Invite).where(Invite.code == code))
    if invite is None:
        raise DomainError(ErrorCode.INVITE_UNKNOWN)
    if invite.revoked:
        raise DomainError(ErrorCode.INVITE_REVOKED)
    if invite.expires_at <= now:
        raise DomainError(ErrorCode.INVITE_EXPIRED)
    if invite.uses >= invite.max_uses:
        raise DomainError(ErrorCode.INVITE_USED_UP)
    if invite.unit.archived:
        raise DomainError(ErrorCode.INVITE_UNIT_ARCHIVED, unit=invite.unit.name)
    return invite


async def consume(session: AsyncSession, invite: Invite) -> None:
    """Count one use, refusing atomically when the last seat was taken by someone else."""
    result = await session.execute(
        update(Invite)
        .where(Invite.id == invite.id, Invite.uses < Invite.max_uses, Invite.revoked.is_(False))
        .values(uses=Invite.uses + 1)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        raise DomainError(ErrorCode.INVITE_USED_UP)
    await session.refresh(invite)
