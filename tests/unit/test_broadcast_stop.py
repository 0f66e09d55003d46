"""Stopping a broadcast against the sender, on SQLite and PostgreSQL alike: a row ends either
sent (it went to Telegram) or not sent (the stop dropped it), never counted as both; what the
sender held when the stop came may still go, what it hands back is never sent."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import insert, select

from bot.db.engine import Database
from bot.db.models import (
    AuditEntry,
    Broadcast,
    Member,
    MemberRole,
    OutboxMessage,
    OutboxStatus,
    Role,
    Unit,
)
from bot.errors import DomainError
from bot.services.people.access import Actor
from bot.services.platform import outbox, outbox_claim
from bot.services.schedule import broadcast, broadcast_progress, broadcast_stop
from tests.conftest import make_settings

NOW = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)
ADMIN = Actor(telegram_id=1, member=None, roles=frozenset({Role.ADMIN}))
PEOPLE = 5


async def _sent_announcement(database: Database) -> Broadcast:
    async with database.session() as session:
        unit = Unit(name="城管局", created_at=NOW)
        session.add(unit)
        await session.flush()
        await session.execute(
            insert(Member),
            [
                {
                    "telegram_id": 700_000 + n,
                    "display_name": f"志愿者{n}",
                    "unit_id": unit.id,
                    "registered_at": NOW,
                    "blocked_bot": False,
                    "active": True,
                }
                for n in range(PEOPLE)
            ],
        )
        ids = (await session.scalars(select(Member.id))).all()
        await session.execute(
            insert(MemberRole), [{"member_id": i, "role": Role.VOLUNTEER} for i in ids]
        )
        sent = await broadcast.send_announcement(
            session,
            ADMIN,
            unit.id,
            "明早 7 点集合",
            chat_id=1,
            language="zh_Hans",
            now=NOW,
            settings=make_settings(database.url),
            sender_name="Admin",
        )
        taken = await broadcast_progress.set_progress_message(
            session, sent.id, 42, NOW, make_settings(database.url)
        )
        assert taken
        return sent


async def _statuses(database: Database) -> list[OutboxStatus]:
    async with database.session() as session:
        rows = await session.scalars(
            select(OutboxMessage.status)
            .where(OutboxMessage.batch.like("broadcast:%"))
            .order_by(OutboxMessage.id)
        )
        return list(rows)


async def _counts(
    database: Database, sent: Broadcast, now: dt.datetime
) -> broadcast_progress.Counts:
    async with database.session() as session:
        found = await session.get(Broadcast, sent.id)
        assert found is not None
        return await broadcast_progress.counts(session, found, now)


async def test_a_stop_waiting_on_the_senders_claim_leaves_what_it_marked_sent(
    database: Database,
) -> None:
    sent = await _sent_announcement(database)
    settings = make_settings(database.url)
    claimed = asyncio.Event()
    release = asyncio.Event()

    async def sender() -> None:
        # A pass that claims two rows, sends them and marks them sent, in one transaction
        # that the stop has to wait for (its rows are locked on PostgreSQL; on SQLite the
        # database is).
        async with database.session() as session:
            rows = await outbox_claim.claim_due(session, NOW, "sender-1", limit=2)
            await outbox.mark_sent(session, [row.id for row in rows], NOW)
            claimed.set()
            await release.wait()

    async def stopper() -> broadcast_stop.Stopped:
        await claimed.wait()
        async with database.session() as session:
            return await broadcast_stop.stop(
                session, ADMIN, sent.id, now=NOW, settings=settings, pressed=(1, 42)
            )

    sending = asyncio.create_task(sender())
    stopping = asyncio.create_task(stopper())
    await claimed.wait()
    await asyncio.sleep(0)
    release.set()
    await sending
    stopped = await stopping

    assert (stopped.dropped, stopped.in_flight) == (3, 0)
    assert await _statuses(database) == [OutboxStatus.SENT] * 2 + [OutboxStatus.DROPPED] * 3
    counts = await _counts(database, sent, NOW)
    assert (counts.sent, counts.unsent, counts.failed, counts.stopped, counts.done) == (
        2,
        3,
        0,
        True,
        True,
    )


async def test_rows_in_the_senders_hands_at_the_stop_go_out_or_stay_unsent(
    database: Database,
) -> None:
    sent = await _sent_announcement(database)
    settings = make_settings(database.url)
    async with database.session() as session:
        rows = await outbox_claim.claim_due(session, NOW, "sender-1", limit=3)
    ids = [row.id for row in rows]

    later = NOW + dt.timedelta(seconds=1)
    async with database.session() as session:
        stopped = await broadcast_stop.stop(
            session, ADMIN, sent.id, now=later, settings=settings, pressed=(1, 42)
        )
    assert (stopped.dropped, stopped.in_flight) == (2, 3)
    # While the sender still holds three, the count is not final.
    counts = await _counts(database, sent, later)
    assert (counts.sent, counts.unsent, counts.in_flight, counts.done) == (0, 5, 3, False)
    async with database.session() as session:
        assert await broadcast_progress.report_progress(session, later, settings) == 0
        found = await session.get(Broadcast, sent.id)
        assert found is not None and found.finished_at is None

    # One went out, one Telegram refused for now (429) and one timed out: the first counts as
    # sent, the two handed back are never claimed again.
    async with database.session() as session:
        await outbox.mark_sent(session, [ids[0]], later)
        await outbox.retry_at(session, ids[1], later, "429", attempt=False)
        await outbox.retry_at(session, ids[2], later, "timed out", attempt=True)
    async with database.session() as session:
        assert (
            await outbox_claim.claim_due(session, later + dt.timedelta(hours=1), "sender-2") == []
        )
    assert await _statuses(database) == [OutboxStatus.SENT] + [OutboxStatus.DROPPED] * 4
    counts = await _counts(database, sent, later)
    assert (counts.sent, counts.unsent, counts.in_flight, counts.done) == (1, 4, 0, True)

    # The next tick edits the progress message to the final count and ends the broadcast.
    async with database.session() as session:
        assert await broadcast_progress.report_progress(session, later, settings) == 1
        found = await session.get(Broadcast, sent.id)
        assert found is not None and found.finished_at == later
        edit = await session.scalar(
            select(OutboxMessage).where(OutboxMessage.chat_id == 1).order_by(OutboxMessage.id)
        )
    assert edit is not None
    assert edit.payload["text"] == (
        "⏹ 已停止发送（管理员 停止）：送达 1 / 5，未发送 4，被屏蔽 0，失败 0"
    )
    assert "buttons" not in edit.payload
    async with database.session() as session:
        entries = list(await session.scalars(select(AuditEntry)))
    assert [(e.action, e.object_id, e.after) for e in entries] == [
        ("broadcast.stop", sent.id, {"dropped": 2, "in_flight": 3})
    ]


async def test_the_running_count_keeps_the_stop_button(database: Database) -> None:
    sent = await _sent_announcement(database)
    settings = make_settings(database.url)
    async with database.session() as session:
        rows = await outbox_claim.claim_due(session, NOW, "sender-1", limit=1)
        await outbox.mark_sent(session, [rows[0].id], NOW)
    async with database.session() as session:
        assert await broadcast_progress.report_progress(session, NOW, settings) == 1
        edit = await session.scalar(select(OutboxMessage).where(OutboxMessage.chat_id == 1))
    assert edit is not None
    assert edit.payload["text"] == "📣 发送中：已送达 1 / 5，被屏蔽 0，失败 0"
    assert edit.payload["buttons"] == [[["⏹ 停止发送", f"bc.stop:{sent.id}"]]]


async def test_two_stops_at_once_stop_it_once(database: Database) -> None:
    sent = await _sent_announcement(database)
    settings = make_settings(database.url)

    async def stop() -> str:
        async with database.session() as session:
            try:
                await broadcast_stop.stop(
                    session, ADMIN, sent.id, now=NOW, settings=settings, pressed=None
                )
            except DomainError as error:
                return str(error.code)
            return "stopped"

    outcomes = await asyncio.gather(stop(), stop())
    assert sorted(outcomes) == ["BROADCAST_ALREADY_STOPPED", "stopped"]
    async with database.session() as session:
        assert len(list(await session.scalars(select(AuditEntry)))) == 1


async def test_a_stop_pressed_in_another_chat_edits_the_progress_message(
    database: Database,
) -> None:
    """Message ids count per chat: a coordinator's listing in their own chat with the same id
    as the progress message in the sender's is not that message."""
    sent = await _sent_announcement(database)
    async with database.session() as session:
        stopped = await broadcast_stop.stop(
            session, ADMIN, sent.id, now=NOW, settings=make_settings(database.url), pressed=(7, 42)
        )
    assert stopped.counts.done
    async with database.session() as session:
        edit = await session.scalar(select(OutboxMessage).where(OutboxMessage.chat_id == 1))
        found = await session.get(Broadcast, sent.id)
    assert edit is not None and edit.payload["edit_message_id"] == 42
    assert edit.payload["text"] == (
        "⏹ 已停止发送（管理员 停止）：送达 0 / 5，未发送 5，被屏蔽 0，失败 0"
    )
    assert found is not None and found.finished_at == NOW


