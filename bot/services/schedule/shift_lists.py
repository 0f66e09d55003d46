"""Shifts to come, read: those open for a member to take (`/shifts`), and those a post has
ahead (its card, and what archiving it leaves to take place)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Assignment, Member, Post, PostType, Shift, ShiftStatus
from bot.errors import DomainError, ErrorCode
from bot.services.people.access import Actor
from bot.services.people.members import serves_on_posts
from bot.services.schedule import posts
from bot.services.schedule.seats import ATTACHED, OpenShift, seats
from bot.services.schedule.timespec import local_day_bounds
from bot.settings import Settings


@dataclass(frozen=True)
class Page:
    items: list[OpenShift]
    total: int
    offset: int
    # Whether the member may sign up (stands on posts); one who does not still sees the list.
    may_sign_up: bool = True


async def open_for(
    session: AsyncSession,
    member: Member,
    now: dt.datetime,
    settings: Settings,
    *,
    day: dt.date | None = None,
    post_type: PostType | None = None,
    offset: int = 0,
    limit: int = 5,
) -> Page:
    """Upcoming shifts of the member's unit open for sign-up that the member may take, soonest
    first: not yet started, within the sign-up window, their tag if one is required, and not
    already theirs."""
    if member.unit_id is None:
        raise DomainError(ErrorCode.NO_UNIT)
    mine = select(Assignment.shift_id).where(
        Assignment.member_id == member.id, Assignment.status.in_(ATTACHED)
    )
    tag_ok: ColumnElement[bool] = Shift.required_tag.is_(None)
    if member.tags:
        tag_ok = or_(tag_ok, Shift.required_tag.in_(sorted(member.tags)))
    conditions = [
        Post.unit_id == member.unit_id,
        Post.archived.is_(False),
        Shift.status == ShiftStatus.SCHEDULED,
        Shift.starts_at > now,
        Shift.starts_at <= now + dt.timedelta(days=settings.signup_open_days),
        Shift.id.not_in(mine),
        tag_ok,
    ]
    if day is not None:
        first, after = local_day_bounds(day, settings.zone)
        conditions += [Shift.starts_at >= first, Shift.starts_at < after]
    if post_type is not None:
        conditions.append(Post.type == post_type)
    total = int(
        await session.scalar(
            select(func.count()).select_from(Shift).join(Post, Shift.post).where(*conditions)
        )
        or 0
    )
    found = list(
        (
            await session.scalars(
                select(Shift)
                .join(Post, Shift.post)
                .where(*conditions)
                .order_by(Shift.starts_at, Post.name, Shift.id)
                .offset(max(offset, 0))
                .limit(limit)
            )
        ).unique()
    )
    counts = await seats(session, [shift.id for shift in found])
    return Page(
        [OpenShift(shift, counts[shift.id]) for shift in found],
        total,
        max(offset, 0),
        may_sign_up=serves_on_posts(member),
    )


async def count_upcoming_of_post(session: AsyncSession, post_id: int, now: dt.datetime) -> int:
    """The post's shifts still to end: archiving the post leaves them to take place."""
    found = await session.scalar(select(func.count(Shift.id)).where(*_to_come(post_id, now)))
    return int(found or 0)


def _to_come(post_id: int, now: dt.datetime) -> tuple[ColumnElement[bool], ...]:
    """The post's shifts still scheduled and not yet over at `now`."""
    return (Shift.post_id == post_id, Shift.status == ShiftStatus.SCHEDULED, Shift.ends_at > now)


async def upcoming_of_post(
    session: AsyncSession,
    actor: Actor,
    post_id: int,
    now: dt.datetime,
    limit: int = 10,
    offset: int = 0,
) -> list[OpenShift]:
    """A page of the post's shifts still to end, soonest first (`count_upcoming_of_post`
    counts them all)."""
    post = await posts.get_managed(session, actor, post_id)
    found = list(
        (
            await session.scalars(
                select(Shift)
                .where(*_to_come(post.id, now))
                .order_by(Shift.starts_at, Shift.id)
                .offset(max(offset, 0))
                .limit(limit)
            )
        ).unique()
    )
    counts = await seats(session, [shift.id for shift in found])
    return [OpenShift(shift, counts[shift.id]) for shift in found]
