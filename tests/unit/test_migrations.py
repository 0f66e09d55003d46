"""The Alembic migrations build exactly the schema the models declare."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from bot.db.engine import Database
from bot.db.migrate import alembic_config, upgrade
from bot.db.models import Base

# The revision 0010_oversight follows.
OVERSIGHT_PREVIOUS = "0009"
A_UNIT = (
    "INSERT INTO units (name, require_swap_approval, created_at) "
    "VALUES ('城管局', 0, '2026-12-01 00:00:00')"
)


async def downgrade(database: Database, revision: str) -> None:
    config = alembic_config(database.url)

    def run(connection: Connection) -> None:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)

    async with database.engine.begin() as connection:
        await connection.run_sync(run)


async def test_models_and_migrations_agree(database: Database) -> None:
    def diff(connection: Connection) -> list[object]:
        return list(compare_metadata(MigrationContext.configure(connection), Base.metadata))

    async with database.engine.connect() as connection:
        assert await connection.run_sync(diff) == []


async def test_the_oversight_migration_runs_from_the_previous_revision(
    tmp_path: Path,
) -> None:
    """0010 on a database that has units already: they are not archived, and the step can be
    taken back and forth."""
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    try:
        await upgrade(database, OVERSIGHT_PREVIOUS)
        async with database.engine.begin() as connection:
            await connection.execute(text(A_UNIT))
        await upgrade(database, "0010")
        async with database.engine.connect() as connection:
            archived = await connection.scalar(text("SELECT archived FROM units"))
            tables = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
        assert archived in (0, False)
        assert {"inspections", "street_reports", "rectification_orders", "zones"} <= tables
        await downgrade(database, OVERSIGHT_PREVIOUS)
        async with database.engine.connect() as connection:
            tables = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
        assert "rectification_orders" not in tables
        await upgrade(database)
    finally:
        await database.dispose()
