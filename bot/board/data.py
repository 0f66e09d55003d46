"""What the board reads from the database: the map of posts now, the day's figures and the
ranking, for one scope (the whole city or one unit).

The day's figures and the ranking are the tally of /today (bot/services/tally.py), formatted
by the report's own helpers, so the board and /today never disagree. The map and the day's
curve are the board's own: who is on post at a moment, from the day's shifts and check-ins.

This module is the board's one door to the domain services: everything of bot/services and
bot/reports that the board uses is imported here.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.board.coords import to_display
from bot.board.panels import PanelContext, PanelData, PanelRegistry, View
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
from bot.i18n import Translator, language_from_telegram
from bot.reports.text import grade_text, percent
from bot.services import audit, members, outbox, periods, units
from bot.services.access import Actor
from bot.services.tally import HELD, Counts, Row, standings
from bot.settings import Settings

# What the rest of the board takes from the services, through this one door.
__all__ = ["Actor", "audit"]

OUTBOX_STATES = tuple(status.value for status in OutboxStatus)

# Shifts that began this long before midnight still show on the day's map (a night shift).
LONGEST_SHIFT = dt.timedelta(hours=24)
# The day's curve: one point every CURVE_STEP, from the first shift's start to now.
CURVE_STEP = dt.timedelta(minutes=15)


class PostState(StrEnum):
    STAFFED = "staffed"  # a shift under way, everyone it needs on post
    SHORT = "short"  # a shift under way, some on post but fewer than it needs
    EMPTY = "empty"  # a shift under way, nobody on post
    IDLE = "idle"  # no shift under way now


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


@dataclass
class _Seat:
    name: str
    checked_in_at: dt.datetime
    checked_out_at: dt.datetime | None
    minutes_late: int

    def on_post(self, at: dt.datetime) -> bool:
        return self.checked_in_at <= at and (
            self.checked_out_at is None or at < self.checked_out_at
        )


@dataclass
class _Shift:
    id: int
    post_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    seats: list[_Seat] = field(default_factory=list)

    def under_way(self, at: dt.datetime) -> bool:
        return self.starts_at <= at < self.ends_at


@dataclass(frozen=True)
class _Post:
    id: int
    name: str
    unit: str
    latitude: float
    longitude: float


@dataclass
class Day:
    posts: list[_Post]
    shifts_by_post: dict[int, list[_Shift]]

    @property
    def shifts(self) -> Iterable[_Shift]:
        for shifts in self.shifts_by_post.values():
            yield from shifts


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
    posts = [_Post(int(i), name, unit, lat, lng) for i, name, unit, lat, lng in post_rows.all()]
    overlapping = (
        Shift.status == ShiftStatus.SCHEDULED,
        Shift.starts_at >= earliest,
        Shift.starts_at < end,
        Shift.ends_at > start,
        Post.archived.is_(False),
    )
    shift_rows = await session.execute(
        _scoped(
            select(Shift.id, Shift.post_id, Shift.starts_at, Shift.ends_at, Shift.capacity)
            .join(Post, Post.id == Shift.post_id)
            .where(*overlapping)
            .order_by(Shift.starts_at),
            unit_id,
        )
    )
    shifts: dict[int, _Shift] = {}
    by_post: dict[int, list[_Shift]] = defaultdict(list)
    for shift_id, post_id, starts_at, ends_at, capacity in shift_rows.all():
        shift = _Shift(int(shift_id), int(post_id), starts_at, ends_at, int(capacity))
        shifts[shift.id] = shift
        by_post[shift.post_id].append(shift)
    seat_rows = await session.execute(
        _scoped(
            select(
                Assignment.shift_id,
                Member.display_name,
                CheckIn.checked_in_at,
                CheckIn.checked_out_at,
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
        shifts[int(shift_id)].seats.append(
            _Seat(name, checked_in_at, checked_out_at, int(minutes_late or 0))
        )
    return Day(posts=posts, shifts_by_post=dict(by_post))


async def _day(context: PanelContext) -> Day:
    async def read() -> Day:
        return await load_day(context.session, context.unit_id, context.day, context.settings)

    day: Day = await context.shared("day", read)
    return day


@dataclass(frozen=True)
class Standings:
    """Today's totals and ranking, as /today has them."""

    totals: Counts
    rows: list[Row]
    by_unit: bool


async def _standings(context: PanelContext) -> Standings:
    """Today's figures and ranking exactly as /today computes them (bot/services/tally.py),
    without /today's lists and trend, which the board does not show."""

    async def read() -> Standings:
        totals, _, rows = await standings(
            context.session,
            unit_id=context.unit_id,
            period=periods.one_day(context.day),
            now=context.now,
            settings=context.settings,
        )
        return Standings(totals=totals, rows=rows, by_unit=context.unit_id is None)

    result: Standings = await context.shared("standings", read)
    return result


