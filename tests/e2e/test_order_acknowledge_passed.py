"""✍️ Acknowledge pressed on an order's first notice after the unit replied says the order's
state, not "reply by the deadline" with a Reply button that would only be refused."""

from __future__ import annotations

from bot.db.models import OrderStatus
from tests.e2e.order_fixtures import ordered, reply
from tests.e2e.oversight_fixtures import city, orders
from tests.e2e.schedule import press_and_settle
from tests.harness import Harness


async def test_acknowledge_pressed_after_the_reply_says_the_order_awaits_acceptance(
    harness: Harness,
) -> None:
    town = await city(harness)
    coordinator = town.coordinator
    await ordered(harness, town)
    notice = next(m for m in coordinator.messages() if "✍️ 签收" in m.buttons())
    await reply(harness, town, "已清运")
    seen = len(coordinator.messages())
    await coordinator.press("✍️ 签收", notice.message_id)
    await harness.settle()
    assert coordinator.answered_callbacks[-1]["text"] == (
        "这件整改令现在是「已回复待验收」，不能这样操作。"
    )
    assert len(coordinator.messages()) == seen
    [order] = await orders(harness)
    assert order.status is OrderStatus.REPLIED


async def test_acknowledge_pressed_again_before_the_reply_still_points_to_the_reply(
    harness: Harness,
) -> None:
    town = await city(harness)
    coordinator = town.coordinator
    await ordered(harness, town)
    await press_and_settle(harness, coordinator, "✍️ 签收")
    text = await press_and_settle(harness, coordinator, "✍️ 签收")
    assert "已经签收过了" in text
    assert coordinator.last().buttons() == ["📤 回复整改"]
