"""Inspectors check posts on site: the nearest posts with distances, the kind of check, people
seen against the plan and the check-ins of that moment, the checklist, photos; the score and the
discrepancy at once; a covert check reaches the unit only with the daily tally; and every wrong
input is answered without changing anything."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from bot.buttons import ChecklistAdjust, ChecklistToggle, InspectPost, InspectSeen, InspectSubmit
from bot.db.models import ChecklistItem, Dialogue, EvidencePhoto, Inspection, Role, Unit
from bot.services.platform import dialogues
from tests.e2e.oversight_fixtures import (
    checked_in,
    city,
    inspections,
    near,
    orders,
    rows,
    start_check,
    trail,
)
from tests.e2e.schedule import DAY, at, command, post, press_and_settle, shift
from tests.e2e.swap_fixtures import member
from tests.harness import Harness


async def test_a_covert_check_at_a_staffed_post_shows_the_discrepancy_and_waits_for_the_tally(
    harness: Harness,
) -> None:
    town = await city(harness)
    inspector, coordinator = town.inspector, town.coordinator
    shift_id = await shift(harness, town.post_id, day=DAY, start=7, end=10)
    for volunteer in town.volunteers:
        await checked_in(harness, shift_id, volunteer, at(DAY, 7, 2))
    await post(harness, town.other_unit_id, "人民路-解放路口")

    await inspector.send_command("inspect")
    await harness.settle()
    first = inspector.last().text or ""
    assert "我会列出 500 米内的岗位" in first
    assert "本周还没查过的岗位：" in first and "1. 人民路-解放路口（交通局）· 从未查过" in first
    await inspector.send_location(*near(30))
    await harness.settle()
    assert inspector.last().buttons()[:2] == [
        "⭐ 黄河路-人民路口 · 城管局 · 30 米",
        "⭐ 人民路-解放路口 · 交通局 · 30 米",
    ]
    text = await press_and_settle(harness, inspector, "⭐ 黄河路-人民路口 · 城管局 · 30 米")
    assert "这是哪种检查？" in text
    text = await press_and_settle(harness, inspector, "抽查 · 暗访")
    assert "计划在岗 4 人（已排 2 人），现在签到在岗 2 人" in text
    assert "签到的人：李明 07:02、王芳 07:02" in text
    assert inspector.last().buttons()[:6] == ["0", "1", "2", "3", "4", "5"]
    text = await press_and_settle(harness, inspector, "1")
    assert "缺岗 3 人，扣 30 分（自动计入）。" in text
    text = await press_and_settle(harness, inspector, "⬜ 未穿马甲或制服 −5")
    assert "☑️ 未穿马甲或制服 −5" in inspector.last().buttons()
    await press_and_settle(harness, inspector, "下一步：拍照 ▶️")
    await inspector.send_photo()
    await harness.settle()
    assert "已收到 1 张照片" in (inspector.last().text or "")
    await inspector.send_text("两人在树荫下玩手机")
    await harness.settle()
    text = await press_and_settle(harness, inspector, "✅ 提交督查")
    assert "✅ 督查已记录：黄河路-人民路口（城管局）· 抽查 · 暗访" in text
    assert "得分 65（扣 35 分：缺岗（每缺 1 人） −30、未穿马甲或制服 −5）" in text
    assert "在岗：计划 4 人，签到 2 人，现场看到 1 人" in text
    assert "⚠️ 与签到不符：有 1 人签到了却不在岗（签到的人：李明、王芳）。" in text
    assert "暗访：单位在 2026年12月1日 20:00 的日报中才会看到这次督查。" in text
    assert inspector.last().buttons() == ["📝 下整改令"]

    [check] = await inspections(harness)
    assert (check.planned, check.held, check.checked_in, check.seen) == (4, 2, 2, 1)
    assert check.discrepancy == 1 and check.covert and check.score == 65
    assert check.note == "两人在树荫下玩手机"
    assert check.visible_from == at(DAY, 20, 0)
    assert await harness.count(EvidencePhoto) == 1
    assert await harness.count(Dialogue) == 0

    # The order from a covert check reaches the unit with the tally, not before.
    text = await press_and_settle(harness, inspector, "📝 下整改令")
    assert "责任单位：城管局" in text and "类别：岗位问题" in text
    assert "期限：2026年12月2日 20:00（剩 36 小时）" in text
    # Typed hours count from when the unit sees the order too; a typed time before then, at
    # which the order would arrive overdue, is refused.
    await inspector.send_text("2")
    await harness.settle()
    assert "期限：2026年12月1日 22:00" in (inspector.last().text or "")
    await inspector.send_text("12-01 12：00")
    await harness.settle()
    assert (inspector.last().text or "").startswith(
        "期限 2026年12月1日 12:00 早于单位收到这件整改令的时间 2026年12月1日 20:00"
    )
    await inspector.send_text("24")
    await harness.settle()
    assert "期限：2026年12月2日 20:00" in (inspector.last().text or "")
    await press_and_settle(harness, inspector, "✅ 下发")
    assert "单位在 2026年12月1日 20:00 才会收到" in (inspector.last().text or "")
    await harness.deliver()
    assert coordinator.messages() == []
    # The tally's tick publishes the check, and the order reaches the unit with it.
    harness.clock.set(at(DAY, 20, 0))
    await harness.tick()
    assert "您单位收到一件整改令" in (coordinator.last().caption or "")
    [order] = await orders(harness)
    assert order.inspection_id == check.id and order.deadline_at == at(
        DAY + dt.timedelta(days=1), 20
    )


async def test_a_check_at_an_unstaffed_post_finds_the_volunteer_who_checked_in_and_left(
    harness: Harness,
) -> None:
    town = await city(harness)
    shift_id = await shift(harness, town.post_id, day=DAY, start=7, end=10, capacity=1)
    await checked_in(harness, shift_id, town.volunteers[0], at(DAY, 7, 0))
    await start_check(harness, town.inspector)
    await press_and_settle(harness, town.inspector, "⭐ 黄河路-人民路口 · 城管局 · 30 米")
    await press_and_settle(harness, town.inspector, "日查 · 明查")
    await press_and_settle(harness, town.inspector, "0")
    await press_and_settle(harness, town.inspector, "下一步：拍照 ▶️")
    await town.inspector.send_photo()
    await harness.settle()
    text = await press_and_settle(harness, town.inspector, "✅ 提交督查")
    assert "⚠️ 与签到不符：有 1 人签到了却不在岗（签到的人：王芳）。" in text
    assert "暗访" not in text
    [check] = await inspections(harness)
    assert (check.seen, check.checked_in, check.discrepancy, check.score) == (0, 1, 1, 90)
    assert check.visible_from == check.inspected_at


async def test_volunteers_checked_in_before_the_start_are_counted_not_a_discrepancy(
    harness: Harness,
) -> None:
    town = await city(harness)
    shift_id = await shift(harness, town.post_id, day=DAY, start=9, end=11, capacity=2)
    # Check-in opens 30 minutes before the start; both came early.
    for volunteer in town.volunteers:
        await checked_in(harness, shift_id, volunteer, at(DAY, 8, 35))
    harness.clock.set(at(DAY, 8, 40))
    await start_check(harness, town.inspector)
    await press_and_settle(harness, town.inspector, "⭐ 黄河路-人民路口 · 城管局 · 30 米")
    text = await press_and_settle(harness, town.inspector, "日查 · 明查")
    assert "班次还没开始，已提前签到 2 人" in text and "此刻这个岗位没有排班" not in text
    await press_and_settle(harness, town.inspector, "2")
    await press_and_settle(harness, town.inspector, "下一步：拍照 ▶️")
    await town.inspector.send_photo()
    await harness.settle()
    text = await press_and_settle(harness, town.inspector, "✅ 提交督查")
    # Nobody is short before the start: no deduction for the seats still to come.
    assert "得分 100，没有扣分。" in text and "与签到不符" not in text
    [check] = await inspections(harness)
    assert (check.planned, check.checked_in, check.seen, check.discrepancy) == (0, 2, 2, 0)


async def test_an_inspector_counts_every_person_of_a_big_post(harness: Harness) -> None:
    town = await city(harness)
    inspector = town.inspector
    await shift(harness, town.post_id, day=DAY, start=7, end=10, capacity=60)
    await start_check(harness, inspector)
    await press_and_settle(harness, inspector, "⭐ 黄河路-人民路口 · 城管局 · 30 米")
    text = await press_and_settle(harness, inspector, "日查 · 明查")
    assert "计划在岗 60 人" in text and "或直接输入人数" in text
    # Ten rows of five buttons, 0 to 49; a larger count is typed.
    numbers = [label for label in inspector.last().buttons() if label.isdecimal()]
    assert numbers == [str(n) for n in range(50)]
    for wrong in ("很多", "1000", "-1", "三四人"):
        await inspector.send_text(wrong)
        await harness.settle()
        assert inspector.last().text == "请点下面的数字，或直接输入看到的人数（0–999）。"
    # Typed in Chinese numerals, as it is said, it is a number too.
    await inspector.send_text("六十个人")
    await harness.settle()
    assert "下一步：拍照 ▶️" in inspector.last().buttons()
    await press_and_settle(harness, inspector, "下一步：拍照 ▶️")
    await inspector.send_photo()
    await harness.settle()
    text = await press_and_settle(harness, inspector, "✅ 提交督查")
    assert "得分 100，没有扣分。" in text
    [check] = await inspections(harness)
    assert (check.planned, check.seen) == (60, 60)


async def test_a_covert_check_submitted_after_the_day_s_tally_is_seen_by_the_unit_at_once(
    harness: Harness,
) -> None:
    town = await city(harness)
    await shift(harness, town.post_id, day=DAY, start=18, end=21, capacity=1)
    harness.clock.set(at(DAY, 19, 55))
    await start_check(harness, town.inspector)
    await press_and_settle(harness, town.inspector, "⭐ 黄河路-人民路口 · 城管局 · 30 米")
    await press_and_settle(harness, town.inspector, "抽查 · 暗访")
    await press_and_settle(harness, town.inspector, "1")
    await press_and_settle(harness, town.inspector, "下一步：拍照 ▶️")
    await town.inspector.send_photo()
    await harness.settle()
    # The 20:00 tally goes out while the inspector takes the photo.
    harness.clock.set(at(DAY, 20, 5))
    text = await press_and_settle(harness, town.inspector, "✅ 提交督查")
    assert "日报中才会看到" not in text
    assert "🕶 暗访：开始这次督查后，今天的日报已经发出，单位现在就能看到这次督查。" in text
    [check] = await inspections(harness)
    assert check.inspected_at == at(DAY, 19, 55) and check.visible_from == at(DAY, 20, 5)


async def test_a_day_named_in_an_evening_covert_check_s_deadline_is_the_inspector_s_tomorrow(
    harness: Harness,
) -> None:
    town = await city(harness)
    inspector = town.inspector
    await shift(harness, town.post_id, day=DAY, start=20, end=23, capacity=1)
    # After the day's 20:00 tally: the unit sees this covert check at tomorrow's.
    harness.clock.set(at(DAY, 21, 0))
    await start_check(harness, inspector)
    await press_and_settle(harness, inspector, "⭐ 黄河路-人民路口 · 城管局 · 30 米")
    await press_and_settle(harness, inspector, "抽查 · 暗访")
    await press_and_settle(harness, inspector, "0")
    await press_and_settle(harness, inspector, "下一步：拍照 ▶️")
    await inspector.send_photo()
    await harness.settle()
    await press_and_settle(harness, inspector, "✅ 提交督查")
    text = await press_and_settle(harness, inspector, "📝 下整改令")
    assert "期限：2026年12月3日 20:00" in text
    # Typed at 21:00 on 12月1日, 明天 is 12月2日, not the day after the unit first sees it.
    await inspector.send_text("明天22点")
    await harness.settle()
    assert "期限：2026年12月2日 22:00" in (inspector.last().text or ""), inspector.last().text
    await inspector.send_text("明天18点")
    await harness.settle()
    assert (inspector.last().text or "").startswith(
        "期限 2026年12月2日 18:00 早于单位收到这件整改令的时间 2026年12月2日 20:00"
    ), inspector.last().text
    await press_and_settle(harness, inspector, "✅ 下发")
    [order] = await orders(harness)
    assert order.deadline_at == at(DAY + dt.timedelta(days=1), 22)
    assert order.visible_from == at(DAY + dt.timedelta(days=1), 20)


async def test_an_order_from_an_english_inspector_s_check_reads_in_the_campaign_s_language(
    harness: Harness,
) -> None:
    town = await city(harness)
    shift_id = await shift(harness, town.post_id, day=DAY, start=7, end=10, capacity=2)
    for volunteer in town.volunteers:
        await checked_in(harness, shift_id, volunteer, at(DAY, 7, 2))
    inspector = await member(
        harness, 8009, town.unit_id, "Inspector Z", role=Role.INSPECTOR, language="en"
    )
    await start_check(harness, inspector)
    post_button = next(b for b in inspector.last().buttons() if "黄河路-人民路口" in b)
    await press_and_settle(harness, inspector, post_button)
    await press_and_settle(harness, inspector, "Daily check · announced")
    await press_and_settle(harness, inspector, "1")
    vest = next(b for b in inspector.last().buttons() if "No vest" in b)
    await press_and_settle(harness, inspector, vest)
    await press_and_settle(harness, inspector, "Next: photos ▶️")
    await inspector.send_photo()
    await harness.settle()
    await press_and_settle(harness, inspector, "✅ Submit the check")
    await press_and_settle(harness, inspector, "📝 Issue a rectification order")
    await press_and_settle(harness, inspector, "✅ Issue")
    await harness.deliver()
    card = town.coordinator.last().caption or town.coordinator.last().text or ""
    problem = next(line for line in card.splitlines() if line.startswith("问题："))
    assert problem == "问题：缺岗（每缺 1 人）；未穿马甲或制服；签到 2 人，现场看到 1 人"


async def test_a_post_with_no_shift_on_and_a_photo_sent_straight_from_the_checklist(
    harness: Harness,
) -> None:
    town = await city(harness)
    await start_check(harness, town.inspector)
    await press_and_settle(harness, town.inspector, "⭐ 黄河路-人民路口 · 城管局 · 30 米")
    text = await press_and_settle(harness, town.inspector, "周查 · 明查")
    assert "此刻这个岗位没有排班。" in text
    await press_and_settle(harness, town.inspector, "0")
    # A photo while the checklist is open ends the checklist: one tap fewer.
    await town.inspector.send_photo()
    await harness.settle()
    text = await press_and_settle(harness, town.inspector, "✅ 提交督查")
    assert "得分 100，没有扣分。" in text and "与签到不符" not in text
    assert town.inspector.last().buttons() == []


async def test_a_post_archived_after_the_location_is_refused_at_the_tap_and_another_picked(
    harness: Harness,
) -> None:
    town = await city(harness)
    inspector, coordinator = town.inspector, town.coordinator
    other_post_id = await post(harness, town.other_unit_id, "人民路-解放路口")
    third_post_id = await post(harness, town.unit_id, "黄河路-长江路口")
    await start_check(harness, inspector)
    offered = inspector.last()
    first_shown, first_text = offered.buttons(), offered.text
    assert first_shown == [
        "⭐ 黄河路-人民路口 · 城管局 · 30 米",
        "⭐ 人民路-解放路口 · 交通局 · 30 米",
        "⭐ 黄河路-长江路口 · 城管局 · 30 米",
        "✖️ 取消",
    ]
    # While the inspector reads the list, the coordinator archives the post, and an admin
    # archives 交通局 (the admin's journey is tested elsewhere).
    await command(harness, coordinator, "posts")
    await press_and_settle(harness, coordinator, "黄河路-人民路口")
    await press_and_settle(harness, coordinator, "🗂 归档")
    assert "已归档（不再排班）" in (coordinator.last().text or "")
    async with harness.session() as session:
        await session.execute(
            update(Unit).where(Unit.id == town.other_unit_id).values(archived=True)
        )
        await session.commit()

    await inspector.press("⭐ 黄河路-人民路口 · 城管局 · 30 米", offered.message_id)
    await harness.settle()
    assert inspector.answered_callbacks[-1]["text"] == (
        "岗位「黄河路-人民路口」已归档，不再督查：请选列表里的其他岗位，或发送 /inspect 重新开始。"
    )
    # The list is drawn again as it stands now: neither archived post is offered any more.
    assert inspector.last().message_id == offered.message_id
    assert inspector.last().text == first_text
    assert inspector.last().buttons() == first_shown[2:]
    # A press on a button of the list as it was first shown is refused likewise, and the
    # current list stays.
    await inspector.press_data(InspectPost(other_post_id).pack(), offered.message_id)
    await harness.settle()
    assert inspector.answered_callbacks[-1]["text"] == (
        "「交通局」已归档，它的岗位不再督查：请选列表里的其他岗位，或发送 /inspect 重新开始。"
    )
    assert inspector.last().buttons() == first_shown[2:]
    # Nothing else changed: the check still waits for its post.
    async with harness.session() as session:
        dialogue = await session.get(Dialogue, inspector.user_id)
        assert dialogue is not None
        assert dialogue.step == "post" and "post_id" not in dialogue.data
    assert await harness.count(Inspection) == 0

    text = await press_and_settle(harness, inspector, "⭐ 黄河路-长江路口 · 城管局 · 30 米")
    assert "这是哪种检查？" in text and "黄河路-长江路口" in text
    await press_and_settle(harness, inspector, "日查 · 明查")
    await press_and_settle(harness, inspector, "0")
    await press_and_settle(harness, inspector, "下一步：拍照 ▶️")
    await inspector.send_photo()
    await harness.settle()
    await press_and_settle(harness, inspector, "✅ 提交督查")
    [check] = await inspections(harness)
    assert check.post_id == third_post_id and check.post_id != other_post_id


async def test_wrong_input_during_a_check_is_answered_and_changes_nothing(
    harness: Harness,
) -> None:
    town = await city(harness)
    inspector = town.inspector
    shift_id = await shift(harness, town.post_id, day=DAY, start=7, end=10)
    # The volunteer's check-in photo: a picture Telegram knows.
    sent = await town.volunteers[0].send_photo()
    await harness.settle()
    picture = str(sent["photo"][-1]["file_unique_id"])
    await checked_in(harness, shift_id, town.volunteers[0], at(DAY, 7, 0), photo=picture)
    await inspector.send_command("inspect")
    await harness.settle()
    await inspector.send_text("我在路口")
    await harness.settle()
    assert "请用下面的按钮发送您现在的位置" in (inspector.last().text or "")
    # 2 km north of every post.
    await inspector.send_location(*near(2000))
    await harness.settle()
    text = inspector.last().text or ""
    assert "您附近 500 米内没有岗位。最近的是「黄河路-人民路口」，在您南方向 2.0 公里" in text
    await inspector.send_location(*near(30), forwarded=True)
    await harness.settle()
    assert "这是转发的位置" in (inspector.last().text or "")
    await inspector.send_location(*near(30))
    await harness.settle()
    await press_and_settle(harness, inspector, "⭐ 黄河路-人民路口 · 城管局 · 30 米")
    await press_and_settle(harness, inspector, "月查 · 明查")
    await press_and_settle(harness, inspector, "1")
    # A refused photo while the checklist is open leaves the checklist open: it comes again
    # with the refusal.
    await inspector.send_photo(forwarded=True)
    await harness.settle()
    assert "这是转发的照片" in (inspector.last().text or "")
    checklist = inspector.last()
    await inspector.press("⬜ 未穿马甲或制服 −5", checklist.message_id)
    await harness.settle()
    [edited] = [m for m in inspector.messages() if m.message_id == checklist.message_id]
    assert "☑️ 未穿马甲或制服 −5" in edited.buttons()
    await press_and_settle(harness, inspector, "下一步：拍照 ▶️")
    # A note alone: kept, and the photo asked for, with no Submit yet; pressed anyway (as a
    # modified client could), Submit without a photo is refused.
    await inspector.send_text("备注")
    await harness.settle()
    assert inspector.last().text == "📝 备注已记下。还要发至少一张现场照片，才能提交督查。"
    assert inspector.last().buttons() == ["✖️ 取消"]
    async with harness.session() as session:
        dialogue = await session.get(Dialogue, inspector.user_id)
        assert dialogue is not None
        mark = dialogues.mark(dialogue)
    await inspector.press_data(InspectSubmit(mark).pack(), inspector.last().message_id)
    await harness.settle()
    assert inspector.answered_callbacks[-1]["text"] == "请至少发一张现场照片再提交。"
    await inspector.send_photo(forwarded=True)
    await harness.settle()
    assert "这是转发的照片" in (inspector.last().text or "")
    # The check-in photo of a volunteer, sent again.
    await inspector.send_photo_again(picture)
    await harness.settle()
    assert "这张照片以前用过了" in (inspector.last().text or "")
    await inspector.send_document("photo.jpg", b"\xff\xd8", "image/jpeg")
    await harness.settle()
    assert "请直接发送照片" in (inspector.last().text or "")
    assert await harness.count(Inspection) == 0
    assert await harness.count(EvidencePhoto) == 0
    # A stale button from an earlier step changes nothing.
    await inspector.press_data(InspectSeen(1).pack(), inspector.last().message_id)
    await harness.settle()
    assert inspector.answered_callbacks[-1]["text"] == "这个按钮已失效，请重新打开菜单。"


async def test_admins_change_the_checklist_and_the_next_check_uses_it(harness: Harness) -> None:
    town = await city(harness)
    admin = harness.admin
    await admin.send_command("checklist")
    await harness.settle()
    assert "督查检查表" in (admin.last().text or "")
    assert "未穿马甲或制服 −5" in admin.last().buttons()
    items = {item.code: item for item in await rows(harness, ChecklistItem)}
    await admin.press_data(ChecklistAdjust(items["no_vest"].id, 1).pack(), admin.last().message_id)
    await harness.settle()
    assert "未穿马甲或制服 −6" in admin.last().buttons()
    text = await press_and_settle(harness, admin, "玩手机 −5")
    assert "🚫 玩手机 −5" in admin.last().buttons(), text
    # A second tap sent before the list changed leaves the line off.
    off = ChecklistToggle(items["on_phone"].id, False)
    await admin.press_data(off.pack(), admin.last().message_id)
    await harness.settle()
    assert "🚫 玩手机 −5" in admin.last().buttons()
    await press_and_settle(harness, admin, "➕ 新增检查项")
    await admin.send_text("小广告")
    await harness.settle()
    assert "请按「名称 分值」输入" in (admin.last().text or "")
    await admin.send_text("随意张贴小广告 500")
    await harness.settle()
    assert "请按「名称 分值」输入" in (admin.last().text or "")
    await admin.send_text("随意张贴小广告 3")
    await harness.settle()
    assert "随意张贴小广告 −3" in admin.last().buttons()
    assert await trail(harness, "checklist_item", items["no_vest"].id) == ["checklist.deduction"]

    await start_check(harness, town.inspector)
    await press_and_settle(harness, town.inspector, "⭐ 黄河路-人民路口 · 城管局 · 30 米")
    await press_and_settle(harness, town.inspector, "日查 · 明查")
    await press_and_settle(harness, town.inspector, "0")
    buttons = town.inspector.last().buttons()
    assert "⬜ 未穿马甲或制服 −6" in buttons and "⬜ 随意张贴小广告 −3" in buttons
    assert not any("玩手机" in button for button in buttons)


async def test_a_checklist_line_switched_off_while_the_checklist_is_open_is_refused_and_left_off(
    harness: Harness,
) -> None:
    """The inspector has ticked 玩手机; an admin switches 未穿马甲或制服 off meanwhile. A tap on
    it is refused in words about the checklist (not about typing a new line), the checklist is
    drawn again without it, and what was ticked stays ticked."""
    town = await city(harness)
    inspector, admin = town.inspector, harness.admin
    await start_check(harness, inspector)
    await press_and_settle(harness, inspector, "⭐ 黄河路-人民路口 · 城管局 · 30 米")
    await press_and_settle(harness, inspector, "日查 · 明查")
    await press_and_settle(harness, inspector, "0")
    await press_and_settle(harness, inspector, "⬜ 玩手机 −5")
    listed = inspector.last()
    first_shown, first_text = listed.buttons(), listed.text
    assert "⬜ 未穿马甲或制服 −5" in first_shown and "☑️ 玩手机 −5" in first_shown
    await admin.send_command("checklist")
    await harness.settle()
    await press_and_settle(harness, admin, "未穿马甲或制服 −5")
    assert "🚫 未穿马甲或制服 −5" in admin.last().buttons()

    await inspector.press("⬜ 未穿马甲或制服 −5", listed.message_id)
    await harness.settle()
    assert inspector.answered_callbacks[-1]["text"] == (
        "检查表里的这一项已被停用，请从刷新后的检查表中选择。"
    )
    assert inspector.last().message_id == listed.message_id
    assert inspector.last().text == first_text
    assert inspector.last().buttons() == [
        label for label in first_shown if label != "⬜ 未穿马甲或制服 −5"
    ]
    async with harness.session() as session:
        dialogue = await session.get(Dialogue, inspector.user_id)
        assert dialogue is not None and dialogue.step == "items"
    await press_and_settle(harness, inspector, "下一步：拍照 ▶️")
    await inspector.send_photo()
    await harness.settle()
    text = await press_and_settle(harness, inspector, "✅ 提交督查")
    assert "玩手机 −5" in text and "未穿马甲" not in text
