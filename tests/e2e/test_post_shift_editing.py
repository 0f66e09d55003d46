"""Coordinators edit posts (rename, archive and restore, the post's shifts) and shifts (time and
notes, with the notice each person on the shift receives); admins create posts for a unit;
other units' posts stay closed; the import preview can be cancelled."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook
from sqlalchemy import select

from bot.buttons import PostArchive, PostRadius, PostRename
from bot.db.models import AssignmentStatus, AuditEntry, Dialogue, Post, PostType, Role, Shift
from bot.emulator import SimUser
from tests.e2e.import_fixtures import csv_bytes
from tests.e2e.schedule import (
    DAY,
    at,
    command,
    outbox_to,
    person,
    post,
    press_and_settle,
    shift,
    statuses,
    unit,
)
from tests.e2e.swap_fixtures import seat
from tests.harness import ADMIN_ID, Harness

TOMORROW = DAY + dt.timedelta(days=1)
FORBIDDEN = "抱歉，您没有权限执行这个操作。"


async def _post_row(harness: Harness, post_id: int) -> Post:
    async with harness.session() as session:
        row = await session.get(Post, post_id)
        assert row is not None
        return row


async def _shift_row(harness: Harness, shift_id: int) -> Shift:
    async with harness.session() as session:
        row = await session.get(Shift, shift_id)
        assert row is not None
        return row


async def test_post_rename_archive_restore_and_its_shift_list(harness: Harness) -> None:
    unit_id = await unit(harness)
    post_id = await post(harness, unit_id, "黄河路-人民路口")
    await post(harness, unit_id, "乙路口")
    morning = await shift(harness, post_id, TOMORROW, 7, 9, capacity=3)
    await shift(harness, post_id, TOMORROW, 17, 19, capacity=2)
    await shift(harness, post_id, DAY - dt.timedelta(days=1), 7, 9)  # over: not listed
    coordinator = await person(harness, 6001, unit_id, "王协调", role=Role.COORDINATOR)
    volunteer = await person(harness, 6002, unit_id, "甲")
    await command(harness, volunteer, "shifts")
    await press_and_settle(harness, volunteer, "✋ 报名 1")
    assert (await statuses(harness, morning))[6002] is AssignmentStatus.SIGNED_UP

    await command(harness, coordinator, "posts")
    card = await press_and_settle(harness, coordinator, "黄河路-人民路口")
    assert card.startswith("📍 黄河路-人民路口\n类型：文明交通劝导岗")

    # Rename: text only, not a name another post of the unit has.
    text = await press_and_settle(harness, coordinator, "✏️ 改名")
    assert text == "请输入「黄河路-人民路口」的新名称："
    await coordinator.send_sticker()
    await harness.settle()
    assert coordinator.last().text == "请用文字输入岗位名称，例如「黄河路-人民路口」。"
    await coordinator.send_location(30.1, 104.1)
    await harness.settle()
    assert coordinator.last().text == "请用文字输入岗位名称，例如「黄河路-人民路口」。"
    await coordinator.send_text(" 乙路口 ")
    await harness.settle()
    assert "乙路口" in (coordinator.last().text or "")
    assert (await _post_row(harness, post_id)).name == "黄河路-人民路口"
    await coordinator.send_text("  黄河路 - 人民路口  ")
    await harness.settle()
    assert (coordinator.last().text or "").startswith("📍 黄河路 - 人民路口\n")
    assert (await _post_row(harness, post_id)).name == "黄河路 - 人民路口"
    assert await harness.count(Dialogue) == 0
    async with harness.session() as session:
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.object_id == post_id))
        assert entry is not None and entry.object_type == "post"

    # The post's shift list: upcoming only, with seats, each opening its card.
    text = await press_and_settle(harness, coordinator, "📅 班次")
    lines = text.splitlines()
    assert lines[0] == "📅 「黄河路 - 人民路口」的班次："
    assert lines[1:] == [
        "• 12月2日 周三 07:00–09:00 · 黄河路 - 人民路口（1/3）",
        "• 12月2日 周三 17:00–19:00 · 黄河路 - 人民路口（0/2）",
    ]
    label = "12月2日 周三 07:00–09:00 · 黄河路 - 人民路口"
    card = await press_and_settle(harness, coordinator, label)
    assert "👥 1/3 人" in card and "1. 甲" in card

    # Archive, then restore.
    await command(harness, coordinator, "posts")
    await press_and_settle(harness, coordinator, "黄河路 - 人民路口")
    text = await press_and_settle(harness, coordinator, "🗂 归档")
    assert "状态：已归档（不再排班）" in text
    # Its two shifts to come still take place: the coordinator is told, and where to cancel.
    answer = coordinator.answered_callbacks[-1]
    assert answer["text"] == (
        "已归档，不再排班。还有 2 个未结束的班次照常进行；不需要的请在「📅 班次」里打开取消。"
    )
    assert answer.get("show_alert") is True
    assert "♻️ 恢复" in coordinator.last().buttons()
    assert "➕ 新班次" not in coordinator.last().buttons()
    assert (await _post_row(harness, post_id)).archived is True
    # A second tap on 归档 (sent before the card changed) does not restore it.
    await coordinator.press_data(PostArchive(post_id, True).pack(), coordinator.last().message_id)
    await harness.settle()
    assert coordinator.answered_callbacks[-1]["text"].startswith("已归档，不再排班。还有 2 个")
    assert (await _post_row(harness, post_id)).archived is True
    assert "• 黄河路 - 人民路口 · 文明交通劝导岗 · 城管局（已归档）" in await command(
        harness, coordinator, "posts"
    )
    newshift = await command(harness, coordinator, "newshift")
    assert "黄河路 - 人民路口 · 城管局" not in coordinator.last().buttons()
    assert "乙路口 · 城管局" in coordinator.last().buttons(), newshift
    await command(harness, coordinator, "cancel")

    await command(harness, coordinator, "posts")
    await press_and_settle(harness, coordinator, "黄河路 - 人民路口")
    text = await press_and_settle(harness, coordinator, "♻️ 恢复")
    assert "状态：启用" in text
    assert coordinator.answered_callbacks[-1]["text"] == "已恢复"
    assert "🗂 归档" in coordinator.last().buttons()
    assert "➕ 新班次" in coordinator.last().buttons()
    assert (await _post_row(harness, post_id)).archived is False
    await command(harness, coordinator, "newshift")
    assert "黄河路 - 人民路口 · 城管局" in coordinator.last().buttons()


async def test_archiving_a_post_with_many_shifts_ahead_lists_each_of_them(
    harness: Harness,
) -> None:
    unit_id = await unit(harness)
    post_id = await post(harness, unit_id)
    for n in range(12):
        await shift(harness, post_id, TOMORROW + dt.timedelta(days=n), 7, 9)
    coordinator = await person(harness, 6011, unit_id, "王协调", role=Role.COORDINATOR)
    await command(harness, coordinator, "posts")
    await press_and_settle(harness, coordinator, "黄河路-人民路口")
    await press_and_settle(harness, coordinator, "🗂 归档")
    assert coordinator.answered_callbacks[-1]["text"].startswith("已归档，不再排班。还有 12 个")

    # Told to cancel them from 📅 班次: every one of the twelve can be reached there.
    text = await press_and_settle(harness, coordinator, "📅 班次")
    lines = text.splitlines()
    assert lines[1] == "班次第 1–10 个，共 12 个；用下面的按钮翻页。"
    assert lines[2].startswith("• 12月2日 周三 07:00–09:00") and len(lines) == 12
    assert coordinator.last().buttons()[-2:] == ["下一页 ▶️", "↩️ 返回"]
    text = await press_and_settle(harness, coordinator, "下一页 ▶️")
    assert text.splitlines()[1:] == [
        "班次第 11–12 个，共 12 个；用下面的按钮翻页。",
        "• 12月12日 周六 07:00–09:00 · 黄河路-人民路口（0/4）",
        "• 12月13日 周日 07:00–09:00 · 黄河路-人民路口（0/4）",
    ]
    assert coordinator.last().buttons()[-2:] == ["◀️ 上一页", "↩️ 返回"]
    text = await press_and_settle(harness, coordinator, "◀️ 上一页")
    assert text.splitlines()[1] == "班次第 1–10 个，共 12 个；用下面的按钮翻页。"


async def test_editing_time_and_notes_tells_each_person_on_the_shift(harness: Harness) -> None:
    unit_id = await unit(harness)
    post_id = await post(harness, unit_id)
    shift_id = await shift(harness, post_id, TOMORROW, 7, 9, capacity=2)
    coordinator = await person(harness, 6101, unit_id, "王协调", role=Role.COORDINATOR)
    first = await person(harness, 6102, unit_id, "甲")
    second = await person(harness, 6103, unit_id, "Bob", language="en")
    waiting = await person(harness, 6104, unit_id, "丙")
    bystander = await person(harness, 6105, unit_id, "丁")
    for volunteer in (first, second):
        await command(harness, volunteer, "shifts")
        await press_and_settle(harness, volunteer, volunteer.last().buttons()[0])
    await command(harness, waiting, "shifts")
    await press_and_settle(harness, waiting, waiting.last().buttons()[0])
    await press_and_settle(harness, waiting, "⏳ 加入候补")
    assert await statuses(harness, shift_id) == {
        6102: AssignmentStatus.SIGNED_UP,
        6103: AssignmentStatus.SIGNED_UP,
        6104: AssignmentStatus.WAITLISTED,
    }
    await harness.deliver()
    seen = {user.user_id: len(user.messages()) for user in (first, second, waiting, bystander)}

    await command(harness, coordinator, "posts")
    await press_and_settle(harness, coordinator, "黄河路-人民路口")
    await press_and_settle(harness, coordinator, "📅 班次")
    await press_and_settle(harness, coordinator, "12月2日 周三 07:00–09:00 · 黄河路-人民路口")

    # The time: bad input is refused and changes nothing.
    text = await press_and_settle(harness, coordinator, "🕒 时间")
    assert text.endswith("新的时间？输入如「07:30-09:30」（同一天）。")
    for wrong in ("9点", "09:00-07:00"):
        await coordinator.send_text(wrong)
        await harness.settle()
    replies = coordinator.texts()[-2:]
    assert replies == [
        "没看懂时间。请输入如「07:00-09:00」。",
        "结束时间要晚于开始时间（同一天内）。",
    ]
    await coordinator.send_photo()
    await harness.settle()
    assert coordinator.last().text == "没看懂时间。请输入如「07:00-09:00」。"
    row = await _shift_row(harness, shift_id)
    assert (row.starts_at, row.ends_at) == (at(TOMORROW, 7), at(TOMORROW, 9))
    await coordinator.send_text("07:30-09:30")
    await harness.settle()
    assert coordinator.texts()[-2] == "✅ 已更新，已通知报名的人。"
    assert coordinator.last().text.startswith("📋 12月2日 周三 07:30–09:30 · 黄河路-人民路口")
    row = await _shift_row(harness, shift_id)
    assert (row.starts_at, row.ends_at) == (at(TOMORROW, 7, 30), at(TOMORROW, 9, 30))
    assert await harness.count(Dialogue) == 0

    # The notice reaches each person on the shift, waitlist included, in their language.
    await harness.deliver()
    assert first.last().text == (
        "📣 您报名的班次有变动：\n12月2日 周三 07:30–09:30 · 黄河路-人民路口\n"
        "时间：07:00–09:00 → 07:30–09:30\n需要人数：2"
    )
    assert (second.last().text or "").startswith("📣 A shift you signed up for has changed:\n")
    assert "Time: 07:00–09:00 → 07:30–09:30" in (second.last().text or "")
    assert "时间：07:00–09:00 → 07:30–09:30" in (waiting.last().text or "")
    assert len(bystander.messages()) == seen[6105]
    for user in (first, second, waiting):
        assert len(user.messages()) == seen[user.user_id] + 1

    # The notes: text only; "-" clears them.
    text = await press_and_settle(harness, coordinator, "📝 备注")
    assert text.endswith("请输入新的备注（发送「-」清除备注）：")
    await coordinator.send_sticker()
    await harness.settle()
    assert coordinator.last().text == "请用文字输入。"
    assert (await _shift_row(harness, shift_id)).notes is None
    # Too long is refused whole, not cut; the question stays open.
    await coordinator.send_text("集合" * 251)
    await harness.settle()
    assert coordinator.last().text == "文字请写 1 到 500 个字。"
    assert (await _shift_row(harness, shift_id)).notes is None
    await coordinator.send_text("带好小红旗，路口东南角集合")
    await harness.settle()
    assert "📝 备注：带好小红旗，路口东南角集合" in coordinator.last().text
    assert (await _shift_row(harness, shift_id)).notes == "带好小红旗，路口东南角集合"
    await harness.deliver()
    assert (first.last().text or "").endswith("备注：带好小红旗，路口东南角集合")
    assert (second.last().text or "").endswith("Notes: 带好小红旗，路口东南角集合")
    assert "时间：" not in (first.last().text or "")

    await press_and_settle(harness, coordinator, "📝 备注")
    await coordinator.send_text("-")
    await harness.settle()
    assert (await _shift_row(harness, shift_id)).notes is None
    await harness.deliver()
    assert (first.last().text or "").endswith("备注：（已清除）")
    assert (second.last().text or "").endswith("Notes: (removed)")
    for user in (first, second, waiting):
        assert len(user.messages()) == seen[user.user_id] + 3
    assert len(bystander.messages()) == seen[6105]
    async with harness.session() as session:
        edited = select(AuditEntry).where(AuditEntry.action == "shift.edit")
        edits = list(await session.scalars(edited))
    assert len(edits) == 3


async def test_admin_creates_a_post_for_a_chosen_unit(harness: Harness) -> None:
    await unit(harness, "城管局")
    police = await unit(harness, "交警队")
    admin = harness.admin
    text = await command(harness, admin, "newpost")
    assert text == "新岗位属于哪个单位？"
    assert admin.last().buttons() == ["交警队", "城管局", "✖️ 取消"]
    await admin.send_text("交警队")
    await harness.settle()
    assert admin.last().text == "请点上面的按钮选择单位。"
    text = await press_and_settle(harness, admin, "交警队")
    assert text == "新建「交警队」的岗位。请输入岗位名称，例如「黄河路-人民路口」："
    await admin.send_text("解放路口")
    await harness.settle()
    await press_and_settle(harness, admin, "文明交通劝导岗")
    await admin.send_location(30.66, 104.07)
    await harness.settle()
    text = await press_and_settle(harness, admin, "300 米")
    assert "已新建岗位「解放路口」" in text and "单位：交警队" in text
    async with harness.session() as session:
        created = await session.scalar(select(Post))
        assert created is not None
        assert (created.unit_id, created.name, created.type, created.radius_m) == (
            police,
            "解放路口",
            PostType.TRAFFIC,
            300,
        )
    assert await harness.count(Dialogue) == 0


async def test_coordinator_cannot_open_or_change_another_units_post(harness: Harness) -> None:
    own = await unit(harness, "城管局")
    other = await unit(harness, "交警队")
    await post(harness, own, "甲路口")
    foreign = await post(harness, other, "交警岗")
    coordinator = await person(harness, 6201, own, "王协调", role=Role.COORDINATOR)
    text = await command(harness, coordinator, "posts")
    assert "甲路口" in text and "交警岗" not in text
    assert coordinator.last().buttons() == ["甲路口"]
    listing = coordinator.last().message_id
    for data in (
        f"po:{foreign}",
        f"po.ren:{foreign}",
        f"po.arc:{foreign}",
        f"po.sh:{foreign}",
        f"po.rad:{foreign}:300",
        f"ns.p:{foreign}",
    ):
        await coordinator.press_data(data, listing)
        await harness.settle()
        assert coordinator.answered_callbacks[-1]["text"] == FORBIDDEN, data
    assert coordinator.last().message_id == listing
    assert (coordinator.last().text or "").startswith("📍 岗位")
    row = await _post_row(harness, foreign)
    assert (row.name, row.archived, row.radius_m) == ("交警岗", False, 150)
    assert await harness.count(Dialogue) == 0


async def test_import_preview_cancel_creates_nothing(harness: Harness) -> None:
    unit_id = await unit(harness)
    coordinator = await person(harness, 6301, unit_id, role=Role.COORDINATOR)
    await command(harness, coordinator, "import")
    await coordinator.send_document(
        "week.csv",
        csv_bytes(
            "甲路口,traffic,城管局,30.1,104.1,,2026-12-05,,,,07:00,09:00,4",
            "乙路口,civility,城管局,30.2,104.2,,,mon-fri,2026-12-07,2026-12-11,17:00,19:00,2",
        ),
        mime_type="text/csv",
    )
    await harness.settle()
    preview = coordinator.last()
    assert "检查通过" in (preview.text or "") and "新建班次 6 个" in (preview.text or "")
    assert preview.buttons()[-1] == "✖️ 取消"
    text = await press_and_settle(harness, coordinator, "✖️ 取消")
    assert text == "已取消。"
    assert coordinator.last().buttons() == []
    assert await harness.count(Post) == 0
    assert await harness.count(Shift) == 0
    assert await harness.count(Dialogue) == 0
    # The preview's Confirm button is now stale and still creates nothing.
    await coordinator.press_data("imp.ok", preview.message_id)
    await harness.settle()
    assert coordinator.answered_callbacks[-1]["text"] == "这个按钮已失效，请重新打开菜单。"
    assert await harness.count(Post) == 0 and await harness.count(Shift) == 0


async def test_template_example_unit_without_units_is_in_the_admins_language(
    harness: Harness,
) -> None:
    admin = harness.user(ADMIN_ID, "Admin", language_code="en")
    await command(harness, admin, "template")
    document = admin.last()
    assert document.kind == "document" and document.data is not None
    assert (document.caption or "").startswith("📄 Schedule template")
    rows = list(load_workbook(io.BytesIO(document.data))["schedule"].iter_rows(values_only=True))
    assert rows[1][2] == "City Management Bureau"


async def test_shift_time_edits_that_break_a_rule_change_nothing(harness: Harness) -> None:
    unit_id = await unit(harness)
    post_id = await post(harness, unit_id)
    today = await shift(harness, post_id, DAY, 10, 12)
    await shift(harness, post_id, TOMORROW, 7, 9)
    tomorrow_evening = await shift(harness, post_id, TOMORROW, 17, 19)
    coordinator = await person(harness, 6401, unit_id, "王协调", role=Role.COORDINATOR)
    volunteer = await person(harness, 6402, unit_id, "甲")
    volunteer.started = True

    async def edit_time(shift_id: int, typed: str) -> str:
        card = coordinator.last().message_id
        await coordinator.press_data(f"se.t:{shift_id}", card)
        await harness.settle()
        await coordinator.send_text(typed)
        await harness.settle()
        await command(harness, coordinator, "cancel")
        return coordinator.texts()[-2]

    await command(harness, coordinator, "posts")
    # Onto the start of another shift of the same post.
    assert await edit_time(tomorrow_evening, "07:00-09:00") == (
        "「黄河路-人民路口」在 2026-12-02 07:00 已经有班次了。"
    )
    # Into the past: today 10:00 moved to 07:00 while it is 08:00.
    assert await edit_time(today, "07:00-09:00") == "2026-12-01 的班次时间已经过去了。"
    row = await _shift_row(harness, tomorrow_evening)
    assert (row.starts_at, row.ends_at) == (at(TOMORROW, 17), at(TOMORROW, 19))
    row = await _shift_row(harness, today)
    assert (row.starts_at, row.ends_at) == (at(DAY, 10), at(DAY, 12))

    # Once the shift has started, its card's buttons are stale: no change, a clear reason.
    harness.clock.advance(hours=2, minutes=5)  # 10:05
    # Refused at the press of ✏️, before anything is typed; no dialogue is left open.
    for edit in ("se.t", "se.c", "se.n"):
        await coordinator.press_data(f"{edit}:{today}", coordinator.last().message_id)
        await harness.settle()
        assert coordinator.answered_callbacks[-1]["text"] == "这个班次已经开始，不能再修改或取消。"
    assert await harness.count(Dialogue) == 0
    await coordinator.press_data(f"sxy:{today}", coordinator.last().message_id)
    await harness.settle()
    assert coordinator.answered_callbacks[-1]["text"] == "这个班次已经开始，不能再修改或取消。"
    row = await _shift_row(harness, today)
    assert (row.starts_at, row.status.value) == (at(DAY, 10), "scheduled")
    async with harness.session() as session:
        edited = select(AuditEntry).where(AuditEntry.action == "shift.edit")
        assert list(await session.scalars(edited)) == []
    assert volunteer.messages() == []


async def test_capacity_below_the_people_signed_up_is_refused(harness: Harness) -> None:
    """Lowering a shift's capacity never pushes people out: it is refused and nothing moves."""
    unit_id = await unit(harness)
    shift_id = await shift(harness, await post(harness, unit_id), capacity=2)
    coordinator = await person(harness, 6501, unit_id, "王协调", role=Role.COORDINATOR)
    people = [await person(harness, 6502 + n, unit_id, name) for n, name in enumerate("甲乙")]
    for volunteer in people:
        await command(harness, volunteer, "shifts")
        await press_and_settle(harness, volunteer, "✋ 报名 1")
    await command(harness, coordinator, "roster", "12-02")
    await press_and_settle(harness, coordinator, "⚙️ 07:00 黄河路-人民路口")
    await press_and_settle(harness, coordinator, "👥 人数")
    # "②" and "²" are digits to str.isdigit() but not numbers int() reads.
    for typed in ("1", "0", "四个", "②", "²"):
        await coordinator.send_text(typed)
        await harness.settle()
    assert coordinator.texts()[-5:] == [
        "已经有 2 人报名，人数不能少于 2。可以先移出人员。",
        "人数要是 1 到 500 之间的整数。",
        "请输入人数，例如 4。",
        "请输入人数，例如 4。",
        "请输入人数，例如 4。",
    ]
    await command(harness, coordinator, "cancel")

    # The spreadsheet is held to the same rule, row by row.
    await command(harness, coordinator, "import")
    row = "黄河路-人民路口,traffic,城管局,30.6586,104.0648,,2026-12-02,,,,07:00,09:00,1"
    await coordinator.send_document("schedule.csv", csv_bytes(row), mime_type="text/csv")
    await harness.settle()
    assert "第 2 行：已经有 2 人报名，人数不能更少" in (coordinator.last().text or "")

    assert (await _shift_row(harness, shift_id)).capacity == 2
    assert await statuses(harness, shift_id) == {
        6502: AssignmentStatus.SIGNED_UP,
        6503: AssignmentStatus.SIGNED_UP,
    }
    async with harness.session() as session:
        edited = select(AuditEntry).where(AuditEntry.action == "shift.edit")
        assert list(await session.scalars(edited)) == []
    for volunteer in people:
        assert await outbox_to(harness, volunteer.user_id) == []