async def test_a_tick_that_read_the_broadcast_before_a_stop_counts_it_stopped(
    database: Database,
) -> None:
    # PostgreSQL's READ COMMITTED: a stop in another process commits between the tick's read of
    # the running broadcasts and its count (on SQLite the write lock keeps them apart).
    if not database.url.startswith("postgresql"):
        pytest.skip("PostgreSQL: each statement sees what another process committed")
    sent = await _sent_announcement(database)
    settings = make_settings(database.url)
    later = NOW + dt.timedelta(seconds=5)
    async with database.session() as tick:
        running = list(
            (await tick.scalars(select(Broadcast).where(Broadcast.finished_at.is_(None)))).all()
        )
        async with database.session() as other:
            await broadcast_stop.stop(
                other, ADMIN, sent.id, now=later, settings=settings, pressed=(1, 42)
            )
        for found in running:
            await broadcast_progress.report_one(tick, found, later, settings)
    async with database.session() as session:
        found = await session.get(Broadcast, sent.id)
        assert found is not None
        assert found.reported is not None and found.reported.startswith("stopped"), found.reported
        edits = (
            await session.scalars(
                select(OutboxMessage.payload).where(
                    OutboxMessage.idempotency_key.like("%progress%")
                )
            )
        ).all()
        assert not [body for body in edits if "发送完成" in str(body)]


