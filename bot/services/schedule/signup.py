"""Claiming seats: signing up (or joining the waitlist of a full shift), a member giving up
their seat, a coordinator taking someone off, and a member's shifts ahead. The rules of who may
sign up are ``eligibility``'s; a seat that comes free goes to the ``waitlist``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import direct
from bot.db.models import (
    Assignment,
    AssignmentStatus,
    Member,
    Role,
    Shift,
    ShiftStatus,
)
from bot.errors import DomainError, ErrorCode
from bot.services.people.access import Actor
from bot.services.people.members import serves_on_posts
from bot.services.platform import audit, outbox
from bot.services.schedule import leave_cards, removals, seat_scan
from bot.services.schedule.deadlines import WayOut, way_out
from bot.services.schedule.eligibility import check_eligibility
from bot.services.schedule.seats import (
    lock,
    lock_members,
    lock_shifts,
    seat,
    seated_count,
)
from bot.services.schedule.shift_text import translator_for
from bot.services.schedule.waitlist import lock_queues, promote_waitlist, waitlist_position
from bot.settings import Settings


@dataclass(frozen=True)
class SignedUp:
    assignment: Assignment
    seats_left: int


@dataclass(frozen=True)
class Waitlisted:
    assignment: Assignment
    position: int


@dataclass(frozen=True)
class Full:
    shift: Shift


Outcome = SignedUp | Waitlisted | Full


async def sign_up(
    session: AsyncSession,
    actor: Actor,
    shift_id: int,
    now: dt.datetime,
    settings: Settings,
    *,
    join_waitlist: bool = False,
) -> Outcome:
    """Take a seat; when the shift is full, join its waitlist if asked, else report it full."""
    member = actor.require_member()
    _require_on_post(member)
    shift = await lock(session, shift_id)
    await lock_members(session, [member.id])  # and read again: a role taken meanwhile shows
    _require_on_post(member)
    await check_eligibility(session, member, shift, now, settings)
    taken = await seated_count(session, shift.id)
    if taken < shift.capacity:
        assignment = await seat(session, member, shift, AssignmentStatus.SIGNED_UP, now)
        return SignedUp(assignment, shift.capacity - taken - 1)
    if not join_waitlist:
        return Full(shift)
    assignment = await seat(session, member, shift, AssignmentStatus.WAITLISTED, now)
    return Waitlisted(assignment, await waitlist_position(session, assignment))


def _require_on_post(member: Member) -> None:
    """Only those who stand on posts take shifts, as with swaps, broadcasts and the rotation
    (one with no unit, or no longer a member, is told that by the eligibility rules)."""
    if member.active and member.unit_id is not None and not serves_on_posts(member):
        raise DomainError(ErrorCode.NOT_ON_POST)


def lapsed(assignment: Assignment, now: dt.datetime) -> bool:
    """A place in the queue of a shift that has started: the queue ended with the start (its
    member was told that no seat came free, ``waitlist.lapsed_notices``), so it is neither
    listed among their shifts nor given up."""
    return assignment.status is AssignmentStatus.WAITLISTED and assignment.shift.starts_at <= now


def check_not_lapsed(assignment: Assignment, now: dt.datetime) -> None:
    if lapsed(assignment, now):
        raise DomainError(ErrorCode.SHIFT_STARTED)
    if assignment.status is AssignmentStatus.SIGNED_UP and assignment.shift.starts_at <= now:
        # A seat on a shift under way is not given up: not "it starts soon", it has begun.
        raise DomainError(ErrorCode.CANCEL_SHIFT_STARTED)


async def _own_assignment(session: AsyncSession, member: Member, assignment_id: int) -> Assignment:
    assignment = await session.get(Assignment, assignment_id)
    if assignment is None or assignment.member_id != member.id:
        raise DomainError(ErrorCode.ASSIGNMENT_NOT_FOUND)
    return assignment


@dataclass(frozen=True)
class Cancelled:
    """A seat or a place in a queue given up: `was_seated` tells which it was."""

    assignment: Assignment
    was_seated: bool


async def cancel(
    session: AsyncSession,
    actor: Actor,
    assignment_id: int,
    now: dt.datetime,
    settings: Settings,
    *,
    queued: bool = False,
) -> Cancelled:
    """The member gives up their seat (or place in the queue). A seat can be given up until
    CANCEL_CUTOFF_HOURS before the start (a refusal after it says what is still possible); the
    seat goes to the waitlist. A seat a coordinator assigned is not given up: leave is asked for
    it, and a coordinator approves. `queued`: asked as leaving the queue, which gives up no seat
    given to the member since."""
    member = actor.require_member()
    assignment = await _own_assignment(session, member, assignment_id)
    shift, queues = await _lock_with_queues(session, assignment, now)
    if assignment.status not in (AssignmentStatus.SIGNED_UP, AssignmentStatus.WAITLISTED):
        raise DomainError(ErrorCode.ASSIGNMENT_NOT_FOUND)
    if shift.status is ShiftStatus.CANCELLED:
        raise DomainError(ErrorCode.SHIFT_CANCELLED)
    check_not_lapsed(assignment, now)
    if queued and assignment.status is AssignmentStatus.SIGNED_UP:
        raise DomainError(ErrorCode.WAITLIST_PROMOTED)
    if assignment.status is AssignmentStatus.SIGNED_UP and assignment.rota_id is not None:
        raise DomainError(ErrorCode.CANCEL_ASSIGNED)
    if assignment.status is AssignmentStatus.SIGNED_UP:
        way = way_out(shift, now, settings)
        if way is WayOut.SWAP:
            raise DomainError(ErrorCode.CANCEL_TOO_LATE, count=settings.cancel_cutoff_hours)
        if way is WayOut.COORDINATOR:
            raise DomainError(ErrorCode.CANCEL_AND_SWAP_CLOSED)
    was_seated = assignment.status is AssignmentStatus.SIGNED_UP
    assignment.status = AssignmentStatus.CANCELLED
    assignment.updated_at = now
    await session.flush()
    if was_seated:
        await seat_scan.withdraw_notices(session, [assignment.id], now, settings)
        await promote_waitlist(session, shift, now, settings, queue_locked=bool(queues))
        await _promote_all(session, queues, now, settings)
    return Cancelled(assignment, was_seated)


async def _lock_with_queues(
    session: AsyncSession, assignment: Assignment, now: dt.datetime
) -> tuple[Shift, list[Shift]]:
    """Lock the shift of a seat about to be given up (or taken off) and, for a seat, the other
    shifts at its hour on whose queues its member waits: a seat those shifts freed meanwhile
    passed them over for that clash, and is theirs once it is gone (by the queue's order and
    rules, `promote_waitlist`), rather than left empty while they wait. All in id order, then
    everyone waiting on them in one statement (the order every writer takes, `seats.lock_shifts`
    and `seats.lock_members`): two members giving up seats over each other's queue at once
    must not wait for each other in a circle (a deadlock on PostgreSQL). The queues are found
    before the locks, by the hour as read; a shift moved onto it meanwhile keeps waiting."""
    around: list[int] = []
    if assignment.status is AssignmentStatus.SIGNED_UP:
        freed = assignment.shift
        around = list(
            await session.scalars(
                select(Assignment.shift_id)
                .join(Shift, Assignment.shift_id == Shift.id)
                .where(
                    Assignment.member_id == assignment.member_id,
                    Assignment.status == AssignmentStatus.WAITLISTED,
                    Shift.id != freed.id,
                    Shift.status == ShiftStatus.SCHEDULED,
                    Shift.starts_at > now,
                    Shift.starts_at < freed.ends_at,
                    Shift.ends_at > freed.starts_at,
                )
            )
        )
    locked = {
        shift_id: await lock(session, shift_id)
        for shift_id in sorted({assignment.shift_id, *around})
    }
    shift = locked.pop(assignment.shift_id)
    await session.refresh(assignment)  # as it is now that the shift is locked
    if not locked or assignment.status is not AssignmentStatus.SIGNED_UP:
        return shift, []
    await lock_queues(session, [shift.id, *locked])
    return shift, list(locked.values())


async def _promote_all(
    session: AsyncSession, queues: list[Shift], now: dt.datetime, settings: Settings
) -> None:
    """The queues `_lock_with_queues` locked, with everyone waiting on them."""
    for shift in queues:
        await promote_waitlist(session, shift, now, settings, queue_locked=True)


async def remove(
    session: AsyncSession,
    actor: Actor,
    assignment_id: int,
    now: dt.datetime,
    settings: Settings,
    reason: str | None = None,
) -> Assignment:
    """A coordinator takes someone off a shift at any time before its end; they are told and the
    seat goes to the waitlist."""
    assignment = await session.get(Assignment, assignment_id)
    if assignment is None:
        raise DomainError(ErrorCode.ASSIGNMENT_NOT_FOUND)
    actor.require_unit(assignment.shift.post.unit_id, Role.COORDINATOR)
    shift, queues = await _lock_with_queues(session, assignment, now)
    if assignment.status not in (AssignmentStatus.SIGNED_UP, AssignmentStatus.WAITLISTED):
        raise DomainError(ErrorCode.ASSIGNMENT_NOT_FOUND)
    if shift.ends_at <= now:
        raise DomainError(ErrorCode.SHIFT_STARTED)
    before = assignment.status
    if not await _release(
        session,
        assignment,
        shift,
        AssignmentStatus.REMOVED,
        now,
        settings,
        queue_locked=bool(queues),
    ):
        raise DomainError(ErrorCode.ASSIGNMENT_NOT_FOUND)
    await _promote_all(session, queues, now, settings)
    await leave_cards.withdraw_taken_off(session, assignment.id, now, settings)
    member = assignment.member
    t = translator_for(member, settings)
    await outbox.enqueue(
        session,
        key=removals.removed_key(assignment.id, now),
        chat_id=member.telegram_id,
        body=removals.removed_notice(t, assignment.id, shift),
        now=now,
        urgent=True,
    )
    audit.record(
        session,
        actor_id=actor.member.id if actor.member is not None else None,
        action="assignment.remove",
        object_type="assignment",
        object_id=assignment.id,
        before={"status": before.value},
        after={"status": AssignmentStatus.REMOVED.value},
        reason=reason,
        now=now,
    )
    return assignment


async def _release(
    session: AsyncSession,
    assignment: Assignment,
    shift: Shift,
    to: AssignmentStatus,
    now: dt.datetime,
    settings: Settings,
    *,
    queue_locked: bool = False,
) -> bool:
    """Free a seat (or a place in the queue) the caller read under the shift's lock: its
    notices not sent yet are dropped and a freed seat goes to the waitlist. False when the seat
    moved on meanwhile: the no-show job does not lock the shift, and a seat it marked absent is
    left as it is. `queue_locked`: as `promote_waitlist`'s."""
    before = assignment.status
    if not await direct.update_row_if(
        session,
        assignment,
        (Assignment.status == before,),
        status=to,
        updated_at=now,
    ):
        return False
    if before is AssignmentStatus.SIGNED_UP:
        await seat_scan.withdraw_notices(session, [assignment.id], now, settings)
        await promote_waitlist(session, shift, now, settings, queue_locked=queue_locked)
    return True


