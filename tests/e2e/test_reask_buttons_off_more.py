"""The re-asks of the shift edit, of leave (请假), of an attendance fix, of /import and of
/units are the dialogue's prompt too: each takes the buttons off the question before it, and
the end of the dialogue takes them off the last one, so no ✖️ is left behind."""

from __future__ import annotations

from bot.db.models import Dialogue, Role, Shift
from bot.emulator import SimUser
from tests.e2e.checkin_fixtures import check_in, coordinator, duty, team, today
from tests.e2e.import_fixtures import csv_bytes
from tests.e2e.rostering_fixtures import LABEL, assign_by_hand, town
from tests.e2e.schedule import command, person, post, press_and_settle, shift, unit
from tests.harness import Harness


def _cancels(user: SimUser) -> int:
    """How many ✖️ are left in the chat."""
    return [b for m in user.messages() for b in m.buttons()].count("✖️ 取消")


def _with_buttons(user: SimUser) -> list[str]:
    """The first line of each message in the chat that still has buttons."""
    return [(m.text or "").split("\n")[0] for m in user.messages() if m.buttons()]


async def _say(harness: Harness, user: SimUser, text: str) -> None:
    await user.send_text(text)
    await harness.settle()


async def test_shift_edit_reasks_leave_no_cancel_behind(harness: Harness) -> None:
    unit_id = await unit(harness)
    shift_id = await shift(harness, await post(harness, unit_id), capacity=2)
    coordinator = await person(harness, 6501, unit_id, "王协调", role=Role.COORDINATOR)
    await command(harness, coordinator, "roster", "12-02")
    await press_and_settle(harness, coordinator, "⚙️ 07:00 黄河路-人民路口")
    await press_and_settle(harness, coordinator, "👥 人数")
    await _say(harness, coordinator, "四个")
    assert coordinator.last().text == "请输入人数，例如 4。"
    assert coordinator.last().buttons() == ["✖️ 取消"]
    assert len(_with_buttons(coordinator)) == 1
    await _say(harness, coordinator, "3")
    assert await harness.count(Dialogue) == 0
    async with harness.session() as session:
        row = await session.get(Shift, shift_id)
        assert row is not None and row.capacity == 3
    assert "✖️ 取消" not in [b for m in coordinator.messages() for b in m.buttons()]


async def test_leave_reasks_leave_no_cancel_behind(harness: Harness) -> None:
    town_ = await town(harness, capacity=2)
    wang = town_.people[1]
    await assign_by_hand(harness, town_.coordinator, town_.shift_id, "王芳")
    await press_and_settle(harness, wang, "🙋 请假")
    await wang.send_sticker()
    await harness.settle()
    assert wang.last().text == "请用文字写请假原因。"
    assert wang.last().buttons() == ["✖️ 取消"]
    await _say(harness, wang, "出差去省里开会")
    assert f"已把请假申请交给协调员（{LABEL}）" in (wang.last().text or "")
    assert await harness.count(Dialogue) == 0
    assert "✖️ 取消" not in [b for m in wang.messages() for b in m.buttons()]


async def test_import_reasks_leave_no_cancel_behind(harness: Harness) -> None:
    unit_id = await unit(harness)
    coordinator = await person(harness, 9101, unit_id, role=Role.COORDINATOR)
    await command(harness, coordinator, "import")
    await coordinator.send_sticker()
    await harness.settle()
    await coordinator.send_document("notes.pdf", b"%PDF-1.4")
    await harness.settle()
    assert coordinator.last().buttons() == ["✖️ 取消"]
    assert len(_with_buttons(coordinator)) == 1
    row = "甲路口,traffic,城管局,30.1,104.1,,2026-12-05,,,,07:00,09:00,4"
    await coordinator.send_document("schedule.csv", csv_bytes(row), mime_type="text/csv")
    await harness.settle()
    assert len(_with_buttons(coordinator)) == 1
    await command(harness, coordinator, "cancel")
    assert await harness.count(Dialogue) == 0
    assert await harness.count(Shift) == 0
    assert _with_buttons(coordinator) == []


async def test_attendance_fix_reasks_leave_no_cancel_behind(harness: Harness) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    li = await coordinator(harness, "城管局", 6001, "李协调")
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    await check_in(harness, fang)
    harness.clock.set(today(10, 0))
    await fang.send_command("checkout")
    await harness.settle()
    await command(harness, li, "roster")
    await press_and_settle(harness, li, "✏️ 更正 · 王芳")
    await press_and_settle(harness, li, "⏱ 调整服务时长")
    await _say(harness, li, "三小时")
    assert "0 到 2 小时之间" in (li.last().text or "")
    assert li.last().buttons() == ["✖️ 取消"]
    assert _cancels(li) == 1
    await li.send_sticker()
    await harness.settle()
    assert _cancels(li) == 1
    await _say(harness, li, "1:30")
    assert _cancels(li) == 1
    await _say(harness, li, "现场核实到岗一个半小时")
    assert "计入 1 小时 30 分钟" in (li.last().text or "")
    assert await harness.count(Dialogue) == 0
    assert _cancels(li) == 0


async def test_unit_name_reask_leaves_no_cancel_behind(harness: Harness) -> None:
    admin = harness.admin
    await command(harness, admin, "units")
    await press_and_settle(harness, admin, "➕ 新建单位")
    await admin.send_sticker()
    await harness.settle()
    assert admin.last().text == "请用文字发送单位名称。"
    assert _cancels(admin) == 1
    await _say(harness, admin, "城管局")
    assert await harness.count(Dialogue) == 0
    assert _cancels(admin) == 0
