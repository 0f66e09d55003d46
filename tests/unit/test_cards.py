"""Closing cards in place (bot/services/platform/cards.py): a card nobody saw is dropped, one
sent or being sent is edited once it has gone out, naming the message Telegram gave it, and the
edit of a card that never went out is dropped."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import select, text, update

from bot.buttons import SwapApprove
from bot.db.engine import Database
from bot.db.models import OutboxMessage, OutboxStatus
from bot.services.platform import cards, outbox, outbox_claim
from bot.settings import Settings

NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
CARD = outbox.payload("🔁 审批", buttons=[[("✅", SwapApprove(1))]], keep_id=True)


async def _row(database: Database, key: str) -> OutboxMessage:
    async with database.session() as session:
        row = await session.scalar(
            select(OutboxMessage).where(OutboxMessage.idempotency_key == key)
        )
        assert row is not None
        return row


async def test_unseen_cards_are_dropped_and_shown_ones_edited_once_sent(database: Database) -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    keys = {"unseen": 1, "in-flight": 2, "sent": 3, "failing": 4}
    async with database.session() as session:
        for key, chat in keys.items():
            await outbox.enqueue(session, key=key, chat_id=chat, body=CARD, now=NOW)
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.idempotency_key.in_(["in-flight", "failing"]))
            .values(claimed_by="w", claimed_until=NOW + dt.timedelta(minutes=2))
        )
    sent = await _row(database, "sent")
    async with database.session() as session:
        await outbox.mark_sent(session, [sent.id], NOW)
        await cards.keep_sent(session, {sent.id: (sent, 41)})

    async with database.session() as session:
        queued = await cards.close(
            session, list(keys), lambda t: outbox.payload("已批准"), now=NOW, settings=settings
        )
    assert queued == 3
    assert (await _row(database, "unseen")).status is OutboxStatus.DROPPED
    # The card in flight goes out (its id kept); the failing one is given up.
    flying = await _row(database, "in-flight")
    failing = await _row(database, "failing")
    async with database.session() as session:
        await outbox.mark_sent(session, [flying.id], NOW)
        await cards.keep_sent(session, {flying.id: (flying, 42)})
        await outbox.drop(session, failing.id, "gave up")

    async with database.session() as session:
        edits = list(
            await session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.idempotency_key.like("%:closed"))
                .order_by(OutboxMessage.id)
            )
        )
        assert [row.kind for row in edits] == ["edit"] * 3
        left = await cards.resolve(session, edits, NOW)
    assert [(row.chat_id, row.kind, row.payload.get("edit_message_id")) for row in left] == [
        (2, "edit", 42),
        (3, "edit", 41),
    ]
    assert all("edit_of" not in row.payload and not row.payload.get("buttons") for row in left)
    dropped = await _row(database, "failing:closed")
    assert dropped.status is OutboxStatus.DROPPED
    # Closed twice (a retried update): edited once.
    async with database.session() as session:
        again = await cards.close(
            session, list(keys), lambda t: outbox.payload("已批准"), now=NOW, settings=settings
        )
    assert again == 0


async def test_an_edit_waits_while_its_card_is_still_being_sent(database: Database) -> None:
    """A kill -9 after the card went out but before it was marked sent leaves it claimed; its
    edit, claimed first by the next sender, waits for the card instead of being dropped."""
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    async with database.session() as session:
        await outbox.enqueue(session, key="card", chat_id=5, body=CARD, now=NOW)
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.idempotency_key == "card")
            .values(claimed_by="killed", claimed_until=NOW + dt.timedelta(minutes=2))
        )
        assert await cards.close(
            session, ["card"], lambda t: outbox.payload("已批准"), now=NOW, settings=settings
        )
    edit = await _row(database, "card:closed")
    async with database.session() as session:
        claimed = await session.get(OutboxMessage, edit.id)
        assert claimed is not None
        assert await cards.resolve(session, [claimed], NOW) == []
    waiting = await _row(database, "card:closed")
    assert waiting.status is OutboxStatus.PENDING and waiting.claimed_until is None
    assert waiting.not_before >= NOW + dt.timedelta(minutes=2)
    # The card goes out at last: the edit names it.
    card = await _row(database, "card")
    async with database.session() as session:
        await outbox.mark_sent(session, [card.id], NOW)
        await cards.keep_sent(session, {card.id: (card, 77)})
    async with database.session() as session:
        again = await session.get(OutboxMessage, edit.id)
        assert again is not None
        left = await cards.resolve(session, [again], NOW)
    assert [row.payload.get("edit_message_id") for row in left] == [77]


async def test_a_card_claimed_while_it_is_closed_is_edited_not_dropped(database: Database) -> None:
    """On PostgreSQL the sender may claim a card between the closing's read and its write: the
    card goes out, so it must not be marked dropped (its buttons would stay for good) but get
    its edit. SQLite's writers take turns: the race cannot happen there."""
    if database.is_sqlite:
        pytest.skip("one writer at a time on SQLite")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    async with database.session() as session:
        await outbox.enqueue(session, key="card", chat_id=6, body=CARD, now=NOW, urgent=True)
    async with database.session() as sender:
        claimed = await outbox_claim.claim_due(sender, NOW, "sender")
        assert [row.idempotency_key for row in claimed] == ["card"]

        async def closing() -> int:
            async with database.session() as session:
                render = lambda t: outbox.payload("已批准")  # noqa: E731
                return await cards.close(session, ["card"], render, now=NOW, settings=settings)

        closed = asyncio.create_task(closing())
        await _until_an_outbox_write_waits(database)
    assert await closed == 1
    card = await _row(database, "card")
    assert card.status is OutboxStatus.PENDING and card.claimed_by == "sender"
    assert (await _row(database, "card:closed")).status is OutboxStatus.PENDING


