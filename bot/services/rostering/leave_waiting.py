"""The leave requests waiting for a decision (bot/services/rostering/leave.py asks them):
those a decision can still be made on, which of them a coordinator (an admin: every unit) is
shown, and what a request's notice says to its deciders (the asker's approved leaves this month
and, inside the cancel cut-off, how close the shift is)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Assignment,
    AssignmentStatus,
    LeaveRequest,
    Post,
    Role,
    Shift,
    ShiftStatus,
)
from bot.errors import DomainError, ErrorCode
from bot.services.people.access import Actor
from bot.services.platform.notify import Render
from bot.services.rostering import notices
from bot.services.schedule import seats, standing_leave
from bot.services.schedule.timespec import local_day_bounds
from bot.settings import Settings


async def leaves_this_month(
    session: AsyncSession, member_id: int, now: dt.datetime, zone: dt.tzinfo
) -> int:
    """The member's approved leaves from shifts of the current month (not since cancelled)."""
    today = now.astimezone(zone).date()
    first, _ = local_day_bounds(today.replace(day=1), zone)
    following = (today.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    after, _ = local_day_bounds(following, zone)
    return int(
        await session.scalar(
            standing_leave.approved(select(func.count()).select_from(LeaveRequest)).where(
                LeaveRequest.member_id == member_id,
                Shift.starts_at >= first,
                Shift.starts_at < after,
            )
        )
        or 0
    )


async def request_render(
    session: AsyncSession, leave: LeaveRequest, now: dt.datetime, settings: Settings
) -> Render:
    """The request as its deciders read it: with the asker's approved leaves this month and,
    inside the cancel cut-off, how close the shift is."""
    count = await leaves_this_month(session, leave.member_id, now, settings.zone)
    return notices.leave_asked(leave, count, _within_cutoff(leave, now, settings))


def _within_cutoff(leave: LeaveRequest, now: dt.datetime, settings: Settings) -> int | None:
    """The cancel cut-off in hours when the shift starts within it (its notice says so)."""
    cutoff = dt.timedelta(hours=settings.cancel_cutoff_hours)
    if leave.assignment.shift.starts_at - now <= cutoff:
        return settings.cancel_cutoff_hours
    return None


# The pending requests a coordinator is shown at once (soonest shift first); deciding them
# brings the next.
PENDING_SHOWN = 10


@dataclass(frozen=True)
class Pending:
    """A request still to decide, with what its notice says: the asker's approved leaves this
    month and, inside the cancel cut-off, how close the shift is."""

    leave: LeaveRequest
    leaves_this_month: int
    within_cutoff_hours: int | None


def undecided(now: dt.datetime) -> Select[LeaveRequest]:
    """Leave asked and not decided on a shift not yet started whose seat is still the asker's:
    those a decision can still be made on (joined to the shift's post, for its unit)."""
    return (
        select(LeaveRequest)
        .join(Assignment, LeaveRequest.assignment_id == Assignment.id)
        .join(Shift, Assignment.shift_id == Shift.id)
        .join(Post, Shift.post_id == Post.id)
        .where(
            seats.leave_undecided(),
            Assignment.status == AssignmentStatus.SIGNED_UP,
            Assignment.member_id == LeaveRequest.member_id,
            Shift.status == ShiftStatus.SCHEDULED,
            Shift.starts_at > now,
        )
    )


def _pending_query(actor: Actor, now: dt.datetime) -> Select[LeaveRequest] | None:
    """The undecided leave on the actor's unit (an admin: every unit), but their own."""
    actor.require(Role.COORDINATOR)
    query = undecided(now)
    if actor.member is not None:
        query = query.where(LeaveRequest.member_id != actor.member.id)
    if actor.is_admin:
        return query
    if actor.unit_id is None:
        return None
    return query.where(Post.unit_id == actor.unit_id)


async def pending_count(session: AsyncSession, actor: Actor, now: dt.datetime) -> int:
    """How many requests wait for a decision of the actor (the /roster line)."""
    query = _pending_query(actor, now)
    if query is None:
        return 0
    found = await session.scalar(select(func.count()).select_from(query.subquery()))
    return int(found or 0)


async def pending(
    session: AsyncSession, actor: Actor, now: dt.datetime, settings: Settings
) -> list[Pending]:
    """The first PENDING_SHOWN requests waiting for the actor's decision, soonest shift first
    (then the first asked), each with what its notice says."""
    query = _pending_query(actor, now)
    if query is None:
        return []
    found = (
        await session.scalars(
            query.order_by(Shift.starts_at, LeaveRequest.asked_at, LeaveRequest.id).limit(
                PENDING_SHOWN
            )
        )
    ).unique()
    return [
        Pending(
            leave,
            await leaves_this_month(session, leave.member_id, now, settings.zone),
            _within_cutoff(leave, now, settings),
        )
        for leave in found
    ]


async def locked_pending(
    session: AsyncSession, actor: Actor, now: dt.datetime, settings: Settings
) -> list[Pending]:
    """The requests of `pending`, those still undecided once their shifts are locked, the lock
    a decision takes (leave_decisions.decide): a decision already in commits first and its
    request is left out, one coming waits until this transaction ends (and then closes what it
    queued). On PostgreSQL, where the first read may see a decision not yet committed; SQLite's
    writers take turns, and it ignores the lock."""
    waiting = await pending(session, actor, now, settings)
    if not waiting:
        return []
    await seats.lock_shifts(session, [request.leave.assignment.shift_id for request in waiting])
    still = set(
        await session.scalars(
            undecided(now)
            .where(LeaveRequest.id.in_([request.leave.id for request in waiting]))
            .with_only_columns(LeaveRequest.id)
        )
    )
    return [request for request in waiting if request.leave.id in still]


async def get(session: AsyncSession, leave_id: int) -> LeaveRequest:
    leave = await session.get(LeaveRequest, leave_id)
    if leave is None:
        raise DomainError(ErrorCode.LEAVE_NOT_FOUND)
    return leave
