"""The figures leaders read: a tally of a day or a period, for the whole campaign or one unit.

Every figure is aggregated in the database (GROUP BY), never by looping over rows in Python: a
city has tens of thousands of volunteers. The definitions (README, "How the figures are counted"):

- shifts and seats: scheduled (not cancelled) shifts starting in the period, and their capacity;
- filled: seats held by an assignment (signed up, checked in, checked out or absent);
- checked in: held seats with a check-in; on time / late: ``minutes_late`` up to / over
  ``LATE_AFTER_MIN``;
- absent: marked absent, or the shift has ended with the seat held and no check-in;
- left early: checked out with kind ``early``;
- left post: the live location stayed outside the post's geofence for ``LEFT_POST_ALERT_MIN``
  (the volunteer was asked whether they were still on post);
- far: checked in farther from the post than its radius; flagged: the photo was flagged;
- on-post rate: checked in / seats; punctuality: on time / checked in;
- hours: credited minutes / 60;
- uncovered: a shift nobody checked in to ``ABSENT_AFTER_MIN`` after its start.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, literal_column, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Assignment,
    AssignmentStatus,
    CheckIn,
    CheckoutKind,
    Member,
    Post,
    Shift,
    ShiftStatus,
    Unit,
)
from bot.services.periods import Period, day_start, last_days
from bot.settings import Settings

HELD = (
    AssignmentStatus.SIGNED_UP,
    AssignmentStatus.CHECKED_IN,
    AssignmentStatus.CHECKED_OUT,
    AssignmentStatus.ABSENT,
)
LIST_LIMIT = 30
TOP_COUNT = 3
TREND_DAYS = 7


class Grade(StrEnum):
    GOOD = "good"
    FAIR = "fair"
    POOR = "poor"


@dataclass(frozen=True)
class Counts:
    shifts: int = 0
    seats: int = 0
    filled: int = 0
    checked_in: int = 0
    on_time: int = 0
    late: int = 0
    absent: int = 0
    left_early: int = 0
    left_post: int = 0
    far: int = 0
    flagged: int = 0
    minutes: int = 0
    uncovered: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )

    @classmethod
    def total(cls, parts: Iterable[Counts]) -> Counts:
        result = cls()
        for part in parts:
            result = result + part
        return result

    @property
    def on_post_rate(self) -> float | None:
        return min(1.0, self.checked_in / self.seats) if self.seats else None

    @property
    def punctuality(self) -> float | None:
        return self.on_time / self.checked_in if self.checked_in else None

    @property
    def hours(self) -> float:
        return self.minutes / 60


@dataclass(frozen=True)
class Score:
    value: float | None
    grade: Grade | None


def score(counts: Counts, settings: Settings) -> Score:
    """A weighted score out of 100; no score for a unit with no seats in the period."""
    if counts.on_post_rate is None:
        return Score(None, None)
    on_post_weight = settings.score_weight_on_post
    punctuality_weight = settings.score_weight_punctuality
    weighted = on_post_weight * counts.on_post_rate + punctuality_weight * (
        counts.punctuality or 0.0
    )
    value = round(100 * weighted / (on_post_weight + punctuality_weight), 1)
    if value >= settings.grade_good_min:
        grade = Grade.GOOD
    elif value >= settings.grade_fair_min:
        grade = Grade.FAIR
    else:
        grade = Grade.POOR
    return Score(value, grade)


@dataclass(frozen=True)
class Row:
    """One line of the ranking: a unit (headquarters) or a post (a unit's group)."""

    key: int
    name: str
    counts: Counts
    score: Score
    previous_score: Score | None = None


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
    unit: str
    shifts: int
    minutes: int


@dataclass(frozen=True)
class Tally:
    unit_id: int | None  # None: headquarters (every unit)
    unit_name: str | None
    period: Period
    totals: Counts
    score: Score
    rows: list[Row]
    uncovered: list[Uncovered]
    anomalies: list[Anomaly]
    top: list[Volunteer]
    trend: list[tuple[dt.date, float | None]]
    previous_period: Period | None = None
    previous: Counts | None = None

    @property
    def by_unit(self) -> bool:
        return self.unit_id is None


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _per_shift(
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    settings: Settings,
    unit_id: int | None,
    day_edges: Sequence[dt.datetime] = (),
) -> Select[Any]:
    """One row per scheduled shift in [start, end): its seats, what became of them, and the
    index of its day (`day_edges` are the starts of the days after the first)."""
    whens: list[tuple[ColumnElement[bool], ColumnElement[Any]]] = [
        (Shift.starts_at < edge, literal_column(str(i))) for i, edge in enumerate(day_edges)
    ]
    bucket = case(*whens, else_=literal_column(str(len(whens)))) if whens else literal_column("0")
    held = Assignment.status.in_(HELD)
    checked = and_(held, CheckIn.id.is_not(None))
    absent = and_(
        held,
        or_(
            Assignment.status == AssignmentStatus.ABSENT,
            and_(
                Assignment.status == AssignmentStatus.SIGNED_UP,
                CheckIn.id.is_(None),
                Shift.ends_at <= now,
            ),
        ),
    )
    query = (
        select(
            Shift.id.label("shift_id"),
            Shift.post_id.label("post_id"),
            Post.unit_id.label("unit_id"),
            Shift.starts_at.label("starts_at"),
            Shift.ends_at.label("ends_at"),
            Shift.capacity.label("capacity"),
            bucket.label("bucket"),
            _count_if(held).label("filled"),
            _count_if(checked).label("checked_in"),
            _count_if(and_(checked, CheckIn.minutes_late <= settings.late_after_min)).label(
                "on_time"
            ),
            _count_if(and_(checked, CheckIn.minutes_late > settings.late_after_min)).label("late"),
            _count_if(absent).label("absent"),
            _count_if(and_(checked, CheckIn.checkout_kind == CheckoutKind.EARLY)).label(
                "left_early"
            ),
            _count_if(and_(checked, CheckIn.left_post_at.is_not(None))).label("left_post"),
            _count_if(and_(checked, CheckIn.distance_m > Post.radius_m)).label("far"),
            _count_if(and_(checked, CheckIn.photo_flagged.is_(True))).label("flagged"),
            func.coalesce(
                func.sum(case((checked, func.coalesce(CheckIn.credited_minutes, 0)), else_=0)), 0
            ).label("minutes"),
        )
        .select_from(Shift)
        .join(Post, Post.id == Shift.post_id)
        .outerjoin(Assignment, Assignment.shift_id == Shift.id)
        .outerjoin(CheckIn, CheckIn.assignment_id == Assignment.id)
        .where(
            Shift.status == ShiftStatus.SCHEDULED,
            Shift.starts_at >= start,
            Shift.starts_at < end,
        )
        .group_by(
            Shift.id, Shift.post_id, Post.unit_id, Shift.starts_at, Shift.ends_at, Shift.capacity
        )
    )
    if unit_id is not None:
        query = query.where(Post.unit_id == unit_id)
    return query


COUNT_COLUMNS = (
    *("filled", "checked_in", "on_time", "late", "absent", "left_early", "left_post", "far"),
    *("flagged", "minutes"),
)


async def breakdown(
    session: AsyncSession,
    *,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    settings: Settings,
    unit_id: int | None,
    by: str,
    day_edges: Sequence[dt.datetime] = (),
) -> dict[Any, Counts]:
    """Counts grouped by "unit", "post", "day" (index into `day_edges`, the starts of the days
    after the first) or "all" (key None)."""
    edges = day_edges if by == "day" else ()
    per_shift = _per_shift(start, end, now, settings, unit_id, edges).subquery()
    uncovered_before = now - dt.timedelta(minutes=settings.absent_after_min)
    key = {"unit": per_shift.c.unit_id, "post": per_shift.c.post_id, "day": per_shift.c.bucket}[
        by if by != "all" else "day"
    ]
    query = select(
        key.label("key"),
        func.count().label("shifts"),
        func.coalesce(func.sum(per_shift.c.capacity), 0).label("seats"),
        *(func.coalesce(func.sum(per_shift.c[name]), 0).label(name) for name in COUNT_COLUMNS),
        _count_if(
            and_(per_shift.c.checked_in == 0, per_shift.c.starts_at <= uncovered_before)
        ).label("uncovered"),
    ).group_by(key)
    result: dict[Any, Counts] = {}
    for row in (await session.execute(query)).mappings():
        values = {name: int(row[name]) for name in ("shifts", "seats", *COUNT_COLUMNS)}
        result[None if by == "all" else int(row["key"])] = Counts(
            uncovered=int(row["uncovered"]), **values
        )
    return result


async def names_of(
    session: AsyncSession, model: type[Unit] | type[Post], ids: Iterable[int]
) -> dict[int, str]:
    wanted = list(ids)
    if not wanted:
        return {}
    rows = await session.execute(select(model.id, model.name).where(model.id.in_(wanted)))
    return {int(key): str(name) for key, name in rows.all()}


async def _uncovered(
    session: AsyncSession,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    settings: Settings,
    unit_id: int | None,
) -> list[Uncovered]:
    per_shift = _per_shift(start, end, now, settings, unit_id).subquery()
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


def _checkins_in(
    start: dt.datetime, end: dt.datetime, unit_id: int | None
) -> Select[str, str, CheckIn, int]:
    query = (
        select(Member.display_name, Post.name, CheckIn, Post.radius_m)
        .select_from(CheckIn)
        .join(Assignment, Assignment.id == CheckIn.assignment_id)
        .join(Shift, Shift.id == Assignment.shift_id)
        .join(Post, Post.id == Shift.post_id)
        .join(Member, Member.id == Assignment.member_id)
        .where(
            Shift.status == ShiftStatus.SCHEDULED,
            Shift.starts_at >= start,
            Shift.starts_at < end,
            Assignment.status.in_(HELD),
        )
    )
    if unit_id is not None:
        query = query.where(Post.unit_id == unit_id)
    return query


async def _anomalies(
    session: AsyncSession, start: dt.datetime, end: dt.datetime, unit_id: int | None
) -> list[Anomaly]:
    """Check-ins far from the post or with a flagged photo, volunteers who left their post, and
    early leaves, in time order."""
    query = (
        _checkins_in(start, end, unit_id)
        .where(
            or_(
                CheckIn.distance_m > Post.radius_m,
                CheckIn.photo_flagged.is_(True),
                CheckIn.checkout_kind == CheckoutKind.EARLY,
                CheckIn.left_post_at.is_not(None),
            )
        )
        .order_by(CheckIn.checked_in_at, CheckIn.id)
        .limit(LIST_LIMIT)
    )
    anomalies: list[Anomaly] = []
    for member, post, checkin, radius in (await session.execute(query)).all():
        far = checkin.distance_m > radius
        if far or checkin.photo_flagged:
            anomalies.append(
                Anomaly(
                    member=member,
                    post=post,
                    at=checkin.checked_in_at,
                    distance_m=checkin.distance_m if far else None,
                    flagged=checkin.photo_flagged,
                )
            )
        if checkin.left_post_at is not None:
            anomalies.append(
                Anomaly(member=member, post=post, at=checkin.left_post_at, left_post=True)
            )
        if checkin.checkout_kind == CheckoutKind.EARLY and checkin.checked_out_at is not None:
            anomalies.append(
                Anomaly(member=member, post=post, at=checkin.checked_out_at, left_early=True)
            )
    return sorted(anomalies, key=lambda anomaly: anomaly.at)


async def _top(
    session: AsyncSession,
    start: dt.datetime,
    end: dt.datetime,
    settings: Settings,
    unit_id: int | None,
) -> list[Volunteer]:
    """The most reliable volunteers: most minutes served on time, on post (and staying there),
    to the end, with a photo nobody flagged; ties go to the earliest arrival."""
    clean = and_(
        CheckIn.minutes_late <= settings.late_after_min,
        CheckIn.distance_m <= Post.radius_m,
        CheckIn.photo_flagged.is_(False),
        CheckIn.left_post_at.is_(None),
        or_(CheckIn.checkout_kind.is_(None), CheckIn.checkout_kind != CheckoutKind.EARLY),
    )
    minutes = func.sum(func.coalesce(CheckIn.credited_minutes, 0))
    query = (
        select(
            Member.id,
            Member.display_name,
            Unit.name,
            func.count(CheckIn.id),
            minutes,
        )
        .select_from(CheckIn)
        .join(Assignment, Assignment.id == CheckIn.assignment_id)
        .join(Shift, Shift.id == Assignment.shift_id)
        .join(Post, Post.id == Shift.post_id)
        .join(Member, Member.id == Assignment.member_id)
        .join(Unit, Unit.id == Post.unit_id)
        .where(
            Shift.status == ShiftStatus.SCHEDULED,
            Shift.starts_at >= start,
            Shift.starts_at < end,
            Assignment.status.in_(HELD),
            clean,
        )
        .group_by(Member.id, Member.display_name, Unit.name)
        .order_by(minutes.desc(), func.sum(CheckIn.minutes_late), Member.display_name)
        .limit(TOP_COUNT)
    )
    if unit_id is not None:
        query = query.where(Post.unit_id == unit_id)
    return [
        Volunteer(name=name, unit=unit, shifts=int(count), minutes=int(served or 0))
        for _, name, unit, count, served in (await session.execute(query)).all()
    ]


async def trend(
    session: AsyncSession,
    period: Period,
    now: dt.datetime,
    settings: Settings,
    unit_id: int | None,
) -> list[tuple[dt.date, float | None]]:
    """The on-post rate of each day of the period (None for a day without seats)."""
    zone = settings.zone
    start, end = period.bounds(zone)
    days = period.days
    edges = [day_start(day, zone) for day in days[1:]]
    per_day = await breakdown(
        session,
        start=start,
        end=end,
        now=now,
        settings=settings,
        unit_id=unit_id,
        by="day",
        day_edges=edges,
    )
    return [
        (day, per_day[index].on_post_rate if index in per_day else None)
        for index, day in enumerate(days)
    ]


async def _rows(
    session: AsyncSession,
    counts: dict[Any, Counts],
    previous: dict[Any, Counts] | None,
    settings: Settings,
    by_unit: bool,
    unit_id: int | None,
) -> list[Row]:
    if by_unit:
        # Every unit appears in the ranking, even one with nothing scheduled.
        rows_ = (await session.execute(select(Unit.id, Unit.name))).all()
        names = {int(key): str(name) for key, name in rows_}
    else:
        names = await names_of(session, Post, counts.keys())
    rows = [
        Row(
            key=int(key),
            name=name,
            counts=counts.get(key, Counts()),
            score=score(counts.get(key, Counts()), settings),
            previous_score=(
                score(previous[key], settings) if previous is not None and key in previous else None
            ),
        )
        for key, name in names.items()
        if by_unit or key in counts
    ]

    def rank(row: Row) -> tuple[int, float, str]:
        value = row.score.value
        return (0 if value is not None else 1, -(value or 0.0), row.name)

    return sorted(rows, key=rank)


async def standings(
    session: AsyncSession,
    *,
    unit_id: int | None,
    period: Period,
    now: dt.datetime,
    settings: Settings,
) -> tuple[Counts, Score, list[Row]]:
    """The totals, score and ranking of `period` exactly as `compute` has them, without the
    lists and the trend: what the live board (bot/board) refreshes every few seconds."""
    start, end = period.bounds(settings.zone)
    by_unit = unit_id is None
    counts = await breakdown(
        session,
        start=start,
        end=end,
        now=now,
        settings=settings,
        unit_id=unit_id,
        by="unit" if by_unit else "post",
    )
    totals = Counts.total(counts.values())
    rows = await _rows(session, counts, None, settings, by_unit, unit_id)
    return totals, score(totals, settings), rows


async def compute(
    session: AsyncSession,
    *,
    unit_id: int | None,
    period: Period,
    now: dt.datetime,
    settings: Settings,
    previous_period: Period | None = None,
    trend_period: Period | None = None,
) -> Tally:
    """The tally of `period` for headquarters (unit_id None: ranked by unit) or one unit
    (ranked by post), with the daily trend over `trend_period` (default: the period, or the
    last seven days for a single day) and the change against `previous_period`."""
    zone = settings.zone
    start, end = period.bounds(zone)
    by_unit = unit_id is None
    counts = await breakdown(
        session,
        start=start,
        end=end,
        now=now,
        settings=settings,
        unit_id=unit_id,
        by="unit" if by_unit else "post",
    )
    previous_counts: dict[Any, Counts] | None = None
    previous_totals: Counts | None = None
    if previous_period is not None:
        previous_start, previous_end = previous_period.bounds(zone)
        previous_counts = await breakdown(
            session,
            start=previous_start,
            end=previous_end,
            now=now,
            settings=settings,
            unit_id=unit_id,
            by="unit" if by_unit else "post",
        )
        previous_totals = Counts.total(previous_counts.values())
    if trend_period is None:
        trend_period = last_days(period.last, TREND_DAYS) if period.first == period.last else period
    totals = Counts.total(counts.values())
    unit_name = None
    if unit_id is not None:
        unit_name = (await names_of(session, Unit, [unit_id])).get(unit_id)
    return Tally(
        unit_id=unit_id,
        unit_name=unit_name,
        period=period,
        totals=totals,
        score=score(totals, settings),
        rows=await _rows(session, counts, previous_counts, settings, by_unit, unit_id),
        uncovered=await _uncovered(session, start, end, now, settings, unit_id),
        anomalies=await _anomalies(session, start, end, unit_id),
        top=await _top(session, start, end, settings, unit_id),
        trend=await trend(session, trend_period, now, settings, unit_id),
        previous_period=previous_period,
        previous=previous_totals,
    )


@dataclass(frozen=True)
class HoursRank:
    """A volunteer's place in their unit by hours credited this month (for /hours)."""

    unit: str
    rank: int | None  # None: no hours credited yet this month
    total: int  # members of the unit with hours this month
    minutes: int


async def month_rank(
    session: AsyncSession, member: Member, now: dt.datetime, settings: Settings
) -> HoursRank | None:
    """Rank by credited minutes among the members of the same unit, this local month."""
    if member.unit_id is None:
        return None
    today = now.astimezone(settings.zone).date()
    month_start = day_start(today.replace(day=1), settings.zone)
    served = (
        select(
            Assignment.member_id.label("member_id"),
            func.sum(func.coalesce(CheckIn.credited_minutes, 0)).label("minutes"),
        )
        .select_from(CheckIn)
        .join(Assignment, Assignment.id == CheckIn.assignment_id)
        .join(Shift, Shift.id == Assignment.shift_id)
        .join(Member, Member.id == Assignment.member_id)
        .where(
            Member.unit_id == member.unit_id,
            Shift.status == ShiftStatus.SCHEDULED,
            Shift.starts_at >= month_start,
            Shift.starts_at < now,
            Assignment.status.in_(HELD),
        )
        .group_by(Assignment.member_id)
        .subquery()
    )
    mine = int(
        await session.scalar(select(served.c.minutes).where(served.c.member_id == member.id)) or 0
    )
    total = int(
        await session.scalar(select(func.count()).select_from(served).where(served.c.minutes > 0))
        or 0
    )
    ahead = int(
        await session.scalar(
            select(func.count()).select_from(served).where(served.c.minutes > mine)
        )
        or 0
    )
    unit_name = (await names_of(session, Unit, [member.unit_id])).get(member.unit_id, "")
    return HoursRank(
        unit=unit_name, rank=ahead + 1 if mine > 0 else None, total=total, minutes=mine
    )


async def photos(
    session: AsyncSession, period: Period, settings: Settings, unit_id: int | None, limit: int
) -> list[str]:
    """File ids of check-in photos of the period, first arrivals first, flagged ones left out."""
    start, end = period.bounds(settings.zone)
    query = (
        select(CheckIn.photo_file_id)
        .select_from(CheckIn)
        .join(Assignment, Assignment.id == CheckIn.assignment_id)
        .join(Shift, Shift.id == Assignment.shift_id)
        .join(Post, Post.id == Shift.post_id)
        .where(
            Shift.status == ShiftStatus.SCHEDULED,
            Shift.starts_at >= start,
            Shift.starts_at < end,
            Assignment.status.in_(HELD),
            CheckIn.photo_file_id.is_not(None),
            CheckIn.photo_flagged.is_(False),
        )
        .order_by(CheckIn.checked_in_at, CheckIn.id)
        .limit(limit)
    )
    if unit_id is not None:
        query = query.where(Post.unit_id == unit_id)
    return [file_id for file_id in await session.scalars(query) if file_id]
