"""The inbox service: updates stored once, handled once, answers kept until sent, done rows
pruned; and the migration that turns the processed-updates record into the inbox."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text

from bot.db.engine import Database, process_name
from bot.db.migrate import downgrade, upgrade
from bot.db.models import InboxStatus, InboxUpdate
from bot.services.platform import inbox

NOW = dt.datetime(2026, 12, 1, 0, 0, tzinfo=dt.UTC)


def update(update_id: int) -> tuple[int, dict[str, object]]:
    return update_id, {"update_id": update_id, "message": {"text": "hi"}}


async def test_an_update_is_stored_once(database: Database) -> None:
    async with database.session() as session:
        assert await inbox.store(session, [update(1), update(2)], NOW, "a:1") == {1, 2}
    async with database.session() as session:
        assert await inbox.store(session, [update(2), update(3)], NOW, "a:1") == {3}
    async with database.session() as session:
        left = await inbox.left_over(session, InboxStatus.RECEIVED)
    assert [row.update_id for row in left] == [1, 2, 3]
    assert left[0].payload == update(1)[1]


async def test_an_update_is_handled_once_and_its_answer_kept_until_sent(
    database: Database,
) -> None:
    async with database.session() as session:
        await inbox.store(session, [update(5)], NOW, "a:1")
    async with database.session() as session:
        assert await inbox.handled(session, 5, NOW, [{"op": "message", "chat": 1, "text": "ok"}])
    async with database.session() as session:
        assert not await inbox.handled(session, 5, NOW)
        (row,) = await inbox.left_over(session, InboxStatus.ANSWERING)
    # The update itself (a phone number, say) is not kept once handled.
    assert row.payload is None and row.answer == [{"op": "message", "chat": 1, "text": "ok"}]
    async with database.session() as session:
        await inbox.answered(session, [5])
    async with database.session() as session:
        assert await inbox.counts(session) == {InboxStatus.DONE: 1}


async def test_a_record_rolled_back_with_its_change_leaves_the_update_to_handle(
    database: Database,
) -> None:
    async with database.session() as session:
        await inbox.store(session, [update(6)], NOW, "a:1")
    try:
        async with database.session() as session:
            assert await inbox.handled(session, 6, NOW)
            raise RuntimeError("the handler failed")
    except RuntimeError:
        pass
    async with database.session() as session:
        assert [row.update_id for row in await inbox.left_over(session, InboxStatus.RECEIVED)] == [
            6
        ]
        # A refusal or a failure marks it done with its explanation instead.
        assert await inbox.handled(session, 6, NOW, [{"op": "message", "chat": 1, "text": "no"}])
        assert not await inbox.handled(session, 6, NOW)


async def test_an_update_that_never_passed_the_inbox_is_recorded_as_handled(
    database: Database,
) -> None:
    async with database.session() as session:
        assert await inbox.handled(session, 9, NOW)
    async with database.session() as session:
        assert not await inbox.handled(session, 9, NOW)


async def test_done_rows_are_pruned_and_open_ones_kept(database: Database) -> None:
    async with database.session() as session:
        await inbox.store(session, [update(1), update(2)], NOW, "a:1")
        assert await inbox.handled(session, 1, NOW)
    later = NOW + inbox.KEEP + dt.timedelta(seconds=1)
    async with database.session() as session:
        assert await inbox.prune(session, later - inbox.KEEP) == 1
        assert await inbox.counts(session) == {InboxStatus.RECEIVED: 1}


async def test_the_migration_carries_processed_updates_into_the_inbox(tmp_path: Path) -> None:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    try:
        await upgrade(database, "0008")
        async with database.engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO processed_updates (update_id, processed_at)"
                    " VALUES (41, '2026-11-30 10:00:00.000000')"
                )
            )
        await upgrade(database)
        async with database.session() as session:
            row = await session.get(InboxUpdate, 41)
            assert row is not None and row.status is InboxStatus.DONE
            assert row.done_at == dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.UTC)
            # A redelivery of an update handled before the upgrade is still recognised.
            assert not await inbox.handled(session, 41, NOW)
        await downgrade(database, "0008")
        async with database.engine.connect() as connection:
            rows = await connection.execute(text("SELECT update_id FROM processed_updates"))
            assert [row[0] for row in rows] == [41]
    finally:
        await database.dispose()


async def test_the_look_back_finds_the_last_update_received_before_a_moment(
    database: Database,
) -> None:
    """At start the webhook counts the updates in from the highest one received longer ago
    than Telegram keeps one (bot/intake/)."""
    async with database.session() as session:
        await inbox.store(session, [update(10), update(11)], NOW, "a:1")
        await inbox.store(session, [update(12)], NOW + dt.timedelta(hours=1), "a:1")
        await inbox.store(session, [update(14)], NOW + dt.timedelta(hours=30), "a:1")
    async with database.session() as session:
        assert await inbox.highest_id(session, received_before=NOW) is None
        assert await inbox.highest_id(session, received_before=NOW + dt.timedelta(minutes=1)) == 11
        assert await inbox.highest_id(session, received_before=NOW + dt.timedelta(hours=2)) == 12
        assert await inbox.highest_id(session, received_before=NOW + dt.timedelta(days=2)) == 14
        assert await inbox.highest_id(session) == 14


async def test_the_look_back_reads_the_index_of_received_at(database: Database) -> None:
    """Two days of a busy bot's updates are kept: the look-back steps into the index of
    received_at, not through every update received since (nor every one before)."""
    if database.engine.dialect.name != "sqlite":
        pytest.skip("the plan asserted is SQLite's")
    sent: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        sent.append((statement, parameters))

    event.listen(database.engine.sync_engine, "before_cursor_execute", record)
    try:
        async with database.session() as session:
            await inbox.highest_id(session, received_before=NOW)
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", record)
    [(statement, parameters)] = [(s, p) for s, p in sent if s.lstrip().startswith("SELECT")]
    for statistics in ([], [("inbox", "ix_inbox_received", "200000 2 1")]):
        async with database.engine.begin() as connection:
            await connection.exec_driver_sql("ANALYZE")
            await connection.exec_driver_sql("DELETE FROM sqlite_stat1")
            for row in statistics:
                await connection.exec_driver_sql("INSERT INTO sqlite_stat1 VALUES (?, ?, ?)", row)
            await connection.exec_driver_sql("ANALYZE sqlite_schema")
            rows = await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            plan = " / ".join(str(row[-1]) for row in rows)
        assert plan == "SEARCH inbox USING COVERING INDEX ix_inbox_received (received_at<?)", plan


async def test_the_live_workers_are_the_processes_connected_now(database: Database) -> None:
    if database.is_sqlite:
        pytest.skip("on SQLite one process is the rule; nobody asks")
    async with database.read_session() as session:
        live = await inbox.live_workers(session)
    assert process_name() in live
    assert "gone:1" not in live
