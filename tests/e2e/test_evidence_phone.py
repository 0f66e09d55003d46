"""Checks, street reports and order replies as they go on a phone on a poor network: the same
picture sent twice is the one photo, not a "photo used before"; a place refused offers the 📍
button again."""

from __future__ import annotations

import pytest

from bot.db.models import EvidenceKind, EvidencePhoto, StreetReport
from tests.e2e.order_fixtures import ordered, reply
from tests.e2e.oversight_fixtures import city, near, report, rows
from tests.e2e.schedule import press_and_settle
from tests.harness import Harness


@pytest.mark.parametrize(
    "settings_overrides",
    [{"checkin_duplicate_photo": "refuse"}, {"checkin_duplicate_photo": "flag"}],
    ids=["refuse", "flag"],
)
async def test_a_picture_sent_twice_in_a_check_counts_once_and_is_not_used_before(
    harness: Harness,
) -> None:
    town = await city(harness)
    inspector = town.inspector
    await inspector.send_command("inspect")
    await harness.settle()
    await inspector.send_location(*near(30))
    await harness.settle()
    await press_and_settle(harness, inspector, "⭐ 黄河路-人民路口 · 城管局 · 30 米")
    await press_and_settle(harness, inspector, "周查 · 明查")
    await press_and_settle(harness, inspector, "0")
    await press_and_settle(harness, inspector, "下一步：拍照 ▶️")
    sent = await inspector.send_photo()
    await harness.settle()
    picture = str(sent["photo"][-1]["file_unique_id"])
    # No tick came back: the same picture is sent again.
    await inspector.send_photo_again(picture)
    await harness.settle()
    text = inspector.last().text or ""
    assert "以前用过" not in text, text
    assert "已收到 1 张照片" in text, text
    await press_and_settle(harness, inspector, "✅ 提交督查")
    [kept] = await rows(harness, EvidencePhoto)
    assert kept.file_unique_id == picture and not kept.flagged


async def test_a_picture_sent_twice_in_a_street_report_counts_once(harness: Harness) -> None:
    town = await city(harness)
    wang = town.volunteers[0]
    await wang.send_command("report")
    await harness.settle()
    sent = await wang.send_photo()
    await harness.settle()
    picture = str(sent["photo"][-1]["file_unique_id"])
    await wang.send_photo_again(picture)
    await harness.settle()
    text = wang.last().text or ""
    assert "以前用过" not in text and "问题在哪里" in text, text
    await wang.send_location(*near(60))
    await harness.settle()
    await press_and_settle(harness, wang, "乱停车")
    await press_and_settle(harness, wang, "✅ 提交")
    assert await harness.count(StreetReport) == 1
    assert [photo.file_unique_id for photo in await rows(harness, EvidencePhoto)] == [picture]


async def test_a_picture_sent_twice_in_an_order_reply_counts_once(harness: Harness) -> None:
    town = await city(harness)
    await ordered(harness, town)
    coordinator = town.coordinator
    await press_and_settle(harness, coordinator, "📤 回复整改")
    sent = await coordinator.send_photo()
    await harness.settle()
    after = str(sent["photo"][-1]["file_unique_id"])
    await coordinator.send_photo_again(after)
    await harness.settle()
    text = coordinator.last().text or ""
    assert "以前用过" not in text and "已收到 1 张整改后照片" in text, text

    await press_and_settle(harness, coordinator, "✅ 提交回复")
    kept = [photo.file_unique_id for photo in await rows(harness, EvidencePhoto)]
    assert kept.count(after) == 1, kept


@pytest.mark.parametrize("settings_overrides", [{"checkin_duplicate_photo": "flag"}])
async def test_a_reply_with_a_picture_used_before_is_flagged_to_the_inspector(
    harness: Harness,
) -> None:
    """With photos used before let in and flagged, the inspector who is to accept a reply
    is told that its "after" photo was used before (here: the report's own "before" photo)."""
    town = await city(harness)
    await ordered(harness, town)
    [before] = await rows(harness, EvidencePhoto)
    coordinator = town.coordinator
    await press_and_settle(harness, coordinator, "📤 回复整改")
    await coordinator.send_photo_again(before.file_unique_id)
    await harness.settle()
    await press_and_settle(harness, coordinator, "✅ 提交回复")
    await harness.deliver()
    notice = town.inspector.last()
    caption = notice.caption or ""
    assert "「城管局」回复了整改令" in caption and notice.buttons() == ["✅ 验收办结", "↩️ 退回"]
    assert "⚠️ 其中 1 张照片以前用过" in caption, caption
    # The card in /orders, whose buttons accept it too, says so as well.
    await town.inspector.send_command("orders")
    await harness.settle()
    await press_and_settle(harness, town.inspector, "📤 待验收（1）")
    card = await press_and_settle(harness, town.inspector, "#1")
    assert "⚠️ 其中 1 张照片以前用过" in card, card
    [_, after] = await rows(harness, EvidencePhoto)
    assert after.kind is EvidenceKind.AFTER and after.flagged
    assert after.file_unique_id == before.file_unique_id
    # Sent back; the next reply's photo is a fresh one: its card warns of nothing, the photo
    # used before being the sent-back reply's, not the one to accept now.
    await press_and_settle(harness, town.inspector, "↩️ 退回")
    await town.inspector.send_text("照片是整改前的")
    await harness.settle()
    harness.clock.advance(hours=1)
    await reply(harness, town, "已清运")
    await harness.deliver()
    assert "以前用过" not in (town.inspector.last().caption or "")
    await town.inspector.send_command("orders")
    await harness.settle()
    await press_and_settle(harness, town.inspector, "📤 待验收（1）")
    card = await press_and_settle(harness, town.inspector, "#1")
    assert "回复：已清运" in card and "以前用过" not in card, card
    assert [photo.flagged for photo in await rows(harness, EvidencePhoto)] == [False, True, False]


