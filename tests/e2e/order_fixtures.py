"""One-line steps for rectification order stories: a street report turned into an order for
城管局, and the unit's reply with an "after" photo."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.db.models import Category, Member, OrderStatus, RectificationOrder
from tests.e2e.oversight_fixtures import City, near, orders, report, street_reports
from tests.e2e.schedule import press_and_settle
from tests.harness import Harness


async def ordered(harness: Harness, town: City, category: str = "乱扔垃圾") -> RectificationOrder:
    """王芳 reports litter by 城管局's post; the inspector orders it fixed with the default
    deadline; the order is delivered. Earlier reports, already ordered, may be there."""
    await report(harness, town.volunteers[0], near(60), category=category, text="垃圾桶满溢")
    filed = (await street_reports(harness))[-1]
    await town.inspector.send_command("orders")
    await harness.settle()
    await press_and_settle(harness, town.inspector, "📷 待处理随手拍（1）")
    await press_and_settle(harness, town.inspector, f"随手拍 #{filed.id}")
    await press_and_settle(harness, town.inspector, "📝 下整改令")
    await press_and_settle(harness, town.inspector, "✅ 下发")
    await harness.deliver()
    return (await orders(harness))[-1]


async def reply(harness: Harness, town: City, note: str) -> str:
    coordinator = town.coordinator
    await press_and_settle(harness, coordinator, "📤 回复整改")
    await coordinator.send_photo()
    await harness.settle()
    await coordinator.send_text(note)
    await harness.settle()
    return await press_and_settle(harness, coordinator, "✅ 提交回复")


async def open_orders(
    harness: Harness, town: City, count: int, unit_id: int | None = None
) -> list[int]:
    """`count` orders issued to 城管局 (or the unit `unit_id`) by the inspector at 城管局's
    post, each an hour's deadline after the one before (the lists' order), inserted as the
    issue would leave them."""
    now = harness.clock.now()
    async with harness.session() as session:
        inspector = await session.scalar(
            select(Member.id).where(Member.telegram_id == town.inspector.user_id)
        )
        rows = [
            RectificationOrder(
                unit_id=unit_id if unit_id is not None else town.unit_id,
                category=Category.LITTER,
                status=OrderStatus.ISSUED,
                post_id=town.post_id,
                description=f"第{number}处垃圾",
                issued_by_id=inspector,
                issued_at=now,
                visible_from=now,
                deadline_at=now + dt.timedelta(hours=24 + number),
                updated_at=now,
            )
            for number in range(1, count + 1)
        ]
        session.add_all(rows)
        await session.flush()
        return [row.id for row in rows]
