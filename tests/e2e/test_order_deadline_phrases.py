"""A deadline typed into an order's draft as inspectors write one: 限 or within N hours or days
(24小时内, 3天以内, 限48小時內, within 2 days), N days on (3天后), or tonight's or tomorrow
evening's time (今晚10点, 明晚6点; 晚上12点 and 24点 are midnight, 中午12点 noon). Each sets the
deadline and leaves the problem as it was; it is never taken for the problem, which would replace
the one the unit is to fix."""

from __future__ import annotations

import datetime as dt

from bot.db.models import Dialogue
from tests.e2e.oversight_fixtures import city, orders, report, street_reports
from tests.e2e.schedule import press_and_settle
from tests.harness import Harness


async def test_deadlines_typed_as_within_or_days_on_set_the_deadline_not_the_problem(
    harness: Harness,
) -> None:
    """Tuesday 12-01 08:00: the inspector drafts an order for a street report and types each
    deadline in turn; the draft answers with that deadline and the report's problem."""
    town = await city(harness)
    inspector = town.inspector
    await report(harness, town.volunteers[0], (30.6591, 104.0648), "乱扔垃圾", "垃圾桶满溢")
    [filed] = await street_reports(harness)
    await inspector.send_command("orders")
    await harness.settle()
    await press_and_settle(harness, inspector, "📷 待处理随手拍（1）")
    await press_and_settle(harness, inspector, f"随手拍 #{filed.id}")
    await press_and_settle(harness, inspector, "📝 下整改令")
    typed = {
        "24小时内": "2026年12月2日 08:00",
        "限48小時內": "2026年12月3日 08:00",
        "3天以内": "2026年12月4日 08:00",
        "2天后": "2026年12月3日 08:00",
        "within 36 hours": "2026年12月2日 20:00",
        "in 2 days": "2026年12月3日 08:00",
        "今晚10点": "2026年12月1日 22:00",
        "明晚6点前": "2026年12月2日 18:00",
        # 12 o'clock in the evening is the midnight that ends the day, not its noon.
        "今晚12点": "2026年12月2日 00:00",
        "明天晚上12点前": "2026年12月3日 00:00",
        "晚上12点": "2026年12月2日 00:00",
        "12月3日晚上12点": "2026年12月4日 00:00",
        "明晚12点半": "2026年12月3日 00:30",
        # 24:00 is that midnight too; noon is 中午12点.
        "今天24点": "2026年12月2日 00:00",
        "中午12点": "2026年12月1日 12:00",
        "12月3日18点前": "2026年12月3日 18:00",
        "24小时内。": "2026年12月2日 08:00",
        "明晚18:00": "2026年12月2日 18:00",
        # As typed in Chinese: midnight and the small hours of the night, 时 for hours, and
        # numbers in Chinese numerals.
        "晚上0点": "2026年12月2日 00:00",
        "夜里1点": "2026年12月2日 01:00",
        "明天凌晨两点": "2026年12月2日 02:00",
        "24时内": "2026年12月2日 08:00",
        "三天内": "2026年12月4日 08:00",
        "明天下午三点": "2026年12月2日 15:00",
        # A day of the week and a time, the problem kept: the next such day.
        "周五18点前": "2026年12月4日 18:00",
    }
    for text, deadline in typed.items():
        await inspector.send_text(text)
        await harness.settle()
        drafted = inspector.last().text or ""
        assert f"期限：{deadline}" in drafted, (text, drafted)
        assert "问题：垃圾桶满溢" in drafted, (text, drafted)
    await press_and_settle(harness, inspector, "✅ 下发")
    [order] = await orders(harness)
    assert order.description == "垃圾桶满溢"
    assert await harness.count(Dialogue) == 0


async def test_a_day_typed_without_its_time_is_asked_for_the_time_not_taken_as_the_problem(
    harness: Harness,
) -> None:
    """明天 or 12月3日前 alone names a day but no time: the draft asks for the deadline again and
    keeps both its deadline and its problem."""
    town = await city(harness)
    inspector = town.inspector
    await report(harness, town.volunteers[0], (30.6591, 104.0648), "乱扔垃圾", "垃圾桶满溢")
    [filed] = await street_reports(harness)
    await inspector.send_command("orders")
    await harness.settle()
    await press_and_settle(harness, inspector, "📷 待处理随手拍（1）")
    await press_and_settle(harness, inspector, f"随手拍 #{filed.id}")
    await press_and_settle(harness, inspector, "📝 下整改令")
    # Two hours at once (三四点) or no small hour (凌晨8点) is asked again too.
    for text in (
        "明天",
        "明天前",
        "12月3日前",
        "12-03",
        "tomorrow",
        "明天下午",
        "明天下午三四点",
        "凌晨8点",
    ):
        await inspector.send_text(text)
        await harness.settle()
        assert "看不懂这个期限" in (inspector.last().text or ""), text
    await press_and_settle(harness, inspector, "✅ 下发")
    [order] = await orders(harness)
    assert order.description == "垃圾桶满溢"
    assert order.deadline_at == order.issued_at + dt.timedelta(hours=24)
