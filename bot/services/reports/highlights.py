"""The lists a tally shows beside its figures: shifts nobody covered, anomalies (far from the
post, a flagged photo, left the post, left early) and the most reliable volunteers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Assignment,
    CheckIn,
    CheckoutKind,
    Inspection,
    Member,
    Post,
    Shift,
    Unit,
)
from bot.services.reports.figures import checkins_in, served, shift_figures
from bot.settings import Settings

LIST_LIMIT = 30
TOP_COUNT = 3


@dataclass(frozen=True)
class Uncovered:
    post: str
    unit: str
    starts_at: dt.datetime
    ends_at: dt.datetime


@dataclass(frozen=True)
class Anomaly:
    member: str
    post: str
    at: dt.datetime
    distance_m: float | None = None  # set when checked in outside the post's radius
    flagged: bool = False
    left_early: bool = False
    left_post: bool = False  # away from the post by the live location (`at`: since when)


@dataclass(frozen=True)
class Volunteer:
    name: str
    units: tuple[str, ...]  # the units served in, most minutes first (one who moved: two)
    shifts: int
    minutes: int


async def uncovered(
    session: AsyncSession,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    settings: Settings,
    unit_id: int | None,
) -> list[Uncovered]:
    per_shift = shift_figures(start, end, now, unit_id).subquery()
    uncovered_before = now - dt.timedelta(minutes=settings.absent_after_min)
    rows = await session.execute(
        select(Post.name, Unit.name, per_shift.c.starts_at, per_shift.c.ends_at)
        .select_from(per_shift)
        .join(Post, Post.id == per_shift.c.post_id)
        .join(Unit, Unit.id == Post.unit_id)
        .where(per_shift.c.checked_in == 0, per_shift.c.starts_at <= uncovered_before)
        .order_by(per_shift.c.starts_at, Post.name)
        .limit(LIST_LIMIT)
    )
    return [
        Uncovered(post=post, unit=unit, starts_at=_utc(starts), ends_at=_utc(ends))
        for post, unit, starts, ends in rows.all()
    ]


def _utc(value: Any) -> dt.datetime:
    """Columns of a subquery come back as they are stored (naive UTC on some drivers)."""
    assert isinstance(value, dt.datetime)
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


async def anomalies(
    session: AsyncSession, start: dt.datetime, end: dt.datetime, unit_id: int | None
) -> tuple[list[Anomaly], bool]:
    """Check-ins far from the post or with a flagged photo, volunteers who left their post, and
    early leaves, in time order, from the first LIST_LIMIT such check-ins (one may give several
    lines); and whether there were more such check-ins than that."""
    query = (
        checkins_in(start, end, unit_id)
        .where(
            or_(
                CheckIn.far.is_(True),
                CheckIn.photo_flagged.is_(True),
                CheckIn.checkout_kind == CheckoutKind.EARLY,
                CheckIn.left_post_at.is_not(None),
            )
        )
        .order_by(CheckIn.checked_in_at, CheckIn.id)
        .limit(LIST_LIMIT + 1)
    )
    rows = (await session.execute(query)).all()
    found: list[Anomaly] = []
    for member, post, checkin in rows[:LIST_LIMIT]:
        far = checkin.far
        if far or checkin.photo_flagged:
            found.append(
                Anomaly(
                    member=member,
                    post=post,
                    at=checkin.checked_in_at,
                    distance_m=checkin.distance_m if far else None,
                    flagged=checkin.photo_flagged,
                )
            )
        if checkin.left_post_at is not None:
            found.append(Anomaly(member=member, post=post, at=checkin.left_post_at, left_post=True))
        if checkin.checkout_kind == CheckoutKind.EARLY and checkin.checked_out_at is not None:
            found.append(
                Anomaly(member=member, post=post, at=checkin.checked_out_at, left_early=True)
            )
    return sorted(found, key=lambda anomaly: anomaly.at), len(rows) > LIST_LIMIT


def _seen_short(start: dt.datetime, end: dt.datetime, now: dt.datetime) -> Select[Any]:
    """The check-ins (of shifts starting in [start, end)) that a check contradicted: one (shown
    by `now`, a covert one from its tally) at their post while they were open saw fewer people
    on post than were checked in. One of those checked in was not there, and nobody can say
    which: a check counts people, it does not name those missing. Read from the checks, few
    of which differ, rather than asked of every check-in of the period."""
    return (
        select(CheckIn.id)
        .select_from(Inspection)
        .join(
            Shift,
            and_(
                Shift.post_id == Inspection.post_id,
                Shift.starts_at >= start,
                Shift.starts_at < end,
                Shift.ends_at > Inspection.inspected_at,
            ),
        )
        .join(Assignment, Assignment.shift_id == Shift.id)
        .join(
            CheckIn,
            and_(
                CheckIn.assignment_id == Assignment.id,
                CheckIn.checked_in_at <= Inspection.inspected_at,
                or_(
                    CheckIn.checked_out_at.is_(None),
                    CheckIn.checked_out_at > Inspection.inspected_at,
                ),
            ),
        )
        .where(Inspection.seen < Inspection.checked_in, Inspection.visible_from <= now)
    )


async def top(
    session: AsyncSession,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    unit_id: int | None,
) -> list[Volunteer]:
    """The most reliable volunteers: most minutes served on time, on post (and staying there),
    to the end, with a photo nobody flagged or rejected; ties go to the earliest arrival. Only
    minutes credited count: one still on post (not checked out, nothing credited yet) is not
    listed with no hours. Only the volunteer's own check-ins prove that: a record a coordinator
    made for someone whose phone died counts them as on post, not among the most reliable;
    nor does a check-in that a check contradicted (`_seen_short`: an inspector saw fewer on post
    than were checked in, so any of them may be the one missing).
    A volunteer who moved to another unit in the period is one person, ranked on all their
    minutes, with the units they served in (most minutes first, then the latest)."""
    clean = and_(
        CheckIn.manual.is_(False),
        CheckIn.late.is_(False),
        CheckIn.far.is_(False),
        CheckIn.photo_flagged.is_(False),
        CheckIn.photo_rejected.is_(False),
        CheckIn.left_post_at.is_(None),
        or_(CheckIn.checkout_kind.is_(None), CheckIn.checkout_kind != CheckoutKind.EARLY),
        CheckIn.id.not_in(_seen_short(start, end, now)),
    )
    minutes = func.sum(func.coalesce(CheckIn.credited_minutes, 0))
    query = (
        served(
            Member.id,
            Member.display_name,
            # The shifts the minutes come from: one still on post has none credited yet, and
            # one whose hours a coordinator set to none gave none (as /hours counts them).
            func.count(case((CheckIn.credited_minutes > 0, 1))),
            minutes,
            start=start,
            end=end,
        )
        .where(clean)
        .group_by(Member.id, Member.display_name)
        .having(minutes > 0)
        .order_by(minutes.desc(), func.sum(CheckIn.minutes_late), Member.display_name)
        .limit(TOP_COUNT)
    )
    if unit_id is not None:
        query = query.where(Post.unit_id == unit_id)
    found = (await session.execute(query)).all()
    if not found:
        return []
    per_unit = (
        served(
            Member.id,
            Unit.name,
            minutes,
            func.max(CheckIn.checked_in_at),
            start=start,
            end=end,
        )
        .join(Unit, Unit.id == Post.unit_id)
        .where(clean, Member.id.in_([member_id for member_id, *_ in found]))
        .group_by(Member.id, Unit.id, Unit.name)
        .having(minutes > 0)
    )
    if unit_id is not None:
        per_unit = per_unit.where(Post.unit_id == unit_id)
    units: dict[int, list[tuple[int, dt.datetime, str]]] = {}
    for member_id, unit, served_there, latest in (await session.execute(per_unit)).all():
        units.setdefault(member_id, []).append((int(served_there), _utc(latest), unit))
    return [
        Volunteer(
            name=name,
            units=tuple(
                unit
                for _, _, unit in sorted(
                    units.get(member_id, []), key=lambda item: (-item[0], -item[1].timestamp())
                )
            ),
            shifts=int(count),
            minutes=int(total or 0),
        )
        for member_id, name, count, total in found
    ]