async def _until_an_outbox_write_waits(database: Database) -> None:
    async with database.engine.connect() as watcher:
        for _ in range(3000):
            if await watcher.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    " AND datname = current_database() AND query LIKE 'UPDATE outbox%'"
                )
            ):
                return
            await watcher.rollback()
            await asyncio.sleep(0.01)
    raise AssertionError("the closing never waited for the sender's claim")


async def test_a_card_closed_while_its_failed_send_was_retried_goes_out_closed(
    database: Database,
) -> None:
    """The card was being sent when it was closed (so its edit was queued), and that send
    failed: claimed again, it goes as its edit says, without buttons, and the edit is dropped."""
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    async with database.session() as session:
        await outbox.enqueue(session, key="card", chat_id=8, body=CARD, now=NOW, urgent=True)
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.idempotency_key == "card")
            .values(claimed_by="sender", claimed_until=NOW + dt.timedelta(minutes=2))
        )
        assert await cards.close(
            session, ["card"], lambda t: outbox.payload("已批准"), now=NOW, settings=settings
        )
    card = await _row(database, "card")
    async with database.session() as session:
        await outbox.retry_at(session, card.id, NOW, "NetworkError: Bad Gateway", attempt=True)
    later = NOW + dt.timedelta(minutes=1)
    async with database.session() as session:
        claimed = await outbox_claim.claim_due(session, later, "sender")
        assert sorted(row.idempotency_key for row in claimed) == ["card", "card:closed"]
        left = await cards.resolve(session, claimed, later)
        assert [(row.idempotency_key, row.kind) for row in left] == [("card", "text")]
        [going] = left
        body = outbox.Message.from_json(going.payload)
        assert body.text == "已批准" and body.buttons == () and body.keep_id
        assert body.edit_of is None and body.edit_message_id is None
    assert (await _row(database, "card")).payload == going.payload
    edit = await _row(database, "card:closed")
    assert edit.status is OutboxStatus.DROPPED and edit.last_error == "its card went out closed"
