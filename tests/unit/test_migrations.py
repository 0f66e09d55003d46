"""The Alembic migrations build exactly the schema the models declare."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from bot.db.engine import Database
from bot.db.migrate import ForeignKeysBroken, alembic_config, upgrade
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


async def test_a_migration_copies_a_table_that_other_rows_point_to(tmp_path: Path) -> None:
    """0011 changes `assignments` on SQLite by copying it; a database with check-ins pointing
    at its rows takes it, and the foreign keys hold again after."""
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'checked_in.db'}")
    try:
        await upgrade(database, "0010")
        async with database.engine.begin() as connection:
            for statement in (
                A_UNIT,
                "INSERT INTO members (id, telegram_id, display_name, unit_id, registered_at,"
                " blocked_bot, active) VALUES (1, 7001, '李明', 1, '2026-12-01 00:00:00', 0, 1)",
                "INSERT INTO posts (id, unit_id, name, type, latitude, longitude, radius_m,"
                " archived, created_at) VALUES (1, 1, '黄河路', 'traffic', 30.6, 104.0, 150, 0,"
                " '2026-12-01 00:00:00')",
                "INSERT INTO shifts (id, post_id, starts_at, ends_at, capacity, status,"
                " created_at) VALUES (1, 1, '2026-12-02 23:00:00', '2026-12-03 01:00:00', 2,"
                " 'scheduled', '2026-12-01 00:00:00')",
                "INSERT INTO assignments (id, shift_id, member_id, status, created_at,"
                " updated_at) VALUES (1, 1, 1, 'checked_in', '2026-12-01 00:00:00',"
                " '2026-12-01 00:00:00')",
                "INSERT INTO checkins (id, assignment_id, checked_in_at, latitude, longitude,"
                " distance_m, live, photo_flagged, minutes_late) VALUES (1, 1,"
                " '2026-12-02 23:00:00', 30.6, 104.0, 5, 0, 0, 0)",
            ):
                await connection.execute(text(statement))
        await upgrade(database)
        async with database.engine.connect() as connection:
            assert await connection.scalar(text("SELECT count(*) FROM checkins")) == 1
            assert await connection.scalar(text("PRAGMA foreign_keys")) == 1
        try:
            async with database.engine.begin() as connection:
                await connection.execute(
                    text(
                        "INSERT INTO checkins (assignment_id, checked_in_at, latitude, longitude,"
                        " distance_m, live, photo_flagged, minutes_late) VALUES (99,"
                        " '2026-12-02 23:00:00', 30.6, 104.0, 5, 0, 0, 0)"
                    )
                )
        except IntegrityError:
            pass
        else:
            raise AssertionError("a check-in of no assignment was stored")
    finally:
        await database.dispose()


async def test_a_migration_that_would_leave_rows_pointing_nowhere_is_not_committed(
    tmp_path: Path,
) -> None:
    """A check-in of no assignment (written with foreign keys off, as only a hand can): the
    migration stops with one line saying so, the database stays at its revision, and the
    foreign keys are on again."""
    path = tmp_path / "dangling.db"
    database = Database(f"sqlite+aiosqlite:///{path}")
    try:
        await upgrade(database, "0013")
        with sqlite3.connect(path) as by_hand:
            by_hand.execute(
                "INSERT INTO checkins (assignment_id, checked_in_at, latitude, longitude,"
                " distance_m, live, photo_flagged, minutes_late) VALUES (99,"
                " '2026-12-02 23:00:00', 30.6, 104.0, 5, 0, 0, 0)"
            )
        pointing_nowhere = r"not migrated: .* \(1, the first: checkins row 1 to assignments\)"
        with pytest.raises(ForeignKeysBroken, match=pointing_nowhere):
            await upgrade(database)
        async with database.engine.connect() as connection:
            assert await connection.scalar(text("SELECT version_num FROM alembic_version")) == (
                "0013"
            )
            assert await connection.scalar(text("PRAGMA foreign_keys")) == 1
    finally:
        await database.dispose()


async def test_a_start_up_with_nothing_to_migrate_does_not_check_every_row(
    tmp_path: Path,
) -> None:
    """The foreign key check reads every table (1.7 s on a city with a year of history): it runs
    when a migration did, not at each start-up."""
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'current.db'}")
    checks: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "foreign_key_check" in statement:
            checks.append(statement)

    event.listen(database.engine.sync_engine, "before_cursor_execute", record)
    try:
        await upgrade(database, "0013")
        await upgrade(database)
        assert len(checks) == 2
        await upgrade(database)
        assert len(checks) == 2
    finally:
        await database.dispose()
