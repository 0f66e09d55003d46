"""The outbox forgets what it delivered, or gave up on, once nothing can ask for it again
(bot/services/platform/outbox_purge.py): a year of reminders, tallies and broadcasts does not
stay for ever, while a row is kept as long as its key may still stop a second sending."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.db.models import OutboxMessage, OutboxStatus
from bot.services.platform import outbox
from bot.services.platform.outbox_purge import KEEP_DELIVERED
from tests.harness import Harness


async def _enqueue(harness: Harness, key: str, **options: dt.datetime) -> bool:
    async with harness.session() as session:
        return await outbox.enqueue(
            session,
            key=key,
            chat_id=4301,
            body=outbox.payload(key),
            now=harness.clock.now(),
            **options,
        )


async def _keys(harness: Harness) -> dict[str, OutboxStatus]:
    async with harness.session() as session:
        rows = await session.execute(
            select(OutboxMessage.idempotency_key, OutboxMessage.status).where(
                OutboxMessage.chat_id == 4301
            )
        )
        return dict(rows.all())


async def test_delivered_and_given_up_rows_go_after_a_year_and_pending_ones_stay(
    harness: Harness,
) -> None:
    # A person who wrote to the bot, so that Telegram lets it write to them.
    await harness.user(4301, "周").send_command("start")
    await harness.settle()
    start = harness.clock.now()
    assert await _enqueue(harness, "told")
    assert await _enqueue(harness, "refused")
    # Owed still, however old: a message held for a far time (the test's stand-in for any row
    # the sender has not settled).
    assert await _enqueue(harness, "owed", not_before=start + 2 * KEEP_DELIVERED)
    await harness.deliver()
    async with harness.session() as session:
        refused = await session.scalar(
            select(OutboxMessage.id).where(OutboxMessage.idempotency_key == "refused")
        )
        assert refused is not None
        await outbox.park(session, refused, "Bad Request: message is too long")
    harness.clock.set(start + dt.timedelta(days=30))
    assert await _enqueue(harness, "recent")
    await harness.deliver()

    # Just short of the year and its margin: kept, and their keys still stop a second sending.
    harness.clock.set(start + KEEP_DELIVERED - dt.timedelta(minutes=1))
    await harness.tick()
    assert await _keys(harness) == {
        "told": OutboxStatus.SENT,
        "refused": OutboxStatus.PARKED,
        "owed": OutboxStatus.PENDING,
        "recent": OutboxStatus.SENT,
    }
    assert not await _enqueue(harness, "told")

    harness.clock.set(start + KEEP_DELIVERED + dt.timedelta(minutes=1))
    await harness.tick()
    assert await _keys(harness) == {"owed": OutboxStatus.PENDING, "recent": OutboxStatus.SENT}
