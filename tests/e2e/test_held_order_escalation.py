"""The unit's word of an escalation (超期督办) held by the quiet hours is drawn again when it
goes out: dropped once the unit replied, otherwise with only the buttons that still apply.

Litter gets ten hours here, so that a deadline falls in the quiet hours (22:00-07:00)."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.db.models import OrderStatus, OutboxStatus, RectificationOrder
from tests.e2e.oversight_fixtures import City, city, orders
from tests.e2e.schedule import DAY, at, press_and_settle
from tests.e2e.test_held_order_reminders import held, said
from tests.e2e.test_orders import ordered, reply
from tests.harness import Harness

NEXT_DAY = DAY + dt.timedelta(days=1)


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"order_deadline_hours": "litter=10"}


async def overdue_at_midnight(harness: Harness, town: City) -> RectificationOrder:
    """An order issued at 14:00, due at midnight, escalated at 00:01: the unit's word of it
    waits for 07:00."""
    harness.clock.set(at(DAY, 14))
    order = await ordered(harness, town)
    assert order.deadline_at == at(NEXT_DAY, 0)
    harness.clock.set(at(NEXT_DAY, 0, 1))
    await harness.tick()
    [escalation] = await held(harness, "escalate-unit")
    assert escalation.status is OutboxStatus.PENDING
    return order


async def test_a_held_escalation_is_dropped_once_the_unit_replied(harness: Harness) -> None:
    town = await city(harness)
    await overdue_at_midnight(harness, town)
    harness.clock.set(at(NEXT_DAY, 0, 30))
    await reply(harness, town, "已清理")
    harness.clock.set(at(NEXT_DAY, 7))
    await harness.deliver()

    assert not said(town, "已报指挥部督办")
    [escalation] = await held(harness, "escalate-unit")
    assert escalation.status is OutboxStatus.DROPPED
    [replied] = await orders(harness)
    assert replied.status is OrderStatus.REPLIED and replied.escalated_at is not None


async def test_a_held_escalation_after_an_acknowledgement_offers_only_the_reply(
    harness: Harness,
) -> None:
    town = await city(harness)
    order = await overdue_at_midnight(harness, town)
    harness.clock.set(at(NEXT_DAY, 0, 30))
    await press_and_settle(harness, town.coordinator, "✍️ 签收")
    harness.clock.set(at(NEXT_DAY, 7))
    await harness.deliver()

    [_sent] = said(town, f"整改令 #{order.id} 已超期（期限 2026年12月2日 00:00），已报指挥部督办")
    assert town.coordinator.last().buttons() == ["📤 回复整改"]
    [escalation] = await held(harness, "escalate-unit")
    assert escalation.status is OutboxStatus.SENT
    [acknowledged] = await orders(harness)
    assert acknowledged.status is OrderStatus.ACKNOWLEDGED
