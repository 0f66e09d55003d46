"""A rectification order's deadlines: reminders before it (before the quiet hours when it falls
inside them), an overdue order escalated to headquarters once (also after a restart), and a reply
sent back getting a fresh deadline that is reminded and, missed again, escalated again."""

from __future__ import annotations

import datetime as dt

from bot.db.models import RectificationOrder
from tests.e2e.order_fixtures import ordered, reply
from tests.e2e.oversight_fixtures import (
    HQ_GROUP,
    City,
    bind_headquarters,
    city,
    near,
    orders,
    report,
    street_reports,
    trail,
)
from tests.e2e.schedule import DAY, at, press_and_settle
from tests.harness import Harness


async def send_back(harness: Harness, town: City, reason: str) -> RectificationOrder:
    """The inspector sends the unit's reply back with `reason`; the notices are delivered."""
    await press_and_settle(harness, town.inspector, "↩️ 退回")
    await town.inspector.send_text(reason)
    await harness.settle()
    await harness.deliver()
    return (await orders(harness))[-1]


async def test_reminders_then_an_overdue_order_is_escalated_once_even_after_a_restart(
    harness: Harness,
) -> None:
    town = await city(harness)
    await bind_headquarters(harness)
    order = await ordered(harness, town)
    coordinator = town.coordinator
    seen = len(coordinator.messages())
    harness.clock.advance(hours=4)
    await harness.tick()
    assert f"整改令 #{order.id} 还没有签收" in (
        coordinator.last().caption or coordinator.last().text or ""
    )
    await harness.tick()
    assert len(coordinator.messages()) == seen + 1
    # Six hours before the deadline falls in the quiet hours: the reminder waits for 07:00.
    harness.clock.set(order.deadline_at - dt.timedelta(hours=5))
    await harness.tick()
    assert "到期" not in (coordinator.last().text or "")
    harness.clock.set(at(DAY + dt.timedelta(days=1), 7, 0))
    await harness.deliver()
    assert f"整改令 #{order.id} 将于 2026年12月2日 08:00 到期" in (coordinator.last().text or "")

    harness.clock.set(order.deadline_at + dt.timedelta(minutes=1))
    await harness.tick()
    escalation = f"超期督办：「城管局」的整改令 #{order.id} 期限 2026年12月2日 08:00 已过"
    group = harness.emulator.group(HQ_GROUP)
    assert escalation in (harness.admin.last().text or "")
    assert any(escalation in text for text in group.texts())
    assert "已报指挥部督办" in (coordinator.last().text or "")
    counted = (len(harness.admin.messages()), len(group.messages()), len(coordinator.messages()))
    await harness.tick()
    await harness.bot.restart()
    harness.clock.advance(hours=1)
    await harness.tick()
    assert (
        len(harness.admin.messages()),
        len(group.messages()),
        len(coordinator.messages()),
    ) == counted
    [late] = await orders(harness)
    assert late.escalated_at == order.deadline_at + dt.timedelta(minutes=1)
    assert (await trail(harness, "order", order.id)).count("order.escalate") == 1


async def test_a_deadline_inside_the_quiet_hours_is_reminded_before_it_not_after(
    harness: Harness,
) -> None:
    town = await city(harness)
    inspector, coordinator = town.inspector, town.coordinator
    await report(harness, town.volunteers[0], near(60), category="乱扔垃圾", text="垃圾桶满溢")
    [filed] = await street_reports(harness)
    await inspector.send_command("orders")
    await harness.settle()
    await press_and_settle(harness, inspector, "📷 待处理随手拍（1）")
    await press_and_settle(harness, inspector, f"随手拍 #{filed.id}")
    await press_and_settle(harness, inspector, "📝 下整改令")
    await inspector.send_text("明天6点")
    await harness.settle()
    await press_and_settle(harness, inspector, "✅ 下发")
    await harness.deliver()
    [order] = await orders(harness)
    assert order.deadline_at == at(DAY + dt.timedelta(days=1), 6)
    # ORDER_NEAR_DEADLINE_HOURS (6) before 06:00 is midnight, inside the quiet hours that end
    # at 07:00: held until then, "due at 06:00, reply in time" would come an hour too late.
    harness.clock.set(at(DAY + dt.timedelta(days=1), 0, 30))
    await harness.tick()
    expected = f"整改令 #{order.id} 将于 2026年12月2日 06:00 到期"
    assert expected in (coordinator.last().text or ""), coordinator.last().text
    harness.clock.set(at(DAY + dt.timedelta(days=1), 7))
    await harness.tick()
    reminders = [m.text or "" for m in coordinator.messages() if expected in (m.text or "")]
    assert len(reminders) == 1


