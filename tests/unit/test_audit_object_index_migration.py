"""Migration 0019 (an index of the audit trail by the object it is about) from the revision
before it, with entries about a member and an order, and back."""

from __future__ import annotations

from sqlalchemy import inspect, text

from bot.db.engine import Database
from bot.db.migrate import downgrade, upgrade
from tests.unit.conftest import seeded

PREVIOUS = "0018"
AUDIT_OBJECT = "0019"
INDEX = "ix_audit_log_object"

SEED = [
    "INSERT INTO audit_log (id, actor_id, action, object_type, object_id, created_at) "
    "VALUES (1, NULL, 'member.tag.remove', 'member', 7, '2026-12-01 00:00:00')",
    "INSERT INTO audit_log (id, actor_id, action, object_type, object_id, created_at) "
    "VALUES (2, NULL, 'order.issue', 'order', 7, '2026-12-02 00:00:00')",
]


async def _indexes(database: Database) -> dict[str, list[str]]:
    async with database.engine.connect() as connection:
        return await connection.run_sync(
            lambda sync: {
                str(index["name"]): [str(column) for column in index["column_names"]]
                for index in inspect(sync).get_indexes("audit_log")
            }
        )


async def _entries(database: Database) -> list[tuple[object, ...]]:
    async with database.engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT id, action, object_type, object_id FROM audit_log ORDER BY id")
        )
        return [tuple(row) for row in rows]


async def test_0019_indexes_the_trail_by_its_object_keeps_every_entry_and_goes_back(
    empty_database: Database,
) -> None:
    await seeded(empty_database, PREVIOUS, SEED)
    entries = await _entries(empty_database)
    assert INDEX not in await _indexes(empty_database)

    await upgrade(empty_database, AUDIT_OBJECT)
    indexes = await _indexes(empty_database)
    assert indexes[INDEX] == ["object_type", "object_id"]
    assert "ix_audit_log_created_at" in indexes  # the week rule of the cards reads by time
    assert await _entries(empty_database) == entries

    await downgrade(empty_database, PREVIOUS)
    assert INDEX not in await _indexes(empty_database)
    assert await _entries(empty_database) == entries
