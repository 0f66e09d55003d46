"""Migration 0011 (assigned duty) from the revision before it, with data: the seats people hold
stay theirs, volunteered (no rota), and the way back drops only what 0011 added."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from bot.db.engine import Database
from bot.db.migrate import alembic_config, upgrade
from tests.unit.conftest import seeded

PREVIOUS = "0010"
ROSTERING = "0011"


async def downgrade(database: Database, revision: str) -> None:
    config = alembic_config(database.url)

    def run(connection: Connection) -> None:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)

    async with database.engine.begin() as connection:
        await connection.run_sync(run)


async def columns(database: Database, table: str) -> set[str]:
    async with database.engine.connect() as connection:
        return await connection.run_sync(
            lambda sync: {column["name"] for column in inspect(sync).get_columns(table)}
        )


async def tables(database: Database) -> set[str]:
    async with database.engine.connect() as connection:
        return await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))


SEED = [
    "INSERT INTO units (id, name, require_swap_approval, created_at) "
    "VALUES (1, '城管局', false, '2026-12-01 00:00:00')",
    "INSERT INTO members (id, telegram_id, display_name, unit_id, registered_at, blocked_bot, "
    "active) VALUES (1, 7001, '李明', 1, '2026-12-01 00:00:00', false, true)",
    "INSERT INTO posts (id, unit_id, name, type, latitude, longitude, radius_m, archived, "
    "created_at) VALUES (1, 1, '黄河路', 'traffic', 30.6, 104.0, 150, false, "
    "'2026-12-01 00:00:00')",
    "INSERT INTO shifts (id, post_id, starts_at, ends_at, capacity, status, created_at) "
    "VALUES (1, 1, '2026-12-02 23:00:00', '2026-12-03 01:00:00', 2, 'scheduled', "
    "'2026-12-01 00:00:00')",
    "INSERT INTO assignments (id, shift_id, member_id, status, created_at, updated_at) "
    "VALUES (1, 1, 1, 'signed_up', '2026-12-01 00:00:00', '2026-12-01 00:00:00')",
]


async def test_0011_upgrades_a_database_with_seats_and_goes_back(
    empty_database: Database,
) -> None:
    await seeded(empty_database, PREVIOUS, SEED)

    await upgrade(empty_database, ROSTERING)
    assert {"rotas", "unavailability", "leave_requests"} <= await tables(empty_database)
    assert {"rota_id", "acknowledged_at"} <= await columns(empty_database, "assignments")
    async with empty_database.engine.connect() as connection:
        row = (
            await connection.execute(
                text("SELECT member_id, status, rota_id, acknowledged_at FROM assignments")
            )
        ).one()
    assert tuple(row) == (1, "signed_up", None, None)

    await downgrade(empty_database, PREVIOUS)
    assert not {"rotas", "unavailability", "leave_requests"} & await tables(empty_database)
    assert not {"rota_id", "acknowledged_at"} & await columns(empty_database, "assignments")
    async with empty_database.engine.connect() as connection:
        count = await connection.scalar(text("SELECT count(*) FROM assignments"))
    assert count == 1
