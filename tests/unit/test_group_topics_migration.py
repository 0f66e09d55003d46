"""Migration 0018 (a bound group remembers the forum topic it was bound in) from the revision
before it, with groups bound to headquarters and to a unit, and back."""

from __future__ import annotations

from sqlalchemy import text

from bot.db.engine import Database
from bot.db.migrate import downgrade, upgrade
from tests.unit.conftest import seeded

PREVIOUS = "0017"
GROUP_TOPICS = "0018"

SEED = [
    "INSERT INTO units (id, name, require_swap_approval, created_at) "
    "VALUES (1, '城管局', false, '2026-11-20 00:00:00')",
    "INSERT INTO bound_groups (chat_id, title, unit_id, language, bound_by, bound_at) "
    "VALUES (-100111, '创城指挥部', NULL, 'zh_Hans', 900001, '2026-12-01 00:00:00')",
    "INSERT INTO bound_groups (chat_id, title, unit_id, language, bound_by, bound_at) "
    "VALUES (-1009001234, '城管局执勤群', 1, 'en', 900001, '2026-12-01 00:00:00')",
]


async def _groups(database: Database, columns: str) -> list[tuple[object, ...]]:
    async with database.engine.connect() as connection:
        rows = await connection.execute(
            text(f"SELECT {columns} FROM bound_groups ORDER BY chat_id")
        )
        return [tuple(row) for row in rows]


async def test_0018_keeps_every_binding_with_no_topic_and_goes_back(
    empty_database: Database,
) -> None:
    await seeded(empty_database, PREVIOUS, SEED)

    await upgrade(empty_database, GROUP_TOPICS)
    # Bound before topics were kept: their reports keep going to General.
    assert await _groups(empty_database, "chat_id, unit_id, language, thread_id") == [
        (-1009001234, 1, "en", None),
        (-100111, None, "zh_Hans", None),
    ]
    async with empty_database.engine.begin() as connection:
        await connection.execute(text("UPDATE bound_groups SET thread_id = 7 WHERE unit_id = 1"))
    assert (await _groups(empty_database, "thread_id"))[0] == (7,)

    await downgrade(empty_database, PREVIOUS)
    assert await _groups(empty_database, "chat_id, unit_id, language") == [
        (-1009001234, 1, "en"),
        (-100111, None, "zh_Hans"),
    ]
