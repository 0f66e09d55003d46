"""The oversight figures of a period, per unit, for tallies, reports, the score and the ledger.

Aggregated in the database (GROUP BY unit), like the duty figures. Definitions (README, "How the
figures are counted"):

- checks: checks made in the period that the unit may see by `now` (a covert check counts from
  the daily tally after it), by kind; their average score, with ``INSPECTION_ROUND_WEIGHTS``
  weighing the period's consecutive rounds when set; discrepancies: checks whose people seen
  differed from the check-ins;
- reports received: street reports filed in the period about the unit's places (routed to it),
  duplicates left out; for the whole campaign also those nobody was responsible for;
- orders issued in the period; replied: of them, replied at all; replied on time: by their
  first deadline (the one issued, not a reopened order's fresh one); awaiting a reply: of them,
  not replied with their first deadline still ahead, which have not failed to reply (an order
  issued on Sunday evening is not unreplied in Monday morning's bulletin); the reply rate
  (回复整改率) = replied / (issued - awaiting a reply);
- orders due in the period (first deadline inside it, and passed by now or met by an acceptance
  already: an order whose deadline is still ahead has not missed it); accepted on time: of them,
  first accepted by the first deadline; the on-time rate (按期办结率) = accepted on time / due;
- overdue: open orders without a reply whose deadline passed by the end of the period;
- the median time to fix: issue (for a covert check's order, its publication to the unit) to
  first acceptance of the orders first accepted in the period.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, literal_column, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    ORDERS_AWAITING_UNIT,
    AuditEntry,
    CheckKind,
    Inspection,
    OrderStatus,
    Post,
    RectificationOrder,
    ReportStatus,
    StreetReport,
    Unit,
)
from bot.services.oversight.order_jobs import delivered_mark
from bot.services.oversight.order_lists import UnitLine, open_by_unit
from bot.settings import Settings

AWAITING_UNIT = ORDERS_AWAITING_UNIT
OPEN = (*AWAITING_UNIT, OrderStatus.REPLIED)


def _by_time(query: Any, table: Any, index: str) -> Any:
    """Read a period through its time index. Grouping by unit tempts SQLite's planner into
    walking the whole table along the unit index instead (a year of rows for one day)."""
    return query.with_hint(table, f"INDEXED BY {index}", dialect_name="sqlite")


LIST_LIMIT = 30


@dataclass(frozen=True)
class Figures:
    checks: int = 0
    by_kind: dict[CheckKind, int] = field(default_factory=dict)
    score_sum: float = 0.0
    inspection_score: float | None = None  # average score, weighed by rounds when set
    discrepancies: int = 0
    reports: int = 0
    reports_routed: int = 0
    issued: int = 0
    replied: int = 0
    awaiting_reply: int = 0  # issued, not replied, the first deadline still ahead
    replied_on_time: int = 0
    due: int = 0
    accepted_on_time: int = 0
    overdue: int = 0
    open: int = 0
    fix_minutes: tuple[int, ...] = ()

    @property
    def average_score(self) -> float | None:
        return self.score_sum / self.checks if self.checks else None

    @property
    def reply_rate(self) -> float | None:
        """Of the orders issued whose reply is in or was due by now."""
        answerable = self.issued - self.awaiting_reply
        return self.replied / answerable if answerable > 0 else None

    @property
    def on_time_rate(self) -> float | None:
        return self.accepted_on_time / self.due if self.due else None

    @property
    def median_fix_hours(self) -> float | None:
        if not self.fix_minutes:
            return None
        return statistics.median(self.fix_minutes) / 60

    @property
    def order_score(self) -> float | None:
        """Order handling out of 100: the mean of the reply rate and the on-time rate that the
        period has; none without orders."""
        rates = [rate for rate in (self.reply_rate, self.on_time_rate) if rate is not None]
        return 100 * sum(rates) / len(rates) if rates else None

    def __add__(self, other: Figures) -> Figures:
        kinds: dict[CheckKind, int] = defaultdict(int)
        for part in (self.by_kind, other.by_kind):
            for kind, count in part.items():
                kinds[kind] += count
        checks = self.checks + other.checks
        score_sum = self.score_sum + other.score_sum
        return Figures(
            checks=checks,
            by_kind=dict(kinds),
            score_sum=score_sum,
            inspection_score=score_sum / checks if checks else None,
            discrepancies=self.discrepancies + other.discrepancies,
            reports=self.reports + other.reports,
            reports_routed=self.reports_routed + other.reports_routed,
            issued=self.issued + other.issued,
            replied=self.replied + other.replied,
            awaiting_reply=self.awaiting_reply + other.awaiting_reply,
            replied_on_time=self.replied_on_time + other.replied_on_time,
            due=self.due + other.due,
            accepted_on_time=self.accepted_on_time + other.accepted_on_time,
            overdue=self.overdue + other.overdue,
            open=self.open + other.open,
            fix_minutes=self.fix_minutes + other.fix_minutes,
        )

    @classmethod
    def total(cls, parts: Iterable[Figures]) -> Figures:
        result = cls()
        for part in parts:
            result = result + part
        return result


def _count_if(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _rounds(
    start: dt.datetime, end: dt.datetime, weights: list[float], zone: ZoneInfo
) -> list[dt.datetime]:
    """The starts of the rounds after the first, when the period is split into rounds. A
    single local day is one round, 23 or 25 hours long on the days the clocks change."""
    local_days = (end.astimezone(zone).date() - start.astimezone(zone).date()).days
    if len(weights) < 2 or local_days <= 1:
        return []
    size = (end - start) / len(weights)
    return [start + size * index for index in range(1, len(weights))]


async def _checks(
    session: AsyncSession,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    settings: Settings,
    unit_id: int | None,
) -> dict[int, Figures]:
    weights = settings.inspection_round_weights
    edges = _rounds(start, end, weights, settings.zone)
    whens: list[tuple[Any, Any]] = [
        (Inspection.inspected_at < edge, literal_column(str(i))) for i, edge in enumerate(edges)
    ]
    bucket = case(*whens, else_=literal_column(str(len(edges)))) if edges else literal_column("0")
    query = (
        select(
            Inspection.unit_id,
            Inspection.kind,
            bucket.label("round"),
            func.count(),
            func.coalesce(func.sum(Inspection.score), 0.0),
            _count_if(Inspection.discrepancy > 0),
        )
        .where(
            Inspection.inspected_at >= start,
            Inspection.inspected_at < end,
            Inspection.visible_from <= now,
        )
        .group_by(Inspection.unit_id, Inspection.kind, *([bucket] if edges else []))
    )
    if unit_id is not None:
        query = query.where(Inspection.unit_id == unit_id)
    query = _by_time(query, Inspection, "ix_inspections_inspected_at")
    per_unit: dict[int, dict[str, Any]] = defaultdict(
        lambda: {"kinds": defaultdict(int), "rounds": defaultdict(lambda: [0, 0.0]), "gap": 0}
    )
    for unit, kind, round_index, count, score_sum, discrepancies in (
        await session.execute(query)
    ).all():
        entry = per_unit[int(unit)]
        entry["kinds"][CheckKind(kind)] += int(count)
        entry["rounds"][int(round_index)][0] += int(count)
        entry["rounds"][int(round_index)][1] += float(score_sum)
        entry["gap"] += int(discrepancies)
    result = {}
    for unit, entry in per_unit.items():
        rounds: dict[int, list[Any]] = entry["rounds"]
        checks = sum(count for count, _ in rounds.values())
        score_sum = sum(total for _, total in rounds.values())
        if edges:
            weighed = [(weights[i], total / count) for i, (count, total) in rounds.items() if count]
            weight_sum = sum(weight for weight, _ in weighed)
            score = (
                sum(weight * value for weight, value in weighed) / weight_sum
                if weight_sum
                else score_sum / checks
            )
        else:
            score = score_sum / checks
        result[unit] = Figures(
            checks=checks,
            by_kind=dict(entry["kinds"]),
            score_sum=score_sum,
            inspection_score=score,
            discrepancies=entry["gap"],
        )
    return result


async def _reports(
    session: AsyncSession, start: dt.datetime, end: dt.datetime, unit_id: int | None
) -> dict[int | None, tuple[int, int]]:
    query = (
        select(StreetReport.unit_id, func.count(), _count_if(StreetReport.unit_id.is_not(None)))
        .where(
            StreetReport.created_at >= start,
            StreetReport.created_at < end,
            StreetReport.status != ReportStatus.DUPLICATE,
        )
        .group_by(StreetReport.unit_id)
    )
    if unit_id is not None:
        query = query.where(StreetReport.unit_id == unit_id)
    query = _by_time(query, StreetReport, "ix_street_reports_created_at")
    return {
        (int(unit) if unit is not None else None): (int(count), int(routed))
        for unit, count, routed in (await session.execute(query)).all()
    }


async def _grouped(
    session: AsyncSession, unit_id: int | None, index: str, condition: Any, *counts: Any
) -> dict[int, tuple[int, ...]]:
    """Counts per unit over the orders that meet `condition` (each condition on its own
    indexed column, so a year of orders is never scanned whole)."""
    query = (
        select(RectificationOrder.unit_id, *counts)
        .where(condition)
        .group_by(RectificationOrder.unit_id)
    )
    if unit_id is not None:
        query = query.where(RectificationOrder.unit_id == unit_id)
    query = _by_time(query, RectificationOrder, index)
    return {
        int(row[0]): tuple(int(value) for value in row[1:])
        for row in (await session.execute(query)).all()
    }


async def _orders(
    session: AsyncSession,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    unit_id: int | None,
) -> dict[int, Figures]:
    order = RectificationOrder
    seen = order.visible_from <= now
    issued = await _grouped(
        session,
        unit_id,
        "ix_rectification_orders_issued_at",
        and_(order.issued_at >= start, order.issued_at < end, seen),
        func.count(),
        _count_if(order.first_replied_at.is_not(None)),
        # The first round's deadline: a reopened order's fresh one must not make a closed
        # period's late reply an on-time one.
        _count_if(order.first_replied_at <= order.first_deadline_at),
        # Not replied yet with time left (at the deadline itself a reply is still on time).
        _count_if(and_(order.first_replied_at.is_(None), order.first_deadline_at >= now)),
    )
    # Due: the first deadline falls in the period and the outcome is known by now (the
    # deadline has passed, or the order was accepted before it): an order of the period so
    # far whose deadline is still ahead has not missed it.
    accepted_in_time = order.first_accepted_at <= order.first_deadline_at
    due = await _grouped(
        session,
        unit_id,
        "ix_rectification_orders_first_deadline_at",
        and_(
            order.first_deadline_at >= start,
            order.first_deadline_at < end,
            seen,
            # At the deadline itself it may still be accepted on time (and is not overdue).
            or_(order.first_deadline_at < now, accepted_in_time),
        ),
        func.count(),
        # The first acceptance: a relapse reopening the order later does not undo it.
        _count_if(accepted_in_time),
    )
    still_open = await _grouped(
        session,
        unit_id,
        "ix_rectification_orders_status",
        and_(order.status.in_(OPEN), seen),
        func.count(),
        _count_if(and_(order.status.in_(AWAITING_UNIT), order.deadline_at < min(end, now))),
    )
    # A covert check's order is timed from when it reached the unit (the trail's mark of its
    # publication), not from the hours of the check's secrecy before.
    reached = (
        select(func.min(AuditEntry.created_at))
        .where(delivered_mark())
        .correlate(order)
        .scalar_subquery()
    )
    fixed = select(
        order.unit_id, func.coalesce(reached, order.issued_at), order.first_accepted_at
    ).where(order.first_accepted_at >= start, order.first_accepted_at < end)
    if unit_id is not None:
        fixed = fixed.where(order.unit_id == unit_id)
    fixed = _by_time(fixed, order, "ix_rectification_orders_first_accepted_at")
    minutes: dict[int, list[int]] = defaultdict(list)
    for unit, reached_at, accepted_at in (await session.execute(fixed)).all():
        if accepted_at is not None:
            minutes[int(unit)].append(int((accepted_at - reached_at).total_seconds() // 60))
    result: dict[int, Figures] = {}
    for unit in {*issued, *due, *still_open, *minutes}:
        n_issued, replied, on_time, awaiting = issued.get(unit, (0, 0, 0, 0))
        n_due, accepted = due.get(unit, (0, 0))
        n_open, overdue = still_open.get(unit, (0, 0))
        result[unit] = Figures(
            issued=n_issued,
            replied=replied,
            awaiting_reply=awaiting,
            replied_on_time=on_time,
            due=n_due,
            accepted_on_time=accepted,
            overdue=overdue,
            open=n_open,
            fix_minutes=tuple(sorted(minutes.get(unit, ()))),
        )
    return result


async def per_unit(
    session: AsyncSession,
    *,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    settings: Settings,
    unit_id: int | None = None,
) -> dict[int | None, Figures]:
    """The figures of [start, end) per unit (key None: street reports nobody answers for)."""
    checks = await _checks(session, start, end, now, settings, unit_id)
    reports = await _reports(session, start, end, unit_id)
    orders = await _orders(session, start, end, now, unit_id)
    result: dict[int | None, Figures] = {}
    for key in {*checks, *reports, *orders}:
        base = checks.get(key, Figures()) if key is not None else Figures()
        order_part = orders.get(key, Figures()) if key is not None else Figures()
        received, routed = reports.get(key, (0, 0))
        result[key] = replace(
            base,
            reports=received,
            reports_routed=routed,
            issued=order_part.issued,
            replied=order_part.replied,
            awaiting_reply=order_part.awaiting_reply,
            replied_on_time=order_part.replied_on_time,
            due=order_part.due,
            accepted_on_time=order_part.accepted_on_time,
            overdue=order_part.overdue,
            open=order_part.open,
            fix_minutes=order_part.fix_minutes,
        )
    return result


def combined(parts: dict[int | None, Figures]) -> Figures:
    """The whole campaign's figures: the inspection score is the mean of every check."""
    return Figures.total(parts.values())


