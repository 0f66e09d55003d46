"""The board's standard panels (map, today on post, ranking, orders) and the snapshot of a
registry.

The day's figures and the ranking are the tally of /today, formatted by the report's own
helpers, so the board and /today never disagree. The map and the day's curve are the board's
own: who is on post at a moment, from the day's shifts and check-ins.
"""

from __future__ import annotations

import asyncio
import bisect
import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.board import data
from bot.board.coords import to_display
from bot.board.data import Scene, Standings, grade_text, percent
from bot.board.day import Day, DayPost, DayShift, day_bounds
from bot.board.orders import OrdersPanel
from bot.board.panels import PanelContext, PanelData, PanelRegistry, View
from bot.i18n import Translator
from bot.services.reports.tally import places
from bot.settings import Settings

# The day's curve: one point every CURVE_STEP, from the first shift's start to now.
CURVE_STEP = dt.timedelta(minutes=15)
# A popup with no shift under way names this many of the day's next shifts, then "and N more".
UPCOMING_SHOWN = 3


class PostState(StrEnum):
    STAFFED = "staffed"  # a shift under way, everyone it needs on post
    SHORT = "short"  # a shift under way, some on post but fewer than it needs
    EMPTY = "empty"  # a shift under way, nobody on post
    IDLE = "idle"  # no shift under way now


async def _day(context: PanelContext) -> Day:
    return context.scene.day


async def _standings(context: PanelContext) -> Standings:
    async def rank() -> Standings:
        return context.scene.standings(context.settings)

    result: Standings = await context.shared("standings", rank)
    return result


# -- panels -------------------------------------------------------------------------------------


class _Texts:
    """One snapshot's texts, memoised: a city's 2,000 popups repeat a few shift times and
    labels, and each Babel formatting costs tens of microseconds."""

    def __init__(self, t: Translator) -> None:
        self.t = t
        self._times: dict[float, str] = {}
        self._texts: dict[tuple[Any, ...], str] = {}
        self._arrivals: dict[float, str] = {}

    def time(self, instant: float) -> str:
        text = self._times.get(instant)
        if text is None:
            moment = dt.datetime.fromtimestamp(instant, dt.UTC)
            text = self._times[instant] = self.t.time(moment)
        return text

    def end(self, start: float, end: float) -> str:
        """A shift's end as the bot says it (Translator.end_time): 24:00 for its day's end."""
        memo = ("end", start, end)
        text = self._texts.get(memo)
        if text is None:
            moments = (dt.datetime.fromtimestamp(moment, dt.UTC) for moment in (start, end))
            text = self._texts[memo] = self.t.end_time(*moments)
        return text

    def __call__(self, key: str, **params: Any) -> str:
        # Each call site names its parameters in one order: their values make the key.
        memo = (key, *params.values())
        text = self._texts.get(memo)
        if text is None:
            text = self._texts[memo] = self.t(key, **params)
        return text

    def arrived(self, instant: float) -> str:
        """ "checked in at 06:50", by far the most repeated text of a city's popups."""
        text = self._arrivals.get(instant)
        if text is None:
            text = self._arrivals[instant] = self(
                "board.popup.checked_in_at", time=self.time(instant)
            )
        return text


def _next_shifts(shifts: Sequence[DayShift], at: float) -> list[DayShift]:
    """The post's shifts not started yet that a check-in now is for: those whose check-in has
    opened, decided from each shift's window (a shift just after midnight opens the evening
    before, and a later start may be open beside an earlier one), and those that start next
    (the day's shifts are in order of start)."""
    following: list[DayShift] = []
    first: float | None = None
    for shift in shifts:
        if shift.starts <= at:
            continue
        if first is None:
            first = shift.starts
        if shift.starts == first or shift.open_early(at):
            following.append(shift)
    return following


@dataclass(frozen=True, slots=True)
class PostNow:
    """A post at one moment: its state, the shifts under way, who is on post of how many, and
    the shifts not started that a check-in now is for (open for check-in, or next to start)
    with how many have checked in early for them."""

    state: PostState
    current: list[DayShift]
    present: int
    capacity: int
    following: list[DayShift]
    early: int  # on post for `following` before they start: listed apart, never `present`


