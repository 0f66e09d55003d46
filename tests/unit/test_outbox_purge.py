"""The outbox purge's cost: one statement a run with nothing to forget, two with something, each
over a bounded span of ids; a long history is forgotten over several runs."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, update

from bot.db.engine import Database
from bot.db.models import OutboxMessage, OutboxStatus
from bot.services.platform import outbox
from bot.services.platform.outbox_purge import KEEP_DELIVERED, PURGE_SPAN, purge
from tests.conftest import make_settings
from tests.unit.statement_fixtures import statements

THEN = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)


async def _sent(database: Database, count: int, at: dt.datetime, prefix: str) -> None:
    messages = [outbox.Queued(f"{prefix}:{n}", 100 + n, outbox.payload("x")) for n in range(count)]
    async with database.session() as session:
        await outbox.enqueue_many(session, messages, now=at)
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.idempotency_key.startswith(f"{prefix}:"))
            .values(status=OutboxStatus.SENT, sent_at=at)
        )


async def _left(database: Database) -> int:
    async with database.session() as session:
        return int(await session.scalar(select(func.count()).select_from(OutboxMessage)) or 0)


async def test_a_run_with_nothing_old_reads_once_and_writes_nothing(database: Database) -> None:
    settings = make_settings(database.url)
    await _sent(database, 5, THEN, "young")
    async with statements(database) as sent, database.session() as session:
        await purge(session, THEN + KEEP_DELIVERED - dt.timedelta(seconds=1), settings)
    assert [s.split()[0] for s in sent] == ["SELECT"]
    assert await _left(database) == 5


async def test_a_long_history_is_forgotten_a_span_a_run(database: Database) -> None:
    settings = make_settings(database.url)
    await _sent(database, PURGE_SPAN + 200, THEN, "old")
    await _sent(database, 3, THEN + dt.timedelta(days=60), "young")
    now = THEN + KEEP_DELIVERED + dt.timedelta(days=1)
    async with statements(database) as sent, database.session() as session:
        await purge(session, now, settings)
    assert [s.split()[0] for s in sent] == ["SELECT", "DELETE"]
    assert await _left(database) == 200 + 3
    async with database.session() as session:
        await purge(session, now, settings)
    assert await _left(database) == 3
