"""The progress message of a big broadcast keeps up with it: its running count goes out on
the sender's next pass, not after the messages of the broadcast queued before it, and still
within Telegram's overall limit."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.app import scheduled_tick
from bot.db.models import OutboxMessage, OutboxStatus, Role
from bot.emulator import FloodLimits
from tests.e2e.broadcast_fixtures import (
    VOLUNTEERS,
    announce,
    bulk_volunteers,
    last_broadcast,
    message_text,
    reached,
)
from tests.e2e.schedule import person, unit
from tests.harness import Harness


async def test_the_running_count_of_300_does_not_wait_for_the_whole_broadcast(
    harness: Harness,
) -> None:
    unit_id = await unit(harness)
    coordinator = await person(harness, 5701, unit_id, "王协调", role=Role.COORDINATOR)
    volunteers = await bulk_volunteers(harness, unit_id, VOLUNTEERS)
    progress = await announce(harness, coordinator, "今晚 8 点全员到岗")
    # Telegram's limits from here on: the sender alone writes now.
    harness.emulator.flood_limits = FloodLimits.telegram()
    sender = harness.bot.sender
    assert sender is not None and harness.bot.application is not None

    # A second's worth goes out, then the tick counts it and queues the running count.
    for _ in range(2):
        result = await sender.pass_once()
        if result.wait is not None:
            harness.clock.advance(seconds=result.wait)
    counted = len(reached(volunteers))
    assert 0 < counted < VOLUNTEERS
    await scheduled_tick(harness.bot.application)

    # The sender's next pass shows it to the coordinator, with most of the broadcast to go.
    result = await sender.pass_once()
    while result.attempted == 0 and result.wait is not None:
        harness.clock.advance(seconds=result.wait)
        result = await sender.pass_once()
    assert message_text(coordinator, progress) == (
        f"📣 发送中：已送达 {counted} / {VOLUNTEERS}，被屏蔽 0，失败 0"
    )
    sent = await last_broadcast(harness)
    async with harness.session() as session:
        waiting = await session.scalar(
            select(func.count()).where(
                OutboxMessage.batch == f"broadcast:{sent.id}",
                OutboxMessage.status == OutboxStatus.PENDING,
            )
        )
        edit = await session.scalar(
            select(OutboxMessage.status).where(
                OutboxMessage.idempotency_key.like(f"broadcast:{sent.id}:progress:%")
            )
        )
    assert waiting is not None and waiting > VOLUNTEERS // 2
    assert edit is OutboxStatus.SENT

    # The rest goes out at Telegram's pace, and the count ends final.
    await harness.deliver()
    await harness.tick()
    assert message_text(coordinator, progress) == (
        f"✅ 发送完成（共 {VOLUNTEERS} 人）：送达 {VOLUNTEERS}，被屏蔽 0，失败 0"
    )
    assert harness.emulator.rejected_429 == 0
