"""Alembic, driven from code: `dutybot migrate` and start-up both call `upgrade`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.db import failures
from bot.db.engine import Database
from bot.settings import StartupError

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class ForeignKeysBroken(StartupError):
    """A migration on SQLite would leave rows pointing at rows that are not there."""


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


async def upgrade(database: Database, revision: str = "head") -> None:
    await _migrate(database, lambda config: command.upgrade(config, revision))


async def downgrade(database: Database, revision: str) -> None:
    """Back to `revision` (tests check that each migration can be undone)."""
    await _migrate(database, lambda config: command.downgrade(config, revision))


class MigrationFailed(StartupError):
    """A migration script failed on this database (not the connection): nothing was changed."""


async def _migrate(database: Database, step: Callable[[Config], None]) -> None:
    config = alembic_config(database.url)

    def _run(connection: Connection) -> None:
        config.attributes["connection"] = connection
        _refuse_unknown_revision(connection, config, database.url)
        try:
            step(config)
        except SQLAlchemyError as error:
            if failures.unavailable(error):
                raise  # the connection, explained as such by the command line
            raise MigrationFailed(
                f"the database {failures.where(database.url)} could not be migrated "
                f"({failures.reason(error)}) and the migrations changed nothing: keep running "
                "the release that used it, and report this line with the output of "
                "dutybot -v migrate"
            ) from None

    await run_in_one_transaction(database.engine, _run)


class NewerDatabase(StartupError):
    """The database carries a revision this release does not know: a newer one migrated it."""


def _refuse_unknown_revision(connection: Connection, config: Config, url: str) -> None:
    """Before Alembic's "Can't locate revision" (a traceback): a database a newer release
    brought up to date, met by this older one (an upgrade rolled back, an older image)."""
    scripts = ScriptDirectory.from_config(config)
    known = {script.revision for script in scripts.walk_revisions()}
    unknown = [revision for revision in _revisions(connection) if revision not in known]
    if unknown:
        raise NewerDatabase(
            f"the database {failures.where(url)} is at revision {unknown[0]}, which this release "
            f"does not know (its newest is {scripts.get_current_head()}): a newer release "
            "migrated it; run that release, or restore the copy made before the upgrade"
        )


async def run_in_one_transaction(engine: AsyncEngine, run: Callable[[Connection], None]) -> None:
    """Run the migrations in one transaction. On SQLite, with its foreign keys off: changing a
    column there means copying the table and dropping the old one, and dropping a table that
    other rows point to fails while they are on (a database with check-ins could not take
    0011). When a migration ran they are checked before the commit instead (the check reads
    every table: 1.7 s on a city with a year of history, so not at every start-up), and they
    are turned on again after."""
    async with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # The pragma does nothing inside a transaction: before the first one begins.
            await _set_foreign_keys(connection, on=False)
        try:
            async with connection.begin():
                before = await connection.run_sync(_revisions)
                await connection.run_sync(run)
                if sqlite and await connection.run_sync(_revisions) != before:
                    await connection.run_sync(_check_foreign_keys)
        finally:
            if sqlite:
                await _set_foreign_keys(connection, on=True)


def _revisions(connection: Connection) -> tuple[str, ...]:
    return tuple(MigrationContext.configure(connection).get_current_heads())


async def _set_foreign_keys(connection: AsyncConnection, *, on: bool) -> None:
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection
    assert driver is not None
    cursor = await driver.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    await cursor.close()


def _check_foreign_keys(connection: Connection) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        table, row, parent, _ = broken[0]
        raise ForeignKeysBroken(
            f"the database was not migrated: it would hold rows pointing at rows that are not "
            f"there ({len(broken)}, the first: {table} row {row} to {parent}); PRAGMA "
            f"foreign_key_check lists them: correct or delete them and start again"
        )
