"""Migration 0013 (shifts offered to members), from the revision before it and back."""

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

PREVIOUS = "0012"


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def _walk(url: str) -> None:
    from alembic import command

    from bot.db.migrate import alembic_config

    database = Database(url)
    try:
        await upgrade(database, PREVIOUS)
        async with database.engine.begin() as connection:
            assert "shift_offers" not in await connection.run_sync(_tables)
            for statement in (
                "INSERT INTO units (name, require_swap_approval, created_at)"
                " VALUES ('城管局', false, :now)",
                "INSERT INTO posts (unit_id, name, type, latitude, longitude, radius_m,"
                " archived, created_at) SELECT id, '黄河路', 'traffic', 30.6, 104.0, 150, false,"
                " :now FROM units",
                "INSERT INTO shifts (post_id, starts_at, ends_at, capacity, status, created_at)"
                " SELECT id, :now, :later, 2, 'scheduled', :now FROM posts",
                "INSERT INTO members (telegram_id, display_name, unit_id, registered_at,"
                " blocked_bot, active) SELECT 900001, '张三', id, :now, false, true FROM units",
            ):
                await connection.execute(
                    text(statement),
                    {"now": dt.datetime(2026, 12, 1), "later": dt.datetime(2026, 12, 1, 2)},
                )
        await upgrade(database)
        async with database.engine.begin() as connection:
            assert "shift_offers" in await connection.run_sync(_tables)
            await connection.execute(
                text(
                    "INSERT INTO shift_offers (member_id, shift_id, source, offered_at)"
                    " SELECT members.id, shifts.id, 'broadcast', :now FROM members, shifts"
                ),
                {"now": dt.datetime(2026, 12, 1)},
            )
            assert await connection.scalar(text("SELECT count(*) FROM shift_offers")) == 1

        def downgrade(connection: Connection) -> None:
            config = alembic_config(url)
            config.attributes["connection"] = connection
            command.downgrade(config, PREVIOUS)

        async with database.engine.begin() as connection:
            await connection.run_sync(downgrade)
            assert "shift_offers" not in await connection.run_sync(_tables)
            assert await connection.scalar(text("SELECT count(*) FROM shifts")) == 1
    finally:
        await database.dispose()


@pytest.mark.database
def test_shift_offers_migrate_from_the_previous_revision_and_back(tmp_path: Path) -> None:
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
