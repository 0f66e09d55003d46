"""Two inspectors act on the same reply of a rectification order at the same moment: one
accepts it (验收办结) while the other sends it back (退回) with a reason. Two issue an order
from the same check at the same moment: one order, and the other hears that one was issued."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.buttons import OrderAccept, OrderFromCheck
from bot.db.models import Inspection, OrderStatus, ReportStatus
from bot.services.oversight import order_drafts, order_review
from bot.services.oversight import orders as order_service
from bot.services.oversight.orders import reply_mark
from tests.e2e.order_fixtures import ordered, reply
from tests.e2e.oversight_fixtures import (
    City,
    city,
    inspections,
    orders,
    recorded_check,
    street_reports,
    trail,
)
from tests.e2e.race_gate import Gate, until
from tests.e2e.schedule import press_and_settle
from tests.harness import Harness


async def test_a_reply_is_either_accepted_or_sent_back_never_both(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    town = await city(harness)
    inspector, second = town.inspector, harness.admin  # an admin reviews orders too
    order = await ordered(harness, town)
    await reply(harness, town, "已清运")
    await harness.deliver()
    order = (await orders(harness))[0]
    assert order.status is OrderStatus.REPLIED
    await second.send_command("orders")
    await harness.settle()

    # 赵督查 sends the reply back and types why; his turn has checked the reply (still
    # REPLIED) when the admin presses ✅ 验收办结 on the same reply.
    await press_and_settle(harness, inspector, "↩️ 退回")
    gate = Gate(monkeypatch, order_review, "count_actions")
    await inspector.send_text("路边还有散落垃圾")
    await gate.wait_reached()
    answered = len(second.answered_callbacks)
    await second.press_data(
        OrderAccept(order.id, reply_mark(order)).pack(), second.last().message_id
    )
    await until(lambda: len(second.answered_callbacks) > answered)
    gate.release()
    await harness.settle()
    await harness.deliver()

    [final] = await orders(harness)
    decisions = ("order.accept", "order.return")
    actions = [a for a in await trail(harness, "order", final.id) if a in decisions]
    told_unit = [
        text for text in town.coordinator.texts() if "已办结" in text or "整改令被退回" in text
    ]
    # One decision, and the unit hears only that one.
    assert len(actions) == 1, (actions, final.status)
    assert len(told_unit) == 1, told_unit
    if final.status is OrderStatus.RETURNED:
        assert final.accepted_at is None and final.accepted_by_id is None
        [report] = await street_reports(harness)
        assert report.status is not ReportStatus.FIXED


async def two_drafts_from_one_check(harness: Harness, town: City) -> Inspection:
    """A check of 城管局's post; 赵督查 and the admin each open a draft of an order from it."""
    await recorded_check(
        harness, town.post_id, town.unit_id, harness.clock.now() - dt.timedelta(hours=1), 80.0
    )
    [check] = await inspections(harness)
    for person in (town.inspector, harness.admin):
        await person.send_command("orders")
        await harness.settle()
        await person.press_data(OrderFromCheck(check.id).pack(), person.last().message_id)
        await harness.settle()
        assert "✅ 下发" in person.last().buttons()
    return check


async def test_two_inspectors_issuing_an_order_from_one_check_at_once_make_one_order(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """赵督查 and the admin both draft an order from the same check and press ✅ 下发 at the
    same moment. On PostgreSQL both turns read that the check has no order yet; only one order
    is made, and the other is told, as when he came later, that one was issued."""
    town = await city(harness)
    inspector, admin = town.inspector, harness.admin
    check = await two_drafts_from_one_check(harness, town)

    # 赵督查's order is made and not yet committed when the admin presses ✅ 下发.
    gate = Gate(monkeypatch, order_service, "tell_unit")
    await inspector.press("✅ 下发")
    await gate.wait_reached()
    answered = len(admin.answered_callbacks)
    await admin.press("✅ 下发")
    await until(lambda: len(admin.answered_callbacks) > answered)
    gate.release()
    await harness.settle()
    await harness.deliver()

    issued = await orders(harness)
    assert [order.inspection_id for order in issued] == [check.id]
    assert inspector.answered_callbacks[-1]["text"] == "已下发"
    assert admin.answered_callbacks[-1]["text"] == "已经为它下发过整改令了，请在 /orders 查看。"
    assert len([text for text in town.coordinator.texts() if "整改令" in text]) == 1
    assert [a for a in await trail(harness, "order", issued[0].id) if a == "order.issue"] == [
        "order.issue"
    ]


async def test_an_order_the_read_missed_is_found_by_the_unique_index(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The admin's turn reads no order of the check (as a turn on PostgreSQL does while 赵督查's
    is not yet committed), but 赵督查's is there when it inserts: the unique index refuses it,
    the admin is told an order was issued, and nothing of the refused one is kept. On SQLite
    too, which runs one write at a time."""
    town = await city(harness)
    inspector, admin = town.inspector, harness.admin
    check = await two_drafts_from_one_check(harness, town)
    await press_and_settle(harness, inspector, "✅ 下发")
    [first] = await orders(harness)

    read = order_drafts._existing
    missed: list[int] = []

    async def stale(
        session: AsyncSession, source: order_drafts.Source, source_id: int
    ) -> int | None:
        if not missed:
            missed.append(source_id)
            return None
        return await read(session, source, source_id)

    monkeypatch.setattr(order_drafts, "_existing", stale)
    await admin.press("✅ 下发")
    await harness.settle()
    await harness.deliver()

    assert missed == [check.id]
    assert admin.answered_callbacks[-1]["text"] == "已经为它下发过整改令了，请在 /orders 查看。"
    assert [(order.id, order.inspection_id) for order in await orders(harness)] == [
        (first.id, check.id)
    ]
    assert await trail(harness, "order", first.id + 1) == []
    assert len([text for text in town.coordinator.texts() if "整改令" in text]) == 1
