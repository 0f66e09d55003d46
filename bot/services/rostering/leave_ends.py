"""The scheduler job (a row of ``bot/due.py``) that ends the leave requests nobody decided in
time: the seat went some way that did not withdraw them at once (the shift cancelled, the seat
given up or swapped), or the shift started first. Each is ended once, and every card asking
its deciders says how (bot/services/schedule/leave_cards.py)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Assignment,
    AssignmentStatus,
    LeaveRequest,
    LeaveStatus,
    Shift,
    ShiftStatus,
)
from bot.services.platform import audit
from bot.services.schedule import leave_cards, seats
from bot.services.schedule.leave_cards import Ending
from bot.settings import Settings

# A seat still the asker's until the start (signed up, or come: checked in ahead of it, out, or
# marked absent by a duty job that ran first after the bot was down): its request waits for
# the start, and then lapses, as they were expected on post.
HELD = (
    AssignmentStatus.SIGNED_UP,
    AssignmentStatus.CHECKED_IN,
    AssignmentStatus.CHECKED_OUT,
    AssignmentStatus.ABSENT,
)


def _ending(leave: LeaveRequest, now: dt.datetime) -> Ending | None:
    """How `leave` ended without a decision, or None while it still waits for one."""
    seat = leave.assignment
    shift = seat.shift
    if shift.status is not ShiftStatus.SCHEDULED:
        return Ending.CANCELLED
    if seat.status not in HELD or seat.member_id != leave.member_id:
        return Ending.TAKEN_OFF
    if shift.starts_at <= now:
        return Ending.STARTED
    return None


async def end_undecided(session: AsyncSession, now: dt.datetime, settings: Settings) -> int:
    """End the requests still asked whose seat went or whose shift started; how many."""
    found = (
        await session.execute(
            select(LeaveRequest.id, Assignment.shift_id)
            .join(Assignment, LeaveRequest.assignment_id == Assignment.id)
            .join(Shift, Assignment.shift_id == Shift.id)
            .where(
                seats.leave_undecided(),
                or_(
                    Shift.status != ShiftStatus.SCHEDULED,
                    Shift.starts_at <= now,
                    Assignment.status.not_in(HELD),
                    Assignment.member_id != LeaveRequest.member_id,
                ),
            )
            .order_by(LeaveRequest.id)
        )
    ).all()
    if not found:
        return 0
    # Under the shifts' locks, as a decision is taken: of the two, one finds the other's. All of
    # them first, in id order (`seats.lock_shifts`), not one per request in request order while
    # holding the earlier ones: a cancel or a swap locking two of them in id order would wait
    # for this job in a circle (a deadlock on PostgreSQL).
    await seats.lock_shifts(session, [shift_id for _, shift_id in found])
    ended = 0
    for leave_id, _ in found:
        # As it is now that its shift is locked, with its seat and shift (joined, one statement).
        leave = await session.get(LeaveRequest, leave_id, populate_existing=True)
        assert leave is not None
        ending = _ending(leave, now) if seats.is_undecided(leave) else None
        if ending is None:
            continue
        if ending is not Ending.STARTED:
            await leave_cards.withdraw_leave(session, [leave], ending, now, settings)
        else:
            leave.status = LeaveStatus.LAPSED
            leave.decided_at = now
            audit.record(
                session,
                actor_id=None,
                action="leave.lapse",
                object_type="leave",
                object_id=leave.id,
                before={"status": LeaveStatus.ASKED.value},
                after={"status": LeaveStatus.LAPSED.value},
                now=now,
            )
            # The cards name the start, which the request did not outlive, not this tick.
            started = leave.assignment.shift.starts_at
            await leave_cards.close_ended(session, leave, ending, now, settings, at=started)
        ended += 1
    return ended