# What leaving the unit (or the posts) gives up: a seat or a place in a queue. Not a seat of a
# shift under way, checked in or out or marked absent (`upcoming_of` lists no absent seat): its
# queue ended at the start, so nobody could take it, and it is what the day's figures and the
# member's record count; an absence given up would read as if nobody had been missing.
RELEASABLE = (AssignmentStatus.SIGNED_UP, AssignmentStatus.WAITLISTED)


async def releasable(session: AsyncSession, member_id: int, now: dt.datetime) -> list[Assignment]:
    """The member's seats and places in a queue on shifts that have not ended, that leaving
    the unit (or the posts) gives up: by shift, the order their locks are taken in."""
    member = await session.get(Member, member_id)
    if member is None:
        return []
    ahead = [a for a in await upcoming_of(session, member, now) if a.status in RELEASABLE]
    return sorted(ahead, key=lambda assignment: (assignment.shift_id, assignment.id))


async def lock_ahead(session: AsyncSession, member_id: int, now: dt.datetime) -> list[Assignment]:
    """Lock what giving up the member's seats ahead writes, in the house order
    (`seats.lock_members`): the shifts of their seats and places in a queue in one statement in
    id order, then the member and everyone waiting on those shifts (whom the freed seats go to)
    in another. Their `releasable` seats, as read once the member is locked: nobody gives them
    a seat after that. A seat taken between the first read and the member's lock (a sign-up a
    moment old) has its shift locked after the member, the one step out of order, in that
    moment only."""
    shift_ids: set[int] = set()
    member_locked = False
    while True:
        ahead = await releasable(session, member_id, now)
        new = {assignment.shift_id for assignment in ahead} - shift_ids
        if member_locked and not new:
            return ahead
        shift_ids |= new
        if new:
            await lock_shifts(session, new)
        await lock_queues(session, sorted(shift_ids), also=[member_id])
        member_locked = True


