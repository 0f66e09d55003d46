"""The day as the board's map sees it, for one scope (the whole city or one unit): the posts in
service, the shifts that overlap the local day (and those whose check-in has opened) and their
check-ins, read in three queries whatever the size of the city. Instants are seconds since the
epoch (UTC), which compare far faster than datetimes over a city's thousands of them.

Part of the board's door to the domain services with bot/board/data.py, which re-exports it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import DateTime, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Assignment, CheckIn, Member, Post, Shift, ShiftStatus, Unit
from bot.services.reports import periods
from bot.services.reports.figures import HELD
from bot.settings import Settings

# Shifts that began this long before midnight still show on the day's map (a night shift).
LONGEST_SHIFT = dt.timedelta(hours=24)


# Instants of the day are seconds since the epoch (UTC): a city's day has some ten thousand of
# them, compared many times over each refresh, and floats compare far faster than datetimes.
EPOCH = dt.datetime(1970, 1, 1)


def seconds(value: dt.datetime) -> float:
    """Seconds since the epoch of a naive UTC datetime as the database returns it."""
    return (value - EPOCH).total_seconds()


@dataclass(slots=True)
class Seat:
    """A check-in of the day: who, and from when until when they were on post."""

    name: str
    arrived: float
    left: float | None  # None: not checked out
    minutes_late: int
    # Judged when the check-in was recorded (CheckIn.late), as the tallies count it: a later
    # change of LATE_AFTER_MIN or a coordinator's correction must not make the map disagree.
    late: bool

    def on_post(self, at: float) -> bool:
        return self.arrived <= at and (self.left is None or at < self.left)


@dataclass(slots=True)
class DayShift:
    id: int
    post_id: int
    starts: float
    ends: float
    capacity: int
    seats: list[Seat] = field(default_factory=list)
    # When its check-in opens (CHECKIN_OPEN_BEFORE_MIN before the start); None: not known.
    opens: float | None = None

    def under_way(self, at: float) -> bool:
        return self.starts <= at < self.ends

    def open_early(self, at: float) -> bool:
        """Open for check-in at `at` but not started: whoever checks in now is early."""
        return self.opens is not None and self.opens <= at < self.starts


@dataclass(frozen=True, slots=True)
class DayPost:
    id: int
    name: str
    unit_id: int
    unit: str
    latitude: float
    longitude: float


@dataclass
class Day:
    posts: list[DayPost]  # the scope's posts in service, for the map
    shifts_by_post: dict[int, list[DayShift]]
    # Every post of the scope, archived ones too (they keep their figures): name and unit.
    names: dict[int, tuple[str, int]] = field(default_factory=dict)
    # The local day's midnight (seconds since the epoch): a night shift begun the evening
    # before is on the day's map, but the day's figures begin here.
    start: float | None = None

    @property
    def shifts(self) -> Iterable[DayShift]:
        for shifts in self.shifts_by_post.values():
            yield from shifts


def day_bounds(now: dt.datetime, settings: Settings) -> tuple[float, float]:
    """The start and the end of the local day of `now` (seconds since the epoch): a shift
    begun before the start is last night's, one from the end on is tomorrow's."""
    start, end = periods.one_day(now.astimezone(settings.zone).date()).bounds(settings.zone)
    return start.timestamp(), end.timestamp()


def naive_utc(column: Any) -> Any:
    """A UtcDateTime column read as the naive UTC it is stored as (no per-value conversion)."""
    return type_coerce(column, DateTime())


def _scoped(query: Any, unit_id: int | None) -> Any:
    return query if unit_id is None else query.where(Post.unit_id == unit_id)


async def load_day(
    session: AsyncSession,
    unit_id: int | None,
    day: dt.date,
    settings: Settings,
    until: dt.datetime | None = None,
) -> Day:
    """The scope's posts, the shifts that overlap the local day (or start by `until`, if
    later) and their check-ins: three queries, whatever the size of the city."""
    start, end = periods.one_day(day).bounds(settings.zone)
    # A shift starting at `until` is in: its check-in opens at that very instant (as /checkin
    # takes it, checkin_shifts.window_opens), and whoever checks in then is on the map.
    ends_by = (
        Shift.starts_at <= until if until is not None and until >= end else Shift.starts_at < end
    )
    opening = dt.timedelta(minutes=settings.checkin_open_before_min).total_seconds()
    # Duty shifts last hours, never a day: the lower bound lets the index on starts_at skip
    # the history instead of scanning every shift that started before tonight.
    earliest = start - LONGEST_SHIFT
    post_rows = await session.execute(
        _scoped(
            select(
                Post.id,
                Post.name,
                Post.unit_id,
                Unit.name,
                Post.latitude,
                Post.longitude,
                Post.archived,
                Unit.archived,
            )
            .join(Unit, Unit.id == Post.unit_id)
            .order_by(Post.id),
            unit_id,
        )
    )
    posts: list[DayPost] = []
    names: dict[int, tuple[str, int]] = {}
    for key, name, post_unit, unit, latitude, longitude, archived, unit_gone in post_rows:
        names[key] = (name, post_unit)
        # An archived unit has left the campaign and has no shift to come: its posts are no
        # longer on the map (their figures of today stay, as the ranking keeps them).
        if not archived and not unit_gone:
            posts.append(DayPost(key, name, post_unit, unit, latitude, longitude))
    overlapping = (
        Shift.status == ShiftStatus.SCHEDULED,
        Shift.starts_at >= earliest,
        ends_by,
        Shift.ends_at > start,
        Post.archived.is_(False),
    )
    shift_rows = await session.execute(
        _scoped(
            select(
                Shift.id,
                Shift.post_id,
                naive_utc(Shift.starts_at),
                naive_utc(Shift.ends_at),
                Shift.capacity,
            )
            .join(Post, Post.id == Shift.post_id)
            .where(*overlapping)
            .order_by(Shift.starts_at),
            unit_id,
        )
    )
    shifts: dict[int, DayShift] = {}
    by_post: dict[int, list[DayShift]] = defaultdict(list)
    for shift_id, post_id, starts_at, ends_at, capacity in shift_rows.all():
        starts = seconds(starts_at)
        ends = seconds(ends_at)
        shift = DayShift(shift_id, post_id, starts, ends, capacity, opens=starts - opening)
        shifts[shift.id] = shift
        by_post[shift.post_id].append(shift)
    seat_rows = await session.execute(
        _scoped(
            select(
                Assignment.shift_id,
                Member.display_name,
                naive_utc(CheckIn.checked_in_at),
                naive_utc(CheckIn.checked_out_at),
                CheckIn.minutes_late,
                CheckIn.late,
            )
            .select_from(CheckIn)
            .join(Assignment, Assignment.id == CheckIn.assignment_id)
            .join(Shift, Shift.id == Assignment.shift_id)
            .join(Post, Post.id == Shift.post_id)
            .join(Member, Member.id == Assignment.member_id)
            .where(*overlapping, Assignment.status.in_(HELD))
            .order_by(CheckIn.checked_in_at),
            unit_id,
        )
    )
    for shift_id, name, checked_in_at, checked_out_at, minutes_late, late in seat_rows.all():
        left = seconds(checked_out_at) if checked_out_at is not None else None
        shifts[shift_id].seats.append(
            Seat(name, seconds(checked_in_at), left, minutes_late or 0, bool(late))
        )
    return Day(posts=posts, shifts_by_post=dict(by_post), names=names, start=start.timestamp())