@pytest.mark.parametrize("settings_overrides", [{"checkin_duplicate_photo": "flag"}])
async def test_a_street_report_with_a_picture_used_before_is_flagged_to_the_inspector(
    harness: Harness,
) -> None:
    town = await city(harness)
    wang = town.volunteers[0]
    await report(harness, wang, near(60), category="乱停车")
    [first] = await rows(harness, EvidencePhoto)
    # The same picture as a report of another problem, at a place nobody answers for.
    await wang.send_command("report")
    await harness.settle()
    await wang.send_photo_again(first.file_unique_id)
    await harness.settle()
    await wang.send_location(*near(5000))
    await harness.settle()
    await press_and_settle(harness, wang, "设施损坏")
    await press_and_settle(harness, wang, "✅ 提交")
    _, again = await rows(harness, EvidencePhoto)
    assert again.flagged and again.file_unique_id == first.file_unique_id
    # The inspectors are asked to dispatch it, with the buttons that decide it: told there too.
    await harness.deliver()
    inspector = town.inspector
    asked = inspector.last()
    assert "请分派给责任单位" in (asked.caption or "")
    assert asked.buttons() == ["📮 分派给单位", "🚫 不予受理"]
    assert "⚠️ 其中 1 张照片以前用过" in (asked.caption or ""), asked.caption
    await inspector.send_command("orders")
    await harness.settle()
    await press_and_settle(harness, inspector, "📷 待处理随手拍（2）")
    first_card = await press_and_settle(harness, inspector, "随手拍 #1")
    assert "以前用过" not in first_card, first_card
    card = await press_and_settle(harness, inspector, "随手拍 #2")
    assert "⚠️ 其中 1 张照片以前用过" in card, card
    assert inspector.last().buttons()[-1] == "🚫 不予受理", inspector.last().buttons()


async def test_a_check_refused_for_its_place_offers_the_location_button_again(
    harness: Harness,
) -> None:
    town = await city(harness)
    inspector = town.inspector
    await inspector.send_command("inspect")
    await harness.settle()
    # 2 km from every post: refused, and the 📍 button (folded away once used) comes back.
    await inspector.tap_location_button(*near(2000))
    await harness.settle()
    assert "您附近 500 米内没有岗位" in (inspector.last().text or "")
    keyboard = inspector.reply_keyboard()
    assert keyboard is not None and keyboard[0][0].get("request_location") is True
    await inspector.tap_location_button(*near(30))
    await harness.settle()
    assert "⭐ 黄河路-人民路口 · 城管局 · 30 米" in inspector.last().buttons()


FULL = "最多 10 张"


async def test_an_eleventh_photo_of_a_check_is_said_to_be_not_kept(harness: Harness) -> None:
    town = await city(harness)
    inspector = town.inspector
    await inspector.send_command("inspect")
    await harness.settle()
    await inspector.send_location(*near(30))
    await harness.settle()
    await press_and_settle(harness, inspector, "⭐ 黄河路-人民路口 · 城管局 · 30 米")
    await press_and_settle(harness, inspector, "周查 · 明查")
    await press_and_settle(harness, inspector, "0")
    await press_and_settle(harness, inspector, "下一步：拍照 ▶️")
    for _ in range(10):
        await inspector.send_photo()
        await harness.settle()
    assert "已收到 10 张照片" in (inspector.last().text or "")
    extra = await inspector.send_photo()
    await harness.settle()
    text = inspector.last().text or ""
    assert FULL in text and "没有保存" in text, text
    assert "已收到 10 张照片" not in text, text
    # The check goes on: its Submit button is still at hand.
    await press_and_settle(harness, inspector, "✅ 提交督查")
    kept = [photo.file_unique_id for photo in await rows(harness, EvidencePhoto)]
    assert len(kept) == 10 and str(extra["photo"][-1]["file_unique_id"]) not in kept


async def test_an_eleventh_photo_of_a_street_report_is_said_to_be_not_kept(
    harness: Harness,
) -> None:
    town = await city(harness)
    wang = town.volunteers[0]
    await wang.send_command("report")
    await harness.settle()
    for _ in range(10):
        await wang.send_photo()
        await harness.settle()
    await wang.send_photo()
    await harness.settle()
    text = wang.last().text or ""
    assert FULL in text and "没有保存" in text, text
    keyboard = wang.reply_keyboard()
    assert keyboard is not None and keyboard[0][0].get("request_location") is True
    await wang.send_location(*near(60))
    await harness.settle()
    await press_and_settle(harness, wang, "乱停车")
    await press_and_settle(harness, wang, "✅ 提交")
    assert len(await rows(harness, EvidencePhoto)) == 10


async def test_an_eleventh_photo_of_an_order_reply_is_said_to_be_not_kept(
    harness: Harness,
) -> None:
    town = await city(harness)
    await ordered(harness, town)
    before = len(await rows(harness, EvidencePhoto))
    coordinator = town.coordinator
    await press_and_settle(harness, coordinator, "📤 回复整改")
    for _ in range(11):
        await coordinator.send_photo()
        await harness.settle()
    text = coordinator.last().text or ""
    assert FULL in text and "没有保存" in text, text
    assert "已收到 10 张整改后照片" not in text, text
    await press_and_settle(harness, coordinator, "✅ 提交回复")
    assert len(await rows(harness, EvidencePhoto)) - before == 10
