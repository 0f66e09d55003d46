"""A bound group's binding and its messages when Telegram moves the group to a new id, and
when the bot is removed from it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.db.engine import Database
from bot.db.models import AuditEntry, BoundGroup, OutboxMessage, OutboxStatus
from bot.services.people import groups
from bot.services.people.access import Actor
from bot.services.platform import chat_moves, outbox
from tests.conftest import make_settings

NOW = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)
OLD = -4_001_234
NEW = -1_009_001_234
ADMIN = 900_001


async def _bind(database: Database, chat_id: int) -> None:
    async with database.session() as session:
        await groups.bind(
            session,
            Actor.of(ADMIN, None, [ADMIN]),
            chat_id=chat_id,
            title="指挥部",
            unit_id=None,
            language="en",
            now=NOW,
        )


async def _queue(database: Database, key: str, chat_id: int, status: OutboxStatus) -> None:
    async with database.session() as session:
        await outbox.enqueue(session, key=key, chat_id=chat_id, body=outbox.payload(key), now=NOW)
        row = await session.scalar(
            select(OutboxMessage).where(OutboxMessage.idempotency_key == key)
        )
        assert row is not None
        row.status = status


async def _rows(database: Database) -> list[tuple[str, int, OutboxStatus]]:
    async with database.session() as session:
        rows = await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return [(row.idempotency_key, row.chat_id, row.status) for row in rows]


def test_keys_are_renamed_by_their_parts_only() -> None:
    rename = chat_moves._key_for_chat
    assert rename(f"tally:{OLD}:2026-12-01", OLD, NEW) == f"tally:{NEW}:2026-12-01"
    assert rename(f"order-due:7:g{OLD}", OLD, NEW) == f"order-due:7:g{NEW}"
    # A number that merely contains the old id is not the chat.
    assert rename(f"x:{OLD}1:{OLD}", OLD, NEW) == f"x:{OLD}1:{NEW}"


async def test_moving_a_group_moves_its_binding_and_its_messages(database: Database) -> None:
    await _bind(database, OLD)
    await _queue(database, f"tally:{OLD}:2026-11-30", OLD, OutboxStatus.SENT)
    await _queue(database, f"tally:{OLD}:2026-12-01", OLD, OutboxStatus.PENDING)
    await _queue(database, "remind:1", 42, OutboxStatus.PENDING)
    async with database.session() as session:
        moved = await groups.move(session, OLD, NEW, NOW)
        assert moved is not None and moved.chat_id == NEW and moved.language == "en"
    async with database.session() as session:
        # The other side's service message, or a second refusal: nothing left to move.
        again = await groups.move(session, OLD, NEW, NOW)
        assert again is not None and again.chat_id == NEW
    async with database.session() as session:
        assert await session.get(BoundGroup, OLD) is None
        moves = list(
            await session.scalars(select(AuditEntry).where(AuditEntry.action == "group.move"))
        )
        assert [(entry.before, entry.after) for entry in moves] == [
            ({"chat_id": OLD}, {"chat_id": NEW})
        ]
    assert await _rows(database) == [
        (f"tally:{NEW}:2026-11-30", NEW, OutboxStatus.SENT),
        (f"tally:{NEW}:2026-12-01", NEW, OutboxStatus.PENDING),
        ("remind:1", 42, OutboxStatus.PENDING),
    ]


async def test_a_message_whose_twin_went_to_the_new_id_is_dropped(database: Database) -> None:
    await _bind(database, OLD)
    await _bind(database, NEW)
    await _queue(database, f"tally:{NEW}:2026-12-01", NEW, OutboxStatus.SENT)
    await _queue(database, f"tally:{OLD}:2026-12-01", OLD, OutboxStatus.PENDING)
    async with database.session() as session:
        await groups.move(session, OLD, NEW, NOW)
    async with database.session() as session:
        assert [group.chat_id for group in await groups.all_bound(session)] == [NEW]
    assert await _rows(database) == [
        (f"tally:{NEW}:2026-12-01", NEW, OutboxStatus.SENT),
        (f"tally:{OLD}:2026-12-01", NEW, OutboxStatus.DROPPED),
    ]


async def test_a_lost_group_is_unbound_its_queue_dropped_and_the_admins_told(
    database: Database,
) -> None:
    settings = make_settings("sqlite+aiosqlite://")
    await _bind(database, OLD)
    await _queue(database, f"tally:{OLD}:2026-12-01", OLD, OutboxStatus.PENDING)
    async with database.session() as session:
        assert await groups.lost(session, OLD, now=NOW, settings=settings)
    async with database.session() as session:
        # Told once: the update redelivered, or a 403 after the update, finds nothing bound.
        assert not await groups.lost(session, OLD, now=NOW, settings=settings)
        assert await groups.all_bound(session) == []
    rows = await _rows(database)
    assert rows[0] == (f"tally:{OLD}:2026-12-01", OLD, OutboxStatus.DROPPED)
    assert [(chat, status) for _, chat, status in rows[1:]] == [(ADMIN, OutboxStatus.PENDING)]
    async with database.session() as session:
        notice = await session.scalar(select(OutboxMessage).where(OutboxMessage.chat_id == ADMIN))
        assert notice is not None
        assert notice.payload["text"] == (
            "🔕 我已被移出群「指挥部」，该群不再收到「全部单位」的报告。"
            "要恢复，请把我加回该群，再在群里发送 /setgroup。"
        )


async def test_reports_of_a_deleted_topic_go_to_general(database: Database) -> None:
    async with database.session() as session:
        await groups.bind(
            session,
            Actor.of(ADMIN, None, [ADMIN]),
            chat_id=NEW,
            title="指挥部",
            unit_id=None,
            language="en",
            now=NOW,
            thread_id=7,
        )
        for key, thread in (("a", 7), ("b", 8), ("c", None)):
            body = outbox.payload(key, thread_id=thread)
            await outbox.enqueue(session, key=key, chat_id=NEW, body=body, now=NOW)
    async with database.session() as session:
        await groups.leave_topic(session, NEW, 7)
        assert await chat_moves.to_general(session, NEW, 7) == 1
    async with database.session() as session:
        bound = await groups.get(session, NEW)
        assert bound is not None and bound.thread_id is None
        rows = await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        assert [outbox.Message.from_json(row.payload).thread_id for row in rows] == [None, 8, None]
