"""Two inspectors check the same post on the same day: each check is recorded, but the second
who begins an order for the post, while the first order is still open, is shown that order (who
issued it, when, its deadline and problem) and asked whether to issue another; stopping leaves
the unit one order, going on gives it two, and the reply rate counts the orders held."""

from __future__ import annotations

import datetime as dt

from bot.db.models import Dialogue, Role
from bot.emulator import SimUser
from tests.e2e.order_fixtures import reply
from tests.e2e.oversight_fixtures import (
    City,
    checked_in,
    city,
    inspections,
    orders,
    submit_check,
)
from tests.e2e.schedule import DAY, at, press_and_settle, shift
from tests.e2e.swap_fixtures import member
from tests.harness import Harness


async def _second_inspector_begins(harness: Harness) -> tuple[City, SimUser]:
    """赵督查 checks 黄河路-人民路口 at 08:00 and issues an order; 钱督查 checks it at 09:00 and
    taps 📝 下整改令."""
    town = await city(harness)
    second = await member(harness, 8005, town.unit_id, "钱督查", role=Role.INSPECTOR)
    shift_id = await shift(harness, town.post_id, day=DAY, start=7, end=19)
    await checked_in(harness, shift_id, town.volunteers[0], at(DAY, 7, 0))
    await submit_check(harness, town.inspector, "日查 · 明查", "0")
    await press_and_settle(harness, town.inspector, "📝 下整改令")
    await press_and_settle(harness, town.inspector, "✅ 下发")
    await harness.deliver()
    harness.clock.set(at(DAY, 9, 0))
    await submit_check(harness, second, "抽查 · 明查", "0")
    assert len(await inspections(harness)) == 2
    await press_and_settle(harness, second, "📝 下整改令")
    return town, second


async def _reply_rate(harness: Harness) -> str:
    harness.clock.set(at(DAY, 20, 30))
    await harness.admin.send_command("today")
    await harness.settle()
    return "\n".join(m.text or "" for m in harness.admin.messages()[-3:])


async def test_the_second_inspector_is_shown_the_open_order_and_may_stop(
    harness: Harness,
) -> None:
    town, second = await _second_inspector_begins(harness)
    [first] = await orders(harness)
    asked = second.last()
    text = asked.text or ""
    assert f"「黄河路-人民路口」已有一件未办结的整改令 #{first.id}" in text, text
    assert "赵督查 于 2026年12月1日 08:00 下发" in text
    assert "期限 2026年12月2日 08:00" in text
    assert "问题：缺岗（每缺 1 人） ×4；签到 1 人，现场看到 0 人" in text
    assert "还要再下发一件吗？" in text
    assert asked.buttons() == ["📝 仍然下发", "✋ 不下发了"]
    # Typed text while the question is open does not skip it.
    await second.send_text("36")
    await harness.settle()
    assert second.last().buttons() == ["📝 仍然下发", "✋ 不下发了"]

    said = await press_and_settle(harness, second, "✋ 不下发了")
    assert f"没有下发新的整改令：请跟进整改令 #{first.id}" in said, said
    assert await harness.count(Dialogue) == 0
    assert len(await orders(harness)) == 1

    harness.clock.set(at(DAY, 11, 0))
    await reply(harness, town, "已补齐人员")
    text = await _reply_rate(harness)
    assert "整改令下发 1 件：回复 1 件" in text, text
    assert "回复整改率 100%" in text


async def test_the_second_inspector_may_issue_another_anyway(harness: Harness) -> None:
    town, second = await _second_inspector_begins(harness)
    draft = await press_and_settle(harness, second, "📝 仍然下发")
    assert "已有一件未办结" not in draft
    assert "✅ 下发" in second.last().buttons()
    await press_and_settle(harness, second, "✅ 下发")
    first, again = await orders(harness)
    assert first.post_id == again.post_id == town.post_id
    assert first.inspection_id != again.inspection_id
    await harness.deliver()

    harness.clock.set(at(DAY, 11, 0))
    await reply(harness, town, "已补齐人员")
    text = await _reply_rate(harness)
    assert "整改令下发 2 件：回复 1 件" in text, text
    # The other still has time to be replied to: not yet counted against the unit.
    assert "回复整改率 100%" in text
    # Its deadline passed without a reply: replying to one of the two lowers the rate.
    harness.clock.set(at(DAY + dt.timedelta(days=1), 20, 30))
    await harness.admin.send_command("week")
    await harness.settle()
    text = "\n".join(m.text or "" for m in harness.admin.messages()[-3:])
    assert "整改令下发 2 件：回复 1 件" in text, text
    assert "回复整改率 50%" in text


async def test_an_order_accepted_before_asks_nothing(harness: Harness) -> None:
    town = await city(harness)
    shift_id = await shift(harness, town.post_id, day=DAY, start=7, end=19)
    await checked_in(harness, shift_id, town.volunteers[0], at(DAY, 7, 0))
    await submit_check(harness, town.inspector, "日查 · 明查", "0")
    await press_and_settle(harness, town.inspector, "📝 下整改令")
    await press_and_settle(harness, town.inspector, "✅ 下发")
    await harness.deliver()
    harness.clock.set(at(DAY, 9, 0))
    await reply(harness, town, "已补齐人员")
    await harness.deliver()
    await press_and_settle(harness, town.inspector, "✅ 验收办结")
    await press_and_settle(harness, town.inspector, "不用")
    harness.clock.set(at(DAY, 10, 0))
    await submit_check(harness, town.inspector, "抽查 · 明查", "0")
    draft = await press_and_settle(harness, town.inspector, "📝 下整改令")
    assert "已有一件未办结" not in draft
    assert "✅ 下发" in town.inspector.last().buttons()


async def test_an_order_issued_while_the_draft_was_open_is_asked_about_at_issue(
    harness: Harness,
) -> None:
    """Both inspectors begin an order before either issues: the second's ✅ 下发 shows the
    first's order and asks, instead of issuing a second order unseen."""
    town = await city(harness)
    second = await member(harness, 8005, town.unit_id, "钱督查", role=Role.INSPECTOR)
    shift_id = await shift(harness, town.post_id, day=DAY, start=7, end=19)
    await checked_in(harness, shift_id, town.volunteers[0], at(DAY, 7, 0))
    await submit_check(harness, town.inspector, "日查 · 明查", "0")
    await submit_check(harness, second, "抽查 · 明查", "0")
    await press_and_settle(harness, town.inspector, "📝 下整改令")
    await press_and_settle(harness, second, "📝 下整改令")
    assert "✅ 下发" in second.last().buttons()
    await press_and_settle(harness, town.inspector, "✅ 下发")
    [first] = await orders(harness)

    text = await press_and_settle(harness, second, "✅ 下发")
    assert f"已有一件未办结的整改令 #{first.id}" in text, text
    assert second.answered_callbacks[-1]["text"] == (
        f"刚有人给这个岗位下发了整改令 #{first.id}，请先看一下。"
    )
    assert second.last().buttons() == ["📝 仍然下发", "✋ 不下发了"]
    assert len(await orders(harness)) == 1
    await press_and_settle(harness, second, "📝 仍然下发")
    await press_and_settle(harness, second, "✅ 下发")
    assert len(await orders(harness)) == 2
