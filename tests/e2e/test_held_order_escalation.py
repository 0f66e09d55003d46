"""The unit's word of an escalation (超期督办) held by the quiet hours is drawn again when it
goes out: dropped once the unit replied, otherwise with only the buttons that still apply. And
a deadline reminder held from before a send-back (退回重改) is not told alongside the one of
the new round: the unit hears of one deadline once.

Litter gets ten hours here, so that a deadline and a send-back's new one fall around the quiet
hours (22:00-07:00)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, select

from bot.buttons import OrderReturn
from bot.db.models import Member, MemberRole, OrderStatus, OutboxStatus, RectificationOrder, Role
from bot.services.oversight import orders as order_rules
from tests.e2e.held_fixtures import coordinator_read, outbox_of_event
from tests.e2e.order_fixtures import ordered, reply
from tests.e2e.oversight_fixtures import City, city, orders
from tests.e2e.schedule import DAY, at, press_and_settle
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
    [escalation] = await outbox_of_event(harness, "escalate-unit")
    assert escalation.status is OutboxStatus.PENDING
    return order


async def test_a_held_escalation_is_dropped_once_the_unit_replied(harness: Harness) -> None:
    town = await city(harness)
    await overdue_at_midnight(harness, town)
    harness.clock.set(at(NEXT_DAY, 0, 30))
    await reply(harness, town, "已清理")
    harness.clock.set(at(NEXT_DAY, 7))
    await harness.deliver()

    assert not coordinator_read(town, "已报指挥部督办")
    [escalation] = await outbox_of_event(harness, "escalate-unit")
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

    [_sent] = coordinator_read(
        town, f"整改令 #{order.id} 已超期（期限 2026年12月2日 00:00），已报指挥部督办"
    )
    assert town.coordinator.last().buttons() == ["📤 回复整改"]
    [escalation] = await outbox_of_event(harness, "escalate-unit")
    assert escalation.status is OutboxStatus.SENT
    [acknowledged] = await orders(harness)
    assert acknowledged.status is OrderStatus.ACKNOWLEDGED


async def test_a_held_escalation_does_not_reach_who_stopped_coordinating_meanwhile(
    harness: Harness,
) -> None:
    town = await city(harness)
    await overdue_at_midnight(harness, town)
    # 01:00: 陈协调 is no longer the unit's coordinator.
    async with harness.session() as session:
        await session.execute(
            delete(MemberRole).where(
                MemberRole.member_id.in_(
                    select(Member.id).where(Member.telegram_id == town.coordinator.user_id)
                ),
                MemberRole.role == Role.COORDINATOR,
            )
        )
        await session.commit()
    harness.clock.set(at(NEXT_DAY, 7))
    await harness.deliver()

    assert not coordinator_read(town, "已报指挥部督办")
    [escalation] = await outbox_of_event(harness, "escalate-unit")
    assert escalation.status is OutboxStatus.DROPPED
    [overdue] = await orders(harness)
    assert overdue.status is OrderStatus.ISSUED and overdue.escalated_at is not None


async def test_a_send_back_near_its_new_deadline_is_reminded_of_it_once(
    harness: Harness,
) -> None:
    town = await city(harness)
    harness.clock.set(at(DAY, 21, 30))
    order = await ordered(harness, town)
    assert order.deadline_at == at(NEXT_DAY, 7, 30)
    # 02:00 is within six hours of 07:30: the reminder waits for 07:00.
    harness.clock.set(at(NEXT_DAY, 2))
    await harness.tick()
    [first] = await outbox_of_event(harness, "remind-deadline")
    assert first.status is OutboxStatus.PENDING

    # The unit replies; the inspector sends it back from the order (the reply's notice to him
    # waits for the morning too): ten hours from 02:20 is 12:20.
    harness.clock.set(at(NEXT_DAY, 2, 10))
    await reply(harness, town, "已清理")
    harness.clock.set(at(NEXT_DAY, 2, 20))
    [replied] = await orders(harness)
    mark = order_rules.reply_mark(replied)
    inspector = town.inspector
    await inspector.press_data(OrderReturn(order.id, mark).pack(), inspector.last().message_id)
    await harness.settle()
    await inspector.send_text("路边还有散落垃圾")
    await harness.settle()
    [returned] = await orders(harness)
    assert returned.status is OrderStatus.RETURNED
    assert returned.deadline_at == at(NEXT_DAY, 12, 20)

    # 06:30 is within six hours of 12:20: the new round's reminder waits for 07:00 as well.
    harness.clock.set(at(NEXT_DAY, 6, 30))
    await harness.tick()
    harness.clock.set(at(NEXT_DAY, 7))
    await harness.deliver()

    [_once] = coordinator_read(town, f"整改令 #{order.id} 将于 2026年12月2日 12:20 到期")
    assert not coordinator_read(town, "2026年12月2日 07:30 到期")
    reminders = await outbox_of_event(harness, "remind-deadline")
    assert [r.status for r in reminders] == [OutboxStatus.DROPPED, OutboxStatus.SENT]
