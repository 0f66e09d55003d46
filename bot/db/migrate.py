"""Alembic, driven from code: `dutybot migrate` and start-up both call `upgrade`."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection

from bot.db.engine import Database

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


async def upgrade(database: Database, revision: str = "head") -> None:
    config = alembic_config(database.url)

    def _run(connection: Connection) -> None:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with database.engine.begin() as connection:
        await connection.run_sync(_run)


async def downgrade(database: Database, revision: str) -> None:
    """Back to `revision` (tests check that each migration can be undone)."""
    config = alembic_config(database.url)

    def _run(connection: Connection) -> None:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)

    async with database.engine.begin() as connection:
        await connection.run_sync(_run)
