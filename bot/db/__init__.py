"""The database: schema, shared queries, migrations and the engine.

The URLs stay ``sqlite+aiosqlite://`` and ``postgresql+asyncpg://``, served by SQLAlchemy's
dialects with fewer calls on the way of every update: on SQLite one call per statement instead
of four (`bot.db.sqlite_driver`; to aiosqlite's thread for reads, on the loop's thread for
writes, see `bot.db.engine`), on PostgreSQL a ping of one round trip
instead of three (`bot.db.postgres_driver`).
"""

from sqlalchemy.dialects import registry

registry.register("sqlite.aiosqlite", "bot.db.sqlite_driver", "OneHopSQLiteDialect")
registry.register("postgresql.asyncpg", "bot.db.postgres_driver", "OneTripPingDialect")
