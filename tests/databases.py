"""Fresh databases for tests: SQLite by default, PostgreSQL when DUTYBOT_TEST_DATABASE_URL
names one (e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/test).

On PostgreSQL each test run works in a database of its own, created next to the named one and
dropped at the end, so that two runs on one server (CI and a developer) cannot collide. Where the
role may not create databases, the named database itself is reset and used.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import uuid
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.db.models import Base

ENV_VAR = "DUTYBOT_TEST_DATABASE_URL"


def postgres_url() -> str | None:
    url = os.environ.get(ENV_VAR, "").strip()
    return url or None


log = logging.getLogger(__name__)


async def _admin(url: str, statement: str) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


def create_private_postgres(url: str) -> tuple[str, bool]:
    """A new empty database beside `url`; (url, True) when created, (url, False) otherwise."""
    name = f"dutybot_test_{uuid.uuid4().hex[:12]}"
    try:
        asyncio.run(_admin(url, f'CREATE DATABASE "{name}"'))
    except DBAPIError as error:
        log.warning("cannot create a test database (%s); using %s itself", error, url)
        return url, False
    # A commit then returns without waiting for its WAL to reach the disk: a test commits some
    # fifty times, and on CI's shared disk each flush took 10-20 ms. What a commit makes visible,
    # and to whom, is unchanged; only a crash of the server itself could lose the last commits,
    # which no test does (the crash tests kill bot processes).
    asyncio.run(_admin(url, f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    return make_url(url).set(database=name).render_as_string(hide_password=False), True


def drop_private_postgres(server_url: str, private_url: str) -> None:
    name = make_url(private_url).database
    asyncio.run(_admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def migrate_sync(url: str, *, reset_postgres: bool = False) -> None:
    async def run() -> None:
        database = Database(url)
        try:
            if reset_postgres:
                async with database.engine.begin() as connection:
                    await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                    await connection.execute(text("CREATE SCHEMA public"))
            await upgrade(database)
        finally:
            await database.dispose()

    asyncio.run(run())


def sqlite_template(directory: Path) -> Path:
    template = directory / "template.db"
    migrate_sync(f"sqlite+aiosqlite:///{template}")
    return template


def fresh_sqlite(template: Path, target: Path) -> str:
    """`target` made a copy of the migrated template, with no journal of an earlier copy."""
    for leftover in (target, *(target.with_name(target.name + end) for end in JOURNALS)):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(template, target)
    return f"sqlite+aiosqlite:///{target}"


JOURNALS = ("-wal", "-shm", "-journal")


def _listener_counts(database: Database) -> tuple[int, ...]:
    counts: list[int] = []
    engines = [database.engine]
    # SQLite's readers have an engine of their own; PostgreSQL's are the engine with read-only
    # options, which keeps listeners of its own beside the engine's.
    if database.read_engine is not database.engine:
        engines.append(database.read_engine)
    # The names from the engine's own dispatch: the read-only engine's is a join that has none.
    names = {
        "engine": database.engine.sync_engine.dispatch._event_names,
        "pool": database.engine.sync_engine.pool.dispatch._event_names,
    }
    for engine in engines:
        for kind, dispatch in (
            ("engine", engine.sync_engine.dispatch),
            ("pool", engine.sync_engine.pool.dispatch),
        ):
            counts.extend(len(getattr(dispatch, name)) for name in names[kind])
    return tuple(counts)


class ReusedDatabases:
    """One `Database` per URL for the whole run, handed to one test after another.

    An engine keeps the SQL it compiled from SQLAlchemy's statements in a cache of its own, as
    the bot's one engine does for the life of its process; with an engine per test every test
    compiled each of its statements again (a quarter of the end-to-end tests' CPU in a profile)
    and set up its engines and first connections anew: the CPU of a run of end-to-end test files
    fell to less than half with one engine. Between tests the engines' connections are closed
    (each test runs on its own event loop). A database a test leaves otherwise than it found it
    (a connection still out, an event listener still attached) is closed and not handed on: the
    next test gets a new one, and on SQLite a new file, which a connection left over cannot
    reach."""

    def __init__(self) -> None:
        self._idle: dict[str, tuple[Database, tuple[int, ...]]] = {}
        self.generation = 0

    def take(self, url: str) -> tuple[Database, tuple[int, ...]]:
        """A database of `url` and what `give_back` compares it with."""
        idle = self._idle.pop(url, None)
        if idle is not None:
            return idle
        database = Database(url)
        return database, _listener_counts(database)

    async def give_back(self, database: Database, baseline: tuple[int, ...]) -> None:
        clean = (
            database.engine.sync_engine.pool.checkedout() == 0
            and database.read_engine.sync_engine.pool.checkedout() == 0
            and _listener_counts(database) == baseline
        )
        await database.dispose()
        if clean:
            self._idle[database.url] = (database, baseline)
        else:
            self.generation += 1


# Emptied by DELETE, children first, rather than TRUNCATE: a test leaves a handful of rows, and
# TRUNCATE gives each of the 28 tables new files, which took half a second to a second per test
# on CI's machine (most of the PostgreSQL suite's fixed cost); these DELETEs take milliseconds.
# The sequences restart as TRUNCATE ... RESTART IDENTITY did, so ids count from 1 again; only the
# ones a test drew from (last_value set) need it. One DO block: one round trip.
_EMPTY_POSTGRES = "DO $$ BEGIN {deletes} {restarts} END $$"
_RESTART_SEQUENCES = (
    "PERFORM setval(format('%I.%I', schemaname, sequencename)::regclass, start_value, false) "
    "FROM pg_sequences WHERE schemaname = current_schema() AND last_value IS NOT NULL;"
)


async def empty_postgres(database: Database) -> None:
    """Every table of the schema empty and every sequence at its start, as after migrating."""
    deletes = " ".join(
        f'DELETE FROM "{table.name}";' for table in reversed(Base.metadata.sorted_tables)
    )
    statement = _EMPTY_POSTGRES.format(deletes=deletes, restarts=_RESTART_SEQUENCES)
    async with database.engine.begin() as connection:
        await connection.execute(text(statement))