async def test_a_running_count_queued_before_the_stop_is_not_sent_after_it(
    database: Database,
) -> None:
    sent = await _sent_announcement(database)
    settings = make_settings(database.url)
    async with database.session() as session:
        rows = await outbox_claim.claim_due(session, NOW, "sender-1", limit=2)
        await outbox.mark_sent(session, [row.id for row in rows], NOW)
    async with database.session() as session:
        assert (
            await broadcast_progress.report_progress(
                session, NOW + dt.timedelta(seconds=1), settings
            )
            == 1
        )
    async with database.session() as session:
        await broadcast_stop.stop(
            session,
            ADMIN,
            sent.id,
            now=NOW + dt.timedelta(seconds=2),
            settings=settings,
            pressed=(1, 42),
        )
    async with database.session() as session:
        pending = (
            await session.scalars(
                select(OutboxMessage.idempotency_key).where(
                    OutboxMessage.status == OutboxStatus.PENDING
                )
            )
        ).all()
        assert pending == []
        dropped = (
            await session.scalars(
                select(OutboxMessage.last_error).where(
                    OutboxMessage.idempotency_key == f"broadcast:{sent.id}:progress:2/0/0"
                )
            )
        ).all()
        assert dropped == [broadcast_stop.STOPPED_REASON]


