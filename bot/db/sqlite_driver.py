"""SQLite through aiosqlite in one thread hop per statement.

aiosqlite runs each connection in a thread of its own: every call is handed to that thread and
its result handed back to the event loop, two wake-ups of two threads. SQLAlchemy's adapter
makes four such calls for one statement (open a cursor, execute, fetch the rows, close the
cursor) and one more to roll back a connection returned to the pool after its transaction was
committed, so answering /help took 37 of them. On a busy machine every wake-up waits for a CPU,
and it is these waits, not the work, that make an unrelated chat wait while a report is built.

Here a statement is one call: the thread opens the cursor, executes, fetches every row and
closes the cursor at once (the adapter read them all at once before too, it never streams unless
asked for a server-side cursor, which is left as it was), and a connection that is not inside a
transaction is not rolled back (SQLite has nothing to roll back then: the driver itself would
skip the ROLLBACK). The URL, the library and the connections stay the same
(``sqlite+aiosqlite://``); `bot.db` registers this dialect under that name. The write
engine's one connection runs its calls on the event loop's own thread (`bot.db.engine`), so
there the one call is a plain function call; the read engine's connections hand it to their
thread.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
    SQLiteDialect_aiosqlite,
)
from sqlalchemy.util.concurrency import await_

Description = tuple[tuple[Any, ...], ...] | None
Outcome = tuple[Description, int, int | None, list[Any]]


def _run(connection: sqlite3.Connection, operation: str, parameters: Any, many: bool) -> Outcome:
    """In the connection's thread: the whole statement, rows and all."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


class OneHopCursor(AsyncAdapt_aiosqlite_cursor):
    """A buffered cursor whose statement is one call to the connection's thread."""

    __slots__ = ("_arraysize", "_description", "_lastrowid", "_rowcount")
    _awaitable_cursor_close = False

    def __init__(self, adapt_connection: AsyncAdapt_aiosqlite_connection) -> None:
        # No cursor is opened here (that was a call of its own): `_run` opens one per statement.
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._rows = deque()
        self._description: Description = None
        self._rowcount = -1
        self._lastrowid: int | None = None
        self._arraysize = 1

    @property
    def description(self) -> Description:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> Any:
        return self._lastrowid

    @property
    def arraysize(self) -> int:
        return self._arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._arraysize = value

    async def _async_soft_close(self) -> None:
        return None

    def close(self) -> None:
        self._rows.clear()

    def _call(self, operation: Any, parameters: Any, *, many: bool) -> None:
        connection = self._connection
        outcome: Outcome = await_(
            connection._execute(_run, connection._conn, operation, parameters, many)
        )
        self._description, self._rowcount, self._lastrowid, rows = outcome
        self._rows = deque(rows)

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        try:
            self._call(operation, parameters, many=False)
        except Exception as error:
            self._adapt_connection._handle_exception(error)

    def executemany(self, operation: Any, seq_of_parameters: Sequence[Any]) -> Any:
        try:
            self._call(operation, seq_of_parameters, many=True)
        except Exception as error:
            self._adapt_connection._handle_exception(error)


class OneHopConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = OneHopCursor  # type: ignore[assignment]

    def _in_transaction(self) -> bool:
        driver = self._connection._connection
        return driver is not None and driver.in_transaction

    def rollback(self) -> None:
        # Returned to the pool after a commit: nothing to roll back, no call to make.
        if self._in_transaction():
            super().rollback()


class OneHopDBAPI(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> OneHopConnection:
        adapted = super().connect(*arg, **kw)
        return OneHopConnection(self, adapted._connection)


class OneHopSQLiteDialect(SQLiteDialect_aiosqlite):
    supports_statement_cache = True
    # How a transaction starts; the write engine's take SQLite's write lock up front
    # (bot/db/engine.py sets it). The driver itself is in autocommit mode, so this decides.
    begin_statement = "BEGIN"

    def do_begin(self, dbapi_connection: Any) -> None:
        # Straight to the cursor: as a statement of SQLAlchemy's own (exec_driver_sql in a
        # "begin" event, as its documentation shows) the BEGIN cost as much as a query.
        dbapi_connection.cursor().execute(self.begin_statement)

    @classmethod
    def import_dbapi(cls) -> OneHopDBAPI:
        return OneHopDBAPI(__import__("aiosqlite"), __import__("sqlite3"))


dialect = OneHopSQLiteDialect
