"""Migration 0014 (the due jobs read only the rows still running) from the revision before it,
with rotas made by hand (no days), by rotation (days) and without seats, and back; and 0015
(the index of the seats not acknowledged) from 0014 and back."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from bot.db.engine import Database
from bot.db.migrate import downgrade, upgrade
from bot.db.models import UNACKNOWLEDGED_SEAT
from tests.unit.conftest import seeded
from tests.unit.migration_fixtures import indexes

PREVIOUS = "0013"
RUNNING_ROWS = "0014"
UNACKNOWLEDGED = "0015"

SEED = [
    "INSERT INTO units (id, name, require_swap_approval, created_at) "
    "VALUES (1, '城管局', false, '2026-11-20 00:00:00')",
    "INSERT INTO members (id, telegram_id, display_name, unit_id, registered_at, blocked_bot, "
    "active) VALUES (1, 7001, '李明', 1, '2026-11-20 00:00:00', false, true)",
    "INSERT INTO posts (id, unit_id, name, type, latitude, longitude, radius_m, archived, "
    "created_at) VALUES (1, 1, '黄河路', 'traffic', 30.6, 104.0, 150, false, "
    "'2026-11-20 00:00:00')",
    # 07:00 on 3 December in Shanghai is 23:00 on the 2nd in UTC.
    "INSERT INTO shifts (id, post_id, starts_at, ends_at, capacity, status, created_at) "
    "VALUES (1, 1, '2026-12-02 23:00:00', '2026-12-03 01:00:00', 2, 'scheduled', "
    "'2026-11-20 00:00:00')",
    "INSERT INTO shifts (id, post_id, starts_at, ends_at, capacity, status, created_at) "
    "VALUES (2, 1, '2026-12-05 10:00:00', '2026-12-05 12:00:00', 2, 'scheduled', "
    "'2026-11-20 00:00:00')",
    # A rota by hand, without days, with seats on both shifts.
    "INSERT INTO rotas (id, unit_id, source, seats, created_at) "
    "VALUES (1, 1, 'hand', 2, '2026-12-01 02:00:00')",
    # A rotation, with its days.
    "INSERT INTO rotas (id, unit_id, source, first_day, last_day, seats, created_at) "
    "VALUES (2, 1, 'rotation', '2026-12-07', '2026-12-13', 0, '2026-12-04 02:00:00')",
    # A rota by hand whose seat has gone (no seats, no days).
    "INSERT INTO rotas (id, unit_id, source, seats, created_at) "
    "VALUES (3, 1, 'hand', 0, '2026-11-30 09:00:00')",
    "INSERT INTO assignments (id, shift_id, member_id, status, created_at, updated_at, rota_id) "
    "VALUES (1, 1, 1, 'signed_up', '2026-12-01 02:00:00', '2026-12-01 02:00:00', 1)",
    "INSERT INTO assignments (id, shift_id, member_id, status, created_at, updated_at, rota_id) "
    "VALUES (2, 2, 1, 'signed_up', '2026-12-01 02:00:00', '2026-12-01 02:00:00', 1)",
]


async def add_undated_rota(database: Database) -> None:
    async with database.engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO rotas (id, unit_id, source, seats, created_at) "
                "VALUES (4, 1, 'hand', 0, :now)"
            ),
            {"now": dt.datetime(2026, 12, 4, 3)},
        )


async def rota_days(database: Database) -> list[tuple[int, str | None, str | None]]:
    async with database.engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT id, first_day, last_day FROM rotas ORDER BY id")
        )
        # SQLite hands dates back as text, PostgreSQL as dates: compare them as text.
        return [
            (rota, None if first is None else str(first), None if last is None else str(last))
            for rota, first, last in rows
        ]


async def index_condition(database: Database, name: str) -> str:
    async with database.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            statement = "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = :name"
        else:
            statement = (
                "SELECT pg_get_expr(indpred, indrelid) FROM pg_index "
                "WHERE indexrelid = CAST(:name AS regclass)"
            )
        return str(await connection.scalar(text(statement), {"name": name}))


async def test_0014_gives_every_rota_its_days_adds_the_indexes_and_goes_back(
    empty_database: Database,
) -> None:
    await seeded(empty_database, PREVIOUS, SEED)

    await upgrade(empty_database, RUNNING_ROWS)
    assert await rota_days(empty_database) == [
        # Its seats' UTC days (2 and 5 December), a day wider on each side: the zone is a
        # setting the migration does not know, and 07:00 on the 3rd in Shanghai is inside.
        (1, "2026-12-01", "2026-12-06"),
        (2, "2026-12-07", "2026-12-13"),
        (3, "2026-11-30", "2026-11-30"),
    ]
    on_rotas = await indexes(empty_database, "rotas")
    assert "ix_rotas_last_day" in on_rotas and "ix_rotas_created_at" not in on_rotas
    assert "ix_assignments_signed_up" in await indexes(empty_database, "assignments")
    assert "ix_checkins_open" in await indexes(empty_database, "checkins")
    with pytest.raises(IntegrityError):
        await add_undated_rota(empty_database)

    await downgrade(empty_database, PREVIOUS)
    on_rotas = await indexes(empty_database, "rotas")
    assert "ix_rotas_created_at" in on_rotas and "ix_rotas_last_day" not in on_rotas
    assert "ix_assignments_signed_up" not in await indexes(empty_database, "assignments")
    assert "ix_checkins_open" not in await indexes(empty_database, "checkins")
    await add_undated_rota(empty_database)
    async with empty_database.engine.connect() as connection:
        assert await connection.scalar(text("SELECT count(*) FROM assignments")) == 2

    await upgrade(empty_database)
    assert (await rota_days(empty_database))[3] == (4, "2026-12-04", "2026-12-04")


async def test_0015_indexes_the_seats_not_acknowledged_and_goes_back(
    empty_database: Database,
) -> None:
    await seeded(empty_database, PREVIOUS, SEED)
    await upgrade(empty_database, RUNNING_ROWS)
    async with empty_database.engine.begin() as connection:
        await connection.execute(
            text("UPDATE assignments SET acknowledged_at = '2026-12-01 03:00:00' WHERE id = 2")
        )

    await upgrade(empty_database, UNACKNOWLEDGED)
    assert "ix_assignments_unacknowledged" in await indexes(empty_database, "assignments")
    # The whole condition, as each database keeps it, and as the model declares it: seats people
    # took themselves are never acknowledged, and in a city that volunteers they are every seat
    # held, so an index without `rota_id IS NOT NULL` would be read whole at every tick.
    condition = await index_condition(empty_database, "ix_assignments_unacknowledged")
    if empty_database.engine.dialect.name == "sqlite":
        assert condition.endswith(f" WHERE {UNACKNOWLEDGED_SEAT}"), condition
    else:
        assert condition == (
            "(((status)::text = 'signed_up'::text) AND (acknowledged_at IS NULL) "
            "AND (rota_id IS NOT NULL))"
        ), condition

    await downgrade(empty_database, RUNNING_ROWS)
    assert "ix_assignments_unacknowledged" not in await indexes(empty_database, "assignments")
    async with empty_database.engine.connect() as connection:
        assert await connection.scalar(text("SELECT count(*) FROM assignments")) == 2
    await upgrade(empty_database)
    assert "ix_assignments_unacknowledged" in await indexes(empty_database, "assignments")
