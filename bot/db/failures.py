"""A database that cannot be used, explained in one line (start-up failures are one line, not a
traceback): the SQLite file is damaged or cannot be opened, or PostgreSQL cannot be reached."""

from __future__ import annotations

import re

from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    DBAPIError,
    DisconnectionError,
    InterfaceError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.db.process_lock import sqlite_path


def reason(error: BaseException) -> str:
    """The database's own words, first line."""
    return _reason(error)


def _reason(error: BaseException) -> str:
    original = error.orig if isinstance(error, DBAPIError) else error
    text = (
        str(original).strip().splitlines()[0] if str(original).strip() else type(original).__name__
    )
    return text.removeprefix("(sqlite3.DatabaseError) ").removeprefix("(sqlite3.OperationalError) ")


def _is_database_error(error: BaseException) -> bool:
    if isinstance(error, DBAPIError | ConnectionError | TimeoutError):
        return True
    # asyncpg raises OSError (refused, no such host) and its own errors (no such database,
    # wrong password) on connect, not always wrapped by SQLAlchemy.
    return isinstance(error, OSError) or type(error).__module__.startswith("asyncpg")


# asyncpg's own errors that mean no usable connection (not a bad statement or a constraint),
# by name along the class's ancestry: asyncpg ships no type information to import them by.
_ASYNCPG_UNREACHABLE = frozenset(
    {
        "PostgresConnectionError",
        "ConnectionDoesNotExistError",
        "CannotConnectNowError",
        "TooManyConnectionsError",
        "InterfaceError",
        "AdminShutdownError",
        "CrashShutdownError",
    }
)


_SQLITE_BUG = re.compile(
    r"^(no such (table|column|function)|near \"|.*syntax error|.*has no column)"
)


def _asyncpg_unreachable(error: BaseException | None) -> bool:
    return error is not None and any(
        kind.__module__.startswith("asyncpg") and kind.__name__ in _ASYNCPG_UNREACHABLE
        for kind in type(error).__mro__
    )


def unavailable(error: BaseException) -> bool:
    """Whether `error` says the database cannot be used right now (down, unreachable,
    restarting, no connection free in time) rather than that the code or its input is wrong:
    a constraint, a bad statement or a misused session is a bug to see, not an outage."""
    if isinstance(error, OperationalError) and _SQLITE_BUG.search(str(error.orig)):
        return False  # sqlite3 raises OperationalError for a bad statement too
    if isinstance(error, OperationalError | InterfaceError | DisconnectionError | PoolTimeout):
        return True
    if isinstance(error, DBAPIError):
        # The asyncpg dialect wraps asyncpg's error in an adapter: the asyncpg class is its cause.
        cause = error.orig.__cause__ if error.orig is not None else None
        return (
            bool(error.connection_invalidated)
            or _asyncpg_unreachable(error.orig)
            or _asyncpg_unreachable(cause)
        )
    if isinstance(error, SQLAlchemyError):
        return False
    return isinstance(error, ConnectionError | TimeoutError | OSError) or _asyncpg_unreachable(
        error
    )


def summary(error: BaseException) -> str:
    """The error's type and first line, for one line of the log (not the SQL that follows)."""
    return f"{type(error).__name__}: {next(iter(str(error).strip().splitlines()), '')}"


def where(database_url: str) -> str:
    """The database for a line an operator reads: the SQLite file, or PostgreSQL's host, port
    and database, never the URL with its password."""
    path = sqlite_path(database_url)
    if path is not None:
        return str(path)
    url = make_url(database_url)
    if url.drivername.startswith("sqlite"):
        return "in memory"
    return f"{url.host or 'localhost'}:{url.port or 5432}/{url.database or ''}"


def explain(database_url: str, error: BaseException) -> str | None:
    """One line saying what is wrong with the database and what to do; None when `error` is
    not a failure to use the database."""
    if not _is_database_error(error):
        return None
    reason = _reason(error)
    path = sqlite_path(database_url)
    if path is not None:
        if "not a database" in reason or "malformed" in reason:
            return (
                f"the database {path} is damaged or not a SQLite database ({reason}): restore "
                "it from a backup, or move it away to start with an empty one"
            )
        return (
            f"cannot use the SQLite database {path} ({reason}): check that the file and its "
            "folder can be read and written, or set DATABASE_URL"
        )
    return (
        f"cannot connect to PostgreSQL at {where(database_url)} ({reason}): is it running, and "
        "are the host, port, user and database in DATABASE_URL right?"
    )