def post_state(shifts: Sequence[DayShift], now: float) -> PostNow:
    following = _next_shifts(shifts, now)
    early = sum(1 for shift in following for seat in shift.seats if seat.on_post(now))
    current = [shift for shift in shifts if shift.under_way(now)]
    if not current:
        return PostNow(PostState.IDLE, current, 0, 0, following, early)
    capacity = sum(shift.capacity for shift in current)
    present = sum(1 for shift in current for seat in shift.seats if seat.on_post(now))
    if present == 0:
        state = PostState.EMPTY
    else:
        state = PostState.STAFFED if present >= capacity else PostState.SHORT
    return PostNow(state, current, present, capacity, following, early)


def _states(day: Day, now: float) -> list[tuple[DayPost, list[DayShift], PostNow]]:
    result = []
    for post in day.posts:
        shifts = day.shifts_by_post.get(post.id, [])
        result.append((post, shifts, post_state(shifts, now)))
    return result


async def _posts_now(context: PanelContext) -> list[tuple[DayPost, list[DayShift], PostNow]]:
    """Every post of the scope with its shifts of the day and its state now, once a snapshot."""

    async def read() -> list[tuple[DayPost, list[DayShift], PostNow]]:
        day = await _day(context)
        return await asyncio.to_thread(_states, day, context.now.timestamp())

    posts: list[tuple[DayPost, list[DayShift], PostNow]] = await context.shared("now", read)
    return posts


def _people(t: _Texts, shifts: Sequence[DayShift], at: float) -> list[Any]:
    people = []
    for shift in shifts:
        for seat in shift.seats:
            if seat.arrived > at or (seat.left is not None and seat.left <= at):
                continue  # not on post (Seat.on_post, inlined: a city has ten thousand seats)
            people.append(
                {
                    "name": seat.name,
                    "time": t.arrived(seat.arrived),
                    "note": t("board.popup.late", minutes=seat.minutes_late) if seat.late else None,
                }
            )
    return people


def _early(t: _Texts, following: Sequence[DayShift], at: float) -> dict[str, Any] | None:
    """Who checked in for a shift before it starts (check-in opens early): listed apart, never
    counted on post, which is of the shifts under way; under the windows of their shifts."""
    people = _people(t, following, at)
    if not people:
        return None
    starting: dict[float, list[DayShift]] = {}
    for shift in following:
        if any(seat.on_post(at) for seat in shift.seats):
            starting.setdefault(shift.starts, []).append(shift)
    windows = []
    for together in starting.values():
        first = together[0]
        if all(shift.ends == first.ends for shift in together):
            windows.append(_window(t, first))
        else:
            # Shifts starting together end at different times: one window would name one.
            windows.append(t.time(first.starts))
    times = t("common.list_separator").join(windows)
    # Plural forms follow the people; the wording, the shifts they came early for (two lists
    # of the same hours are one shift to the viewer).
    named = len({(shift.starts, shift.ends) for shift in itertools.chain(*starting.values())})
    key = "board.popup.early_shifts" if named > 1 else "board.popup.early"
    return {"label": t(key, shift=times, count=len(people)), "people": people}


def _window(t: _Texts, shift: DayShift) -> str:
    return t("report.time_range", start=t.time(shift.starts), end=t.end(shift.starts, shift.ends))


def _windows(
    t: _Texts, shifts: Sequence[DayShift], at: float, began: float, midnight: float
) -> tuple[str, list[str], str | None]:
    """With no shift under way: the heading and the windows of the day's shifts still to come,
    the first UPCOMING_SHOWN of them, and a note saying how many more (None: no more). A
    shift of tomorrow whose check-in opened tonight is among them: the heading then does not
    say "today"."""
    coming = [shift for shift in shifts if shift.starts > at]
    windows = list(dict.fromkeys(_window(t, shift) for shift in coming))
    if not windows:
        # Last night's shift (begun before today's midnight) is not one of today's: a post
        # with no other has had no shift today, not "no more".
        today = any(shift.starts >= began for shift in shifts)
        key = "board.popup.none_left" if today else "board.popup.none_today"
        return t(key), [], None
    if len(windows) == 1:
        heading = t("board.popup.next")
    elif coming[-1].starts >= midnight:
        heading = t("board.popup.upcoming_soon")
    else:
        heading = t("board.popup.upcoming")
    shown = windows[:UPCOMING_SHOWN]
    more = len(windows) - len(shown)
    return heading, shown, t("board.popup.more_shifts", count=more) if more else None


