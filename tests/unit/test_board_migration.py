"""Migration 0012 (wall-screen links of the board), from the revision before it and back."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from bot.db.engine import Database
from bot.db.migrate import upgrade
from tests import databases

PREVIOUS = "0011"


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def _walk(url: str) -> None:
    from alembic import command

    from bot.db.migrate import alembic_config

    database = Database(url)
    try:
        await upgrade(database, PREVIOUS)
        async with database.engine.begin() as connection:
            assert "board_screens" not in await connection.run_sync(_tables)
            await connection.execute(
                text(
                    "INSERT INTO units (name, require_swap_approval, created_at)"
                    " VALUES ('城管局', false, :now)"
                ),
                {"now": dt.datetime(2026, 12, 1)},
            )
        await upgrade(database)
        async with database.engine.begin() as connection:
            assert "board_screens" in await connection.run_sync(_tables)
            await connection.execute(
                text(
                    "INSERT INTO board_screens"
                    " (unit_id, language, created_by, created_at, expires_at)"
                    " SELECT id, 'zh_Hans', 900001, :now, :now FROM units"
                ),
                {"now": dt.datetime(2026, 12, 1)},
            )
            assert await connection.scalar(text("SELECT count(*) FROM board_screens")) == 1

        def downgrade(connection: Connection) -> None:
            config = alembic_config(url)
            config.attributes["connection"] = connection
            command.downgrade(config, PREVIOUS)

        async with database.engine.begin() as connection:
            await connection.run_sync(downgrade)
            assert "board_screens" not in await connection.run_sync(_tables)
            assert await connection.scalar(text("SELECT count(*) FROM units")) == 1
    finally:
        await database.dispose()


@pytest.mark.database
def test_board_screens_migrate_from_the_previous_revision_and_back(tmp_path: Path) -> None:
    server = databases.postgres_url()
    if server is None:
        asyncio.run(_walk(f"sqlite+aiosqlite:///{tmp_path / 'walk.db'}"))
        return
    url, private = databases.create_private_postgres(server)
    if not private:
        pytest.skip("the role may not create a database; the shared one must keep its schema")
    try:
        asyncio.run(_walk(url))
    finally:
        databases.drop_private_postgres(server, url)