async def release_all(
    session: AsyncSession,
    member_id: int,
    to: AssignmentStatus,
    now: dt.datetime,
    settings: Settings,
) -> list[Assignment]:
    """Give up every seat and place in a queue of a member who leaves (a unit, or the posts):
    their shifts and people locked first (`lock_ahead`: every shift before any member, never a
    shift while holding someone a sign-up for it waits for), the waitlists promoted and told.
    The seats freed, as they were before."""
    released: list[Assignment] = []
    for assignment in await lock_ahead(session, member_id, now):
        shift = await lock(session, assignment.shift_id)  # held already: read as it is now
        await session.refresh(assignment)  # as it is now that the shift is locked
        if assignment.status not in RELEASABLE or shift.ends_at <= now:
            continue
        # Everyone waiting on it was locked with the member (`lock_ahead`).
        if await _release(session, assignment, shift, to, now, settings, queue_locked=True):
            released.append(assignment)
    return released


async def upcoming_of(session: AsyncSession, member: Member, now: dt.datetime) -> list[Assignment]:
    """The member's shifts that have not ended: seats and places in a queue, soonest first."""
    return list(
        (
            await session.scalars(
                select(Assignment)
                .join(Shift, Assignment.shift_id == Shift.id)
                .where(
                    Assignment.member_id == member.id,
                    Assignment.status.in_(
                        (
                            AssignmentStatus.SIGNED_UP,
                            AssignmentStatus.WAITLISTED,
                            AssignmentStatus.CHECKED_IN,
                        )
                    ),
                    Shift.status == ShiftStatus.SCHEDULED,
                    Shift.ends_at > now,
                )
                .order_by(Shift.starts_at, Assignment.id)
            )
        ).unique()
    )
