"""The order in which the sender takes due messages: edits of a message already sent (a
broadcast's running count) before new messages, each in the order they were queued."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event

from bot.db.engine import Database
from bot.services.platform import outbox, outbox_claim

NOW = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)
COORDINATOR = 1


async def test_edits_are_claimed_before_the_broadcast_queued_ahead_of_them(
    database: Database,
) -> None:
    async with database.session() as session:
        await outbox.enqueue_many(
            session,
            [
                outbox.Queued(f"broadcast:1:{n}", 1000 + n, outbox.payload(f"通知 {n}"))
                for n in range(100)
            ],
            now=NOW,
            batch="broadcast:1",
        )
        for count in (10, 20):
            await outbox.enqueue(
                session,
                key=f"broadcast:1:progress:{count}/0/0",
                chat_id=COORDINATOR,
                body=outbox.payload(f"已送达 {count} / 100", edit_message_id=42),
                now=NOW,
                urgent=True,
            )
    async with database.session() as session:
        rows = await outbox_claim.claim_due(session, NOW, "sender-1", limit=10)
        claimed = [(row.chat_id, (row.payload or {}).get("text")) for row in rows]
    assert claimed[:2] == [(COORDINATOR, "已送达 10 / 100"), (COORDINATOR, "已送达 20 / 100")]
    assert claimed[2:] == [(1000 + n, f"通知 {n}") for n in range(8)]
    # The next pass goes on with the broadcast where this one stopped.
    async with database.session() as session:
        rows = await outbox_claim.claim_due(session, NOW, "sender-2", limit=3)
        assert [row.chat_id for row in rows] == [1008, 1009, 1010]


async def test_without_a_backlog_the_edits_go_first_from_one_read(database: Database) -> None:
    """Fewer due than a pass takes: the one read holds every due message, edits included, and
    the pass (idle most of the day) spends no second statement looking for edits."""
    async with database.session() as session:
        await outbox.enqueue_many(
            session,
            [
                outbox.Queued(f"broadcast:1:{n}", 1000 + n, outbox.payload(f"通知 {n}"))
                for n in range(3)
            ],
            now=NOW,
            batch="broadcast:1",
        )
        await outbox.enqueue(
            session,
            key="broadcast:1:progress:1/0/0",
            chat_id=COORDINATOR,
            body=outbox.payload("已送达 1 / 3", edit_message_id=42),
            now=NOW,
            urgent=True,
        )
    reads: list[str] = []

    def record(*args: object) -> None:
        if str(args[2]).lstrip().upper().startswith("SELECT"):
            reads.append(str(args[2]))

    engine = database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        async with database.session() as session:
            rows = await outbox_claim.claim_due(session, NOW, "sender-1", limit=10)
            claimed = [row.chat_id for row in rows]
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert claimed == [COORDINATOR, 1000, 1001, 1002]
    assert len(reads) == 1, reads


async def test_the_claim_walks_an_index_in_its_order_on_postgresql(database: Database) -> None:
    """Edits first, then by id: with 3,000 messages due the claim reads its first rows from
    indexes kept in that order, as a prepared statement's generic plan does (values bound),
    rather than sorting every due row at every pass of every sender."""
    if database.engine.dialect.name != "postgresql":
        pytest.skip("the plan asked of is PostgreSQL's")
    async with database.session() as session:
        await outbox.enqueue_many(
            session,
            [
                outbox.Queued(f"broadcast:1:{n}", 1000 + n, outbox.payload(f"通知 {n}"))
                for n in range(3000)
            ],
            now=NOW,
            batch="broadcast:1",
        )
    plans = []
    async with database.engine.connect() as connection:
        await connection.exec_driver_sql("ANALYZE outbox")
        # The plans of a prepared statement, that no longer looks at its values or does.
        for mode, query in [
            (mode, query)
            for mode in ("force_generic_plan", "force_custom_plan")
            for query in outbox_claim.claim_queries(NOW, quiet=False, limit=50)
        ]:
            await connection.exec_driver_sql(f"SET plan_cache_mode = {mode}")
            compiled = query.compile(dialect=database.engine.dialect)
            # As the column types bind them (a time as naive UTC), written out for EXECUTE.
            written = ", ".join(
                f"'{value.astimezone(dt.UTC).replace(tzinfo=None).isoformat()}'"
                if isinstance(value, dt.datetime)
                else f"'{value}'"
                if isinstance(value, str)
                else str(int(value))
                for value in (compiled.params[name] for name in compiled.positiontup or ())
            )
            await connection.exec_driver_sql(f"PREPARE claim AS {compiled}")
            rows = await connection.exec_driver_sql(f"EXPLAIN EXECUTE claim({written})")
            plans.append("\n".join(str(row[0]) for row in rows))
            await connection.exec_driver_sql("DEALLOCATE claim")
    for plan in plans:
        assert "Sort" not in plan, plan
        assert "Index Scan using" in plan, plan
