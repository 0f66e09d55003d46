"""The tally leaders read: a day or a period, for the whole campaign or one unit, with its
totals and score, the ranking of units (headquarters) or posts (a unit), the lists beside it,
the daily trend, and the change against the period before, and the period's oversight (checks,
street reports, rectification orders) that goes into the unit score. The figures are counted
in ``figures`` (and ``bot/services/oversight/figures.py``), which also say how each is defined."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Post, Unit
from bot.services.oversight import figures as oversight_figures
from bot.services.reports import highlights
from bot.services.reports.figures import breakdown, names_of, one_server_process
from bot.services.reports.highlights import Anomaly, Uncovered, Volunteer
from bot.services.reports.periods import Period, day_start, last_days
from bot.services.reports.scoring import Counts, Score, score, unit_score
from bot.settings import Settings

TREND_DAYS = 7


@dataclass(frozen=True)
class Row:
    """One line of the ranking: a unit (headquarters) or a post (a unit's group)."""

    key: int
    name: str
    counts: Counts
    score: Score
    # None: no period compared; one whose value is None: nothing scored in that period.
    previous_score: Score | None = None
    oversight: oversight_figures.Figures | None = None  # units only: posts have no orders


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
    oversight: oversight_figures.Section | None = None
    attendance: Score | None = None  # the duty part of the score
    anomalies_cut: bool = False  # more anomalous check-ins than `anomalies` was made from

    @property
    def by_unit(self) -> bool:
        return self.unit_id is None


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
    oversight: dict[int, oversight_figures.Figures],
    previous_oversight: dict[int, oversight_figures.Figures],
    end: dt.datetime,
) -> list[Row]:
    if by_unit:
        query = select(Unit.id, Unit.name, Unit.archived, Unit.created_at)
        rows_ = (await session.execute(query)).all()
        names = ranked_units(
            {int(key): str(name) for key, name, _, _ in rows_},
            # A unit that left the campaign, or had not joined it by the period's end (the
            # monthly report goes out the morning after a unit was created): ranked only
            # with figures in the period, not listed as a unit that scheduled nothing.
            {int(key) for key, _, archived, created in rows_ if archived or created >= end},
            counts,
            oversight,
        )
    else:
        names = await names_of(session, Post, counts.keys())
    return ranking(counts, names, settings, by_unit, oversight, previous, previous_oversight)


def ranked_units(
    names: dict[int, str],
    archived: Collection[int],
    counts: Mapping[Any, Counts],
    oversight: Mapping[int, oversight_figures.Figures],
) -> dict[int, str]:
    """The units of a ranking: every unit, even one with nothing scheduled; one in `archived`
    (archived, or created after the period) only with figures in the period (a past period's
    ranking keeps it): shifts, checks, street reports or orders issued, due or accepted then,
    not merely an old order still open."""

    def of_period(key: int) -> bool:
        if key in counts:
            return True
        found = oversight.get(key)
        return found is not None and bool(
            found.checks or found.reports or found.issued or found.due or found.fix_minutes
        )

    return {key: name for key, name in names.items() if key not in archived or of_period(key)}


def ranking(
    counts: dict[Any, Counts],
    names: dict[int, str],
    settings: Settings,
    by_unit: bool,
    oversight: dict[int, oversight_figures.Figures],
    previous: dict[Any, Counts] | None = None,
    previous_oversight: dict[int, oversight_figures.Figures] | None = None,
) -> list[Row]:
    """The ranking from the figures and the names: units (every unit in `names`) by the unit
    score (attendance, checks, orders), posts (those with figures) by attendance."""
    earlier = previous_oversight or {}

    def scored(found: Counts, figures: oversight_figures.Figures | None) -> Score:
        return unit_score(found, figures, settings) if by_unit else score(found, settings)

    rows = [
        Row(
            key=int(key),
            name=name,
            counts=counts.get(key, Counts()),
            score=scored(counts.get(key, Counts()), oversight.get(key) if by_unit else None),
            # Against the period before, even one without figures for it (nothing scheduled,
            # no check): its score is then none, and the row is new on the ranking.
            previous_score=(
                scored(previous.get(key, Counts()), earlier.get(key) if by_unit else None)
                if previous is not None
                else None
            ),
            oversight=oversight.get(key) if by_unit else None,
        )
        for key, name in names.items()
        if by_unit or key in counts
    ]

    def rank(row: Row) -> tuple[int, float, str]:
        value = row.score.value
        return (0 if value is not None else 1, -(value or 0.0), row.name)

    return sorted(rows, key=rank)


def places(rows: Sequence[Row]) -> list[int]:
    """The place of each row of a ranking, in its order: rows of the same score share a place
    (并列), and the next row's place counts the rows above it (1, 1, 3), as a bulletin ranks
    units; a row without a score keeps its position in the list."""
    result: list[int] = []
    for index, row in enumerate(rows):
        above = rows[index - 1] if index else None
        tied = (
            above is not None
            and row.score.value is not None
            and row.score.value == above.score.value
        )
        result.append(result[-1] if tied else index + 1)
    return result


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
    oversight = await oversight_figures.section(
        session, start=start, end=end, now=now, settings=settings, unit_id=unit_id
    )
    totals = Counts.total(counts.values())
    rows = await _rows(session, counts, None, settings, by_unit, oversight.units, {}, end)
    return totals, unit_score(totals, oversight.totals, settings), rows


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
    await one_server_process(session)
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
    oversight = await oversight_figures.section(
        session, start=start, end=end, now=now, settings=settings, unit_id=unit_id
    )
    previous_counts: dict[Any, Counts] | None = None
    previous_totals: Counts | None = None
    previous_oversight: dict[int, oversight_figures.Figures] = {}
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
        if by_unit:
            previous_oversight = {
                key: value
                for key, value in (
                    await oversight_figures.per_unit(
                        session,
                        start=previous_start,
                        end=previous_end,
                        now=now,
                        settings=settings,
                        unit_id=unit_id,
                    )
                ).items()
                if key is not None
            }
    if trend_period is None:
        trend_period = last_days(period.last, TREND_DAYS) if period.first == period.last else period
    totals = Counts.total(counts.values())
    anomalies, anomalies_cut = await highlights.anomalies(session, start, end, unit_id)
    unit_name = None
    if unit_id is not None:
        unit_name = (await names_of(session, Unit, [unit_id])).get(unit_id)
    return Tally(
        unit_id=unit_id,
        unit_name=unit_name,
        period=period,
        totals=totals,
        score=unit_score(totals, oversight.totals, settings),
        rows=await _rows(
            session,
            counts,
            previous_counts,
            settings,
            by_unit,
            oversight.units,
            previous_oversight,
            end,
        ),
        uncovered=await highlights.uncovered(session, start, end, now, settings, unit_id),
        anomalies=anomalies,
        anomalies_cut=anomalies_cut,
        top=await highlights.top(session, start, end, now, unit_id),
        trend=await trend(session, trend_period, now, settings, unit_id),
        previous_period=previous_period,
        previous=previous_totals,
        oversight=oversight,
        attendance=score(totals, settings),
    )
