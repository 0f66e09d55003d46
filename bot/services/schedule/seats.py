"""A shift's seats: which states of an assignment hold a seat or a place in the queue, counting
them, locking the shift while they are counted, and a member's one row on a shift. Creating and
editing shifts, the sign-up rules, the waitlist, swaps and the roster all build on this.

The order of row locks (PostgreSQL; SQLite's writers take turns): every shift a transaction
will write before any member, shifts in ascending id (`lock_shifts` for several at once,
`lock` for one), then the members in ascending id in one statement (`lock_members`: the
people seated, those waiting whose queue is promoted, the one leaving), never a shift after a
member and never members in two statements where one can be had. A writer that finds it needs
a shift only once it holds a member (a seat taken a moment ago) is out of order, and must say so
where it does it. Who follows it: sign-up and cancel (`signup`), the queue (`waitlist`), an
edit or a move of a shift (`shifts`), swaps, /assign, the rotation, leave decisions, an import,
and a member leaving or removed (`signup.lock_ahead`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import BindParameter, ColumnElement, and_, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from bot.db.batches import in_chunks
from bot.db.models import (
    Assignment,
    AssignmentStatus,
    LeaveRequest,
    LeaveStatus,
    Member,
    Shift,
    ShiftStatus,
)
from bot.errors import DomainError, ErrorCode
from bot.services.people import members
from bot.services.schedule import standing_leave

# Statuses that hold one of the shift's seats.
SEATED = (
    AssignmentStatus.SIGNED_UP,
    AssignmentStatus.CHECKED_IN,
    AssignmentStatus.CHECKED_OUT,
    AssignmentStatus.ABSENT,
)
# Statuses of someone still attached to the shift (a seat or a place in the queue).
ATTACHED = (*SEATED, AssignmentStatus.WAITLISTED)
# A seat taken by these counts toward the weekly cap and blocks overlapping shifts.
COMMITTED = (
    AssignmentStatus.SIGNED_UP,
    AssignmentStatus.CHECKED_IN,
    AssignmentStatus.CHECKED_OUT,
)


@dataclass(frozen=True)
class Seats:
    seated: int = 0
    waitlisted: int = 0


@dataclass(frozen=True)
class OpenShift:
    shift: Shift
    seats: Seats

    @property
    def left(self) -> int:
        return max(self.shift.capacity - self.seats.seated, 0)


async def lock(session: AsyncSession, shift_id: int) -> Shift:
    """The shift row, locked for this transaction so seats are counted by one writer at a time.

    PostgreSQL takes a row lock (SELECT ... FOR UPDATE); SQLite already holds the database's
    single write lock from the start of the transaction (BEGIN IMMEDIATE) and ignores the clause.
    """
    shift: Shift | None = await session.scalar(
        select(Shift)
        .where(Shift.id == shift_id)
        .with_for_update(of=Shift)
        .execution_options(populate_existing=True)
    )
    if shift is None:
        raise DomainError(ErrorCode.SHIFT_NOT_FOUND)
    return shift


async def lock_shifts(session: AsyncSession, shift_ids: Iterable[int]) -> None:
    """Lock the rows of several shifts, as `lock` does one, in id order (so two writers locking
    some of the same shifts never wait for each other in a circle): one statement, or one per
    chunk of ids in ascending order for more than a statement takes (an import's month)."""
    for part in in_chunks(sorted(set(shift_ids))):
        await session.execute(
            select(Shift.id).where(Shift.id.in_(part)).order_by(Shift.id).with_for_update(of=Shift)
        )


async def lock_members(session: AsyncSession, member_ids: Iterable[int]) -> None:
    """Lock the members' rows for this transaction, in id order, before their rules are checked.

    The rules about a member's other seats (no two shifts at one hour, the weekly cap) read
    seats on other shifts, which the shift's own lock does not cover: a sign-up for one shift
    and an assignment to another at the same hour each locked only their own. Whoever gives
    a member a seat takes this after the shifts' locks (the same order everywhere, so no two
    of them wait for each other in a circle). SQLite ignores the clause, as in `lock`."""
    await members.lock(session, list(member_ids))


def held_while_scheduled(
    shift_id: int | BindParameter[int],
    starts_at: dt.datetime | BindParameter[dt.datetime] | None = None,
) -> ColumnElement[bool]:
    """A condition for a write to one of the shift's seats: the shift is still scheduled, read
    under a share lock kept for the transaction. A writer that locks the shift (`lock`: a
    cancel, a seat given up, removed or given away) waits until this transaction ends, or this
    write waits for the writer already in and then reads the shift as it left it; writes that
    only hold it (check-ins at one shift) do not wait for each other. Part of the write's own
    statement, so it costs no round trip; SQLite ignores the clause, as in `lock`. With
    `starts_at`, the shift must also still start then (a check-in made for that start)."""
    held = select(Shift.id).where(Shift.id == shift_id, Shift.status == ShiftStatus.SCHEDULED)
    if starts_at is not None:
        held = held.where(Shift.starts_at == starts_at)
    return exists(held.with_for_update(read=True))


async def seats(session: AsyncSession, shift_ids: Iterable[int]) -> dict[int, Seats]:
    ids = list(shift_ids)
    if not ids:
        return {}
    rows = await session.execute(
        select(Assignment.shift_id, Assignment.status, func.count())
        .where(Assignment.shift_id.in_(ids), Assignment.status.in_(ATTACHED))
        .group_by(Assignment.shift_id, Assignment.status)
    )
    seated: dict[int, int] = {}
    waiting: dict[int, int] = {}
    for shift_id, status, count in rows.all():
        target = waiting if status == AssignmentStatus.WAITLISTED else seated
        target[shift_id] = target.get(shift_id, 0) + int(count)
    return {i: Seats(seated.get(i, 0), waiting.get(i, 0)) for i in ids}


async def seat_holders(session: AsyncSession, shift_ids: Iterable[int]) -> set[tuple[int, int]]:
    """Who holds a seat on these shifts, as (shift id, member id) pairs."""
    ids = sorted(set(shift_ids))
    if not ids:
        return set()
    rows = await session.execute(
        select(Assignment.shift_id, Assignment.member_id).where(
            Assignment.shift_id.in_(ids), Assignment.status.in_(SEATED)
        )
    )
    return {(shift_id, member_id) for shift_id, member_id in rows}


async def seated_count(session: AsyncSession, shift_id: int) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(Assignment)
            .where(Assignment.shift_id == shift_id, Assignment.status.in_(SEATED))
        )
        or 0
    )


