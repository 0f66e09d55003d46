"""The due jobs that look for what is still running read the indexes of the running rows, so a
steady tick does not grow with the history (bench/tick.py --rota-weeks 52: 1.5 s on SQLite
before they did). Asserted on SQLite's plans for a database without statistics, as a live bot's
is (it never runs ANALYZE), and with the statistics ANALYZE gave for the city of that benchmark;
PostgreSQL chooses by statistics of its own, which these small databases do not have.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.engine import Database
from bot.services.duty import jobs, reminders
from bot.services.rostering import acknowledge, leave
from bot.services.swaps import jobs as swap_jobs
from bot.settings import Settings
from tests.conftest import START, make_settings

Job = Callable[[AsyncSession, Any, Settings], Awaitable[int]]

# sqlite_stat1 after ANALYZE on bench/tick.py --rota-weeks 52: 742,000 shifts, 2,597,000 seats
# of which 25,000 still held (2,500 not acknowledged), 1,738,500 check-ins all checked out.
A_YEAR_OF_A_CITY = [
    ("assignments", "ix_assignments_member_id", "2597000 650"),
    ("assignments", "ix_assignments_rota_id", "2597000 1225"),
    ("assignments", "ix_assignments_shift_id", "2597000 4"),
    ("assignments", "ix_assignments_signed_up", "25000 3"),
    ("assignments", "ix_assignments_unacknowledged", "2500 63"),
    ("assignments", "sqlite_autoindex_assignments_1", "2597000 4 1"),
    ("checkins", "ix_checkins_photo_file_unique_id", "1738500 1738500"),
    ("checkins", "sqlite_autoindex_checkins_1", "1738500 1"),
    ("members", "ix_members_unit_id", "4000 100"),
    ("members", "sqlite_autoindex_members_1", "4000 1"),
    ("posts", "ix_posts_unit_id", "2000 50"),
    ("posts", "sqlite_autoindex_posts_1", "2000 50 1"),
    ("rotas", "ix_rotas_last_day", "2120 40"),
    ("rotas", "ix_rotas_unit_id", "2120 53"),
    ("shifts", "ix_shifts_post_id", "742000 371"),
    ("shifts", "ix_shifts_series_id", "742000 742000"),
    ("shifts", "ix_shifts_starts_at", "742000 167"),
    ("shifts", "sqlite_autoindex_shifts_1", "742000 371 1"),
    # Not measured there (its inbox was empty): two days of a busy bot's handled updates.
    ("inbox", "ix_inbox_done_at", "200000 2"),
    ("inbox", "ix_inbox_open", "200000 100000 1"),
]


async def give_statistics(database: Database, rows: list[tuple[str, str, str]]) -> None:
    """The planner reads sqlite_stat1 as if ANALYZE had written these rows."""
    async with database.engine.begin() as connection:
        await connection.exec_driver_sql("ANALYZE")
        await connection.exec_driver_sql("DELETE FROM sqlite_stat1")
        for row in rows:
            await connection.exec_driver_sql("INSERT INTO sqlite_stat1 VALUES (?, ?, ?)", row)
        await connection.exec_driver_sql("ANALYZE sqlite_schema")  # reload them


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
        (acknowledge.reminders, "ix_assignments_unacknowledged (rota_id=?)"),
        # The reminders around a shift's start read their window of start times, not every
        # seat held (the partial index above would give them all upcoming seats).
        (reminders.checkin_open, "ix_shifts_starts_at"),
        (reminders.late_nudges, "ix_shifts_starts_at"),
        # The swaps and leave waiting on a coordinator, and the swaps asked of a member who
        # blocked the bot: the few open rows through the index of statuses, not the history.
        (swap_jobs.void_orphans, "ix_swap_offers_status"),
        (swap_jobs.ask_admins_instead, "ix_swap_offers_status"),
        (leave.ask_admins_if_unread, "ix_leave_requests_status"),
    ],
    ids=[
        "mark_absent",
        "auto_checkout",
        "checkout_reminders",
        "left_post_alerts",
        "ack",
        "checkin_open",
        "late",
        "swap_orphans",
        "swap_admins",
        "leave_admins",
    ],
)
@pytest.mark.parametrize("statistics", ["none", "a year of a city"])
async def test_a_job_watching_running_rows_reads_their_index(
    database: Database, job: Job, index: str, statistics: str
) -> None:
    if database.engine.dialect.name != "sqlite":
        pytest.skip("the plans asserted are SQLite's")
    if statistics != "none":
        await give_statistics(database, A_YEAR_OF_A_CITY)
    plans = await plans_of(database, job)
    assert plans, "the job sent no SELECT"
    assert index in plans[0], plans[0]
    # The no-show asks, in its own statement, whose updates wait in the inbox: the few rows
    # not yet handled, through the index of open rows (not the two days of handled ones), and
    # their members through the unique index of Telegram ids.
    reads = [part for plan in plans for part in plan.split(" / ") if part.split()[1:2] == ["inbox"]]
    assert all(part == "SEARCH inbox USING INDEX ix_inbox_open (status=?)" for part in reads), reads
    if job is jobs.mark_absent:
        assert reads and "SEARCH members USING COVERING INDEX" in plans[0], plans[0]
        assert "(telegram_id=?)" in plans[0], plans[0]
