"""Which process sends the outbox when several share one PostgreSQL database (issue 5).

Telegram's limits are per bot token, not per process: two senders with a pacer each would
together send twice the allowed rate, and one chat's messages could leave from both at once, out
of order. So only one process sends: the one holding a session-level advisory lock on a
connection of its own. The others stand by and try again every few seconds. PostgreSQL releases
the lock when that connection ends, so a leader that crashes or is killed hands over by itself.

On SQLite there is nothing to share: one process is the rule (bot/db/process_lock.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, create_async_engine
from sqlalchemy.pool import NullPool

from bot.db.engine import APPLICATION_NAME_MAX, Database
from bot.db.processes import advisory_lock_holder

log = logging.getLogger(__name__)

# "dutybot" in ASCII: a fixed 64-bit key that no other advisory lock of the database uses.
SENDER_LOCK_KEY = int.from_bytes(b"dutybot", "big")
# A check of the lock connection that hangs (server gone, network cut) counts as lost.
CHECK_TIMEOUT_SECONDS = 5.0
# The server notices a leader whose machine vanished (no FIN, no RST) through TCP keepalives:
# about 25 s with these instead of the kernel's default two hours, after which the lock is free.
KEEPALIVES = {
    "tcp_keepalives_idle": "10",
    "tcp_keepalives_interval": "5",
    "tcp_keepalives_count": "3",
}


class Leadership:
    """One process's claim to lead. `hold()` before each pass: it takes the lead when it is
    free and, once taken, checks that it is still held."""

    def __init__(self, database_url: str, name: str, *, key: int = SENDER_LOCK_KEY) -> None:
        self.name = name
        self.key = key
        # A pool of its own without pooling: a session lock lives as long as its connection,
        # so that connection must never go back to a pool (which would keep the lock held by a
        # connection nobody watches) and must really close on release.
        self._engine = create_async_engine(
            database_url,
            poolclass=NullPool,
            hide_parameters=True,
            connect_args={
                "server_settings": {"application_name": name[:APPLICATION_NAME_MAX], **KEEPALIVES}
            },
        )
        self._connection: AsyncConnection | None = None
        self._leading = False

    @property
    def leading(self) -> bool:
        return self._leading

    async def hold(self) -> bool:
        """True while this process leads. A failure of the lock connection loses the lead
        (the server may already have released the lock) and is retried by the next call."""
        try:
            async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
                connection = await self._connect()
                if self._leading:
                    # The lock lives as long as the session: a session that still answers
                    # still holds it.
                    await connection.execute(text("SELECT 1"))
                    return True
                taken = await connection.scalar(
                    text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}
                )
        except (OSError, SQLAlchemyError, TimeoutError) as error:
            if self._leading:
                log.warning("%s lost the lead of the outbox sender: %s", self.name, error)
            else:
                log.warning("%s cannot try for the lead: %s", self.name, error)
            await self._close()
            return False
        if taken:
            self._leading = True
            log.info("%s leads the outbox sender", self.name)
        return self._leading

    async def release(self) -> None:
        """Give up the lead (or stop standing by): closing the connection frees the lock."""
        if self._leading:
            log.info("%s hands over the lead of the outbox sender", self.name)
        await self._close()
        await self._engine.dispose()

    async def _connect(self) -> AsyncConnection:
        if self._connection is None:
            connection = await self._engine.connect()
            # No transaction stays open on a connection held for hours.
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            self._connection = connection
        return self._connection

    async def _close(self) -> None:
        connection, self._connection, self._leading = self._connection, None, False
        if connection is not None:
            # A broken connection may fail to close politely; it is gone either way.
            with contextlib.suppress(Exception):
                await connection.invalidate()
            with contextlib.suppress(Exception):
                await connection.close()


def sender_leadership(database: Database, name: str) -> Leadership | None:
    """The leadership of the outbox sender on PostgreSQL; None on SQLite, where the one
    process always sends."""
    if database.is_sqlite:
        return None
    return Leadership(database.url, name)


async def current_leader(session: AsyncSession, key: int = SENDER_LOCK_KEY) -> str | None:
    """The name of the process that leads now (None: none, or not PostgreSQL)."""
    if session.bind is None or session.bind.dialect.name != "postgresql":
        return None
    return await advisory_lock_holder(session, key)
