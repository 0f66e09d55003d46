"""Street reports (随手拍): any member reports a problem with a photo, a location, a category and
a short text, like an Open311 service request. This module holds a report as the others see it:
who may see it, and telling its unit, the inspectors and its reporters about it. Filing a report
is report_filing.py; an inspector's decisions and queue are report_decisions.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.buttons import OrderFromReport, ReportDismiss, ReportDispatchPage
from bot.db.models import (
    UNDECIDED_REPORTS,
    Category,
    Member,
    ReportStatus,
    Role,
    StreetReport,
)
from bot.errors import DomainError, ErrorCode
from bot.i18n import Translator
from bot.services.oversight import evidence, notices
from bot.services.people.access import Actor
from bot.services.people.reachability import coordinators_of
from bot.services.platform import audit, outbox
from bot.services.platform.outbox import Message
from bot.settings import Settings

TEXT_MAX = 300
# The audit action of a report sent back to the inspectors' queue (its unit was archived).
RETURN_ACTION = "report.return"
OPEN = (ReportStatus.NEW, ReportStatus.ROUTED, ReportStatus.ORDERED)
# The categories a member picks from (``post`` is an inspector's finding, not a street problem).
CATEGORIES = (
    Category.PARKING,
    Category.LITTER,
    Category.VENDING,
    Category.FACILITY,
    Category.CONDUCT,
    Category.OTHER,
)


def record(
    session: AsyncSession,
    actor_id: int | None,
    action: str,
    report: StreetReport,
    now: dt.datetime,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str | None = None,
) -> None:
    audit.record(
        session,
        actor_id=actor_id,
        action=action,
        object_type="report",
        object_id=report.id,
        now=now,
        before=before,
        after=after,
        reason=reason,
    )


async def tell_unit(
    session: AsyncSession, report: StreetReport, now: dt.datetime, settings: Settings
) -> None:
    """The unit's coordinators hear of a report in their place; inspectors decide on an order."""
    assert report.unit_id is not None
    photos = await photos_of(session, report)

    def render(t: Translator) -> Message:
        text = notices.report_card(t, report, header=t("oversight.report.to_unit"))
        return notices.message(text, photos)

    await notices.send(
        session,
        notices.people(await coordinators_of(session, report.unit_id), settings),
        render,
        key=f"report:{report.id}:unit:{report.unit_id}",
        now=now,
        settings=settings,
    )


async def ask_dispatch(
    session: AsyncSession,
    report: StreetReport,
    now: dt.datetime,
    settings: Settings,
    *,
    archived_unit: str | None = None,
) -> None:
    """The inspectors are asked to send a report to a unit: one nobody answers for by place,
    or one whose unit was archived before anyone decided on it (`archived_unit`, its name)."""
    photos = await photos_of(session, report)
    # Its buttons decide it, as the card's do: the inspector is told its photos were used
    # before (CHECKIN_DUPLICATE_PHOTO=flag) here too.
    flagged = await photos_flagged(session, report)

    def render(t: Translator) -> Message:
        header = (
            t("oversight.report.needs_dispatch")
            if archived_unit is None
            else t("oversight.report.needs_dispatch_again", unit=archived_unit)
        )
        text = notices.report_card(t, report, header=header)
        if flagged:
            text += "\n" + t("oversight.report.photos_flagged", count=flagged)
        return notices.message(text, photos, inspector_buttons(t, report))

    # Asked again at each return from an archived unit, another notice than the first ask: keyed
    # on how many returns it has had (its "report.return" audit rows), which every return
    # counts up (two within one second too) and asking again of the same return does not.
    again = ""
    if archived_unit is not None:
        returns = await audit.count(
            session, action=RETURN_ACTION, object_type="report", object_id=report.id
        )
        again = f":return{returns}"
    await notices.send(
        session,
        await notices.inspectors(session, settings),
        render,
        key=f"report:{report.id}:dispatch{again}",
        now=now,
        settings=settings,
    )


