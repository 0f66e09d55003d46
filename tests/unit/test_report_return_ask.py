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
    ReportStatus,
    Role,
    StreetReport,
    Unit,
)
from bot.services.oversight import report_decisions, reports
from tests.conftest import make_settings

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
