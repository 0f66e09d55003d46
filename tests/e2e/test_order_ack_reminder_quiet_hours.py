"""An order issued in the quiet hours reaches the unit when they end: the reminder to
acknowledge it counts ORDER_ACK_REMIND_HOURS from then, not from the night, so the unit's
coordinator does not find "not acknowledged yet" beside the order itself in the morning."""

from __future__ import annotations

import datetime as dt

from tests.e2e.order_fixtures import ordered
from tests.e2e.oversight_fixtures import city
from tests.e2e.schedule import DAY, at
from tests.harness import Harness


async def test_an_order_issued_at_night_is_reminded_hours_after_it_arrived_in_the_morning(
    harness: Harness,
) -> None:
    town = await city(harness)
    coordinator = town.coordinator
    harness.clock.set(at(DAY, 23))
    order = await ordered(harness, town)
    assert order.deadline_at == at(DAY + dt.timedelta(days=1), 23)
    seen = len(coordinator.messages())
    morning = DAY + dt.timedelta(days=1)
    # ORDER_ACK_REMIND_HOURS (4) after 23:00 is still night: nothing to remind of yet.
    harness.clock.set(at(morning, 3, 30))
    await harness.tick()
    harness.clock.set(at(morning, 7))
    await harness.tick()
    await harness.deliver()
    # The street report's notice and the order, held overnight, and nothing else.
    arrived = [m.caption or m.text or "" for m in coordinator.messages()[seen:]]
    assert len(arrived) == 2, arrived
    assert "请签收" in arrived[1] and f"整改令 #{order.id}" in arrived[1], arrived
    assert not any("还没有签收" in text for text in arrived), arrived
    # Four hours after it arrived at 07:00, still not acknowledged: reminded, once.
    harness.clock.set(at(morning, 10, 59))
    await harness.tick()
    await harness.deliver()
    assert len(coordinator.messages()) == seen + 2
    harness.clock.set(at(morning, 11))
    await harness.tick()
    await harness.deliver()
    await harness.tick()
    await harness.deliver()
    reminders = [
        m for m in coordinator.messages()[seen:] if "还没有签收" in (m.caption or m.text or "")
    ]
    assert len(reminders) == 1, [m.text for m in coordinator.messages()[seen:]]