async def attached(session: AsyncSession, shift_id: int) -> list[Assignment]:
    """Everyone on the shift, seated or waiting, in the order they came."""
    return list(
        (
            await session.scalars(
                select(Assignment)
                .where(Assignment.shift_id == shift_id, Assignment.status.in_(ATTACHED))
                .order_by(Assignment.id)
            )
        ).unique()
    )


async def seat(
    session: AsyncSession,
    member: Member,
    shift: Shift,
    status: AssignmentStatus,
    now: dt.datetime,
) -> Assignment:
    """The member's row on the shift in `status`; a row left from an earlier cancel is reused
    (one row per member and shift). The seat is the member's own doing: a rota that once put
    them on the shift is forgotten (assigning marks the seat again afterwards)."""
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
        assignment.rota_id = None
        assignment.acknowledged_at = None
    await session.flush()
    return assignment


# A seat's id as a column of a statement about seats (``Assignment.id``, a subquery's column).
SeatColumn = ColumnElement[int] | InstrumentedAttribute[int]


def leave_undecided() -> ColumnElement[bool]:
    """The condition on a leave request that it is asked and not yet decided (not approved,
    rejected, withdrawn or lapsed): the one rule of "leave asked", which every statement about
    pending leave builds on."""
    return LeaveRequest.status == LeaveStatus.ASKED


def is_undecided(leave: LeaveRequest) -> bool:
    """`leave_undecided` of a request already read (a decision, or an ending, re-reads it under
    the shift's lock and goes ahead only while this holds)."""
    return leave.status is LeaveStatus.ASKED


def leave_pending_on(assignment_id: int | SeatColumn) -> ColumnElement[bool]:
    """The condition on a leave request that it was asked from this seat (an id, or a column
    of a statement about seats) and is not yet decided."""
    return and_(LeaveRequest.assignment_id == assignment_id, leave_undecided())


def leave_pending(assignment_id: SeatColumn) -> ColumnElement[bool]:
    """Whether the seat of this column has leave asked and not yet decided, as a condition of
    a statement about seats: no row of its own to read per seat."""
    return exists().where(leave_pending_on(assignment_id))


async def pending_leave(session: AsyncSession, assignment_id: int) -> LeaveRequest | None:
    """The leave asked from this seat and not yet decided (rostering asks it, swaps respect it)."""
    leave: LeaveRequest | None = (
        await session.scalars(select(LeaveRequest).where(leave_pending_on(assignment_id)).limit(1))
    ).first()
    return leave


async def with_pending_leave(session: AsyncSession, assignment_ids: Iterable[int]) -> set[int]:
    """Those of these seats with leave asked and not yet decided, in one statement per 500."""
    ids = sorted(set(assignment_ids))
    found: set[int] = set()
    for start in range(0, len(ids), 500):
        rows = await session.scalars(
            select(LeaveRequest.assignment_id).where(
                LeaveRequest.assignment_id.in_(ids[start : start + 500]), leave_undecided()
            )
        )
        found.update(rows)
    return found


async def on_leave(
    session: AsyncSession, member_ids: Iterable[int], starts_at: dt.datetime, ends_at: dt.datetime
) -> set[int]:
    """Those of these members excused (leave approved) from a shift overlapping
    [starts_at, ends_at), a shift that does not exist yet (one of an import) included: they are
    not put on a shift at that hour, by a coordinator, a rotation or a swap."""
    ids = sorted(set(member_ids))
    found: set[int] = set()
    for start in range(0, len(ids), 500):
        rows = await session.scalars(
            standing_leave.approved(select(LeaveRequest.member_id))
            .where(
                LeaveRequest.member_id.in_(ids[start : start + 500]),
                Shift.starts_at < ends_at,
                Shift.ends_at > starts_at,
            )
            .distinct()
        )
        found.update(rows)
    return found
