"""What the board reads from the database, for one scope (the whole city or one unit): who may
see which scope, the day's posts, shifts and check-ins for the map and the curve, and today's
totals and ranking as /today has them (bot/services/tally.py).

This module is the board's one door to the domain services: everything of bot/services and
bot/reports that the board uses is imported here (and re-exported where another module of the
board needs it).
"""

from __future__ import annotations

import datetime as dt
import operator
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from typing import Any

from sqlalchemy import DateTime, case, func, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Assignment,
    Category,
    CheckIn,
    Member,
    OrderStatus,
    OutboxStatus,
    Post,
    RectificationOrder,
    Role,
    Shift,
    ShiftStatus,
    Unit,
)
from bot.i18n import language_from_telegram
from bot.services.oversight import figures as oversight_figures
from bot.services.oversight.order_lists import OPEN_STATES
from bot.services.oversight.reports import CATEGORIES as REPORT_CATEGORIES
from bot.services.oversight.reports import OPEN as REPORT_OPEN
from bot.services.people import members, units
from bot.services.people.access import Actor
from bot.services.platform import audit, outbox
from bot.services.reports import periods
from bot.services.reports.figures import HELD, breakdown
from bot.services.reports.report_text import grade_text, percent
from bot.services.reports.scoring import Counts
from bot.services.reports.tally import Row, ranked_units, ranking
from bot.settings import Settings

# What the rest of the board takes from the services, through this one door.
__all__ = ["REPORT_CATEGORIES", "REPORT_OPEN", "Actor", "audit", "grade_text", "percent"]

OUTBOX_STATES = tuple(status.value for status in OutboxStatus)
OPEN_ORDER_STATES = OPEN_STATES

# Shifts that began this long before midnight still show on the day's map (a night shift).
LONGEST_SHIFT = dt.timedelta(hours=24)


# -- who sees what ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """A Telegram user as the board knows them: the scope their roles give and their language."""

    unit_id: int | None
    language: str
    allowed: bool
    # Refused because the unit that gave them a board is archived: they are told so (/board
    # and the Mini App alike) rather than that they lack the rights.
    archived_unit: str | None = None


BOARD_ROLES = frozenset({Role.ADMIN, Role.LEADER, Role.COORDINATOR})


async def person(
    session: AsyncSession, telegram_id: int, language_code: str | None, settings: Settings
) -> Person:
    """Admins see the city; leaders and coordinators their unit unless it is archived (it has
    left the campaign, as for its wall-screen links); anyone else nothing. One statement: the
    Mini App asks this on every refresh of every open board."""
    found = await members.standing(session, telegram_id)
    language = (
        found.language
        if found is not None and found.language
        else language_from_telegram(language_code, settings.default_language)
    )
    if telegram_id in settings.admin_ids:
        return Person(None, language, True)
    if found is not None and found.roles & BOARD_ROLES and found.unit_id is not None:
        if found.unit_archived:
            return Person(None, language, False, archived_unit=found.unit_name)
        return Person(found.unit_id, language, True)
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

    def under_way(self, at: float) -> bool:
        return self.starts <= at < self.ends


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


def _naive(column: Any) -> Any:
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
    """The scope's posts, the shifts that overlap the local day (or start before `until`, if
    later) and their check-ins: three queries, whatever the size of the city."""
    start, end = periods.one_day(day).bounds(settings.zone)
    end = max(end, until) if until is not None else end
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


@dataclass(frozen=True)
class Standings:
    """Today's totals and ranking, as /today has them."""

    totals: Counts
    rows: list[Row]
    by_unit: bool


# -- one read per refresh interval --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OpenOrder:
    """A rectification order not yet accepted, as the orders panel shows it."""

    id: int
    unit_id: int
    status: OrderStatus
    category: Category
    place: str | None
    issued: float
    deadline: float
    # When the unit may see it: at once, or for a covert check's order the daily tally after
    # the check (set by the oversight domain when the order is issued, checks.visible_from).
    visible_from: float

    def overdue(self, at: float) -> bool:
        """As /orders counts it: the unit has to act and the deadline has passed."""
        return self.status.awaits_unit and self.deadline < at

    def published(self, at: float) -> bool:
        return self.visible_from <= at