async def test_an_old_radius_button_sets_the_radius_and_leaves_a_new_shift_being_made(
    harness: Harness,
) -> None:
    unit_id = await unit(harness)
    post_id = await post(harness, unit_id)
    coordinator = await person(harness, 8701, unit_id, role=Role.COORDINATOR)
    await coordinator.press_data(PostRadius(post_id).pack(), await _card_of(harness, coordinator))
    await harness.settle()
    radius_prompt, radius_300 = _radius_300(coordinator)
    await command(harness, coordinator, "newshift")
    await press_and_settle(harness, coordinator, "黄河路-人民路口 · 城管局")
    # Replaced, the radius question lost its buttons; one still shown (the edit not yet seen)
    # sets the radius all the same.
    assert _buttons_of(coordinator, radius_prompt) == []

    await coordinator.press_data(radius_300, radius_prompt)
    await harness.settle()
    async with harness.session() as session:
        moved = await session.get(Post, post_id)
        assert moved is not None and moved.radius_m == 300
        dialogue = await session.get(Dialogue, coordinator.user_id)
        assert dialogue is not None and (dialogue.kind, dialogue.step) == ("shift_new", "day")
    await coordinator.send_text("12-03")
    await harness.settle()
    assert "几点到几点" in (coordinator.last().text or "")