# -- panels -------------------------------------------------------------------------------------


class _Texts:
    """One snapshot's texts, memoised: a city's 2,000 popups repeat a few shift times and
    labels, and each Babel formatting costs tens of microseconds."""

    def __init__(self, t: Translator) -> None:
        self.t = t
        self._times: dict[dt.datetime, str] = {}
        self._texts: dict[tuple[str, tuple[tuple[str, Any], ...]], str] = {}

    def time(self, instant: dt.datetime) -> str:
        text = self._times.get(instant)
        if text is None:
            text = self._times[instant] = self.t.time(instant)
        return text

    def __call__(self, key: str, **params: Any) -> str:
        memo = (key, tuple(sorted(params.items())))
        text = self._texts.get(memo)
        if text is None:
            text = self._texts[memo] = self.t(key, **params)
        return text


def post_state(shifts: Sequence[_Shift], now: dt.datetime) -> tuple[PostState, int, int]:
    """The post's state now, the people on post and the seats of the shifts under way."""
    current = [shift for shift in shifts if shift.under_way(now)]
    if not current:
        return PostState.IDLE, 0, 0
    capacity = sum(shift.capacity for shift in current)
    present = sum(1 for shift in current for seat in shift.seats if seat.on_post(now))
    if present == 0:
        return PostState.EMPTY, 0, capacity
    return (PostState.STAFFED if present >= capacity else PostState.SHORT), present, capacity


def _people(t: _Texts, shifts: Sequence[_Shift], at: dt.datetime, late_after: int) -> list[Any]:
    people = []
    for shift in shifts:
        for seat in shift.seats:
            if not seat.on_post(at):
                continue
            note = (
                t("board.popup.late", minutes=seat.minutes_late)
                if seat.minutes_late > late_after
                else None
            )
            people.append(
                {
                    "name": seat.name,
                    "time": t("board.popup.checked_in_at", time=t.time(seat.checked_in_at)),
                    "note": note,
                }
            )
    return people


def _popup(
    t: _Texts,
    post: _Post,
    shifts: Sequence[_Shift],
    state: PostState,
    present: int,
    capacity: int,
    now: dt.datetime,
    late_after: int,
) -> dict[str, Any]:
    current = [shift for shift in shifts if shift.under_way(now)]
    upcoming = [shift for shift in shifts if shift.starts_at > now]
    shown = current or upcoming[:1]
    lines = [
        t("report.time_range", start=t.time(shift.starts_at), end=t.time(shift.ends_at))
        for shift in shown
    ]
    if current:
        staffing = t("board.popup.staffing", present=present, capacity=capacity)
    elif upcoming:
        staffing = t("board.popup.next")
    else:
        staffing = t("board.popup.none_left")
    return {
        "title": post.name,
        "unit": post.unit,
        "state": t(f"board.state.{state.value}"),
        "shifts": lines,
        "staffing": staffing,
        # Whoever is on post now, or already checked in early for the next shift.
        "people": _people(t, shown, now, late_after),
    }


class MapPanel:
    key = "map"
    title_key = "board.panel.map"
    view: View = "map"

    async def collect(self, context: PanelContext) -> PanelData:
        day = await _day(context)
        t, now, settings = _Texts(context.t), context.now, context.settings
        markers = []
        counts = dict.fromkeys((state.value for state in PostState), 0)
        for post in day.posts:
            shifts = day.shifts_by_post.get(post.id, [])
            state, present, capacity = post_state(shifts, now)
            counts[state.value] += 1
            latitude, longitude = to_display(
                post.latitude, post.longitude, settings.map_coordinates
            )
            markers.append(
                {
                    "id": post.id,
                    "lat": round(latitude, 6),
                    "lng": round(longitude, 6),
                    "state": state.value,
                    "popup": _popup(
                        t, post, shifts, state, present, capacity, now, settings.late_after_min
                    ),
                }
            )
        legend = [
            {
                "state": state.value,
                "label": t(f"board.state.{state.value}"),
                "count": counts[state.value],
            }
            for state in PostState
        ]
        return {"markers": markers, "legend": legend}


