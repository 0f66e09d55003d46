"""Migration 0020 (a broadcast can be stopped midway) from the revision before
it, with a finished broadcast and one still going out, and back."""

from __future__ import annotations

from sqlalchemy import text

from bot.db.engine import Database
from bot.db.migrate import downgrade, upgrade
from tests.unit.conftest import seeded

PREVIOUS = "0019"
BROADCAST_STOP = "0020"

SEED = [
    "INSERT INTO units (id, name, require_swap_approval, created_at) "
    "VALUES (1, '城管局', false, '2026-11-20 00:00:00')",
    "INSERT INTO members (id, telegram_id, display_name, unit_id, registered_at, blocked_bot,"
    " active) VALUES (1, 5001, '王协调', 1, '2026-11-20 00:00:00', false, true)",
    "INSERT INTO broadcasts (id, created_by_id, chat_id, language, unit_id, kind, text, total,"
    " progress_message_id, reported, finished_at, created_at) VALUES (1, 1, 5001, 'zh_Hans', 1,"
    " 'announcement', '集合', 3, 10, '3/0/0', '2026-12-01 01:00:00', '2026-12-01 00:00:00')",
    "INSERT INTO broadcasts (id, created_by_id, chat_id, language, unit_id, kind, text, total,"
    " progress_message_id, reported, finished_at, created_at) VALUES (2, 1, 5001, 'en', 1,"
    " 'shifts', NULL, 300, 11, '12/0/0', NULL, '2026-12-06 00:00:00')",
]


async def _broadcasts(database: Database, columns: str) -> list[tuple[object, ...]]:
    async with database.engine.connect() as connection:
        rows = await connection.execute(text(f"SELECT {columns} FROM broadcasts ORDER BY id"))
        return [tuple(row) for row in rows]


async def test_0020_keeps_every_broadcast_unstopped_and_goes_back(
    empty_database: Database,
) -> None:
    await seeded(empty_database, PREVIOUS, SEED)
    kept = "id, created_by_id, language, kind, total, progress_message_id, reported"
    before = await _broadcasts(empty_database, kept)

    await upgrade(empty_database, BROADCAST_STOP)
    assert await _broadcasts(empty_database, kept) == before
    assert await _broadcasts(empty_database, "stopped_at, stopped_by_id") == [(None, None)] * 2
    async with empty_database.engine.begin() as connection:
        await connection.execute(
            text(
                "UPDATE broadcasts SET stopped_at = '2026-12-06 00:05:00', stopped_by_id = 1"
                " WHERE id = 2"
            )
        )
    assert (await _broadcasts(empty_database, "stopped_by_id"))[1] == (1,)

    await downgrade(empty_database, PREVIOUS)
    assert await _broadcasts(empty_database, kept) == before
