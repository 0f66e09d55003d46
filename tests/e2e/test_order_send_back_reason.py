"""A send-back reason refused (blank, or beginning with "/") says why and keeps Cancel at hand,
as a sticker sent there does; the inspector writes another and the reply is sent back."""

from __future__ import annotations

from bot.db.models import OrderStatus, ReportStatus
from tests.e2e.order_fixtures import ordered, reply
from tests.e2e.oversight_fixtures import city, near, orders, report, street_reports
from tests.e2e.schedule import press_and_settle
from tests.harness import Harness


async def test_a_refused_send_back_reason_says_why_and_keeps_cancel(harness: Harness) -> None:
    town = await city(harness)
    inspector = town.inspector
    await ordered(harness, town)
    await reply(harness, town, "已清运")
    await harness.deliver()
    await press_and_settle(harness, inspector, "↩️ 退回")
    await inspector.send_text(" /x 路边还有垃圾")
    await harness.settle()
    assert inspector.last().text == "这句话不能以 / 开头（以 / 开头的是命令），请重新写一句。"
    assert inspector.last().buttons() == ["✖️ 取消"]
    await inspector.send_text("好")
    await harness.settle()
    assert inspector.last().text == "请写明原因（2 到 500 个字）。"
    assert inspector.last().buttons() == ["✖️ 取消"]
    [order] = await orders(harness)
    assert order.status is OrderStatus.REPLIED
    await inspector.send_text("路边还有垃圾")
    await harness.settle()
    [order] = await orders(harness)
    assert order.status is OrderStatus.RETURNED


async def test_a_dismissal_reason_beginning_with_a_slash_says_why_and_keeps_cancel(
    harness: Harness,
) -> None:
    town = await city(harness)
    admin = harness.admin
    await report(harness, town.volunteers[0], near(60))
    [filed] = await street_reports(harness)
    await admin.send_command("orders")
    await harness.settle()
    await press_and_settle(harness, admin, "📷 待处理随手拍（1）")
    await press_and_settle(harness, admin, f"随手拍 #{filed.id}")
    await press_and_settle(harness, admin, "🚫 不予受理")
    await admin.send_text(" /x")
    await harness.settle()
    assert admin.last().text == "这句话不能以 / 开头（以 / 开头的是命令），请重新写一句。"
    assert admin.last().buttons() == ["✖️ 取消"]
    [still] = await street_reports(harness)
    assert still.status is ReportStatus.ROUTED
