"""A report's queries keep to one server process on PostgreSQL (reports/figures.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from bot.db.engine import Database
from bot.services.reports import periods
from bot.services.reports.tally import compute
from tests.conftest import make_settings

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


async def test_a_reports_queries_take_no_parallel_workers(database: Database) -> None:
    if database.is_sqlite:
        pytest.skip("PostgreSQL only: SQLite has no parallel workers")
    settings = make_settings(database.url)
    show = text("SHOW max_parallel_workers_per_gather")
    async with database.read_session() as session:
        await compute(
            session,
            unit_id=None,
            period=periods.month_of(dt.date(2026, 11, 1)),
            now=NOW,
            settings=settings,
        )
        assert await session.scalar(show) == "0"
    # Only for the report's transaction: the next one has the server's setting again.
    async with database.read_session() as session:
        assert await session.scalar(show) != "0"
