"""Claiming seats: the sign-up rules, the waitlist, cancelling and removal.

``check_eligibility`` holds every rule about *who* may take *which* shift *now*; sign-up, the
waitlist promotion, the understaffed offers and (later) swaps all call it. Capacity is checked
separately, under the shift's lock, by whoever takes a seat.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Assignment,
    AssignmentStatus,
    Member,
    Post,
    Role,
    Shift,
    ShiftStatus,
)
from bot.errors import DomainError, ErrorCode
from bot.services.people.access import Actor
from bot.services.platform import audit, outbox
from bot.services.schedule import shifts
from bot.services.schedule.shift_text import shift_label, translator_for
from bot.settings import Settings

# A seat taken by these counts toward the weekly cap and blocks overlapping shifts.
COMMITTED = (
    AssignmentStatus.SIGNED_UP,
    AssignmentStatus.CHECKED_IN,
    AssignmentStatus.CHECKED_OUT,
)


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


def week_bounds(instant: dt.datetime, zone: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    """Monday 00:00 to the next Monday 00:00, local time, of the week holding `instant`."""
    local = instant.astimezone(zone)
    monday = local.date() - dt.timedelta(days=local.weekday())
    first = dt.datetime.combine(monday, dt.time(0, 0), tzinfo=zone)
    after = dt.datetime.combine(monday + dt.timedelta(days=7), dt.time(0, 0), tzinfo=zone)
    return first.astimezone(dt.UTC), after.astimezone(dt.UTC)


async def no_shows(session: AsyncSession, member_id: int) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(Assignment)
            .where(
                Assignment.member_id == member_id,
                Assignment.status == AssignmentStatus.ABSENT,
            )
        )
        or 0
    )


async def check_eligibility(
    session: AsyncSession,
    member: Member,
    shift: Shift,
    now: dt.datetime,
    settings: Settings,
    *,
    from_waitlist: bool = False,
    leaving: int | None = None,
    assigned: bool = False,
) -> None:
    """Raise the DomainError of the first rule that keeps `member` from `shift` at `now`.

    Capacity is not a rule here: a full shift offers the waitlist instead. `from_waitlist`
    checks a member who waits on this shift for a seat that came free. `leaving` is a seat of
    the member's that goes away in the same step (the other half of a swap): it neither clashes
    nor counts toward the weekly cap. An `assigned` seat (a coordinator puts the member on the
    shift) is not bound by the sign-up window: rotas are made weeks ahead.
    """
    others = Assignment.id != leaving if leaving is not None else true()
    if not member.active:
        raise DomainError(ErrorCode.NOT_REGISTERED)
    post: Post = shift.post
    if shift.status is ShiftStatus.CANCELLED:
        raise DomainError(ErrorCode.SHIFT_CANCELLED)
    if post.archived:
        raise DomainError(ErrorCode.POST_ARCHIVED, post=post.name)
    if member.unit_id != post.unit_id:
        raise DomainError(ErrorCode.SHIFT_OTHER_UNIT, unit=post.unit.name)
    if shift.starts_at <= now:
        raise DomainError(ErrorCode.SHIFT_STARTED)
    opens_at = shift.starts_at - dt.timedelta(days=settings.signup_open_days)
    if now < opens_at and not assigned:
        t = translator_for(member, settings)
        raise DomainError(ErrorCode.SIGNUP_NOT_OPEN, opens=t.datetime(opens_at))
    if shift.required_tag and shift.required_tag not in member.tags:
        raise DomainError(ErrorCode.TAG_REQUIRED, tag=shift.required_tag)
    own: AssignmentStatus | None = await session.scalar(
        select(Assignment.status).where(
            Assignment.shift_id == shift.id,
            Assignment.member_id == member.id,
            Assignment.status.in_(shifts.ATTACHED),
        )
    )
    if own == AssignmentStatus.WAITLISTED:
        if not from_waitlist:
            raise DomainError(ErrorCode.ALREADY_WAITLISTED)
    elif own is not None:
        raise DomainError(ErrorCode.ALREADY_SIGNED_UP)
    clash: Shift | None = (
        await session.scalars(
            select(Shift)
            .join(Assignment, Assignment.shift_id == Shift.id)
            .where(
                Assignment.member_id == member.id,
                Assignment.status.in_(COMMITTED),
                others,
                Shift.id != shift.id,
                Shift.status == ShiftStatus.SCHEDULED,
                Shift.starts_at < shift.ends_at,
                Shift.ends_at > shift.starts_at,
            )
            .limit(1)
        )
    ).first()
    if clash is not None:
        t = translator_for(member, settings)
        raise DomainError(ErrorCode.SHIFT_CLASH, shift=shift_label(t, clash))
    if settings.weekly_shift_cap > 0:
        first, after = week_bounds(shift.starts_at, settings.zone)
        taken = int(
            await session.scalar(
                select(func.count())
                .select_from(Assignment)
                .join(Shift, Assignment.shift_id == Shift.id)
                .where(
                    Assignment.member_id == member.id,
                    Assignment.status.in_(COMMITTED),
                    others,
                    Shift.status == ShiftStatus.SCHEDULED,
                    Shift.starts_at >= first,
                    Shift.starts_at < after,
                )
            )
            or 0
        )
        if taken >= settings.weekly_shift_cap:
            raise DomainError(ErrorCode.WEEKLY_CAP_REACHED, cap=settings.weekly_shift_cap)
    if settings.no_show_block_after > 0:
        missed = await no_shows(session, member.id)
        if missed >= settings.no_show_block_after:
            raise DomainError(ErrorCode.NO_SHOW_BLOCKED, count=missed)


async def seat(
    session: AsyncSession,
    member: Member,
    shift: Shift,
    status: AssignmentStatus,
    now: dt.datetime,
) -> Assignment:
    """The member's row on the shift in `status`; a row left from an earlier cancel is reused
    (one row per member and shift)."""
    assignment: Assignment | None = await session.scalar(
        select(Assignment).where(Assignment.shift_id == shift.id, Assignment.member_id == member.id)
    )
    if assignment is None:
        assignment = Assignment(
            shift=shift, member=member, status=status, created_at=now, updated_at=now
        )
        session.add(assignment)
    else:
        assignment.status = status
        assignment.updated_at = now
    await session.flush()
    return assignment


async def waitlist_position(session: AsyncSession, assignment: Assignment) -> int:
    ahead = int(
        await session.scalar(
            select(func.count())
            .select_from(Assignment)
            .where(
                Assignment.shift_id == assignment.shift_id,
                Assignment.status == AssignmentStatus.WAITLISTED,
                (Assignment.updated_at < assignment.updated_at)
                | (
                    (Assignment.updated_at == assignment.updated_at)
                    & (Assignment.id < assignment.id)
                ),
            )
        )
        or 0
    )
    return ahead + 1


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
    shift = await shifts.lock(session, shift_id)
    await check_eligibility(session, member, shift, now, settings)
    taken = await shifts.seated_count(session, shift.id)
    if taken < shift.capacity:
        assignment = await seat(session, member, shift, AssignmentStatus.SIGNED_UP, now)
        return SignedUp(assignment, shift.capacity - taken - 1)
    if not join_waitlist:
        return Full(shift)
    assignment = await seat(session, member, shift, AssignmentStatus.WAITLISTED, now)
    return Waitlisted(assignment, await waitlist_position(session, assignment))


async def promote_waitlist(
    session: AsyncSession, shift: Shift, now: dt.datetime, settings: Settings
) -> list[Assignment]:
    """Give free seats to the waitlist, first come first served; each promoted member is told.

    The caller holds the shift's lock. Someone on the waitlist who may no longer take the shift
    (a clash taken since, the weekly cap) is passed over and stays waiting.
    """
    if shift.status is not ShiftStatus.SCHEDULED or shift.starts_at <= now:
        return []
    free = shift.capacity - await shifts.seated_count(session, shift.id)
    if free <= 0:
        return []
    waiting = list(
        (
            await session.scalars(
                select(Assignment)
                .where(
                    Assignment.shift_id == shift.id,
                    Assignment.status == AssignmentStatus.WAITLISTED,
                )
                .order_by(Assignment.updated_at, Assignment.id)
            )
        ).unique()
    )
    promoted: list[Assignment] = []
    for assignment in waiting:
        if free <= 0:
            break
        member = assignment.member
        try:
            await check_eligibility(session, member, shift, now, settings, from_waitlist=True)
        except DomainError:
            continue
        assignment.status = AssignmentStatus.SIGNED_UP
        assignment.updated_at = now
        await session.flush()
        t = translator_for(member, settings)
        await outbox.enqueue(
            session,
            key=f"waitlist-promoted:{assignment.id}:{now.isoformat()}",
            chat_id=member.telegram_id,
            body=outbox.payload(t("signup.notice.promoted", shift=shift_label(t, shift))),
            now=now,
            urgent=shift.starts_at - now < dt.timedelta(hours=12),
        )
        promoted.append(assignment)
        free -= 1
    return promoted


async def _own_assignment(session: AsyncSession, member: Member, assignment_id: int) -> Assignment:
    assignment = await session.get(Assignment, assignment_id)
    if assignment is None or assignment.member_id != member.id:
        raise DomainError(ErrorCode.ASSIGNMENT_NOT_FOUND)
    return assignment


async def cancel(
    session: AsyncSession,
    actor: Actor,
    assignment_id: int,
    now: dt.datetime,
    settings: Settings,
) -> Assignment:
    """The member gives up their seat (or place in the queue). A seat can be given up until
    CANCEL_CUTOFF_HOURS before the start; the seat goes to the waitlist."""
    member = actor.require_member()
    assignment = await _own_assignment(session, member, assignment_id)
    shift = await shifts.lock(session, assignment.shift_id)
    await session.refresh(assignment)  # as it is now that the shift is locked
    if assignment.status not in (AssignmentStatus.SIGNED_UP, AssignmentStatus.WAITLISTED):
        raise DomainError(ErrorCode.ASSIGNMENT_NOT_FOUND)
    if shift.status is ShiftStatus.CANCELLED:
        raise DomainError(ErrorCode.SHIFT_CANCELLED)
    if assignment.status is AssignmentStatus.SIGNED_UP:
        cutoff = shift.starts_at - dt.timedelta(hours=settings.cancel_cutoff_hours)
        if now >= cutoff:
            raise DomainError(ErrorCode.CANCEL_TOO_LATE, hours=settings.cancel_cutoff_hours)
    was_seated = assignment.status is AssignmentStatus.SIGNED_UP
    assignment.status = AssignmentStatus.CANCELLED
    assignment.updated_at = now
    await session.flush()
    if was_seated:
        await promote_waitlist(session, shift, now, settings)
    return assignment


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
    shift = await shifts.lock(session, assignment.shift_id)
    await session.refresh(assignment)  # as it is now that the shift is locked
    if assignment.status not in (AssignmentStatus.SIGNED_UP, AssignmentStatus.WAITLISTED):
        raise DomainError(ErrorCode.ASSIGNMENT_NOT_FOUND)
    if shift.ends_at <= now:
        raise DomainError(ErrorCode.SHIFT_STARTED)
    before = assignment.status
    assignment.status = AssignmentStatus.REMOVED
    assignment.updated_at = now
    await session.flush()
    member = assignment.member
    t = translator_for(member, settings)
    await outbox.enqueue(
        session,
        key=f"assignment-removed:{assignment.id}:{now.isoformat()}",
        chat_id=member.telegram_id,
        body=outbox.payload(t("signup.notice.removed", shift=shift_label(t, shift))),
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
    if before is AssignmentStatus.SIGNED_UP:
        await promote_waitlist(session, shift, now, settings)
    return assignment


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