_COUNTS = operator.attrgetter(*(item.name for item in fields(Counts)))


def _sum(parts: Iterable[Counts]) -> Counts:
    """Counts.total, field by field in one go (a city's 2,000 posts, every refresh)."""
    columns = list(zip(*map(_COUNTS, parts), strict=True))
    return Counts(*map(sum, columns)) if columns else Counts()


@dataclass
class Scene:
    """Everything the board shows at one moment, read once for a scope (the whole city, or one
    unit) and narrowed to any unit of it without reading again: the server reads the city once
    per refresh interval and builds every unit's board from that read."""

    unit_id: int | None  # the scope it holds
    now: dt.datetime
    day: Day
    unit_names: dict[int, str]  # the units of the scope (every unit for the city)
    post_names: dict[int, str]  # posts with figures today, archived ones included
    post_units: dict[int, int]
    counts: dict[int, Counts]  # today's figures by post, as /today counts them
    oversight: dict[int, oversight_figures.Figures]  # today's oversight figures by unit
    orders: list[OpenOrder]  # open orders, oldest deadline first
    archived_units: frozenset[int] = frozenset()  # ranked only with figures today, as /today
    _narrowed: dict[int, Scene] = field(default_factory=dict, repr=False)

    def narrow(self, unit_id: int | None) -> Scene:
        """The scene as the unit sees it: its posts, figures and the open orders it may see
        (a covert check's order only once published). Each unit's is made once per scene,
        from an index by unit made in one pass over the city."""
        if unit_id is None or unit_id == self.unit_id:
            return self
        found = self._narrowed.get(unit_id)
        if found is None:
            if not self._narrowed:
                self._index()
            found = self._narrowed.get(unit_id) or self._narrow(unit_id, [], {}, [])
        return found

    def _index(self) -> None:
        posts: dict[int, list[DayPost]] = defaultdict(list)
        for post in self.day.posts:
            posts[post.unit_id].append(post)
        counts: dict[int, dict[int, Counts]] = defaultdict(dict)
        for post_id, found in self.counts.items():
            counts[self.post_units[post_id]][post_id] = found
        at = self.now.timestamp()
        orders: dict[int, list[OpenOrder]] = defaultdict(list)
        for order in self.orders:
            if order.published(at):
                orders[order.unit_id].append(order)
        for unit_id in self.unit_names:
            self._narrowed[unit_id] = self._narrow(
                unit_id, posts.get(unit_id, []), counts.get(unit_id, {}), orders.get(unit_id, [])
            )

    def _narrow(
        self,
        unit_id: int,
        posts: list[DayPost],
        counts: dict[int, Counts],
        orders: list[OpenOrder],
    ) -> Scene:
        by_post = self.day.shifts_by_post
        return Scene(
            unit_id=unit_id,
            now=self.now,
            day=Day(
                posts,
                {post.id: by_post[post.id] for post in posts if post.id in by_post},
                start=self.day.start,
            ),
            unit_names={k: v for k, v in self.unit_names.items() if k == unit_id},
            post_names={key: self.post_names[key] for key in counts},
            post_units=dict.fromkeys(counts, unit_id),
            counts=counts,
            oversight={k: v for k, v in self.oversight.items() if k == unit_id},
            orders=orders,
        )

    def standings(self, settings: Settings) -> Standings:
        """Today's totals and ranking of the scope, as /today has them (bot/services/reports/
        tally.py: the same figures by post, summed by unit for the city, and ranked by the
        same rules)."""
        totals = _sum(self.counts.values())
        if self.unit_id is not None:
            rows = ranking(self.counts, self.post_names, settings, False, {})
            return Standings(totals=totals, rows=rows, by_unit=False)
        posts_of: dict[int, list[Counts]] = defaultdict(list)
        for post, counts in self.counts.items():
            posts_of[self.post_units[post]].append(counts)
        by_unit = {unit: _sum(parts) for unit, parts in posts_of.items()}
        names = ranked_units(self.unit_names, self.archived_units, by_unit, self.oversight)
        rows = ranking(by_unit, names, settings, True, self.oversight)
        return Standings(totals=totals, rows=rows, by_unit=True)


