"""The tests' `ReusedDatabases` hands a database on only as the test before found it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from bot.db.engine import Database
from tests.databases import ReusedDatabases


def _record(*_args: Any) -> None:
    pass


async def test_a_database_left_as_found_is_handed_on(database: Database) -> None:
    reused = ReusedDatabases()
    first, baseline = reused.take(database.url)
    await reused.give_back(first, baseline)
    assert reused.take(database.url)[0] is first


async def test_a_listener_left_on_the_engine_of_reads_is_not_handed_on(
    database: Database,
) -> None:
    """On PostgreSQL the engine of reads is the engine with read-only options, whose listeners
    are its own: one left there would fire in the next test."""
    reused = ReusedDatabases()
    first, baseline = reused.take(database.url)
    event.listen(first.read_engine.sync_engine, "before_cursor_execute", _record)
    await reused.give_back(first, baseline)
    second, _ = reused.take(database.url)
    assert second is not first
    await second.dispose()


async def test_a_listener_left_on_the_pool_is_not_handed_on(database: Database) -> None:
    reused = ReusedDatabases()
    first, baseline = reused.take(database.url)
    event.listen(first.engine.sync_engine.pool, "checkout", _record)
    await reused.give_back(first, baseline)
    second, _ = reused.take(database.url)
    assert second is not first
    await second.dispose()
