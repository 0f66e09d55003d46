"""Invite codes: deep links (https://t.me/<bot>?start=<code>) that register a person in a unit
with a role."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Invite, Role
from bot.errors import DomainError, ErrorCode
from bot.services.people import units
from bot.services.people.access import Actor
from bot.services.platform import audit

INVITE_VALID_DAYS = 7
# A unit's volunteer link is pasted into its group chat; a role with power goes to one person.
DEFAULT_MAX_USES = {
    Role.VOLUNTEER: 200,
    Role.COORDINATOR: 1,
    Role.INSPECTOR: 1,
    Role.LEADER: 5,
}
INVITABLE_ROLES = (Role.VOLUNTEER, Role.COORDINATOR, Role.INSPECTOR, Role.LEADER)
# The audit actions of an invite's life (the roles it gives: registration's member.join).
CREATED, REVOKED = "invite.create", units.INVITE_REVOKED
# The end of a code that names a link in a list (the whole code would admit whoever reads it).
TAIL = 4
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
    audit.record(
        session,
        actor_id=invite.created_by_id,
        action=CREATED,
        object_type="invite",
        object_id=invite.id,
        after={
            "unit_id": unit_id,
            "role": role.value,
            "max_uses": invite.max_uses,
            "expires_at": invite.expires_at.isoformat(),
        },
        now=now,
    )
    return invite


def tail(invite: Invite) -> str:
    return invite.code[-TAIL:]


def may_revoke(actor: Actor, invite: Invite) -> bool:
    """Who may make an invite may revoke it: admins any, a coordinator their unit's volunteer
    links (whoever made them)."""
    if not actor.is_admin and (
        Role.COORDINATOR not in actor.roles or actor.unit_id != invite.unit_id
    ):
        return False
    return invite.role in roles_actor_may_invite(actor)


async def active(
    session: AsyncSession, actor: Actor, unit_id: int, now: dt.datetime
) -> list[Invite]:
    """The unit's links that still admit someone (not revoked, expired or used up), newest
    first: for those who may invite to it. An archived unit is refused as `create` refuses it:
    archiving revoked its links, and no new one can be made."""
    actor.require_unit(unit_id, Role.COORDINATOR)
    if not roles_actor_may_invite(actor):
        raise DomainError(ErrorCode.FORBIDDEN)
    await units.get_open(session, unit_id)
    return list(
        await session.scalars(
            select(Invite)
            .where(
                Invite.unit_id == unit_id,
                Invite.revoked.is_(False),
                Invite.expires_at > now,
                Invite.uses < Invite.max_uses,
            )
            .order_by(Invite.created_at.desc(), Invite.id.desc())
        )
    )


@dataclass(frozen=True)
class Revoked:
    invite: Invite
    # False: it was revoked before (an older list's button, a second press): nothing changed.
    now: bool


async def revoke(
    session: AsyncSession, actor: Actor, invite_id: int, now: dt.datetime
) -> Revoked | None:
    """Revoke a link: nobody joins by it after (those who did stay). None: no such invite."""
    invite: Invite | None = await session.get(Invite, invite_id)
    if invite is None:
        return None
    if not may_revoke(actor, invite):
        raise DomainError(ErrorCode.FORBIDDEN)
    result = await session.execute(
        update(Invite)
        .where(Invite.id == invite.id, Invite.revoked.is_(False))
        .values(revoked=True)
        .execution_options(synchronize_session=False)
    )
    await session.refresh(invite)
    if getattr(result, "rowcount", 0) != 1:
        return Revoked(invite, now=False)
    audit.record(
        session,
        actor_id=actor.member.id if actor.member else None,
        action=REVOKED,
        object_type="invite",
        object_id=invite.id,
        before={"revoked": False, "uses": invite.uses},
        after={"revoked": True},
        now=now,
    )
    return Revoked(invite, now=True)


async def find(session: AsyncSession, code: str) -> Invite | None:
    """The invite behind a code, whatever its state; None for a code no invite has."""
    if not CODE_PATTERN.match(code):
        return None
    invite: Invite | None = await session.scalar(select(Invite).where(Invite.code == code))
    return invite


async def check(session: AsyncSession, code: str, now: dt.datetime) -> Invite:
    """The invite behind a code, or the reason it cannot be used."""
    invite = await find(session, code)
    if invite is None:
        raise DomainError(ErrorCode.INVITE_UNKNOWN)
    # Archiving revoked the unit's links: while it is archived, that is the reason to give.
    if invite.unit.archived:
        raise DomainError(ErrorCode.INVITE_UNIT_ARCHIVED, unit=invite.unit.name)
    if invite.revoked:
        raise DomainError(ErrorCode.INVITE_REVOKED)
    if invite.expires_at <= now:
        raise DomainError(ErrorCode.INVITE_EXPIRED)
    if invite.uses >= invite.max_uses:
        raise DomainError(ErrorCode.INVITE_USED_UP)
    return invite


async def hold_unit_open(session: AsyncSession, invite: Invite) -> None:
    """Before a join counts its use: the invite's unit, its row held to the end of the
    transaction (`units.held`) as whatever else gives the unit something new holds it, and
    refused if archived since `check` read it. Archiving, which locks the row, waits for the
    join and then finds a member more, or the join waits for the archiving and is refused:
    never a member joining a unit archived meanwhile."""
    unit = await units.held(session, invite.unit_id)
    if unit.archived:
        raise DomainError(ErrorCode.INVITE_UNIT_ARCHIVED, unit=unit.name)


async def consume(session: AsyncSession, invite: Invite) -> None:
    """Count one use, refusing atomically when the last seat was taken by someone else."""
    result = await session.execute(
        update(Invite)
        .where(Invite.id == invite.id, Invite.uses < Invite.max_uses, Invite.revoked.is_(False))
        .values(uses=Invite.uses + 1)
        .execution_options(synchronize_session=False)
    )
    await session.refresh(invite)
    if getattr(result, "rowcount", 0) != 1:
        # Revoked meanwhile, or its last seat taken: the person is told which.
        raise DomainError(ErrorCode.INVITE_REVOKED if invite.revoked else ErrorCode.INVITE_USED_UP)