async def read_scene(
    session: AsyncSession, unit_id: int | None, now: dt.datetime, settings: Settings
) -> Scene:
    """One read of everything the board shows for a scope at `now`."""
    day = now.astimezone(settings.zone).date()
    start, end = periods.one_day(day).bounds(settings.zone)
    # A shift just after midnight opens its check-in this evening: whoever checks in early for
    # it is on the map (listed apart, as early) from then, not from midnight.
    opening = now + dt.timedelta(minutes=settings.checkin_open_before_min)
    loaded = await load_day(session, unit_id, day, settings, until=opening)
    counts = await breakdown(
        session, start=start, end=end, now=now, settings=settings, unit_id=unit_id, by="post"
    )
    # Every post with figures today, its unit and name (an archived post keeps its figures).
    post_names = {key: loaded.names[key][0] for key in counts if key in loaded.names}
    post_units = {key: loaded.names[key][1] for key in counts if key in loaded.names}
    units_query = select(Unit.id, Unit.name, Unit.archived)
    if unit_id is not None:
        units_query = units_query.where(Unit.id == unit_id)
    unit_rows = (await session.execute(units_query)).all()
    unit_names = {int(key): str(name) for key, name, _ in unit_rows}
    oversight = await oversight_figures.per_unit(
        session, start=start, end=end, now=now, settings=settings, unit_id=unit_id
    )
    return Scene(
        unit_id=unit_id,
        now=now,
        day=loaded,
        unit_names=unit_names,
        archived_units=frozenset(int(key) for key, _, archived in unit_rows if archived),
        post_names=post_names,
        post_units=post_units,
        counts=counts,
        oversight={key: value for key, value in oversight.items() if key is not None},
        orders=[
            order
            for order in await open_orders(session, unit_id)
            if unit_id is None or order.published(now.timestamp())
        ],
    )


async def open_orders(session: AsyncSession, unit_id: int | None) -> list[OpenOrder]:
    """The orders not yet accepted (through the status index: a year of accepted ones is never
    read), with the place's name, oldest deadline first."""
    order = RectificationOrder
    query = (
        select(
            order.id,
            order.unit_id,
            order.status,
            order.category,
            Post.name,
            _naive(order.issued_at),
            _naive(order.deadline_at),
            _naive(order.visible_from),
        )
        .outerjoin(Post, Post.id == order.post_id)
        .where(order.status.in_(OPEN_STATES))
        .order_by(order.deadline_at, order.id)
    )
    if unit_id is not None:
        query = query.where(order.unit_id == unit_id)
    return [
        OpenOrder(
            int(key),
            int(unit),
            OrderStatus(status),
            Category(category),
            place,
            seconds(issued),
            seconds(deadline),
            seconds(visible),
        )
        for key, unit, status, category, place, issued, deadline, visible in await session.execute(
            query
        )
    ]


async def open_order_counts(
    session: AsyncSession, now: dt.datetime
) -> dict[tuple[OrderStatus, bool], int]:
    """Open orders by state and whether overdue (for /metrics): every order, covert ones
    included (the figure is the operators', not a unit's); overdue as /orders counts it."""
    order = RectificationOrder
    rows = await session.execute(
        select(
            order.status,
            func.count(),
            func.coalesce(func.sum(case((order.deadline_at < now, 1), else_=0)), 0),
        )
        .where(order.status.in_(OPEN_STATES))
        .group_by(order.status)
    )
    result: dict[tuple[OrderStatus, bool], int] = {}
    for value, total, late in rows:
        status = OrderStatus(value)
        overdue = int(late) if status.awaits_unit else 0
        result[status, True] = overdue
        result[status, False] = int(total) - overdue
    return result
