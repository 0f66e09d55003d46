"""PostgreSQL's ping of one round trip (bot/db/postgres_driver.py): a connection the server
dropped is still found out and replaced when it is handed out. Runs on PostgreSQL only."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from bot.db.engine import Database
from bot.db.postgres_driver import OneTripPingDialect


async def test_a_connection_the_server_dropped_is_replaced(database: Database) -> None:
    if database.is_sqlite:
        pytest.skip("PostgreSQL only")
    assert isinstance(database.engine.dialect, OneTripPingDialect)
    async with database.session() as session:
        pid = await session.scalar(text("SELECT pg_backend_pid()"))
    # The pool keeps that connection; the server ends its backend behind the pool's back.
    other = Database(database.url)
    try:
        async with other.session() as session:
            assert await session.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        await other.dispose()
    async with database.session() as session:
        assert await session.scalar(text("SELECT pg_backend_pid()")) != pid
        assert await session.scalar(text("SELECT 1")) == 1