def curve(day: Day, now: dt.datetime) -> list[tuple[dt.datetime, float | None]]:
    """The share of the seats under way that had someone on post, every CURVE_STEP of the day
    up to now (None where no shift was under way). A check-in counts within its shift only."""
    shifts = list(day.shifts)
    if not shifts:
        return []
    spans = []
    for shift in shifts:
        for seat in shift.seats:
            arrived = max(seat.checked_in_at, shift.starts_at)
            left = min(seat.checked_out_at or shift.ends_at, shift.ends_at)
            if arrived < left:
                spans.append((arrived, left))
    arrivals = sorted(arrived for arrived, _ in spans)
    departures = sorted(left for _, left in spans)
    first = min(shift.starts_at for shift in shifts)
    last = min(now, max(shift.ends_at for shift in shifts))
    step_seconds = CURVE_STEP.total_seconds()
    at = dt.datetime.fromtimestamp(first.timestamp() // step_seconds * step_seconds, dt.UTC)
    points: list[tuple[dt.datetime, float | None]] = []
    moments = []
    while at <= last:
        moments.append(at)
        at += CURVE_STEP
    if moments and moments[-1] < last:
        moments.append(last)  # the latest figure: now, or the end of the day's last shift
    for moment in moments:
        seats = sum(shift.capacity for shift in shifts if shift.under_way(moment))
        present = bisect.bisect_right(arrivals, moment) - bisect.bisect_right(departures, moment)
        points.append((moment, min(1.0, present / seats) if seats else None))
    return points


class NowPanel:
    key = "now"
    title_key = "board.panel.now"
    view: View = "figures"

    async def collect(self, context: PanelContext) -> PanelData:
        t, now = context.t, context.now
        totals = (await _standings(context)).totals
        day = await _day(context)
        present = capacity = 0
        for shifts in day.shifts_by_post.values():
            _, on_post, seats = post_state(shifts, now)
            present, capacity = present + on_post, capacity + seats
        figures = [
            ("seats", t("board.now.seats"), str(totals.seats)),
            ("checked_in", t("board.now.checked_in"), str(totals.checked_in)),
            ("late", t("board.now.late"), str(totals.late)),
            ("absent", t("board.now.absent"), str(totals.absent)),
            ("rate", t("board.now.rate"), percent(t, totals.on_post_rate)),
            (
                "on_post",
                t("board.now.on_post"),
                t("board.now.on_post_value", present=present, capacity=capacity),
            ),
        ]
        return {
            "figures": [
                {"key": key, "label": label, "value": value} for key, label, value in figures
            ],
            "curve": {
                "label": t("board.now.curve"),
                "points": [
                    [int(at.timestamp()), None if rate is None else round(rate * 100, 1)]
                    for at, rate in curve(day, now)
                ],
            },
        }


class RankingPanel:
    key = "ranking"
    title_key = "board.panel.ranking"
    view: View = "table"

    async def collect(self, context: PanelContext) -> PanelData:
        t = context.t
        tally = await _standings(context)
        rows = []
        for rank, row in enumerate(tally.rows, start=1):
            counts = row.counts
            idle = counts.seats == 0
            rows.append(
                {
                    "cells": [
                        str(rank),
                        row.name,
                        t("board.ranking.idle") if idle else grade_text(t, row.score),
                        "—" if idle else percent(t, counts.on_post_rate),
                        "—" if idle else f"{counts.on_time}/{counts.checked_in}",
                        "—" if idle else str(counts.absent),
                    ],
                    "tone": row.score.grade.value if row.score.grade is not None else "none",
                }
            )
        first = "board.ranking.unit" if tally.by_unit else "board.ranking.post"
        columns = [
            t("board.ranking.rank"),
            t(first),
            t("board.ranking.score"),
            t("board.ranking.rate"),
            t("board.ranking.on_time"),
            t("board.ranking.absent"),
        ]
        return {"columns": columns, "rows": rows}


def standard_panels() -> PanelRegistry:
    """The built-in panels. The oversight domain adds its orders panel here (or on the registry
    it hands to BoardServer) once it exists."""
    return PanelRegistry([MapPanel(), NowPanel(), RankingPanel()])


async def snapshot(
    registry: PanelRegistry,
    session: AsyncSession,
    *,
    unit_id: int | None,
    now: dt.datetime,
    settings: Settings,
    t: Translator,
) -> dict[str, Any]:
    """Every panel's data for one scope at `now`, ready for JSON."""
    context = PanelContext(session=session, unit_id=unit_id, now=now, settings=settings, t=t)
    name = await unit_name(session, unit_id)
    panels = []
    for panel in registry:
        panels.append(
            {
                "key": panel.key,
                "view": panel.view,
                "title": t(panel.title_key),
                "data": await panel.collect(context),
            }
        )
    return {
        "scope": name if name is not None else t("report.scope.all"),
        "updated": t("board.updated", time=t.time(now)),
        "panels": panels,
    }
