"""The due jobs that look for what is still running read the indexes of the running rows, so a
steady tick does not grow with the history (bench/tick.py --rota-weeks 52: 1.5 s on SQLite
before they did). Asserted on SQLite's plans for a database without statistics, as a live bot's
is (it never runs ANALYZE); PostgreSQL chooses by its statistics, which an empty database lacks.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.engine import Database
from bot.services.duty import jobs, reminders
from bot.services.rostering import acknowledge
from bot.settings import Settings
from tests.conftest import START, make_settings

Job = Callable[[AsyncSession, Any, Settings], Awaitable[int]]


async def plans_of(database: Database, job: Job) -> list[str]:
    """SQLite's plan of every SELECT the job sends, one string each."""
    sent: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            sent.append((statement, parameters))

    event.listen(database.engine.sync_engine, "before_cursor_execute", record)
    try:
        async with database.session() as session:
            await job(session, START, make_settings(database.url))
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", record)
    plans = []
    async with database.engine.connect() as connection:
        for statement, parameters in sent:
            rows = await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            plans.append(" / ".join(str(row[-1]) for row in rows))
    return plans


@pytest.mark.parametrize(
    ("job", "index"),
    [
        (jobs.mark_absent, "ix_assignments_signed_up"),
        (jobs.auto_checkout, "ix_checkins_open"),
        (jobs.checkout_reminders, "ix_checkins_open"),
        (jobs.left_post_alerts, "ix_checkins_open"),
        (acknowledge.reminders, "ix_rotas_last_day"),
        # The reminders around a shift's start read their window of start times, not every
        # seat held (the partial index above would give them all upcoming seats).
        (reminders.checkin_open, "ix_shifts_starts_at"),
        (reminders.late_nudges, "ix_shifts_starts_at"),
    ],
    ids=[
        "mark_absent",
        "auto_checkout",
        "checkout_reminders",
        "left_post_alerts",
        "ack",
        "checkin_open",
        "late",
    ],
)
async def test_a_job_watching_running_rows_reads_their_index(
    database: Database, job: Job, index: str
) -> None:
    if database.engine.dialect.name != "sqlite":
        pytest.skip("the plans asserted are SQLite's without statistics")
    plans = await plans_of(database, job)
    assert plans, "the job sent no SELECT"
    assert index in plans[0], plans[0]