async def test_the_list_message_that_stopped_a_broadcast_without_progress_message_ends_it(
    database: Database,
) -> None:
    """Telegram refused the progress message; the sender stops the broadcast from /broadcast
    (message 77 of its chat) while the sender still holds messages: that message, not a
    message of its own, gets the final count once they are settled."""
    sent = await _sent_announcement(database)
    settings = make_settings(database.url)
    async with database.session() as session:
        found = await session.get(Broadcast, sent.id)
        assert found is not None
        found.progress_message_id = None
        found.reported = None
    async with database.session() as session:
        rows = await outbox_claim.claim_due(session, NOW, "sender-1", limit=2)
    later = NOW + dt.timedelta(seconds=90)  # past PROGRESS_MESSAGE_GRACE
    async with database.session() as session:
        stopped = await broadcast_stop.stop(
            session, ADMIN, sent.id, now=later, settings=settings, pressed=(1, 77)
        )
    assert (stopped.dropped, stopped.in_flight, stopped.counts.done) == (3, 2, False)
    async with database.session() as session:
        await outbox.mark_sent(session, [row.id for row in rows], later)
    async with database.session() as session:
        assert await broadcast_progress.report_progress(session, later, settings) == 1
    async with database.session() as session:
        found = await session.get(Broadcast, sent.id)
        coordinator = (
            await session.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == 1))
        ).all()
    assert found is not None and found.finished_at == later and found.progress_message_id == 77
    assert [(row.payload.get("edit_message_id"), row.payload["text"]) for row in coordinator] == [
        (77, "⏹ 已停止发送（管理员 停止）：送达 2 / 5，未发送 3，被屏蔽 0，失败 0")
    ]


async def test_a_progress_message_posted_after_the_list_message_took_its_place_is_not_taken(
    database: Database,
) -> None:
    """The listed message 77 of the sender's chat ended the broadcast; a progress message
    posted late (78) is refused as its progress message, for the handler to take away."""
    sent = await _sent_announcement(database)
    settings = make_settings(database.url)
    async with database.session() as session:
        found = await session.get(Broadcast, sent.id)
        assert found is not None
        found.progress_message_id = None
        found.reported = None
    async with database.session() as session:
        await broadcast_stop.stop(
            session, ADMIN, sent.id, now=NOW, settings=settings, pressed=(1, 77)
        )
    async with database.session() as session:
        taken = await broadcast_progress.set_progress_message(session, sent.id, 78, NOW, settings)
    assert not taken
    async with database.session() as session:
        found = await session.get(Broadcast, sent.id)
        queued = (
            await session.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == 1))
        ).all()
    assert found is not None and found.progress_message_id == 77
    assert found.finished_at == NOW and queued == []


async def test_a_progress_message_posted_while_a_stop_ends_the_broadcast_is_not_taken(
    database: Database,
) -> None:
    """PostgreSQL's READ COMMITTED: the progress message, posted late, is being stored as the
    broadcast's when a stop from the /broadcast list (message 77) commits and ends it. The
    posting read the broadcast before that commit: it must not take the place of 77 (whose
    stopped count is queued) and show the opening count with ⏹ on a broadcast that is over;
    it is refused, for the handler to take away."""
    if not database.url.startswith("postgresql"):
        pytest.skip("PostgreSQL: each statement sees what another process committed")
    sent = await _sent_announcement(database)
    settings = make_settings(database.url)
    async with database.session() as session:
        found = await session.get(Broadcast, sent.id)
        assert found is not None
        found.progress_message_id = None
        found.reported = None
    async with database.session() as posting:
        # The posting's read of the broadcast, before the stop commits.
        read = await posting.get(Broadcast, sent.id)
        assert read is not None and read.finished_at is None
        async with database.session() as other:
            await broadcast_stop.stop(
                other, ADMIN, sent.id, now=NOW, settings=settings, pressed=(1, 77)
            )
        taken = await broadcast_progress.set_progress_message(posting, sent.id, 78, NOW, settings)
    assert not taken
    async with database.session() as session:
        found = await session.get(Broadcast, sent.id)
    assert found is not None and found.progress_message_id == 77 and found.finished_at == NOW
