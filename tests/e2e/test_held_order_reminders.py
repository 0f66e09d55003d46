"""Reminders of a rectification order held by the quiet hours are drawn again when they go
out: one asking to acknowledge, or warning of the deadline, is dropped once the unit has done
what it asked (acknowledged, replied) or the order is closed, and otherwise names the order as
it is then."""

from __future__ import annotations

import datetime as dt

from bot.db.models import OrderStatus, OutboxStatus
from tests.e2e.held_fixtures import coordinator_read, outbox_of_event
from tests.e2e.order_fixtures import ordered, reply
from tests.e2e.oversight_fixtures import city, orders
from tests.e2e.schedule import DAY, at, press_and_settle
from tests.harness import Harness

NEXT_DAY = DAY + dt.timedelta(days=1)


async def test_a_held_reminder_to_acknowledge_is_dropped_once_the_unit_acknowledged(
    harness: Harness,
) -> None:
    town = await city(harness)
    harness.clock.set(at(DAY, 19))
    order = await ordered(harness, town)
    assert order.deadline_at > at(NEXT_DAY, 7)
    # ORDER_ACK_REMIND_HOURS (4) after 19:00 is 23:00: the reminder waits for 07:00.
    harness.clock.set(at(DAY, 23))
    await harness.tick()
    [reminder] = await outbox_of_event(harness, "remind-ack")
    assert reminder.status is OutboxStatus.PENDING
    assert not coordinator_read(town, "还没有签收")

    # 06:30: the coordinator acknowledges from the order itself.
    harness.clock.set(at(NEXT_DAY, 6, 30))
    await press_and_settle(harness, town.coordinator, "✍️ 签收")
    harness.clock.set(at(NEXT_DAY, 7))
    await harness.deliver()

    assert not coordinator_read(town, "还没有签收")
    [reminder] = await outbox_of_event(harness, "remind-ack")
    assert reminder.status is OutboxStatus.DROPPED
    [acknowledged] = await orders(harness)
    assert acknowledged.status is OrderStatus.ACKNOWLEDGED


async def test_a_held_reminder_to_acknowledge_goes_with_only_the_buttons_that_still_apply(
    harness: Harness,
) -> None:
    """Still not acknowledged at 07:00: it goes, with its deadline as it is then."""
    town = await city(harness)
    harness.clock.set(at(DAY, 19))
    order = await ordered(harness, town)
    harness.clock.set(at(DAY, 23))
    await harness.tick()
    harness.clock.set(at(NEXT_DAY, 7))
    await harness.deliver()
    [_sent] = coordinator_read(town, f"整改令 #{order.id} 还没有签收")
    assert town.coordinator.last().buttons() == ["✍️ 签收", "📤 回复整改"]
    [reminder] = await outbox_of_event(harness, "remind-ack")
    assert reminder.status is OutboxStatus.SENT


async def test_a_held_deadline_reminder_is_dropped_once_the_unit_replied(
    harness: Harness,
) -> None:
    town = await city(harness)
    order = await ordered(harness, town)
    # Six hours before the 08:00 deadline is 02:00, in the quiet hours: held until 07:00.
    harness.clock.set(order.deadline_at - dt.timedelta(hours=5))
    await harness.tick()
    [reminder] = await outbox_of_event(harness, "remind-deadline")
    assert reminder.status is OutboxStatus.PENDING

    harness.clock.set(at(NEXT_DAY, 6))
    await reply(harness, town, "已清理")
    harness.clock.set(at(NEXT_DAY, 7))
    await harness.deliver()

    assert not coordinator_read(town, "到期，请按期整改回复")
    [reminder] = await outbox_of_event(harness, "remind-deadline")
    assert reminder.status is OutboxStatus.DROPPED
    [replied] = await orders(harness)
    assert replied.status is OrderStatus.REPLIED


async def test_a_held_deadline_reminder_after_an_acknowledgement_offers_only_the_reply(
    harness: Harness,
) -> None:
    town = await city(harness)
    order = await ordered(harness, town)
    harness.clock.set(order.deadline_at - dt.timedelta(hours=5))
    await harness.tick()
    harness.clock.set(at(NEXT_DAY, 6))
    await press_and_settle(harness, town.coordinator, "✍️ 签收")
    harness.clock.set(at(NEXT_DAY, 7))
    await harness.deliver()
    [_sent] = coordinator_read(town, f"整改令 #{order.id} 将于")
    assert town.coordinator.last().buttons() == ["📤 回复整改"]
    [acknowledged] = await orders(harness)
    assert acknowledged.status is OrderStatus.ACKNOWLEDGED


async def test_a_held_new_order_is_dropped_once_the_unit_replied_from_its_list(
    harness: Harness,
) -> None:
    """Issued at 23:00, the new order waits for 07:00; the coordinator found it in /orders at
    06:30 and replied: at 07:00 it asks nothing of the unit any more."""
    town = await city(harness)
    harness.clock.set(at(DAY, 23))
    order = await ordered(harness, town)
    [notice] = await outbox_of_event(harness, "issued")
    assert notice.status is OutboxStatus.PENDING

    harness.clock.set(at(NEXT_DAY, 6, 30))
    await town.coordinator.send_command("orders")
    await harness.settle()
    await press_and_settle(harness, town.coordinator, "📋 未办结（1）")
    await press_and_settle(harness, town.coordinator, f"#{order.id}")
    await reply(harness, town, "垃圾桶已清空")
    harness.clock.set(at(NEXT_DAY, 7))
    await harness.deliver()

    assert not coordinator_read(town, "您单位收到一件整改令")
    [notice] = await outbox_of_event(harness, "issued")
    assert notice.status is OutboxStatus.DROPPED
    [replied] = await orders(harness)
    assert replied.status is OrderStatus.REPLIED
