"""What the board reads from the database, for one scope (the whole city or one unit): who may
see which scope, the day's posts, shifts and check-ins for the map and the curve, and today's
totals and ranking as /today has them (bot/services/tally.py).

This module is the board's one door to the domain services: everything of bot/services and
bot/reports that the board uses is imported here (and re-exported where another module of the
board needs it).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import DateTime, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Assignment,
    CheckIn,
    Member,
    OutboxStatus,
    Post,
    Role,
    Shift,
    ShiftStatus,
    Unit,
)
from bot.i18n import language_from_telegram
from bot.services.people import members, units
from bot.services.people.access import Actor
from bot.services.platform import audit, outbox
from bot.services.reports import periods
from bot.services.reports.figures import HELD
from bot.services.reports.report_text import grade_text, percent
from bot.services.reports.scoring import Counts
from bot.services.reports.tally import Row, standings
from bot.settings import Settings

# What the rest of the board takes from the services, through this one door.
__all__ = ["Actor", "audit", "grade_text", "percent"]

OUTBOX_STATES = tuple(status.value for status in OutboxStatus)

# Shifts that began this long before midnight still show on the day's map (a night shift).
LONGEST_SHIFT = dt.timedelta(hours=24)


# -- who sees what ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """A Telegram user as the board knows them: the scope their roles give and their language."""

    unit_id: int | None
    language: str
    allowed: bool


BOARD_ROLES = frozenset({Role.ADMIN, Role.LEADER, Role.COORDINATOR})


async def person(
    session: AsyncSession, telegram_id: int, language_code: str | None, settings: Settings
) -> Person:
    """Admins see the city; leaders and coordinators their unit; anyone else nothing."""
    member = await members.by_telegram_id(session, telegram_id)
    actor = Actor.of(telegram_id, member, settings.admin_ids)
    language = (
        member.language
        if member is not None and member.language
        else language_from_telegram(language_code, settings.default_language)
    )
    if actor.is_admin:
        return Person(None, language, True)
    if actor.has_any(BOARD_ROLES) and actor.unit_id is not None:
        return Person(actor.unit_id, language, True)
    return Person(None, language, False)


async def unit_choices(session: AsyncSession, actor: Actor) -> list[Unit]:
    """The units an admin may name as a wall screen's scope."""
    return await units.visible_to(session, actor)


async def unit_name(session: AsyncSession, unit_id: int | None) -> str | None:
    if unit_id is None:
        return None
    unit = await session.get(Unit, unit_id)
    return unit.name if unit is not None else None


async def outbox_counts(session: AsyncSession, now: dt.datetime) -> tuple[dict[str, int], int]:
    """Outbox messages by state and those due now (for /metrics), as /outbox counts them."""
    view = await outbox.overview(session, now)
    return {status.value: count for status, count in view.counts.items()}, view.due_now


# -- the day as the map sees it -----------------------------------------------------------------


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

    def under_way(self, at: float) -> bool:
        return self.starts <= at < self.ends


@dataclass(frozen=True, slots=True)
class DayPost:
    id: int
    name: str
    unit: str
    latitude: float
    longitude: float


@dataclass
class Day:
    posts: list[DayPost]
    shifts_by_post: dict[int, list[DayShift]]

    @property
    def shifts(self) -> Iterable[DayShift]:
        for shifts in self.shifts_by_post.values():
            yield from shifts


def _naive(column: Any) -> Any:
    """A UtcDateTime column read as the naive UTC it is stored as (no per-value conversion)."""
    return type_coerce(column, DateTime())


def _scoped(query: Any, unit_id: int | None) -> Any:
    return query if unit_id is None else query.where(Post.unit_id == unit_id)


async def load_day(
    session: AsyncSession, unit_id: int | None, day: dt.date, settings: Settings
) -> Day:
    """The scope's posts, the shifts that overlap the local day and their check-ins: three
    queries, whatever the size of the city."""
    start, end = periods.one_day(day).bounds(settings.zone)
    # Duty shifts last hours, never a day: the lower bound lets the index on starts_at skip
    # the history instead of scanning every shift that started before tonight.
    earliest = start - LONGEST_SHIFT
    post_rows = await session.execute(
        _scoped(
            select(Post.id, Post.name, Unit.name, Post.latitude, Post.longitude)
            .join(Unit, Unit.id == Post.unit_id)
            .where(Post.archived.is_(False))
            .order_by(Post.id),
            unit_id,
        )
    )
    posts = [DayPost(int(i), name, unit, lat, lng) for i, name, unit, lat, lng in post_rows.all()]
    overlapping = (
        Shift.status == ShiftStatus.SCHEDULED,
        Shift.starts_at >= earliest,
        Shift.starts_at < end,
        Shift.ends_at > start,
        Post.archived.is_(False),
    )
    shift_rows = await session.execute(
        _scoped(
            select(
                Shift.id,
                Shift.post_id,
                _naive(Shift.starts_at),
                _naive(Shift.ends_at),
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
        shift = DayShift(shift_id, post_id, seconds(starts_at), seconds(ends_at), capacity)
        shifts[shift.id] = shift
        by_post[shift.post_id].append(shift)
    seat_rows = await session.execute(
        _scoped(
            select(
                Assignment.shift_id,
                Member.display_name,
                _naive(CheckIn.checked_in_at),
                _naive(CheckIn.checked_out_at),
                CheckIn.minutes_late,
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
    for shift_id, name, checked_in_at, checked_out_at, minutes_late in seat_rows.all():
        left = seconds(checked_out_at) if checked_out_at is not None else None
        shifts[shift_id].seats.append(Seat(name, seconds(checked_in_at), left, minutes_late or 0))
    return Day(posts=posts, shifts_by_post=dict(by_post))


@dataclass(frozen=True)
class Standings:
    """Today's totals and ranking, as /today has them."""

    totals: Counts
    rows: list[Row]
    by_unit: bool


async def today_standings(
    session: AsyncSession,
    unit_id: int | None,
    day: dt.date,
    now: dt.datetime,
    settings: Settings,
) -> Standings:
    """Today's figures and ranking exactly as /today computes them, without /today's lists
    and trend, which the board does not show."""
    totals, _, rows = await standings(
        session, unit_id=unit_id, period=periods.one_day(day), now=now, settings=settings
    )
    return Standings(totals=totals, rows=rows, by_unit=unit_id is None)
