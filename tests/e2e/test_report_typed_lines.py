"""What a member types as a street report's text, or a coordinator as an order's reply, is
judged by the same rules wherever it comes: a line that begins with "/" is refused saying so
(not as if it were blank or too long)."""

from __future__ import annotations

from bot.db.models import Dialogue, StreetReport
from tests.e2e.order_fixtures import ordered
from tests.e2e.oversight_fixtures import (
    city,
    inspections,
    near,
    orders,
    report,
    start_check,
    street_reports,
)
from tests.e2e.schedule import press_and_settle
from tests.harness import Harness


async def test_a_line_beginning_with_a_slash_is_refused_saying_why(harness: Harness) -> None:
    town = await city(harness)
    wang = town.volunteers[0]
    # A space first: Telegram does not take it for a command, the bot reads it as the text.
    answer = await report(harness, wang, near(60), text=" /x 路口有垃圾")
    assert answer == "这句话不能以 / 开头（以 / 开头的是命令），请重新写一句。", answer
    assert await harness.count(StreetReport) == 0
    await wang.send_text("路口有垃圾")
    await harness.settle()
    [filed] = await street_reports(harness)
    assert filed.description == "路口有垃圾"


async def test_a_reply_note_beginning_with_a_slash_is_refused_saying_why(
    harness: Harness,
) -> None:
    town = await city(harness)
    coordinator = town.coordinator
    await ordered(harness, town)
    await press_and_settle(harness, coordinator, "📤 回复整改")
    await coordinator.send_photo()
    await harness.settle()
    await coordinator.send_text(" /done")
    await harness.settle()
    assert coordinator.last().text == "这句话不能以 / 开头（以 / 开头的是命令），请重新写一句。"
    [order] = await orders(harness)
    assert order.reply_note is None


async def test_an_order_problem_beginning_with_a_slash_is_refused_saying_why(
    harness: Harness,
) -> None:
    town = await city(harness)
    inspector = town.inspector
    await report(harness, town.volunteers[0], near(60))
    [filed] = await street_reports(harness)
    await inspector.send_command("orders")
    await harness.settle()
    await press_and_settle(harness, inspector, "📷 待处理随手拍（1）")
    await press_and_settle(harness, inspector, f"随手拍 #{filed.id}")
    await press_and_settle(harness, inspector, "📝 下整改令")
    await inspector.send_text(" /x 盲道被占")
    await harness.settle()
    assert inspector.last().text == "这句话不能以 / 开头（以 / 开头的是命令），请重新写一句。"
    await press_and_settle(harness, inspector, "✅ 下发")
    [order] = await orders(harness)
    assert order.description == "共享单车堆在盲道上"


async def test_a_checks_note_beginning_with_a_slash_is_refused_saying_why(
    harness: Harness,
) -> None:
    inspector = (await city(harness)).inspector
    await start_check(harness, inspector)
    post_button = next(b for b in inspector.last().buttons() if "黄河路-人民路口" in b)
    await press_and_settle(harness, inspector, post_button)
    await press_and_settle(harness, inspector, "日查 · 明查")
    await press_and_settle(harness, inspector, "2")
    await press_and_settle(harness, inspector, "下一步：拍照 ▶️")
    await inspector.send_photo()
    await harness.settle()
    await inspector.send_text(" /x 马甲脏了")
    await harness.settle()
    assert inspector.last().text == "这句话不能以 / 开头（以 / 开头的是命令），请重新写一句。"
    # The check goes on: Submit at hand, on the refusal.
    assert inspector.last().buttons() == ["✅ 提交督查", "✖️ 取消"]
    async with harness.session() as session:
        dialogue = await session.get(Dialogue, inspector.user_id)
        assert dialogue is not None and dialogue.data.get("note") is None
    await press_and_settle(harness, inspector, "✅ 提交督查")
    [check] = await inspections(harness)
    assert check.note is None
