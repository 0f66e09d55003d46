"""The database: schema, shared queries, migrations and the engine.

SQLite URLs (``sqlite+aiosqlite://``) are served by `bot.db.sqlite_driver`, which makes one call
to aiosqlite's thread per statement instead of four.
"""

from sqlalchemy.dialects import registry

registry.register("sqlite.aiosqlite", "bot.db.sqlite_driver", "OneHopSQLiteDialect")