async def test_an_unacknowledged_order_due_inside_the_quiet_hours_is_reminded_before_it(
    harness: Harness,
) -> None:
    town = await city(harness)
    inspector, coordinator = town.inspector, town.coordinator
    harness.clock.set(at(DAY, 19))
    await report(harness, town.volunteers[0], near(60), category="乱扔垃圾", text="垃圾桶满溢")
    [filed] = await street_reports(harness)
    await inspector.send_command("orders")
    await harness.settle()
    await press_and_settle(harness, inspector, "📷 待处理随手拍（1）")
    await press_and_settle(harness, inspector, f"随手拍 #{filed.id}")
    await press_and_settle(harness, inspector, "📝 下整改令")
    await inspector.send_text("明天6点")
    await harness.settle()
    await press_and_settle(harness, inspector, "✅ 下发")
    await harness.deliver()
    [order] = await orders(harness)
    assert order.deadline_at == at(DAY + dt.timedelta(days=1), 6)
    # ORDER_ACK_REMIND_HOURS (4) after 19:00 is 23:00, inside the quiet hours that end at
    # 07:00: held until then, "not acknowledged, due at 06:00" would come after the deadline.
    harness.clock.set(at(DAY, 23))
    await harness.tick()
    expected = f"整改令 #{order.id} 还没有签收，期限 2026年12月2日 06:00"
    last = coordinator.last()
    assert expected in (last.text or last.caption or ""), last.text
    harness.clock.set(at(DAY + dt.timedelta(days=1), 7))
    await harness.tick()
    reminders = [m for m in coordinator.messages() if expected in (m.text or m.caption or "")]
    assert len(reminders) == 1


async def test_a_reply_sent_back_after_the_deadline_gets_a_fresh_one_before_any_escalation(
    harness: Harness,
) -> None:
    town = await city(harness)
    group = await bind_headquarters(harness)
    coordinator = town.coordinator
    order = await ordered(harness, town)
    assert order.deadline_at == at(DAY + dt.timedelta(days=1), 8)
    # The unit replied in time; the inspector looks at it only the next afternoon.
    harness.clock.set(at(DAY, 11))
    await reply(harness, town, "已清运")
    await harness.deliver()
    harness.clock.set(at(DAY + dt.timedelta(days=1), 14))
    after = await send_back(harness, town, "路边还有散落垃圾")
    returned = coordinator.last().caption or coordinator.last().text or ""
    assert "整改令被退回：路边还有散落垃圾" in returned
    # 24 hours for litter, from the return.
    assert "2026年12月3日 14:00" in returned
    assert after.deadline_at == at(DAY + dt.timedelta(days=2), 14)
    harness.clock.advance(minutes=1)
    await harness.tick()
    assert not any("超期督办" in text for text in group.texts() + harness.admin.texts())
    # Missed again: escalated, saying it was sent back and not replied again.
    harness.clock.set(after.deadline_at + dt.timedelta(minutes=1))
    await harness.tick()
    told = "\n".join(group.texts())
    assert (
        f"「城管局」的整改令 #{order.id} 被退回后，期限 2026年12月3日 14:00 已过，仍未重新回复"
        in told
    )
    assert "仍未回复。" not in told


async def test_a_late_reply_sent_back_and_missed_again_is_escalated_again(
    harness: Harness,
) -> None:
    town = await city(harness)
    await bind_headquarters(harness)
    order = await ordered(harness, town)
    # No reply by the deadline: escalated the first time.
    harness.clock.set(order.deadline_at + dt.timedelta(minutes=1))
    await harness.tick()
    group = harness.emulator.group(HQ_GROUP)
    assert any("超期督办" in text for text in group.texts())
    # The unit replies late; the inspector sends it back: a fresh deadline (24 h for litter).
    harness.clock.set(at(DAY + dt.timedelta(days=1), 11))
    await reply(harness, town, "已清运")
    await harness.deliver()
    after = await send_back(harness, town, "路边还有散落垃圾")
    assert after.deadline_at == at(DAY + dt.timedelta(days=2), 11)
    # Missed again: escalated again, saying it was sent back.
    harness.clock.set(after.deadline_at + dt.timedelta(minutes=1))
    await harness.tick()
    told = "\n".join(group.texts())
    assert f"「城管局」的整改令 #{order.id} 被退回后" in told


async def test_a_reply_sent_back_is_reminded_of_its_new_deadline(harness: Harness) -> None:
    town = await city(harness)
    coordinator = town.coordinator
    order = await ordered(harness, town)
    # Reminded of the first deadline (2026-12-02 08:00), as in the reminders test.
    harness.clock.set(at(DAY + dt.timedelta(days=1), 7, 0))
    await harness.tick()
    await harness.deliver()
    assert f"整改令 #{order.id} 将于 2026年12月2日 08:00 到期" in (coordinator.last().text or "")
    await reply(harness, town, "已清运")
    await harness.deliver()
    harness.clock.set(at(DAY + dt.timedelta(days=1), 14))
    after = await send_back(harness, town, "路边还有散落垃圾")
    assert after.deadline_at == at(DAY + dt.timedelta(days=2), 14)
    # The new deadline comes near: the unit should hear it, as before the first one.
    harness.clock.set(after.deadline_at - dt.timedelta(hours=2))
    await harness.tick()
    await harness.deliver()
    texts = [m.text or m.caption or "" for m in coordinator.messages()]
    assert any("将于 2026年12月3日 14:00 到期" in text for text in texts), texts[-3:]
