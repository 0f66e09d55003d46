"""PostgreSQL through asyncpg, with a ping of one round trip.

The engine pings every connection it hands out (``pool_pre_ping``), so that a connection the
server dropped is replaced rather than failing the update that drew it. SQLAlchemy's asyncpg
adapter pings in three round trips (BEGIN, a prepared ``;``, ROLLBACK: the transaction is there
for pgbouncer's transaction mode, where a prepared statement outside one may meet another
server connection). Answering /help draws four connections, so twelve of its 25 round trips to
the server were pings; each waits for the server's process to get a CPU, which on a busy
machine is what an unrelated chat waits for while a report is built.

Here the ping is one simple-protocol ``SELECT 1``: one round trip, no prepared statement (so
pgbouncer's transaction mode is no concern), and a dead connection is reported as the adapter
reports it, so that the pool replaces it as before. The URL stays ``postgresql+asyncpg://``;
`bot.db` registers this dialect under that name.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg
from sqlalchemy.util.concurrency import await_


class OneTripPingDialect(PGDialect_asyncpg):
    supports_statement_cache = True

    def do_ping(self, dbapi_connection: Any) -> bool:
        try:
            await_(dbapi_connection._connection.execute("SELECT 1"))
        except Exception as error:
            dbapi_connection._handle_exception(error)
        return True


dialect = OneTripPingDialect
