"""An order for a unit that has no active coordinator: the inspector is told plainly that
nobody in the unit receives it and that the admins are told; the admins hear it once, so they
can appoint one; a coordinator who joins the unit later finds the order in /orders."""

from __future__ import annotations

from sqlalchemy import select, update

from bot.db.models import Member, OrderStatus, OutboxMessage, Role
from tests.e2e.order_fixtures import ordered
from tests.e2e.oversight_fixtures import city, orders
from tests.e2e.schedule import press_and_settle
from tests.e2e.swap_fixtures import member
from tests.harness import Harness


async def test_an_order_for_a_unit_without_coordinator_tells_the_issuer_and_the_admins(
    harness: Harness,
) -> None:
    town = await city(harness)
    async with harness.session() as session:
        # 陈协调, the only coordinator of 城管局, has left.
        await session.execute(
            update(Member)
            .where(Member.telegram_id == town.coordinator.user_id)
            .values(active=False)
        )
        await session.commit()
    before = len(town.coordinator.messages())
    order = await ordered(harness, town)
    assert order.status is OrderStatus.ISSUED
    issued = next(
        m.text or ""
        for m in reversed(town.inspector.messages())
        if f"#{order.id}" in (m.text or "")
    )
    assert "「城管局」现在没有协调员，暂时没有人收到" in issued, issued
    assert "已告知管理员" in issued
    told = [m.text or "" for m in harness.admin.messages() if f"#{order.id}" in (m.text or "")]
    assert len(told) == 1, told
    assert "「城管局」没有协调员" in told[0] and "/invite" in told[0]
    assert len(town.coordinator.messages()) == before
    async with harness.session() as session:
        keys = list(await session.scalars(select(OutboxMessage.idempotency_key)))
    assert len([k for k in keys if k.startswith(f"order:{order.id}:no-coordinator:")]) == 1

    # A coordinator appointed later finds the open order in /orders.
    newcomer = await member(harness, 8020, town.unit_id, "吴协调", role=Role.COORDINATOR)
    await newcomer.send_command("orders")
    await harness.settle()
    assert "· 城管局：未办结 1 件，其中超期 0 件" in (newcomer.last().text or "")
    text = await press_and_settle(harness, newcomer, "📋 未办结（1）")
    assert f"#{order.id}" in text and "城管局" in text
    assert len(await orders(harness)) == 1


async def test_an_order_for_a_unit_with_a_coordinator_tells_no_admin(harness: Harness) -> None:
    town = await city(harness)
    order = await ordered(harness, town)
    assert not [m for m in harness.admin.messages() if f"#{order.id}" in (m.text or "")]
    issued = next(
        m.text or ""
        for m in reversed(town.inspector.messages())
        if f"#{order.id}" in (m.text or "")
    )
    assert "没有协调员" not in issued
