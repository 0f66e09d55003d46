"""A line refused during a check or an order's reply (blank, too long), or a message of the wrong
kind (a sticker, a file), keeps the step going: the answer carries Submit, so the inspector or
coordinator need not scroll back to an earlier message to find it."""

from __future__ import annotations

from tests.e2e.order_fixtures import ordered
from tests.e2e.oversight_fixtures import city, inspections, orders, start_check
from tests.e2e.schedule import press_and_settle
from tests.harness import Harness


async def test_a_refused_check_note_is_answered_with_submit(harness: Harness) -> None:
    town = await city(harness)
    inspector = town.inspector
    await start_check(harness, inspector)
    post_button = next(b for b in inspector.last().buttons() if "黄河路-人民路口" in b)
    await press_and_settle(harness, inspector, post_button)
    await press_and_settle(harness, inspector, "日查 · 明查")
    await press_and_settle(harness, inspector, "0")
    await press_and_settle(harness, inspector, "下一步：拍照 ▶️")
    await inspector.send_photo()
    await harness.settle()
    await inspector.send_text("x" * 501)
    await harness.settle()
    assert inspector.last().text == "文字请写 1 到 500 个字。"
    assert inspector.last().buttons() == ["✅ 提交督查", "✖️ 取消"]
    await inspector.send_sticker()
    await harness.settle()
    assert inspector.last().buttons() == ["✅ 提交督查", "✖️ 取消"]
    await inspector.press("✅ 提交督查", inspector.last().message_id)
    await harness.settle()
    [check] = await inspections(harness)
    assert check.note is None


async def test_a_refused_reply_note_is_answered_with_submit(harness: Harness) -> None:
    town = await city(harness)
    coordinator = town.coordinator
    await ordered(harness, town)
    await press_and_settle(harness, coordinator, "📤 回复整改")
    # Before any photo, a sticker is told to send one: nothing to submit yet.
    await coordinator.send_sticker()
    await harness.settle()
    assert coordinator.last().buttons() == ["✖️ 取消"]
    await coordinator.send_photo()
    await harness.settle()
    await coordinator.send_text("\u200b")
    await harness.settle()
    assert coordinator.last().text == "文字请写 1 到 500 个字。"
    assert coordinator.last().buttons() == ["✅ 提交回复", "✖️ 取消"]
    await coordinator.send_sticker()
    await harness.settle()
    assert coordinator.last().buttons() == ["✅ 提交回复", "✖️ 取消"]
    await coordinator.press("✅ 提交回复", coordinator.last().message_id)
    await harness.settle()
    [order] = await orders(harness)
    assert order.reply_note is None and order.replied_at is not None
