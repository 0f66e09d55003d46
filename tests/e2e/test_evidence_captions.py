"""A photo sent with a caption, as a phone offers: the caption is the line the person wrote with
it, kept as the check's note, the reply's line or the street report's text, never dropped while
the bot answers only that the photo was received."""

from __future__ import annotations

from bot.db.models import Dialogue
from tests.e2e.order_fixtures import ordered
from tests.e2e.oversight_fixtures import (
    city,
    inspections,
    near,
    orders,
    start_check,
    street_reports,
)
from tests.e2e.schedule import press_and_settle
from tests.harness import Harness


async def test_a_check_photo_caption_is_the_note(harness: Harness) -> None:
    town = await city(harness)
    inspector = town.inspector
    await start_check(harness, inspector)
    post_button = next(b for b in inspector.last().buttons() if "黄河路-人民路口" in b)
    await press_and_settle(harness, inspector, post_button)
    await press_and_settle(harness, inspector, "日查 · 明查")
    await press_and_settle(harness, inspector, "0")
    await press_and_settle(harness, inspector, "下一步：拍照 ▶️")

    await inspector.send_photo(caption="两人在树荫下玩手机")
    await harness.settle()
    assert "已收到 1 张照片" in inspector.texts()[-2]
    assert inspector.last().text == "📝 备注已记下。好了点「提交督查」。"
    assert inspector.last().buttons() == ["✅ 提交督查", "✖️ 取消"]

    # A caption of invisible marks only is no note: the photo is kept, the caption refused.
    await inspector.send_photo(caption="\u200b\u200b")
    await harness.settle()
    assert "已收到 2 张照片" in inspector.texts()[-2]
    assert inspector.last().text == "文字请写 1 到 500 个字。"

    await press_and_settle(harness, inspector, "✅ 提交督查")
    [check] = await inspections(harness)
    assert check.note == "两人在树荫下玩手机"
    assert await harness.count(Dialogue) == 0


async def test_a_reply_photo_caption_is_the_reply_line(harness: Harness) -> None:
    town = await city(harness)
    await ordered(harness, town)
    coordinator = town.coordinator
    await press_and_settle(harness, coordinator, "📤 回复整改")
    await coordinator.send_photo(caption="已清运，垃圾桶已更换")
    await harness.settle()
    assert "1" in coordinator.texts()[-2]
    assert coordinator.last().buttons() == ["✅ 提交回复", "✖️ 取消"]
    await press_and_settle(harness, coordinator, "✅ 提交回复")
    [order] = await orders(harness)
    assert order.reply_note == "已清运，垃圾桶已更换"


async def test_a_street_report_photo_caption_is_its_text(harness: Harness) -> None:
    town = await city(harness)
    volunteer = town.volunteers[0]
    await volunteer.send_command("report")
    await harness.settle()
    await volunteer.send_photo(caption="共享单车堆在盲道上")
    await harness.settle()
    await volunteer.send_location(*near(30))
    await harness.settle()
    await press_and_settle(harness, volunteer, "乱停车")
    await press_and_settle(harness, volunteer, "✅ 提交")
    [filed] = await street_reports(harness)
    assert filed.description == "共享单车堆在盲道上"
