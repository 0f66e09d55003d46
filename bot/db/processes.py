"""The processes connected to this database, as PostgreSQL's pg_stat_activity shows them: by the
application_name each gives its connections (bot/db/engine.py's process_name; the outbox
sender's leadership connection, bot/db/leadership.py, likewise). PostgreSQL only: on SQLite one
process is the rule (bot/db/process_lock.py), so callers do not ask.

One query for both who asks: the inbox's sweep, which workers still live (a row a live worker
took up is left to it), and the outbox's figures, which process leads the sender."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

# The application names of the connections to this database.
_CONNECTED = (
    "SELECT a.application_name FROM pg_stat_activity a WHERE a.datname = current_database()"
)


async def connected_names(session: AsyncSession) -> set[str]:
    """The names of the processes connected to this database now."""
    return set(await session.scalars(text(_CONNECTED)))


async def advisory_lock_holder(session: AsyncSession, key: int) -> str | None:
    """The name of the process that holds the session-level advisory lock `key` in this
    database now, if any."""
    # A bigint advisory key shows in pg_locks split in two 32-bit halves, with objsubid 1.
    name: str | None = await session.scalar(
        text(
            _CONNECTED + " AND a.pid IN (SELECT l.pid FROM pg_locks l"
            " WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1"
            " AND l.classid = :high AND l.objid = :low"
            " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()))"
        ),
        {"high": key >> 32, "low": key & 0xFFFFFFFF},
    )
    return name
