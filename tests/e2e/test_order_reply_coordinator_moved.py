"""A coordinator moved to another unit while replying to an order of the unit they left can no
longer reply to it, and nothing they send could change that: the next photo, line or Submit
says so, naming the unit, and ends the reply, rather than gathering photos for a Submit that is
refused every time until Cancel. The order keeps waiting for its unit."""

from __future__ import annotations

from sqlalchemy import select, update

from bot.db.models import Dialogue, EvidencePhoto, Member, OrderStatus
from bot.emulator import SimUser
from tests.e2e.order_fixtures import ordered
from tests.e2e.oversight_fixtures import City, city, orders
from tests.e2e.schedule import press_and_settle
from tests.harness import Harness

LEFT = "只有「城管局」的协调员才能签收和回复这件整改令。"
NOT_UNDERSTOOD = "没看懂这条消息。发送 /help 查看可用的命令。"


async def _moved(harness: Harness, town: City, coordinator: SimUser) -> None:
    async with harness.session() as session:
        await session.execute(
            update(Member)
            .where(Member.telegram_id == coordinator.user_id)
            .values(unit_id=town.other_unit_id)
        )


async def _nothing_replied(harness: Harness, coordinator: SimUser) -> None:
    async with harness.session() as session:
        assert await session.get(Dialogue, coordinator.user_id) is None
        kept = await session.scalars(
            select(EvidencePhoto).where(EvidencePhoto.order_id.is_not(None))
        )
        assert list(kept) == []
    [order] = await orders(harness)
    assert order.status is OrderStatus.ISSUED and order.reply_note is None


async def test_a_photo_sent_after_the_move_ends_the_reply(harness: Harness) -> None:
    town = await city(harness)
    coordinator = town.coordinator
    await ordered(harness, town)
    await press_and_settle(harness, coordinator, "📤 回复整改")
    await coordinator.send_photo()
    await harness.settle()
    await _moved(harness, town, coordinator)

    await coordinator.send_photo()
    await harness.settle()
    assert coordinator.last().text == LEFT
    assert coordinator.last().buttons() == []
    await _nothing_replied(harness, coordinator)
    await coordinator.send_text("已清运完毕")
    await harness.settle()
    assert coordinator.last().text == NOT_UNDERSTOOD


async def test_submit_pressed_after_the_move_ends_the_reply(harness: Harness) -> None:
    town = await city(harness)
    coordinator = town.coordinator
    await ordered(harness, town)
    await press_and_settle(harness, coordinator, "📤 回复整改")
    await coordinator.send_photo()
    await harness.settle()
    asked = coordinator.last().message_id
    await _moved(harness, town, coordinator)

    await coordinator.press("✅ 提交回复", message_id=asked)
    await harness.settle()
    assert coordinator.answered_callbacks[-1]["text"] == LEFT
    pressed = next(m for m in coordinator.messages() if m.message_id == asked)
    assert pressed.text == LEFT and pressed.buttons() == []
    await _nothing_replied(harness, coordinator)
