"""What a check reads of posts: who should be and who is on a post, and the posts left unchecked."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Assignment,
    AssignmentStatus,
    CheckIn,
    Inspection,
    Member,
    Post,
    Shift,
    ShiftStatus,
    Unit,
)
from bot.services.oversight.check_visibility import week_start
from bot.settings import Settings

UNCHECKED_SHOWN = 5
HELD = (
    AssignmentStatus.SIGNED_UP,
    AssignmentStatus.CHECKED_IN,
    AssignmentStatus.CHECKED_OUT,
    AssignmentStatus.ABSENT,
)


@dataclass(frozen=True)
class Situation:
    """A post at one moment: seats of the shifts on, held ones, and who is checked in."""

    planned: int
    held: int
    checked_in: list[tuple[str, dt.datetime]]

    def as_data(self) -> dict[str, Any]:
        return {
            "planned": self.planned,
            "held": self.held,
            "checked_in": [[name, at.isoformat()] for name, at in self.checked_in],
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Situation:
        return cls(
            planned=int(data["planned"]),
            held=int(data["held"]),
            checked_in=[
                (str(name), dt.datetime.fromisoformat(at)) for name, at in data["checked_in"]
            ],
        )


async def unchecked_this_week(
    session: AsyncSession, now: dt.datetime, settings: Settings, limit: int = UNCHECKED_SHOWN
) -> list[tuple[Post, dt.datetime | None]]:
    """Posts in use with no check since Monday, the longest unchecked first (never checked
    before anything), with their last check."""
    last = (
        select(Inspection.post_id, func.max(Inspection.inspected_at).label("last"))
        .group_by(Inspection.post_id)
        .subquery()
    )
    rows = await session.execute(
        select(Post, last.c.last)
        .join(Unit, Unit.id == Post.unit_id)
        .outerjoin(last, last.c.post_id == Post.id)
        .where(
            Post.archived.is_(False),
            Unit.archived.is_(False),
            or_(last.c.last.is_(None), last.c.last < week_start(now, settings)),
        )
        .order_by(last.c.last.is_not(None), last.c.last, Post.name, Post.id)
        .limit(limit)
    )
    result = []
    for post, at in rows.unique().all():
        if at is not None and at.tzinfo is None:
            at = at.replace(tzinfo=dt.UTC)
        result.append((post, at))
    return result


async def situation(
    session: AsyncSession, post_id: int, at: dt.datetime, settings: Settings
) -> Situation:
    """Who should be and who is checked in on the post at `at`. The plan counts the shifts
    under way; the check-ins also those of a shift about to start, whose check-in is open
    (people who came early are on post, not a discrepancy, and nobody is short yet)."""
    opening = dt.timedelta(minutes=settings.checkin_open_before_min)
    on_post = select(Shift.id, Shift.capacity).where(
        Shift.post_id == post_id,
        Shift.status == ShiftStatus.SCHEDULED,
        Shift.starts_at <= at + opening,
        Shift.ends_at > at,
    )
    shifts = on_post.where(Shift.starts_at <= at).subquery()
    open_for_check_in = on_post.subquery()
    planned = int(await session.scalar(select(func.coalesce(func.sum(shifts.c.capacity), 0))) or 0)
    held = int(
        await session.scalar(
            select(func.count())
            .select_from(Assignment)
            .where(Assignment.shift_id.in_(select(shifts.c.id)), Assignment.status.in_(HELD))
        )
        or 0
    )
    rows = await session.execute(
        select(Member.display_name, CheckIn.checked_in_at)
        .select_from(CheckIn)
        .join(Assignment, Assignment.id == CheckIn.assignment_id)
        .join(Member, Member.id == Assignment.member_id)
        .where(
            Assignment.shift_id.in_(select(open_for_check_in.c.id)),
            Assignment.status.in_(HELD),
            CheckIn.checked_in_at <= at,
            or_(CheckIn.checked_out_at.is_(None), CheckIn.checked_out_at > at),
        )
        .order_by(CheckIn.checked_in_at, Member.display_name)
    )
    return Situation(planned, held, [(str(name), when) for name, when in rows.all()])
