"""A follow-up (回头看) of an order whose unit was archived after the order was accepted: the
unit has left the campaign and takes no orders, so a relapse cannot reopen the order; the
inspector is told why, and the follow-up may still be closed as holding."""

from __future__ import annotations

from sqlalchemy import select

from bot.buttons import UnitArchive
from bot.db.models import OrderStatus, OutboxMessage, Unit
from tests.e2e.order_fixtures import ordered, reply
from tests.e2e.oversight_fixtures import city, orders
from tests.e2e.schedule import command, press_and_settle
from tests.harness import Harness


async def test_a_relapse_found_after_the_unit_was_archived_does_not_reopen_the_order(
    harness: Harness,
) -> None:
    town = await city(harness)
    inspector, admin = town.inspector, harness.admin
    order = await ordered(harness, town)
    await reply(harness, town, "已清理")
    await harness.deliver()
    await press_and_settle(harness, inspector, "✅ 验收办结")
    await press_and_settle(harness, inspector, "7 天后回头看")
    # Every order settled, the unit leaves the campaign.
    await command(harness, admin, "units")
    await admin.press_data(UnitArchive(town.unit_id, True, 0).pack(), admin.last().message_id)
    await harness.settle()
    async with harness.session() as session:
        assert await session.scalar(select(Unit.archived).where(Unit.id == town.unit_id))
    harness.clock.advance(days=7)
    await harness.tick()
    assert inspector.last().buttons() == ["👍 仍然到位", "🔁 复发，重新交办"]

    await press_and_settle(harness, inspector, "🔁 复发，重新交办")
    assert inspector.answered_callbacks[-1]["text"] == "「城管局」已归档，不能再向它下发整改令。"
    [kept] = await orders(harness)
    assert kept.status is OrderStatus.ACCEPTED and kept.reopened == 0
    assert kept.follow_up_done_at is None
    async with harness.session() as session:
        reopened = await session.scalars(
            select(OutboxMessage.idempotency_key).where(
                OutboxMessage.idempotency_key.like(f"order:{order.id}:reopened:%")
            )
        )
        assert list(reopened) == []

    # The follow-up is still closed as holding.
    await press_and_settle(harness, inspector, "👍 仍然到位")
    [closed] = await orders(harness)
    assert closed.status is OrderStatus.ACCEPTED and closed.follow_up_done_at is not None
