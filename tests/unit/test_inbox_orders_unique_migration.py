"""Migration 0021 (the inbox indexed by when an update came; one order per check) from the
revision before it, with a check that was given two orders by a double tap (and photos), a
check with one order, and an order of no source; and back."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from bot.db.engine import Database
from bot.db.migrate import downgrade, upgrade
from bot.db.models import RectificationOrder
from bot.services.oversight import order_lists, orders
from tests.unit.conftest import seeded

PREVIOUS = "0020"
REVISION = "0021"
RECEIVED_INDEX = "ix_inbox_received"
CHECK_INDEX = "ix_rectification_orders_inspection_id"
ONE_ORDER_INDEX = "uq_rectification_orders_inspection_id"


def _inspection(inspection_id: int) -> str:
    return (
        "INSERT INTO inspections (id, post_id, unit_id, kind, covert, latitude, longitude, "
        "distance_m, planned, held, checked_in, seen, discrepancy, checked_in_names, "
        "deductions, score, inspected_at, visible_from) "
        f"VALUES ({inspection_id}, 1, 1, 'daily', false, 30.65, 104.06, 10, 2, 2, 1, 1, 0, "
        "'[]', '[]', 95, '2026-12-01 08:00:00', '2026-12-01 08:00:00')"
    )


def _order(order_id: int, inspection_id: int | None, issued: str, status: str = "issued") -> str:
    source = "NULL" if inspection_id is None else str(inspection_id)
    return (
        "INSERT INTO rectification_orders (id, unit_id, category, status, inspection_id, "
        "issued_at, visible_from, deadline_at, first_deadline_at, reopened, updated_at) "
        f"VALUES ({order_id}, 1, 'post', '{status}', {source}, '{issued}', '{issued}', "
        f"'2026-12-03 00:00:00', '2026-12-03 00:00:00', 0, '{issued}')"
    )


SEED = [
    "INSERT INTO units (id, name, require_swap_approval, created_at) "
    "VALUES (1, '城管局', false, '2026-11-20 00:00:00')",
    "INSERT INTO posts (id, unit_id, name, type, latitude, longitude, radius_m, archived, "
    "created_at) VALUES (1, 1, '黄河路-人民路口', 'traffic', 30.65, 104.06, 150, false, "
    "'2026-11-20 00:00:00')",
    _inspection(1),
    _inspection(2),
    # A double tap on PostgreSQL gave check 1 two orders; the second was issued a moment
    # later, has the lower id here, and the unit already acknowledged it.
    _order(5, 1, "2026-12-01 09:00:01", status="acknowledged"),
    _order(4, 1, "2026-12-01 09:00:02"),
    _order(6, 2, "2026-12-01 10:00:00"),
    _order(7, None, "2026-12-01 11:00:00"),
    "INSERT INTO inbox (update_id, status, received_at) "
    "VALUES (100, 'done', '2026-12-01 00:00:00')",
    # The inspector's photo of check 1: both its orders show it as the "before".
    "INSERT INTO evidence_photos (id, kind, inspection_id, file_id, file_unique_id, flagged, "
    "created_at) VALUES (1, 'check', 1, 'photo-of-check-1', 'u1', false, "
    "'2026-12-01 08:00:00')",
]


async def _indexes(database: Database, table: str) -> dict[str, tuple[list[str], bool]]:
    async with database.engine.connect() as connection:
        return await connection.run_sync(
            lambda sync: {
                str(index["name"]): (
                    [str(column) for column in index["column_names"]],
                    bool(index["unique"]),
                )
                for index in inspect(sync).get_indexes(table)
            }
        )


async def _orders(database: Database) -> dict[int, tuple[int | None, str, bool]]:
    async with database.engine.connect() as connection:
        rows = await connection.execute(
            text(
                "SELECT id, inspection_id, status, repeat_of_check FROM rectification_orders "
                "ORDER BY id"
            )
        )
        return {
            int(order): (check, str(status), bool(repeat)) for order, check, status, repeat in rows
        }


async def _columns(database: Database, table: str) -> set[str]:
    async with database.engine.connect() as connection:
        return await connection.run_sync(
            lambda sync: {str(column["name"]) for column in inspect(sync).get_columns(table)}
        )


async def _before_photos(database: Database, order_id: int) -> list[str]:
    async with database.session() as session:
        order = await session.get(RectificationOrder, order_id)
        assert order is not None
        return await orders.before_photos(session, order)


async def _ledger_sources(database: Database) -> dict[int, str]:
    async with database.session() as session:
        lines = await order_lists.ledger_lines(
            session,
            dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
            dt.datetime(2026, 12, 8, tzinfo=dt.UTC),
            dt.datetime(2026, 12, 8, tzinfo=dt.UTC),
            None,
        )
        return {line.id: line.source for line in lines}


async def _insert_second_order_of_check_2(database: Database) -> None:
    async with database.engine.begin() as connection:
        await connection.execute(text(_order(8, 2, "2026-12-02 10:00:00")))


async def test_0021_indexes_the_inbox_and_keeps_one_order_per_check_and_goes_back(
    empty_database: Database,
) -> None:
    await seeded(empty_database, PREVIOUS, SEED)
    assert RECEIVED_INDEX not in await _indexes(empty_database, "inbox")
    before = await _indexes(empty_database, "rectification_orders")
    assert before[CHECK_INDEX] == (["inspection_id"], False)
    assert ONE_ORDER_INDEX not in before
    columns_before = await _columns(empty_database, "rectification_orders")

    await upgrade(empty_database, REVISION)

    assert (await _indexes(empty_database, "inbox"))[RECEIVED_INDEX] == (
        ["received_at", "update_id"],
        False,
    )
    after = await _indexes(empty_database, "rectification_orders")
    assert after[CHECK_INDEX] == (["inspection_id"], False)
    assert after[ONE_ORDER_INDEX] == (["inspection_id"], True)
    # The earliest issued is the check's order; the later one keeps its check (its photos,
    # its source in the ledger, its problem in the reader's language) and what the unit did
    # to it, marked as a repeat, which the one-order-per-check rule leaves out.
    assert await _orders(empty_database) == {
        4: (1, "issued", True),
        5: (1, "acknowledged", False),
        6: (2, "issued", False),
        7: (None, "issued", False),
    }
    assert await _before_photos(empty_database, 4) == ["photo-of-check-1"]
    assert await _before_photos(empty_database, 5) == ["photo-of-check-1"]
    assert await _ledger_sources(empty_database) == {4: "check", 5: "check", 6: "check", 7: "-"}
    # A new order is never a repeat: a second one of a check fails.
    with pytest.raises(IntegrityError):
        await _insert_second_order_of_check_2(empty_database)

    await downgrade(empty_database, PREVIOUS)
    assert RECEIVED_INDEX not in await _indexes(empty_database, "inbox")
    back = await _indexes(empty_database, "rectification_orders")
    assert back[CHECK_INDEX] == (["inspection_id"], False)
    assert ONE_ORDER_INDEX not in back
    assert await _columns(empty_database, "rectification_orders") == columns_before
    await _insert_second_order_of_check_2(empty_database)  # no constraint any more
    await upgrade(empty_database, REVISION)  # and the duplicate is dealt with again
    now = await _orders(empty_database)
    assert now[4] == (1, "issued", True)
    assert now[8] == (2, "issued", True)
    assert now[6] == (2, "issued", False)
