"""Migration 0022 (the outbox indexed in the order the sender claims it) from the revision
before it, with a message and a later edit waiting; and back."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import inspect

from bot.db.engine import Database
from bot.db.migrate import downgrade, upgrade
from bot.services.platform import outbox_claim
from tests.unit.conftest import seeded

PREVIOUS = "0021"
REVISION = "0022"
EDITS_INDEX = "ix_outbox_edits"
CLAIM_INDEX = "ix_outbox_claim"


def _row(row_id: int, kind: str) -> str:
    return (
        "INSERT INTO outbox (id, idempotency_key, chat_id, kind, payload, urgent, status, "
        "not_before, attempts, created_at) "
        f"VALUES ({row_id}, 'key-{row_id}', 1000, '{kind}', '{{\"text\": \"x\"}}', false, "
        "'pending', '2026-12-01 00:00:00', 0, '2026-12-01 00:00:00')"
    )


SEED = [_row(1, "text"), _row(2, "text"), _row(3, "edit")]


async def _indexes(database: Database) -> dict[str, list[str]]:
    async with database.engine.connect() as connection:
        return await connection.run_sync(
            lambda sync: {
                str(index["name"]): [str(column) for column in index["column_names"]]
                for index in inspect(sync).get_indexes("outbox")
            }
        )


async def _claimed(database: Database) -> list[int]:
    async with database.session() as session:
        rows = await outbox_claim.claim_due(
            session, dt.datetime(2026, 12, 1, 1, tzinfo=dt.UTC), "worker-1", limit=10
        )
        return [row.id for row in rows]


async def test_0022_indexes_the_outbox_in_claim_order_and_goes_back(
    empty_database: Database,
) -> None:
    await seeded(empty_database, PREVIOUS, SEED)
    before = await _indexes(empty_database)
    assert EDITS_INDEX not in before
    assert CLAIM_INDEX not in before

    await upgrade(empty_database, REVISION)

    after = await _indexes(empty_database)
    assert after[EDITS_INDEX] == ["status", "kind", "id"]
    assert after[CLAIM_INDEX] == ["status", "id"]
    # The rows waiting across the upgrade are claimed as the sender now orders them: the
    # edit (a broadcast's running count) ahead of the messages queued before it.
    assert await _claimed(empty_database) == [3, 1, 2]

    await downgrade(empty_database, PREVIOUS)
    assert await _indexes(empty_database) == before
    await upgrade(empty_database, REVISION)
    assert EDITS_INDEX in await _indexes(empty_database)
