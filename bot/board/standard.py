"""The board's standard panels (map, today on post, ranking) and the snapshot of a registry.

The day's figures and the ranking are the tally of /today, formatted by the report's own
helpers, so the board and /today never disagree. The map and the day's curve are the board's
own: who is on post at a moment, from the day's shifts and check-ins.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.board import data
from bot.board.coords import to_display
from bot.board.data import Day, DayPost, DayShift, Standings, grade_text, percent
from bot.board.panels import PanelContext, PanelData, PanelRegistry, View
from bot.i18n import Translator
from bot.settings import Settings

# The day's curve: one point every CURVE_STEP, from the first shift's start to now.
CURVE_STEP = dt.timedelta(minutes=15)


class PostState(StrEnum):
    STAFFED = "staffed"  # a shift under way, everyone it needs on post
    SHORT = "short"  # a shift under way, some on post but fewer than it needs
    EMPTY = "empty"  # a shift under way, nobody on post
    IDLE = "idle"  # no shift under way now


async def _day(context: PanelContext) -> Day:
    async def read() -> Day:
        return await data.load_day(context.session, context.unit_id, context.day, context.settings)

    day: Day = await context.shared("day", read)
    return day


async def _standings(context: PanelContext) -> Standings:
    async def read() -> Standings:
        return await data.today_standings(
            context.session, context.unit_id, context.day, context.now, context.settings
        )

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


def post_state(shifts: Sequence[DayShift], now: dt.datetime) -> tuple[PostState, int, int]:
    """The post's state now, the people on post and the seats of the shifts under way."""
    current = [shift for shift in shifts if shift.under_way(now)]
    if not current:
        return PostState.IDLE, 0, 0
    capacity = sum(shift.capacity for shift in current)
    present = sum(1 for shift in current for seat in shift.seats if seat.on_post(now))
    if present == 0:
        return PostState.EMPTY, 0, capacity
    return (PostState.STAFFED if present >= capacity else PostState.SHORT), present, capacity


def _people(t: _Texts, shifts: Sequence[DayShift], at: dt.datetime, late_after: int) -> list[Any]:
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
    post: DayPost,
    shifts: Sequence[DayShift],
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
        "panels": panels,
    }