def _popup(
    t: _Texts,
    post: DayPost,
    shifts: Sequence[DayShift],
    now: PostNow,
    at: float,
    began: float,
    midnight: float,
) -> dict[str, Any]:
    more = None
    if now.current:
        staffing = t("board.popup.staffing", present=now.present, capacity=now.capacity)
        # Two sign-up lists of the same hours are one window to the viewer, as below.
        windows = list(dict.fromkeys(_window(t, shift) for shift in now.current))
    else:
        staffing, windows, more = _windows(t, shifts, at, began, midnight)
    return {
        "title": post.name,
        "unit": post.unit,
        "shifts": windows,
        # "and N more": a note under the windows, not one of them (the page styles it apart).
        "more": more,
        "staffing": staffing,
        # Whoever is on post now, as `staffing` counts them.
        "people": _people(t, now.current, at),
        # As many as PostNow.early counts, which the figures panel sums.
        "early": _early(t, now.following, at) if now.early else None,
    }


class MapPanel:
    key = "map"
    title_key = "board.panel.map"
    view: View = "map"

    async def collect(self, context: PanelContext) -> PanelData:
        # Some ten thousand dictionaries for a city: built off the event loop, which goes on
        # answering volunteers meanwhile.
        posts = await _posts_now(context)
        return await asyncio.to_thread(self._markers, context, posts)

    @staticmethod
    def _markers(
        context: PanelContext, posts: list[tuple[DayPost, list[DayShift], PostNow]]
    ) -> PanelData:
        t, settings = _Texts(context.t), context.settings
        at = context.now.timestamp()
        began, midnight = day_bounds(context.now, settings)
        markers = []
        counts = dict.fromkeys(PostState, 0)
        for post, shifts, now in posts:
            counts[now.state] += 1
            latitude, longitude = to_display(
                post.latitude, post.longitude, settings.map_coordinates
            )
            markers.append(
                {
                    "id": post.id,
                    "lat": round(latitude, 6),
                    "lng": round(longitude, 6),
                    "state": now.state.value,
                    "popup": _popup(t, post, shifts, now, at, began, midnight),
                }
            )
        legend = [
            {"state": state.value, "label": t(f"board.state.{state.value}"), "count": count}
            for state, count in counts.items()
        ]
        return {"markers": markers, "legend": legend}


def curve(day: Day, now: dt.datetime) -> list[tuple[dt.datetime, float | None]]:
    """The share of the seats under way that had someone on post, every CURVE_STEP of the day
    up to now (None where no shift was under way), from the first shift or the day's midnight,
    whichever is later. A check-in counts within its shift only."""
    shifts = list(day.shifts)
    if not shifts:
        return []
    spans = []
    for shift in shifts:
        for seat in shift.seats:
            arrived = max(seat.arrived, shift.starts)
            left = min(seat.left or shift.ends, shift.ends)
            if arrived < left:
                spans.append((arrived, left))
    arrivals = sorted(arrived for arrived, _ in spans)
    departures = sorted(left for _, left in spans)
    # Seats under way at t: the capacity of the shifts started by t, less those ended by t.
    starts = sorted((shift.starts, shift.capacity) for shift in shifts)
    ends = sorted((shift.ends, shift.capacity) for shift in shifts)
    started_seats = list(itertools.accumulate((capacity for _, capacity in starts), initial=0))
    ended_seats = list(itertools.accumulate((capacity for _, capacity in ends), initial=0))
    start_times = [moment for moment, _ in starts]
    end_times = [moment for moment, _ in ends]
    step = CURVE_STEP.total_seconds()
    last = min(now.timestamp(), end_times[-1])
    first = start_times[0] if day.start is None else max(start_times[0], day.start)
    at = first // step * step
    moments = []
    while at <= last:
        moments.append(at)
        at += step
    if moments and moments[-1] < last:
        moments.append(last)  # the latest figure: now, or the end of the day's last shift
    points: list[tuple[dt.datetime, float | None]] = []
    for moment in moments:
        seats = (
            started_seats[bisect.bisect_right(start_times, moment)]
            - ended_seats[bisect.bisect_right(end_times, moment)]
        )
        present = bisect.bisect_right(arrivals, moment) - bisect.bisect_right(departures, moment)
        rate = min(1.0, present / seats) if seats else None
        points.append((dt.datetime.fromtimestamp(moment, dt.UTC), rate))
    return points


