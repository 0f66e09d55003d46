"""An announcement to a unit of thousands is queued in bulk, as a shift broadcast is: a few
statements in one short write transaction, not one INSERT per volunteer."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from sqlalchemy import event, insert, select

from bot.db.engine import Database
from bot.db.models import (
    Member,
    MemberRole,
    OutboxMessage,
    Post,
    PostType,
    Role,
    Shift,
    ShiftStatus,
    Unit,
)
from bot.services.people.access import Actor
from bot.services.platform.redraw import Subject
from bot.services.schedule import broadcast, broadcast_messages
from tests.conftest import make_settings
from tests.unit.statement_fixtures import statements

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


async def test_lists_held_overnight_are_drawn_again_in_a_few_statements(
    database: Database,
) -> None:
    """A batch of lists of shifts drawn again when they go out (the sign-up rules applied to
    each volunteer's shifts) costs as many statements for 30 volunteers as for 10."""
    unit_id = await _unit_of_volunteers(database, 30)
    async with database.session() as session:
        place = Post(
            unit_id=unit_id,
            name="黄河路-人民路口",
            type=PostType.TRAFFIC,
            latitude=30.6586,
            longitude=104.0648,
            radius_m=150,
            archived=False,
            created_at=NOW,
        )
        session.add(place)
        await session.flush()
        rows = [
            Shift(
                post_id=place.id,
                starts_at=NOW + dt.timedelta(days=1, hours=hour),
                ends_at=NOW + dt.timedelta(days=1, hours=hour + 1),
                capacity=4,
                status=ShiftStatus.SCHEDULED,
                created_at=NOW,
            )
            for hour in (0, 2, 4)
        ]
        session.add_all(rows)
        await session.flush()
        shift_ids = tuple(row.id for row in rows)
        member_ids = (await session.scalars(select(Member.id).order_by(Member.id))).all()
    settings = make_settings(database.url)

    async def drawn(count: int) -> tuple[int, int]:
        subjects = [Subject((i, 0, *shift_ids), NOW) for i in member_ids[:count]]
        async with database.session() as session, statements(database) as sent:
            found = await broadcast_messages.redraw_shift_lists(session, subjects, NOW, settings)
        assert all(message is not None for message in found)
        return len(sent), len(found)

    few, _ = await drawn(10)
    many, lists = await drawn(30)
    assert lists == 30 and many == few
