"""Units: departments, communities, schools, villages that staff the posts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Invite,
    Member,
    OrderStatus,
    Post,
    RectificationOrder,
    Role,
    Shift,
    ShiftStatus,
    Unit,
)
from bot.errors import DomainError, ErrorCode
from bot.services.people import names
from bot.services.people.access import Actor
from bot.services.platform import audit

UNIT_NAME_MAX = 32
# The audit action of revoking an invite link (invites.REVOKED), here too: archiving revokes.
INVITE_REVOKED = "invite.revoke"


@dataclass(frozen=True)
class UnitSummary:
    unit: Unit
    members: int


def _clean_name(name: str) -> str:
    cleaned = names.plain(name)
    if not cleaned or len(cleaned) > UNIT_NAME_MAX or cleaned.startswith("/"):
        raise DomainError(ErrorCode.UNIT_NAME_INVALID, limit=UNIT_NAME_MAX)
    return cleaned


def name_key(name: str) -> str:
    """A unit's name as names are compared: any case, any spacing, no invisible marks (a name
    copied into a spreadsheet's cell may bring a zero-width space along)."""
    return names.plain(name).lower()


async def _name_taken(session: AsyncSession, name: str, except_id: int | None = None) -> bool:
    query = select(Unit.id).where(func.lower(Unit.name) == name_key(name))
    if except_id is not None:
        query = query.where(Unit.id != except_id)
    return await session.scalar(query) is not None


async def create(session: AsyncSession, actor: Actor, name: str, now: dt.datetime) -> Unit:
    actor.require(Role.ADMIN)
    cleaned = _clean_name(name)
    if await _name_taken(session, cleaned):
        raise DomainError(ErrorCode.UNIT_NAME_TAKEN, name=cleaned)
    unit = Unit(name=cleaned, created_at=now, require_swap_approval=False)
    try:
        # In a savepoint: a failed insert leaves the turn's transaction usable for its answer.
        async with session.begin_nested():
            session.add(unit)
            await session.flush()
    except IntegrityError:
        # Another admin made a unit of this name since the check above and committed first
        # (two at once on PostgreSQL): answered as the check answers.
        raise DomainError(ErrorCode.UNIT_NAME_TAKEN, name=cleaned) from None
    audit.record(
        session,
        actor_id=actor.member.id if actor.member else None,
        action="unit.create",
        object_type="unit",
        object_id=unit.id,
        after={"name": cleaned},
        now=now,
    )
    return unit


async def rename(
    session: AsyncSession, actor: Actor, unit_id: int, name: str, now: dt.datetime
) -> Unit:
    actor.require(Role.ADMIN)
    unit = await get(session, unit_id)
    cleaned = _clean_name(name)
    if await _name_taken(session, cleaned, except_id=unit.id):
        raise DomainError(ErrorCode.UNIT_NAME_TAKEN, name=cleaned)
    before = unit.name
    try:
        async with session.begin_nested():  # as in create: a name made meanwhile is refused
            unit.name = cleaned
            await session.flush()
    except IntegrityError:
        raise DomainError(ErrorCode.UNIT_NAME_TAKEN, name=cleaned) from None
    audit.record(
        session,
        actor_id=actor.member.id if actor.member else None,
        action="unit.rename",
        object_type="unit",
        object_id=unit.id,
        before={"name": before},
        after={"name": cleaned},
        now=now,
    )
    return unit


@dataclass(frozen=True)
class Archiving:
    unit: Unit
    # The unit's invite links that still admitted someone, revoked by archiving it.
    links_revoked: int = 0
    # False: the unit already was as asked (an older button pressed again); nothing recorded.
    changed: bool = True


