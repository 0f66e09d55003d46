"""SQLite through aiosqlite in one call to the connection's thread per statement
(bot/db/sqlite_driver.py): the same results as before, in fewer calls."""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiosqlite.core
import pytest
from sqlalchemy import CursorResult, text
from sqlalchemy.exc import IntegrityError

from bot.db.engine import Database
from bot.db.sqlite_driver import OneHopSQLiteDialect


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter[str]]:
    """The calls handed to aiosqlite's connection threads, by the name of what they run."""
    seen: Counter[str] = Counter()
    original = aiosqlite.core.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        seen[getattr(fn, "__name__", repr(fn))] += 1
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.core.Connection, "_execute", counted)
    yield seen


@pytest.fixture
async def sqlite(tmp_path: Path) -> Any:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'driver.db'}")
    async with database.session() as session:
        await session.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE)"))
    yield database
    await database.dispose()


async def test_sqlite_urls_get_the_one_hop_dialect(sqlite: Database) -> None:
    assert isinstance(sqlite.engine.dialect, OneHopSQLiteDialect)
    assert isinstance(sqlite.read_engine.dialect, OneHopSQLiteDialect)
    assert sqlite.engine.dialect.driver == "aiosqlite"


async def test_statements_give_what_the_driver_gives(sqlite: Database) -> None:
    async with sqlite.session() as session:
        inserted = await session.execute(
            text("INSERT INTO t (name) VALUES (:a), (:b) RETURNING id, name"),
            {"a": "甲", "b": "乙"},
        )
        assert sorted(inserted.all()) == [(1, "甲"), (2, "乙")]
        many = await session.execute(
            text("INSERT INTO t (name) VALUES (:name)"), [{"name": "丙"}, {"name": "丁"}]
        )
        assert isinstance(many, CursorResult)
        assert many.rowcount == 2
        single = await session.execute(text("INSERT INTO t (name) VALUES ('戊')"))
        assert isinstance(single, CursorResult)
        assert single.lastrowid == 5
        updated = await session.execute(text("UPDATE t SET name = name || '!' WHERE id > 3"))
        assert isinstance(updated, CursorResult)
        assert updated.rowcount == 2
    async with sqlite.read_session() as session:
        rows = await session.execute(text("SELECT id, name FROM t ORDER BY id"))
        assert list(rows.keys()) == ["id", "name"]
        assert rows.all() == [(1, "甲"), (2, "乙"), (3, "丙"), (4, "丁!"), (5, "戊!")]
        assert (await session.execute(text("SELECT name FROM t WHERE id = 99"))).first() is None


async def test_a_failed_statement_raises_and_rolls_back(sqlite: Database) -> None:
    with pytest.raises(IntegrityError):
        async with sqlite.session() as session:
            await session.execute(text("INSERT INTO t (name) VALUES ('甲')"))
            await session.execute(text("INSERT INTO t (name) VALUES ('甲')"))
    async with sqlite.session() as session:
        assert await session.scalar(text("SELECT count(*) FROM t")) == 0


async def test_a_statement_is_one_call_and_a_committed_connection_is_not_rolled_back(
    sqlite: Database, calls: Counter[str]
) -> None:
    async with sqlite.read_session() as session:
        await session.execute(text("SELECT 1"))  # the read engine's connection, once
    calls.clear()
    async with sqlite.session() as session:
        await session.execute(text("INSERT INTO t (name) VALUES ('甲')"))
        await session.execute(text("SELECT name FROM t"))
    # Writes run on the loop's own thread (bot/db/engine.py): nothing is handed to a thread.
    assert calls == Counter()
    async with sqlite.read_session() as session:
        assert await session.scalar(text("SELECT count(*) FROM t")) == 1
    # BEGIN and the select one call each, then the commit; no rollback when returned.
    assert calls == Counter({"_run": 2, "commit": 1})


async def test_a_transaction_left_open_is_rolled_back_when_returned(
    sqlite: Database, calls: Counter[str]
) -> None:
    async with sqlite.engine.connect() as connection:
        await connection.execute(text("INSERT INTO t (name) VALUES ('甲')"))
        # Closed without a commit: the pool rolls it back.
    async with sqlite.read_engine.connect() as connection:
        await connection.execute(text("SELECT count(*) FROM t"))
    assert calls["rollback"] == 1
    async with sqlite.read_session() as session:
        assert await session.scalar(text("SELECT count(*) FROM t")) == 0


async def test_a_write_transaction_holds_the_write_lock_from_its_start_and_a_read_does_not(
    sqlite: Database, tmp_path: Path
) -> None:
    other = sqlite3.connect(tmp_path / "driver.db", timeout=0, isolation_level=None)
    try:
        async with sqlite.session() as session:
            # Only a read so far, yet another writer is refused at once (BEGIN IMMEDIATE).
            await session.execute(text("SELECT count(*) FROM t"))
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        async with sqlite.read_session() as session:
            await session.execute(text("SELECT count(*) FROM t"))
            # A read-only transaction (plain BEGIN, deferred) leaves the write lock free.
            other.execute("BEGIN IMMEDIATE")
            other.execute("INSERT INTO t (name) VALUES ('戊')")
            other.execute("COMMIT")
    finally:
        other.close()
    dialect = sqlite.engine.dialect
    assert isinstance(dialect, OneHopSQLiteDialect)
    assert dialect.begin_statement == "BEGIN IMMEDIATE"
