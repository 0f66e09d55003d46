"""PostgreSQL's connection pool under a burst (bot/db/engine.py): more sessions at once than
the pool holds wait their turn for a pooled connection; none is opened beside the pool and
closed again. Runs on PostgreSQL only."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import event, text

from bot.db.engine import Database


async def test_a_burst_of_sessions_reuses_the_pooled_connections(database: Database) -> None:
    if database.is_sqlite:
        pytest.skip("PostgreSQL only")
    pool = database.engine.sync_engine.pool
    size = pool.size()  # type: ignore[attr-defined]
    opened: list[int] = []
    closed: list[int] = []

    def on_connect(*_args: Any) -> None:
        opened.append(1)

    def on_close(*_args: Any) -> None:
        closed.append(1)

    event.listen(database.engine.sync_engine, "connect", on_connect)
    event.listen(pool, "close", on_close)

    async def turn() -> None:
        async with database.session() as session:
            await session.execute(text("SELECT pg_sleep(0.005)"))
        async with database.read_session() as session:
            await session.execute(text("SELECT 1"))

    try:
        # Three times as many at once as the pool holds, twice over.
        for _ in range(2):
            await asyncio.gather(*(turn() for _ in range(3 * size)))
    finally:
        event.remove(database.engine.sync_engine, "connect", on_connect)
        event.remove(pool, "close", on_close)
    assert len(opened) <= size
    assert closed == []
    assert pool.checkedout() == 0  # type: ignore[attr-defined]