async def set_archived(
    session: AsyncSession, actor: Actor, unit_id: int, archived: bool, now: dt.datetime
) -> Archiving:
    """Archive a unit that has left the campaign, or restore it. An archived unit is offered in
    no picker, takes no new member, is given no order and is ranked only where it has figures;
    its people and its history stay. Refused while it has shifts to come or open rectification
    orders: those are moved, cancelled or settled first.

    Archiving revokes the unit's invite links (each in the audit trail), and restoring does not
    bring them back (it revokes any an earlier version left live while archived): a link
    pasted into a group months ago would otherwise admit whoever finds it the day the unit
    returns, without anyone having handed it out again."""
    actor.require(Role.ADMIN)
    # Locked before the counts below: whatever gives the unit a shift or an order holds its row
    # (`held`) until it commits, so that on PostgreSQL one of the two waits for the other and
    # the counts see its shift or order, rather than both passing their checks.
    unit = await _locked(session, unit_id, shared=False)
    if unit.archived == archived:
        return Archiving(unit, changed=False)
    if archived:
        upcoming = await session.scalar(
            select(func.count(Shift.id))
            .join(Post, Shift.post_id == Post.id)
            .where(
                Post.unit_id == unit.id,
                Shift.status == ShiftStatus.SCHEDULED,
                Shift.ends_at > now,
            )
        )
        if upcoming:
            raise DomainError(ErrorCode.UNIT_ARCHIVE_HAS_SHIFTS, unit=unit.name, count=upcoming)
        open_orders = await session.scalar(
            select(func.count(RectificationOrder.id)).where(
                RectificationOrder.unit_id == unit.id,
                RectificationOrder.status != OrderStatus.ACCEPTED,
            )
        )
        if open_orders:
            raise DomainError(ErrorCode.UNIT_ARCHIVE_HAS_ORDERS, unit=unit.name, count=open_orders)
    unit.archived = archived
    actor_id = actor.member.id if actor.member else None
    action = "unit.archive" if archived else "unit.restore"
    audit.record(
        session,
        actor_id=actor_id,
        action=action,
        object_type="unit",
        object_id=unit.id,
        before={"archived": not archived},
        after={"archived": archived},
        now=now,
    )
    # Restoring revokes too: no link is made while the unit is archived, so one still live
    # now was left by a version that archived without revoking, and must not come back.
    revoked = await _revoke_links(session, unit.id, actor_id, now, action)
    return Archiving(unit, revoked)


async def _revoke_links(
    session: AsyncSession, unit_id: int, actor_id: int | None, now: dt.datetime, reason: str
) -> int:
    """Revoke the unit's links that still admit someone; how many."""
    revoked = await session.execute(
        update(Invite)
        .where(
            Invite.unit_id == unit_id,
            Invite.revoked.is_(False),
            Invite.expires_at > now,
            Invite.uses < Invite.max_uses,
        )
        .values(revoked=True)
        .returning(Invite.id, Invite.uses)
        .execution_options(synchronize_session=False)
    )
    rows = revoked.all()
    for invite_id, uses in rows:
        audit.record(
            session,
            actor_id=actor_id,
            action=INVITE_REVOKED,
            object_type="invite",
            object_id=invite_id,
            before={"revoked": False, "uses": uses},
            after={"revoked": True},
            now=now,
            reason=reason,
        )
    return len(rows)


async def get(session: AsyncSession, unit_id: int) -> Unit:
    unit = await session.get(Unit, unit_id)
    if unit is None:
        raise DomainError(ErrorCode.UNIT_NOT_FOUND)
    return unit


async def held(session: AsyncSession, unit_id: int) -> Unit:
    """The unit read afresh and its row held (FOR SHARE) to the end of the transaction, to give
    it a shift or an order: `set_archived`, which locks the row, waits for this transaction
    and then counts what it added, or this waits for the archiving and sees it. SQLite, which
    runs one write transaction at a time, ignores the clause."""
    return await _locked(session, unit_id, shared=True)


async def _locked(session: AsyncSession, unit_id: int, *, shared: bool) -> Unit:
    unit: Unit | None = await session.scalar(
        select(Unit)
        .where(Unit.id == unit_id)
        .with_for_update(read=shared)
        .execution_options(populate_existing=True)
    )
    if unit is None:
        raise DomainError(ErrorCode.UNIT_NOT_FOUND)
    return unit


async def get_open(session: AsyncSession, unit_id: int) -> Unit:
    """The unit, to take new members: not an archived one."""
    unit = await get(session, unit_id)
    if unit.archived:
        raise DomainError(ErrorCode.UNIT_ARCHIVED, unit=unit.name)
    return unit


async def by_name(session: AsyncSession, name: str) -> Unit | None:
    unit: Unit | None = await session.scalar(
        select(Unit).where(func.lower(Unit.name) == name_key(name))
    )
    return unit


async def list_with_counts(session: AsyncSession) -> list[UnitSummary]:
    counts = (
        select(Member.unit_id, func.count(Member.id).label("n"))
        .where(Member.active.is_(True))
        .group_by(Member.unit_id)
        .subquery()
    )
    rows = await session.execute(
        select(Unit, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.unit_id == Unit.id)
        .order_by(Unit.archived, Unit.name)
    )
    return [UnitSummary(unit=unit, members=int(n)) for unit, n in rows.all()]


async def open_units(session: AsyncSession) -> list[Unit]:
    """Every unit not archived, by name: what an admin picks from, or a report is sent to."""
    return list(
        await session.scalars(select(Unit).where(Unit.archived.is_(False)).order_by(Unit.name))
    )


async def visible_to(session: AsyncSession, actor: Actor) -> list[Unit]:
    """Units an actor may pick from: all but the archived for admins, their own for everyone
    else."""
    if actor.is_admin:
        return await open_units(session)
    if actor.unit_id is None:
        return []
    return [await get(session, actor.unit_id)]