def _radius_300(coordinator: SimUser) -> tuple[int, str]:
    """The radius question just asked, and the data of its 300 米 button."""
    asked = coordinator.last()
    data = asked.button_data("300 米")
    assert data is not None
    return asked.message_id, data


def _buttons_of(user: SimUser, message_id: int) -> list[str]:
    return next(m for m in user.messages() if m.message_id == message_id).buttons()


async def _card_of(harness: Harness, coordinator: SimUser) -> int:
    await command(harness, coordinator, "posts")
    return coordinator.last().message_id


async def test_an_old_radius_button_leaves_another_post_being_renamed(harness: Harness) -> None:
    unit_id = await unit(harness)
    first = await post(harness, unit_id)
    second = await post(harness, unit_id, "乙路口")
    coordinator = await person(harness, 8702, unit_id, role=Role.COORDINATOR)
    await coordinator.press_data(PostRadius(first).pack(), await _card_of(harness, coordinator))
    await harness.settle()
    radius_prompt, radius_300 = _radius_300(coordinator)
    await coordinator.press_data(PostRename(second).pack(), await _card_of(harness, coordinator))
    await harness.settle()
    assert _buttons_of(coordinator, radius_prompt) == []

    await coordinator.press_data(radius_300, radius_prompt)
    await harness.settle()
    async with harness.session() as session:
        dialogue = await session.get(Dialogue, coordinator.user_id)
        assert dialogue is not None and dialogue.data.get("post_id") == second
    await coordinator.send_text("乙路口东")
    await harness.settle()
    assert (await _post_row(harness, second)).name == "乙路口东"
    assert (await _post_row(harness, first)).radius_m == 300


