"""Migration 0016 (an order keeps the deadline it was issued with) from the revision before it,
with an order never reopened, one reopened after a relapse, one whose deadline a late send-back
extended and one without an issue step, and back."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import text

from bot.db.engine import Database
from bot.db.migrate import downgrade, upgrade
from tests.unit.conftest import seeded
from tests.unit.migration_fixtures import indexes

PREVIOUS = "0015"
FIRST_DEADLINE = "0016"


def _order(order_id: int, deadline: str, reopened: int) -> str:
    return (
        "INSERT INTO rectification_orders (id, unit_id, category, status, issued_at, "
        "visible_from, deadline_at, reopened, updated_at) "
        f"VALUES ({order_id}, 1, 'litter', 'issued', '2026-12-01 00:00:00', "
        f"'2026-12-01 00:00:00', '{deadline}', {reopened}, '2026-12-01 00:00:00')"
    )


def _issued(order_id: int, deadline: str) -> str:
    after = json.dumps({"unit": 1, "deadline": deadline})
    return (
        "INSERT INTO audit_log (action, object_type, object_id, after, created_at) "
        f"VALUES ('order.issue', 'order', {order_id}, '{after}', '2026-12-01 00:00:00')"
    )


SEED = [
    "INSERT INTO units (id, name, require_swap_approval, created_at) "
    "VALUES (1, '城管局', false, '2026-11-20 00:00:00')",
    # Never reopened: its deadline is the one it was issued with.
    _order(1, "2026-12-02 00:00:00", 0),
    _issued(1, "2026-12-02T00:00:00+00:00"),
    # Reopened on 12-09 with a fresh deadline; it was issued due 12-02 08:00 in Shanghai.
    _order(2, "2026-12-10 03:30:00", 1),
    _issued(2, "2026-12-02T08:00:00+08:00"),
    "INSERT INTO audit_log (action, object_type, object_id, after, created_at) "
    "VALUES ('order.reopen', 'order', 2, '{\"deadline\": \"2026-12-10T03:30:00+00:00\"}', "
    "'2026-12-09 03:30:00')",
    # Sent back after its deadline and given a day more, never reopened.
    _order(3, "2026-12-03 06:00:00", 0),
    _issued(3, "2026-12-02T04:00:00+00:00"),
    # No issue step in the trail: its deadline is all there is.
    _order(4, "2026-12-04 00:00:00", 0),
]


async def first_deadlines(database: Database) -> dict[int, dt.datetime]:
    async with database.engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT id, first_deadline_at FROM rectification_orders ORDER BY id")
        )
        # SQLite hands datetimes back as text, PostgreSQL as datetimes.
        return {
            int(order): when if isinstance(when, dt.datetime) else dt.datetime.fromisoformat(when)
            for order, when in rows
        }


async def test_0016_keeps_the_issued_deadline_of_every_order_and_goes_back(
    empty_database: Database,
) -> None:
    await seeded(empty_database, PREVIOUS, SEED)

    await upgrade(empty_database, FIRST_DEADLINE)
    assert await first_deadlines(empty_database) == {
        1: dt.datetime(2026, 12, 2, 0, 0),
        # From the issue step, in UTC: not the fresh deadline of the reopening.
        2: dt.datetime(2026, 12, 2, 0, 0),
        3: dt.datetime(2026, 12, 2, 4, 0),
        4: dt.datetime(2026, 12, 4, 0, 0),
    }
    assert "ix_rectification_orders_first_deadline_at" in await indexes(
        empty_database, "rectification_orders"
    )

    await downgrade(empty_database, PREVIOUS)
    assert "ix_rectification_orders_first_deadline_at" not in await indexes(
        empty_database, "rectification_orders"
    )
    await upgrade(empty_database)
