"""The time to fix a covert check's order counts from when it reached the unit, with the
evening tally, not from the morning the inspector issued it: the unit could not fix what it
was not told of, and its median time to fix is not the hours of the check's secrecy."""

from __future__ import annotations

from tests.e2e.order_fixtures import reply
from tests.e2e.oversight_fixtures import city, orders, submit_check
from tests.e2e.schedule import DAY, at, press_and_settle, shift
from tests.harness import Harness


async def test_a_covert_check_s_order_is_timed_from_the_tally_that_published_it(
    harness: Harness,
) -> None:
    """12-01 10:00: a covert spot check finds nobody on post; its order waits for the 20:00
    tally. The unit replies at 20:30 and the inspector accepts at 21:00: fixed in one hour."""
    town = await city(harness)
    await shift(harness, town.post_id, day=DAY, start=7, end=19, capacity=1)
    harness.clock.set(at(DAY, 10))
    await submit_check(harness, town.inspector, "抽查 · 暗访", "0")
    await press_and_settle(harness, town.inspector, "📝 下整改令")
    await press_and_settle(harness, town.inspector, "✅ 下发")
    [order] = await orders(harness)
    assert order.issued_at == at(DAY, 10) and order.visible_from == at(DAY, 20)
    harness.clock.set(at(DAY, 20))
    await harness.tick()
    await harness.deliver()
    harness.clock.set(at(DAY, 20, 30))
    await reply(harness, town, "已补齐人员")
    await harness.deliver()
    harness.clock.set(at(DAY, 21))
    await press_and_settle(harness, town.inspector, "✅ 验收办结")
    await press_and_settle(harness, town.inspector, "不用")
    harness.clock.set(at(DAY, 21, 30))
    await harness.admin.send_command("today")
    await harness.settle()
    text = "\n".join(m.text or "" for m in harness.admin.messages()[-3:])
    assert "整改用时中位数 1 小时" in text, text