async def withdraw_dispatch_asks(
    session: AsyncSession, report: StreetReport, now: dt.datetime
) -> int:
    """The inspectors' requests to send `report` to a unit (the first, and one per return from
    an archived unit) not sent yet: dropped once it is decided (passed on, dismissed), as
    when an inspector passes it on at the moment archiving returns it. Every request is keyed
    under ``report:<id>:dispatch:``, so those queued for someone no longer an inspector go
    too, in one statement. How many."""
    return await outbox.withdraw_under(
        session, f"report:{report.id}:dispatch:", f":decided-{now:%Y%m%d%H%M%S%f}"
    )


def inspector_buttons(
    t: Translator, report: StreetReport
) -> list[list[tuple[str, OrderFromReport | ReportDismiss | ReportDispatchPage]]]:
    rows: list[list[tuple[str, Any]]] = []
    if report.status in UNDECIDED_REPORTS:
        if report.unit_id is not None:
            rows.append([(t("oversight.button.order_from_report"), OrderFromReport(report.id))])
        rows.append([(t("oversight.button.dispatch"), ReportDispatchPage(report.id, 0))])
        rows.append([(t("oversight.button.dismiss"), ReportDismiss(report.id))])
    return rows


# A notice to a reporter, given the number of their own report.
ReporterRender = Callable[[Translator, int], Message]


async def tell_reporters(
    session: AsyncSession,
    report: StreetReport,
    event: str,
    render: ReporterRender,
    now: dt.datetime,
    settings: Settings,
) -> int:
    """Tell the reporter, and everyone whose report was linked to it, about a change: each of
    their own report's number (one who filed both hears of this one, once)."""
    linked = await session.scalars(
        select(StreetReport)
        .where(StreetReport.duplicate_of_id == report.id)
        .order_by(StreetReport.id)
    )
    numbers: dict[int, tuple[int, Member]] = {report.reporter.id: (report.id, report.reporter)}
    for other in linked.unique():
        numbers.setdefault(other.reporter.id, (other.id, other.reporter))
    queued = 0
    for number in sorted({number for number, _ in numbers.values()}):
        members = [member for own, member in numbers.values() if own == number]
        queued += await notices.send(
            session,
            notices.people(members, settings),
            _of_report(render, number),
            key=f"report:{report.id}:{event}",
            now=now,
            settings=settings,
        )
    return queued


def _of_report(render: ReporterRender, number: int) -> notices.Render:
    return lambda t: render(t, number)


async def get(session: AsyncSession, report_id: int) -> StreetReport:
    report = await session.get(StreetReport, report_id)
    if report is None:
        raise DomainError(ErrorCode.REPORT_NOT_FOUND)
    return report


def may_see(actor: Actor, report: StreetReport) -> bool:
    """The reporter, inspectors and admins, and the coordinators of the unit it went to."""
    if actor.is_admin or Role.INSPECTOR in actor.roles:
        return True
    member = actor.member
    if member is None:
        return False
    if report.reporter_id == member.id:
        return True
    return (
        Role.COORDINATOR in actor.roles
        and report.unit_id is not None
        and report.unit_id == member.unit_id
    )


async def visible(session: AsyncSession, actor: Actor, report_id: int) -> StreetReport:
    report = await get(session, report_id)
    if not may_see(actor, report):
        raise DomainError(ErrorCode.REPORT_NOT_YOURS)
    return report


async def photos_of(session: AsyncSession, report: StreetReport) -> Sequence[str]:
    """The photos of the problem: a linked report shows those of the one it was linked to."""
    return await evidence.file_ids(session, report_id=report.duplicate_of_id or report.id)


async def photos_flagged(session: AsyncSession, report: StreetReport) -> int:
    """How many of `photos_of` were used before and let in flagged."""
    return await evidence.flagged(session, report_id=report.duplicate_of_id or report.id)
