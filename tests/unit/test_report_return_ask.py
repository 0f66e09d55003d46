"""A street report whose unit is archived goes back to the inspectors, who are asked to send
it again: once at every return, also two returns within one second, and once only when the
same return is asked of them again."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from bot.db.engine import Database
from bot.db.models import (
    Category,
    Member,
    MemberRole,
    OutboxMessage,
    OutboxStatus,
    ReportStatus,
    Role,
    StreetReport,
    Unit,
)
from bot.services.oversight import report_decisions, reports
from tests.conftest import make_settings
from tests.unit.statement_fixtures import statements

NOW = dt.datetime(2026, 12, 1, 2, 0, 0, 100_000, tzinfo=dt.UTC)


async def test_each_return_asks_the_inspectors_once(database: Database) -> None:
    settings = make_settings(database.url)
    async with database.session() as session:
        unit = Unit(name="城管局", created_at=NOW, require_swap_approval=False)
        session.add(unit)
        await session.flush()
        inspector = Member(telegram_id=7001, display_name="督查员", registered_at=NOW)
        session.add(inspector)
        await session.flush()
        session.add(MemberRole(member_id=inspector.id, role=Role.INSPECTOR))
        report = StreetReport(
            reporter_id=inspector.id,
            category=Category.PARKING,
            latitude=30.0,
            longitude=104.0,
            status=ReportStatus.ROUTED,
            unit_id=unit.id,
            created_at=NOW,
            updated_at=NOW,
        )
        session.add(report)
        await session.flush()

        async def asked() -> int:
            return int(
                await session.scalar(
                    select(func.count())
                    .select_from(OutboxMessage)
                    .where(OutboxMessage.chat_id == inspector.telegram_id)
                )
                or 0
            )

        returned = await report_decisions.return_to_queue(
            session, None, unit, NOW, settings, reason="unit.archive"
        )
        assert returned == 1 and await asked() == 1
        # Sent to the unit again and returned again 0.4 s later: asked again.
        report.status, report.unit_id = ReportStatus.ROUTED, unit.id
        await session.flush()
        later = NOW + dt.timedelta(milliseconds=400)
        await report_decisions.return_to_queue(
            session, None, unit, later, settings, reason="unit.archive"
        )
        assert await asked() == 2
        # The same return asked of them once more (a retried step): not asked twice.
        await reports.ask_dispatch(session, report, later, settings, archived_unit=unit.name)
        assert await asked() == 2


async def test_every_ask_is_withdrawn_in_one_statement_once_decided(database: Database) -> None:
    """The first ask and those of two returns, to the inspector, the admin and an inspector who
    is no longer one: all withdrawn when the report is decided, in one statement; another
    report's ask stays."""
    settings = make_settings(database.url)
    async with database.session() as session:
        unit = Unit(name="城管局", created_at=NOW, require_swap_approval=False)
        session.add(unit)
        await session.flush()
        inspectors = [
            Member(telegram_id=7001 + n, display_name=name, registered_at=NOW)
            for n, name in enumerate(("督查员", "前督查员"))
        ]
        session.add_all(inspectors)
        await session.flush()
        roles = [MemberRole(member_id=one.id, role=Role.INSPECTOR) for one in inspectors]
        session.add_all(roles)
        report = StreetReport(
            reporter_id=inspectors[0].id,
            category=Category.PARKING,
            latitude=30.0,
            longitude=104.0,
            status=ReportStatus.NEW,
            created_at=NOW,
            updated_at=NOW,
        )
        other = StreetReport(
            reporter_id=inspectors[0].id,
            category=Category.PARKING,
            latitude=30.0,
            longitude=104.0,
            status=ReportStatus.NEW,
            created_at=NOW,
            updated_at=NOW,
        )
        session.add_all([report, other])
        await session.flush()
        await reports.ask_dispatch(session, report, NOW, settings)
        await reports.ask_dispatch(session, other, NOW, settings)
        for n in range(2):
            report.status, report.unit_id = ReportStatus.ROUTED, unit.id
            await session.flush()
            later = NOW + dt.timedelta(seconds=n + 1)
            await report_decisions.return_to_queue(
                session, None, unit, later, settings, reason="unit.archive"
            )
        await session.delete(roles[1])
        await session.flush()

        async def waiting() -> int:
            return int(
                await session.scalar(
                    select(func.count())
                    .select_from(OutboxMessage)
                    .where(OutboxMessage.status == OutboxStatus.PENDING)
                )
                or 0
            )

        assert await waiting() == 9 + 3
        async with statements(database) as sent:
            withdrawn = await reports.withdraw_dispatch_asks(session, report, NOW)
        assert (withdrawn, await waiting()) == (9, 3)
        assert len(sent) == 1, sent
