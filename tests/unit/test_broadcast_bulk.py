"""An announcement to a unit of thousands is queued in bulk, as a shift broadcast is: a few
statements in one short write transaction, not one INSERT per volunteer."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from sqlalchemy import event, insert, select

from bot.db.engine import Database
from bot.db.models import Member, MemberRole, OutboxMessage, Role, Unit
from bot.services.people.access import Actor
from bot.services.schedule import broadcast
from tests.conftest import make_settings

NOW = dt.datetime(2026, 12, 1, 0, 0, tzinfo=dt.UTC)
ADMIN = Actor(telegram_id=1, member=None, roles=frozenset({Role.ADMIN}))
VOLUNTEERS = 2000


async def _unit_of_volunteers(database: Database, count: int) -> int:
    async with database.session() as session:
        unit = Unit(name="城管局", created_at=NOW)
        session.add(unit)
        await session.flush()
        rows = [
            {
                "telegram_id": 500_000 + n,
                "display_name": f"志愿者{n}",
                "language": "en" if n % 4 == 0 else None,
                "unit_id": unit.id,
                "registered_at": NOW,
                "blocked_bot": False,
                "active": True,
            }
            for n in range(count)
        ]
        await session.execute(insert(Member), rows)
        ids = (await session.scalars(select(Member.id).where(Member.unit_id == unit.id))).all()
        await session.execute(
            insert(MemberRole), [{"member_id": i, "role": Role.VOLUNTEER} for i in ids]
        )
        return unit.id


async def test_an_announcement_to_2000_volunteers_is_queued_in_a_few_statements(
    database: Database,
) -> None:
    unit_id = await _unit_of_volunteers(database, VOLUNTEERS)
    settings = make_settings(database.url)
    inserts: list[float] = []  # when each INSERT into the outbox began

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO OUTBOX "):
            inserts.append(time.perf_counter())

    event.listen(database.engine.sync_engine, "before_cursor_execute", seen)
    try:
        started = time.perf_counter()
        async with database.session() as session:
            sent = await broadcast.send_announcement(
                session,
                ADMIN,
                unit_id,
                "明早 7 点全员到岗",
                chat_id=1,
                language="zh_Hans",
                now=NOW,
                settings=settings,
                sender_name="Admin",
            )
        ended = time.perf_counter()
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", seen)
    queueing = ended - inserts[0]
    print(
        f"\nannouncement to {VOLUNTEERS}: {len(inserts)} INSERTs; transaction"
        f" {ended - started:.3f}s, of which queueing to commit {queueing:.3f}s"
    )
    assert sent.total == VOLUNTEERS
    # One statement a few hundred rows (outbox.BULK_ROWS), not one per volunteer.
    assert len(inserts) <= 2 * -(-VOLUNTEERS // 500), len(inserts)
    async with database.session() as session:
        rows = (await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()
    assert len(rows) == VOLUNTEERS
    assert {row.batch for row in rows} == {broadcast.batch_of(sent.id)}
    by_chat = {row.chat_id: row.payload["text"] for row in rows}
    assert by_chat[500_000] == by_chat[500_004] != by_chat[500_001]  # each in their language
    assert "明早 7 点全员到岗" in by_chat[500_001] and "Admin" in by_chat[500_001]
