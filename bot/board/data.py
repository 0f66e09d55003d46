"""What the board reads from the database, for one scope (the whole city or one unit): who may
see which scope, the day's posts, shifts and check-ins for the map and the curve, and today's
totals and ranking as /today has them (bot/services/tally.py).

This module is the board's one door to the domain services: everything of bot/services and
bot/reports that the board uses is imported here or in bot/board/day.py (the day as the map
sees it, read here), and re-exported where another module of the board needs it.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, fields

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.board.day import Day, DayPost, load_day, naive_utc, seconds
from bot.db.models import (
    Category,
    OrderStatus,
    OutboxStatus,
    Post,
    RectificationOrder,
    Role,
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
from bot.services.reports.figures import breakdown
from bot.services.reports.report_text import grade_text, percent
from bot.services.reports.scoring import Counts
from bot.services.reports.tally import Row, ranked_units, ranking
from bot.settings import Settings

# What the rest of the board takes from the services, through this one door.
__all__ = [
    "REPORT_CATEGORIES",
    "REPORT_OPEN",
    "Actor",
    "audit",
    "grade_text",
    "percent",
]

OUTBOX_STATES = tuple(status.value for status in OutboxStatus)
OPEN_ORDER_STATES = OPEN_STATES

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
    # the check (set by oversight when the order is issued, check_visibility.visible_from).
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
            naive_utc(order.issued_at),
            naive_utc(order.deadline_at),
            naive_utc(order.visible_from),
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