@dataclass(frozen=True)
class Discrepancy:
    post: str
    unit: str
    at: dt.datetime
    checked_in: int
    seen: int
    names: list[str]


async def discrepancies(
    session: AsyncSession,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    unit_id: int | None,
) -> list[Discrepancy]:
    """Checks that found people on post other than the check-ins said, in time order."""
    query = (
        select(
            Post.name,
            Unit.name,
            Inspection.inspected_at,
            Inspection.checked_in,
            Inspection.seen,
            Inspection.checked_in_names,
        )
        .select_from(Inspection)
        .join(Post, Post.id == Inspection.post_id)
        .join(Unit, Unit.id == Inspection.unit_id)
        .where(
            Inspection.inspected_at >= start,
            Inspection.inspected_at < end,
            Inspection.visible_from <= now,
            Inspection.discrepancy > 0,
        )
        .order_by(Inspection.inspected_at, Inspection.id)
        .limit(LIST_LIMIT)
    )
    if unit_id is not None:
        query = query.where(Inspection.unit_id == unit_id)
    query = _by_time(query, Inspection, "ix_inspections_inspected_at")
    return [
        Discrepancy(
            post=str(post),
            unit=str(unit),
            at=at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC),
            checked_in=int(checked_in),
            seen=int(seen),
            names=list(names or []),
        )
        for post, unit, at, checked_in, seen, names in (await session.execute(query)).all()
    ]


@dataclass(frozen=True)
class Section:
    """What a tally or report shows of oversight: the totals, each unit's figures (for the
    ranking and the unit score), the discrepancies, and the orders open by unit (for the
    headquarters bulletin)."""

    totals: Figures
    units: dict[int, Figures]
    discrepancies: list[Discrepancy]
    open_orders: list[UnitLine]


async def section(
    session: AsyncSession,
    *,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    settings: Settings,
    unit_id: int | None,
) -> Section:
    parts = await per_unit(
        session, start=start, end=end, now=now, settings=settings, unit_id=unit_id
    )
    units = {key: value for key, value in parts.items() if key is not None}
    # A unit's own figures are its ranking line's (check rounds weighed as set), not a sum.
    totals = Figures.total(parts.values()) if unit_id is None else units.get(unit_id, Figures())
    open_orders = await open_by_unit(session, now, unit_id)
    return Section(
        totals=totals,
        units=units,
        discrepancies=await discrepancies(session, start, end, now, unit_id),
        open_orders=open_orders,
    )
