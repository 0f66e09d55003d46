"""The coordinators' view of who is on duty: each post's shifts of a day with their people
(/roster), and one shift's people, seated and waiting (the shift card)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Assignment, AssignmentStatus, Post, Role, Shift, ShiftStatus
from bot.services.people.access import Actor
from bot.services.schedule.seats import ATTACHED, attached, with_pending_leave
from bot.services.schedule.timespec import local_day_bounds


@dataclass
class RosterShift:
    shift: Shift
    seated: list[Assignment] = field(default_factory=list)
    waitlisted: list[Assignment] = field(default_factory=list)
    # The seated whose leave is asked and may still be decided (the shift has not started):
    # shown as such, not as assigned. Once it starts the seat is theirs, as leave is refused.
    leave_asked: set[int] = field(default_factory=set)

    @property
    def open_seats(self) -> int:
        return max(self.shift.capacity - len(self.seated), 0)


@dataclass
class RosterPost:
    post: Post
    shifts: list[RosterShift] = field(default_factory=list)


async def roster(
    session: AsyncSession, actor: Actor, day: dt.date, zone: dt.tzinfo, now: dt.datetime
) -> list[RosterPost]:
    """Each post of the actor's unit (an admin: every unit) with the day's shifts and people."""
    actor.require(Role.COORDINATOR)
    first, after = local_day_bounds(day, zone)
    query = (
        select(Shift)
        .join(Post, Shift.post)
        .where(
            Shift.starts_at >= first,
            Shift.starts_at < after,
            Shift.status == ShiftStatus.SCHEDULED,
        )
        .order_by(Post.unit_id, Shift.starts_at, Post.name)
    )
    if not actor.is_admin:
        if actor.unit_id is None:
            return []
        query = query.where(Post.unit_id == actor.unit_id)
    found = list((await session.scalars(query)).unique())
    people = list(
        (
            await session.scalars(
                select(Assignment)
                .where(
                    Assignment.shift_id.in_([shift.id for shift in found]),
                    Assignment.status.in_(ATTACHED),
                )
                .order_by(Assignment.updated_at, Assignment.id)
            )
        ).unique()
    )
    result: dict[int, RosterPost] = {}
    by_shift: dict[int, RosterShift] = {}
    for shift in found:
        entry = result.setdefault(shift.post_id, RosterPost(shift.post))
        line = RosterShift(shift)
        entry.shifts.append(line)
        by_shift[shift.id] = line
    for assignment in people:
        line = by_shift[assignment.shift_id]
        if assignment.status is AssignmentStatus.WAITLISTED:
            line.waitlisted.append(assignment)
        else:
            line.seated.append(assignment)
    asked = await with_pending_leave(session, [a.id for a in people])
    for line in by_shift.values():
        if line.shift.starts_at > now:
            line.leave_asked = {a.id for a in line.seated if a.id in asked}
    return list(result.values())


async def roster_of_shift(session: AsyncSession, shift: Shift, now: dt.datetime) -> RosterShift:
    line = RosterShift(shift)
    for assignment in await attached(session, shift.id):
        if assignment.status is AssignmentStatus.WAITLISTED:
            line.waitlisted.append(assignment)
        else:
            line.seated.append(assignment)
    line.waitlisted.sort(key=lambda a: (a.updated_at, a.id))
    if shift.starts_at > now:
        line.leave_asked = await with_pending_leave(session, [a.id for a in line.seated])
    return line
