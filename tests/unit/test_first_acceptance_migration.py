"""Migration 0017 (an order keeps the time it was first accepted) from the revision before it,
with orders accepted once, reopened and open again, reopened and accepted again, and never
accepted, and back."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text

from bot.db.engine import Database
from bot.db.migrate import downgrade, upgrade
from tests.unit.conftest import seeded
from tests.unit.migration_fixtures import indexes

PREVIOUS = "0016"
FIRST_ACCEPTANCE = "0017"


def _order(order_id: int, status: str, accepted: str | None, reopened: int) -> str:
    accepted_at = "NULL" if accepted is None else f"'{accepted}'"
    return (
        "INSERT INTO rectification_orders (id, unit_id, category, status, issued_at, "
        "visible_from, deadline_at, first_deadline_at, accepted_at, reopened, updated_at) "
        f"VALUES ({order_id}, 1, 'litter', '{status}', '2026-12-01 00:00:00', "
        "'2026-12-01 00:00:00', '2026-12-02 00:00:00', '2026-12-02 00:00:00', "
        f"{accepted_at}, {reopened}, '2026-12-01 00:00:00')"
    )


def _accepted(order_id: int, when: str) -> str:
    return (
        "INSERT INTO audit_log (action, object_type, object_id, created_at) "
        f"VALUES ('order.accept', 'order', {order_id}, '{when}')"
    )


SEED = [
    "INSERT INTO units (id, name, require_swap_approval, created_at) "
    "VALUES (1, '城管局', false, '2026-11-20 00:00:00')",
    _order(1, "accepted", "2026-12-01 06:00:00", 0),
    _accepted(1, "2026-12-01 06:00:00"),
    # Accepted, then reopened after a relapse: open again, its acceptance cleared.
    _order(2, "issued", None, 1),
    _accepted(2, "2026-12-01 07:00:00"),
    # Reopened and accepted again: the first acceptance is the earlier step.
    _order(3, "accepted", "2026-12-09 09:00:00", 1),
    _accepted(3, "2026-12-01 08:00:00"),
    _accepted(3, "2026-12-09 09:00:00"),
    _order(4, "issued", None, 0),
]


async def first_acceptances(database: Database) -> dict[int, dt.datetime | None]:
    async with database.engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT id, first_accepted_at FROM rectification_orders ORDER BY id")
        )
        # SQLite hands datetimes back as text, PostgreSQL as datetimes.
        return {
            int(order): when
            if when is None or isinstance(when, dt.datetime)
            else dt.datetime.fromisoformat(when)
            for order, when in rows
        }


async def test_0017_keeps_the_first_acceptance_of_every_order_and_goes_back(
    empty_database: Database,
) -> None:
    await seeded(empty_database, PREVIOUS, SEED)

    await upgrade(empty_database, FIRST_ACCEPTANCE)
    assert await first_acceptances(empty_database) == {
        1: dt.datetime(2026, 12, 1, 6, 0),
        # From the trail: reopening cleared it from the order.
        2: dt.datetime(2026, 12, 1, 7, 0),
        3: dt.datetime(2026, 12, 1, 8, 0),
        4: None,
    }
    assert "ix_rectification_orders_first_accepted_at" in await indexes(
        empty_database, "rectification_orders"
    )

    await downgrade(empty_database, PREVIOUS)
    assert "ix_rectification_orders_first_accepted_at" not in await indexes(
        empty_database, "rectification_orders"
    )
    await upgrade(empty_database)