class NowPanel:
    key = "now"
    title_key = "board.panel.now"
    view: View = "figures"

    async def collect(self, context: PanelContext) -> PanelData:
        t, now = context.t, context.now
        totals = (await _standings(context)).totals
        posts = await _posts_now(context)
        present = sum(state.present for _, _, state in posts)
        capacity = sum(state.capacity for _, _, state in posts)
        # Checked in for their post's next shift before it starts: the popups list them apart.
        early = sum(state.early for _, _, state in posts)
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
            ("early", t("board.now.early"), str(early)),
        ]
        return {
            "figures": [
                {"key": key, "label": label, "value": value} for key, label, value in figures
            ],
            "curve": {
                "label": t("board.now.curve"),
                "points": [
                    [int(at.timestamp()), None if rate is None else round(rate * 100, 1)]
                    for at, rate in await asyncio.to_thread(curve, await _day(context), now)
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
        for rank, row in zip(places(tally.rows), tally.rows, strict=True):
            counts = row.counts
            if counts.seats:
                cells = [
                    grade_text(t, row.score),
                    percent(t, counts.on_post_rate),
                    f"{counts.on_time}/{counts.checked_in}",
                    str(counts.absent),
                ]
            elif row.score.value is not None:
                # No shift today but scored on its checks and orders, as /today ranks it.
                cells = [grade_text(t, row.score), t("board.ranking.idle"), "—", "—"]
            else:
                cells = [t("board.ranking.idle"), "—", "—", "—"]
            rows.append(
                {
                    "cells": [str(rank), row.name, *cells],
                    "tone": row.score.grade.value if row.score.grade is not None else "none",
                }
            )
        if not rows:
            # A unit with nothing scheduled today (or a city with no unit yet): a table of
            # headings over nothing would read as a board that has not loaded.
            rows = [{"cells": ["—", t("board.ranking.none"), "—", "—", "—", "—"], "tone": "none"}]
        first = "board.ranking.unit" if tally.by_unit else "board.ranking.post"
        columns = [
            t("board.ranking.rank"),
            t(first),
            t("board.ranking.score"),
            t("board.ranking.rate"),
            t("board.ranking.on_time"),
            t("board.ranking.absent"),
        ]
        return {"columns": columns, "rows": rows, "text_columns": [1]}


def standard_panels() -> PanelRegistry:
    """The built-in panels: the map, today on post, the ranking and the rectification orders."""
    return PanelRegistry([MapPanel(), NowPanel(), RankingPanel(), OrdersPanel()])


def page_texts(t: Translator) -> dict[str, Any]:
    """The page's own words in the viewer's language: the page is served in the language of its
    address (BOARD_URL?lang=...), which a direct link or an old menu button leaves out or has
    wrong; the page takes these from its data and speaks the language of what it shows."""
    return {
        "html_lang": t("board.page.html_lang"),
        "title": t("board.page.title"),
        "labels": {
            "denied": t("board.page.denied"),
            "expired": t("board.page.expired"),
            "archived": t("board.page.unit_archived"),
            "unit_archived": t("board.page.own_unit_archived"),
            "offline": t("board.page.offline"),
            "reloading": t("board.page.reloading"),
            "loading": t("board.page.loading"),
            "no_posts": t("board.page.no_posts"),
            "time": t("board.page.time"),
            "zoom_in": t("board.page.zoom_in"),
            "zoom_out": t("board.page.zoom_out"),
        },
    }


async def snapshot(
    registry: PanelRegistry,
    session: AsyncSession,
    *,
    unit_id: int | None,
    now: dt.datetime,
    settings: Settings,
    t: Translator,
    scene: Scene | None = None,
) -> dict[str, Any]:
    """Every panel's data for one scope, ready for JSON: at `now`, read for that scope, or at
    the moment of `scene`, a read of the city (or of that unit) narrowed to the scope."""
    if scene is None:
        scene = await data.read_scene(session, unit_id, now, settings)
    scene = scene.narrow(unit_id)
    now = scene.now
    context = PanelContext(
        session=session, unit_id=unit_id, now=now, settings=settings, t=t, scene=scene
    )
    name = scene.unit_names.get(unit_id) if unit_id is not None else None
    if unit_id is not None and name is None:
        # A unit created since the shared read of the city: its name from the database, not
        # the city's label on a board of one unit.
        name = await data.unit_name(session, unit_id)
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
        "updated_on": t("board.updated_on", day=t.weekday_date(now), time=t.time(now)),
        "page": page_texts(t),
        "panels": panels,
    }