async def test_a_new_time_that_would_put_someone_on_two_posts_at_once_is_refused(
    harness: Harness,
) -> None:
    unit_id = await unit(harness)
    crossing = await post(harness, unit_id)
    park = await post(harness, unit_id, "人民公园东门")
    morning = await shift(harness, crossing, TOMORROW, 7, 9)
    later = await shift(harness, park, TOMORROW, 10, 12)
    coordinator = await person(harness, 6101, unit_id, "王协调", role=Role.COORDINATOR)
    volunteer = await person(harness, 6102, unit_id, "甲")
    await seat(harness, morning, 6102)
    await seat(harness, later, 6102)
    await command(harness, coordinator, "posts")
    await coordinator.press_data(f"se.t:{morning}", coordinator.last().message_id)
    await harness.settle()
    # 甲 is at the park from 10:00: the crossing cannot move to 09:00-11:00 with 甲 on it.
    await coordinator.send_text("09:00-11:00")
    await harness.settle()
    assert "改不了时间：甲 在新的时间已有别的班次（1 人）" in (coordinator.last().text or "")
    async with harness.session() as session:
        moved = await session.get(Shift, morning)
        assert moved is not None and moved.starts_at == at(TOMORROW, 7)
    # A time free for everyone on it goes through.
    await coordinator.send_text("08:00-10:00")
    await harness.settle()
    assert "✅ 已更新" in "\n".join(coordinator.texts()[-2:])
    del volunteer
