"""Engine and session factory for SQLite (aiosqlite) and PostgreSQL (asyncpg).

Two kinds of transaction. `session()` writes: on SQLite it takes the write lock up front
(BEGIN IMMEDIATE), so it must stay short; its statements run on the event loop's thread over the
process's one write connection (`_InlineConnection`), so a long statement in it holds up the
loop too. Only another process writing (a CLI command beside the bot) makes it wait for the lock,
up to the busy timeout. `read_session()` only reads, from one consistent
snapshot, and never holds the write lock (DESIGN "Storage"): on SQLite it runs on connections
of their own that cannot write (`query_only`) in deferred transactions, which WAL lets read
while another connection writes; on PostgreSQL it is a READ ONLY, REPEATABLE READ transaction.
A report of a month is read this way, so it never makes a check-in wait.
"""

from __future__ import annotations

import os
import socket
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from typing import Any, TypeAlias

import aiosqlite
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.db.sqlite_driver import OneHopSQLiteDialect

# One transaction's unit of work, as the layers above the services hold it (a turn hands it
# to every service it calls) without depending on SQLAlchemy themselves.
DbSession: TypeAlias = AsyncSession

# PostgreSQL shows at most this much of a connection's application_name (NAMEDATALEN - 1).
APPLICATION_NAME_MAX = 63


def process_name() -> str:
    """This process, as other processes see it: host and pid. On PostgreSQL its connections
    carry it as their application_name, so a process can tell whether another one still runs."""
    return f"{socket.gethostname()}:{os.getpid()}"[:APPLICATION_NAME_MAX]


class _InlineConnection(aiosqlite.Connection):
    """An aiosqlite connection that runs its statements on the event loop's own thread.

    A write on SQLite takes tens of microseconds, less than the two thread switches aiosqlite
    spends on each statement; with every write of the process queued for one such connection
    (the write engine's pool holds one), a statement never waits for SQLite's lock held by
    another of ours, so the loop is never blocked by a wait. aiosqlite's thread still opens and
    closes the connection.
    """

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        return fn(*args, **kwargs)


def _connect_inline(database: str, **options: Any) -> _InlineConnection:
    options["check_same_thread"] = False  # opened on aiosqlite's thread, used on the loop's
    connection = _InlineConnection(partial(sqlite3.connect, database, **options), 64)
    connection._thread.daemon = True
    return connection


def _prepare_sqlite(engine: AsyncEngine, *, read_only: bool = False) -> None:
    if not read_only:

        @event.listens_for(engine.sync_engine, "do_connect")
        def _inline(_dialect: Any, _record: Any, _args: Any, options: dict[str, Any]) -> None:
            options["async_creator_fn"] = _connect_inline

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Autocommit at the driver level so the dialect's begin statement (set below) decides how a
        # transaction starts.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        if read_only:
            cursor.execute("PRAGMA query_only=ON")
        cursor.close()

    dialect = engine.dialect
    assert isinstance(dialect, OneHopSQLiteDialect), "bot.db registers the SQLite dialect"
    # IMMEDIATE takes the write lock up front: a deferred transaction that later wants to
    # write fails at once with SQLITE_BUSY in WAL mode instead of waiting its turn. A read
    # never wants to write, and its deferred transaction reads one snapshot from its first
    # statement to its end.
    dialect.begin_statement = "BEGIN" if read_only else "BEGIN IMMEDIATE"


# Connections of one process to PostgreSQL (several processes may share the server's 100).
POSTGRES_POOL_SIZE = 20


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """The engine of `url`. Its errors (and its echo) show a statement without its values
    (``hide_parameters``): a failure is logged with its traceback, and the values are what people
    sent, a phone number, a position, a reason."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        # One connection: SQLite has one writer at a time anyway, and writers of this process
        # wait their turn here, without blocking the loop (see _InlineConnection).
        engine = create_async_engine(
            url, echo=echo, pool_size=1, max_overflow=0, pool_timeout=60, hide_parameters=True
        )
        _prepare_sqlite(engine)
        return engine
    # No overflow: a burst wants more connections at once than the pool holds (64 updates in
    # flight), and an overflow connection is closed whenever it comes back to a full pool, which
    # under asyncio happens while others still wait: a check-in burst of 600 updates opened 41
    # connections and closed 22 again, each new one paying its connect and its statements'
    # preparation; without them the burst runs about a fifth faster. Sessions beyond the pool
    # wait their turn, as SQLite's writers do. No task may hold two of its connections at once
    # (the sender's leadership lock has an engine of its own).
    return create_async_engine(
        url,
        echo=echo,
        pool_size=POSTGRES_POOL_SIZE,
        max_overflow=0,
        pool_pre_ping=True,
        pool_timeout=60,
        hide_parameters=True,
        connect_args={"server_settings": {"application_name": process_name()}},
    )


def create_read_engine(url: str, engine: AsyncEngine, *, echo: bool = False) -> AsyncEngine:
    """The engine of read-only transactions beside `engine` (see the module's note)."""
    if engine.dialect.name != "sqlite":
        return engine.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
    if make_url(url).database in (None, "", ":memory:"):
        return engine  # an in-memory database exists on its own connections only
    reader = create_async_engine(
        url, echo=echo, pool_size=8, max_overflow=0, pool_timeout=60, hide_parameters=True
    )
    _prepare_sqlite(reader, read_only=True)
    return reader


class Database:
    """Owns the engine; hands out sessions, one unit of work each."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.engine = create_engine(url, echo=echo)
        self.read_engine = create_read_engine(url, self.engine, echo=echo)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._reads = async_sessionmaker(self.read_engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A transaction: committed when the block ends, rolled back if it raises."""
        if not self.is_sqlite:
            async with self._sessions() as session, session.begin():
                yield session
            return
        # SQLite's write connection runs on the loop's own thread (_InlineConnection): its
        # commit, rollback and close never wait, so nothing here can be cancelled halfway.
        # SQLAlchemy's context managers guard against that by closing in a task of their own
        # and starting the transaction in a call of its own, which cost a fifth of a short
        # transaction; here the first statement begins it, as the session does by itself.
        session = self._sessions()
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise
        finally:
            await session.close()

    async def let_others_write(self, session: AsyncSession) -> None:
        """Before a long wait in a write transaction that has written nothing yet (a file read
        in the offload worker): on SQLite, end the transaction so far, so that the process's one
        write connection, which every other update needs to be recorded, is not held through
        the wait; the session begins a new one at its next statement and keeps its objects
        (expire_on_commit is off). On PostgreSQL each session has a connection of its own and
        nothing is done."""
        if self.is_sqlite:
            await session.commit()

    @asynccontextmanager
    async def read_session(self) -> AsyncIterator[AsyncSession]:
        """A read-only transaction on one consistent snapshot that never holds SQLite's write
        lock; a write in it fails."""
        async with self._reads() as session, session.begin():
            yield session

    async def dispose(self) -> None:
        if self.read_engine.pool is not self.engine.pool:
            await self.read_engine.dispose()
        await self.engine.dispose()
