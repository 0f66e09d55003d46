"""An inspector's decisions on street reports: the queue of those still undecided, sending one
to a unit by hand, dismissing one with a reason, or taking one for a rectification order. Each
decision is one conditional update, so of two inspectors deciding at once one wins.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    UNDECIDED_REPORTS,
    ReportStatus,
    Role,
    RouteMethod,
    StreetReport,
    Unit,
)
from bot.errors import DomainError, ErrorCode
from bot.services.oversight import notices, reports, typed
from bot.services.people import units
from bot.services.people.access import Actor
from bot.settings import Settings

QUEUE_PAGE = 10  # reports a page of the inspectors' queue shows


def _require_inspector(actor: Actor) -> int | None:
    if not actor.is_admin and Role.INSPECTOR not in actor.roles:
        raise DomainError(ErrorCode.FORBIDDEN)
    return actor.member.id if actor.member is not None else None


async def undecided(session: AsyncSession, actor: Actor, report_id: int) -> StreetReport:
    """A report an inspector or admin may still decide (order, dispatch, dismiss)."""
    _require_inspector(actor)
    report = await reports.get(session, report_id)
    if report.status not in UNDECIDED_REPORTS:
        raise DomainError(ErrorCode.REPORT_CLOSED)
    return report


async def take_for_order(
    session: AsyncSession, report_id: int, unit_id: int, now: dt.datetime
) -> bool:
    """Mark a report ORDERED for the order about to be issued to `unit_id`: false when it was
    decided or sent to another unit since the draft began."""
    return await _decide(
        session, report_id, now, StreetReport.unit_id == unit_id, status=ReportStatus.ORDERED
    )


async def _decide(
    session: AsyncSession, report_id: int, now: dt.datetime, *conditions: Any, **values: Any
) -> bool:
    """Decide a report still undecided, in one conditional update: of an inspector issuing an
    order, another dismissing and a third dispatching at the same moment, one wins and the
    others are told it was decided (a read-then-write would let the last overwrite the first)."""
    decided = await session.execute(
        update(StreetReport)
        .where(
            StreetReport.id == report_id, StreetReport.status.in_(UNDECIDED_REPORTS), *conditions
        )
        .values(updated_at=now, **values)
        .execution_options(synchronize_session="fetch")
    )
    return getattr(decided, "rowcount", 0) == 1


async def dispatch(
    session: AsyncSession,
    actor: Actor,
    report_id: int,
    unit_id: int,
    now: dt.datetime,
    settings: Settings,
) -> StreetReport:
    """An inspector or admin sends a report to a unit by hand."""
    actor_id = _require_inspector(actor)
    report = await reports.get(session, report_id)
    if report.status not in UNDECIDED_REPORTS:
        raise DomainError(ErrorCode.REPORT_CLOSED, state=report.status.value)
    # Held to the commit: archiving the unit (which sends its undecided reports back to the
    # queue) waits for this dispatch and then finds the report, or this sees the unit archived.
    unit = await units.held(session, unit_id)
    if unit.archived:
        raise DomainError(ErrorCode.REPORT_UNIT_ARCHIVED, unit=unit.name)
    if report.unit_id == unit.id and report.status is ReportStatus.ROUTED:
        return report
    if not await _decide(
        session,
        report.id,
        now,
        unit_id=unit.id,
        route_method=RouteMethod.HAND,
        route_distance_m=None,
        status=ReportStatus.ROUTED,
    ):
        raise DomainError(ErrorCode.REPORT_CLOSED)
    await _carry_linked(session, [report.id], now, unit_id=unit.id, route_method=RouteMethod.HAND)
    await session.refresh(report)
    reports.record(session, actor_id, "report.dispatch", report, now, after={"unit": unit.id})
    await reports.withdraw_dispatch_asks(session, report, now)
    await reports.tell_unit(session, report, now, settings)
    await reports.tell_reporters(
        session,
        report,
        f"routed:{unit.id}",
        lambda t, number: notices.message(
            t("oversight.report.told.routed", id=number, unit=unit.name)
        ),
        now,
        settings,
    )
    return report


async def dismiss(
    session: AsyncSession,
    actor: Actor,
    report_id: int,
    reason: str,
    now: dt.datetime,
    settings: Settings,
) -> StreetReport:
    actor_id = _require_inspector(actor)
    report = await reports.get(session, report_id)
    if report.status not in UNDECIDED_REPORTS:
        raise DomainError(ErrorCode.REPORT_CLOSED, state=report.status.value)
    # Invisible marks alone would tell the reporter a blank reason.
    note = typed.line(
        reason, reports.TEXT_MAX, shortest=typed.REASON_MIN, refused=ErrorCode.ORDER_REASON_INVALID
    )
    if not await _decide(session, report.id, now, status=ReportStatus.DISMISSED, status_note=note):
        raise DomainError(ErrorCode.REPORT_CLOSED)
    await session.refresh(report)
    reports.record(session, actor_id, "report.dismiss", report, now, reason=note)
    await reports.withdraw_dispatch_asks(session, report, now)
    await reports.tell_reporters(
        session,
        report,
        "dismissed",
        lambda t, number: notices.message(
            t("oversight.report.told.dismissed", id=number, reason=note)
        ),
        now,
        settings,
    )
    return report


async def return_to_queue(
    session: AsyncSession,
    actor_id: int | None,
    unit: Unit,
    now: dt.datetime,
    settings: Settings,
    *,
    reason: str,
) -> int:
    """The reports sent to `unit`, just archived, that nobody has decided on yet go back to the
    inspectors' queue, each in the audit trail (`reason`: the archiving's action) and offered
    to them to send to another unit; how many. One conditional update: a report decided at the
    same moment is left as decided."""
    returned = await session.execute(
        update(StreetReport)
        .where(StreetReport.unit_id == unit.id, StreetReport.status == ReportStatus.ROUTED)
        .values(
            status=ReportStatus.NEW,
            unit_id=None,
            route_method=None,
            route_distance_m=None,
            updated_at=now,
        )
        .returning(StreetReport.id)
        .execution_options(synchronize_session=False)
    )
    ids = sorted(returned.scalars().all())
    if not ids:
        return 0
    await _carry_linked(session, ids, now, unit_id=None, route_method=None)
    back = await session.scalars(
        select(StreetReport)
        .where(StreetReport.id.in_(ids))
        .order_by(StreetReport.id)
        .execution_options(populate_existing=True)
    )
    for report in list(back.unique()):
        reports.record(
            session,
            actor_id,
            reports.RETURN_ACTION,
            report,
            now,
            before={"unit": unit.id},
            after={"unit": None},
            reason=reason,
        )
        await reports.ask_dispatch(session, report, now, settings, archived_unit=unit.name)
    return len(ids)


async def _carry_linked(
    session: AsyncSession, report_ids: list[int], now: dt.datetime, **values: Any
) -> None:
    """The reports linked to `report_ids` (the same problem reported nearby) go where those
    went: to the unit they were passed to, or back to the queue with them."""
    await session.execute(
        update(StreetReport)
        .where(StreetReport.duplicate_of_id.in_(report_ids))
        .values(route_distance_m=None, updated_at=now, **values)
        .execution_options(synchronize_session=False)
    )


async def dispatch_units(session: AsyncSession) -> list[Unit]:
    """Every unit a report may be sent to (not archived), by name."""
    return await units.open_units(session)


async def dispatch_units_before(session: AsyncSession, unit_id: int) -> int:
    """How many units of `dispatch_units` come before the unit `unit_id` (archived since the
    list was shown): where it stood, in the database's own order of names, as the list is."""
    name = select(Unit.name).where(Unit.id == unit_id).scalar_subquery()
    return int(
        await session.scalar(select(func.count()).where(Unit.archived.is_(False), Unit.name < name))
        or 0
    )


async def count_awaiting(session: AsyncSession) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(StreetReport)
            .where(StreetReport.status.in_(UNDECIDED_REPORTS))
        )
        or 0
    )


@dataclass(frozen=True)
class Queue:
    """One page of the inspectors' queue: its reports, where it starts, how many wait."""

    reports: list[StreetReport]
    offset: int
    total: int


async def awaiting_decision(
    session: AsyncSession, offset: int = 0, size: int = QUEUE_PAGE
) -> Queue:
    """The page at `offset` of the reports no order or dismissal has answered yet, oldest
    first: the inspectors' queue. Reports are decided while a page is open, so an offset past
    the end (a page button pressed since) shows the last page instead of an empty one."""
    total = await count_awaiting(session)
    last_start = (max(total, 1) - 1) // size * size
    offset = max(0, min(offset // size * size, last_start))
    page = (
        await session.scalars(
            select(StreetReport)
            .where(StreetReport.status.in_(UNDECIDED_REPORTS))
            .order_by(StreetReport.created_at, StreetReport.id)
            .offset(offset)
            .limit(size)
        )
    ).unique()
    return Queue(list(page), offset, total)
