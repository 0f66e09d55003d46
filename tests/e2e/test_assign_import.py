"""Assigning in the schedule spreadsheet: the column 人员. Every kind of bad name is reported
with its row and nothing is written; a good file assigns and tells everyone; importing a
corrected file changes only the person who differs and tells only those concerned."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.db.models import AssignmentStatus, LeaveStatus, Rota, RotaSource, Shift
from bot.emulator import SimUser
from tests.e2e.rostering_fixtures import (
    TOMORROW,
    approved_leave,
    ask_leave,
    assigned_seat,
    leaves,
    seats,
    town,
    wang_unavailable_on_wednesday_mornings,
)
from tests.e2e.schedule import DAY, at, command, person, press_and_settle, shift, unit
from tests.e2e.swap_fixtures import member, seat
from tests.harness import Harness

HEADER = "post,type,unit,latitude,longitude,date,start,end,capacity,tag,人员"
CROSSING = "黄河路-人民路口,traffic,城管局,30.6586,104.0648"


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"no_show_block_after": 2}


def csv(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


async def send(harness: Harness, coordinator: SimUser, data: bytes) -> str:
    await coordinator.send_command("import")
    await harness.settle()
    await coordinator.send_document("schedule.csv", data, mime_type="text/csv")
    await harness.settle()
    return coordinator.last().text or ""


async def test_every_bad_name_is_reported_with_its_row_and_nothing_is_written(
    harness: Harness,
) -> None:
    town_ = await town(harness)
    li = town_.people[0]
    await member(harness, 7004, town_.unit_id, "王强")
    blocked = await member(harness, 7005, town_.unit_id, "赵缺")
    for days_ago in (3, 4):
        missed = await shift(harness, town_.post_id, day=DAY - dt.timedelta(days=days_ago))
        await seat(harness, missed, blocked.user_id, AssignmentStatus.ABSENT)
    await person(harness, 7101, await unit(harness, "环保局"), "王五")
    # 李明 already holds a seat on the day after tomorrow at 07:00.
    later = DAY + dt.timedelta(days=2)
    await seat(harness, await shift(harness, town_.post_id, day=later), li.user_id)
    day, later_day = TOMORROW.isoformat(), later.isoformat()
    data = csv(
        f"{CROSSING},{day},12:00,14:00,2,,李明、王芳",
        f"{CROSSING},{day},15:00,16:00,1,,不存在",
        f"{CROSSING},{day},17:00,19:00,2,,王",
        f"{CROSSING},{day},19:00,21:00,2,,王五",
        f"{CROSSING},{day},21:00,22:00,1,,李明；张伟",
        f"人民路口,traffic,城管局,30.66,104.07,{day},13:00,15:00,2,,李明",
        f"{CROSSING},{later_day},12:00,14:00,1,党员,张伟",
        f"{CROSSING},{later_day},07:30,08:30,1,,李明",
        f"{CROSSING},{later_day},15:00,17:00,1,,赵缺",
    )
    text = await send(harness, town_.coordinator, data)
    assert "「schedule.csv」没有导入：8 处错误" in text
    for expected in (
        "第 3 行：人员：找不到成员「不存在」",
        "第 4 行：人员：「王」对应 2 位成员：王强（尾号 0000）、王芳（尾号 0000），"
        "请写完整的名字或手机号",
        "第 5 行：人员：王五 不是「城管局」的成员",
        "第 6 行：人员：2026-12-02 排了 2 人，但班次只要 1 人",
        "第 7 行：人员：李明 同一时间（2026-12-02 13:00–15:00）已排在表格第 2 行",
        "第 8 行：人员：张伟 没有这个班次要求的标签「党员」",
        "第 9 行：人员：李明 在 2026-12-03 07:00–09:00 已有班次",
        "第 10 行：人员：赵缺 已缺勤 2 次，暂停排班",
    ):
        assert expected in text, expected
    assert await harness.count(Rota) == 0


async def test_assign_in_the_sheet_then_a_corrected_file_changes_only_one_person(
    harness: Harness,
) -> None:
    town_ = await town(harness)
    li, wang, zhang = town_.people
    qiang = await member(harness, 7004, town_.unit_id, "王强")
    coordinator = town_.coordinator
    day = TOMORROW.isoformat()
    first = csv(
        f"{CROSSING},{day},12:00,14:00,2,,李明、王芳",
        f"{CROSSING},{day},17:00,19:00,2,,张伟",
    )
    text = await send(harness, coordinator, first)
    assert "新建班次 2 个" in text
    assert "• 人员：安排 3 个名额，撤下 0 个，通知 3 人" in text
    text = await press_and_settle(harness, coordinator, "✅ 确认导入")
    assert "• 人员：安排 3 个名额" in text
    async with harness.session() as session:
        rotas = list((await session.scalars(select(Rota))).all())
    assert [r.source for r in rotas] == [RotaSource.IMPORT] and rotas[0].seats == 3
    await harness.deliver()
    for someone in (li, wang, zhang):
        assert "📋 陈协调 给您排了" in (someone.last().text or "")
    seen = {p.user_id: len(p.messages()) for p in (li, wang, zhang, qiang)}

    # The same file again changes nothing and tells nobody.
    text = await send(harness, coordinator, first)
    assert "• 人员：安排 0 个名额，撤下 0 个，通知 0 人" in text
    await press_and_settle(harness, coordinator, "✅ 确认导入")
    # A corrected file: 王强 instead of 王芳 at noon.
    corrected = csv(
        f"{CROSSING},{day},12:00,14:00,2,,李明、王强",
        f"{CROSSING},{day},17:00,19:00,2,,张伟",
    )
    text = await send(harness, coordinator, corrected)
    assert "• 人员：安排 1 个名额，撤下 1 个，通知 2 人" in text
    await press_and_settle(harness, coordinator, "✅ 确认导入")
    await harness.deliver()
    assert "不再安排您" in (wang.last().text or "") and "12:00–14:00" in (wang.last().text or "")
    assert "📋 陈协调 给您排了 1 个班次" in (qiang.last().text or "")
    assert len(li.messages()) == seen[li.user_id] and len(zhang.messages()) == seen[zhang.user_id]
    noon = next(iter(await seats_of_day(harness, "12:00")))
    held = await seats(harness, noon)
    assert held[wang.user_id].status is AssignmentStatus.REMOVED
    assert held[qiang.user_id].status is AssignmentStatus.SIGNED_UP
    assert held[qiang.user_id].rota_id is not None


async def test_the_sheet_s_people_take_the_seats_before_the_waitlist_which_gets_those_freed(
    harness: Harness,
) -> None:
    """张伟 waits on a full shift. A file raising it to three seats, naming a third person,
    gives 王强 the new seat (the file was previewed so, and confirming it did nothing, for
    ever); a file taking 王芳 off then gives her seat to 张伟, as any seat freed does, and
    ends the leave she had asked from it."""
    town_ = await town(harness)
    _, wang, zhang = town_.people
    qiang = await member(harness, 7004, town_.unit_id, "王强")
    coordinator = town_.coordinator
    day = TOMORROW.isoformat()
    await send(harness, coordinator, csv(f"{CROSSING},{day},07:00,09:00,2,,李明、王芳"))
    await press_and_settle(harness, coordinator, "✅ 确认导入")
    await seat(harness, town_.shift_id, zhang.user_id, AssignmentStatus.WAITLISTED)

    text = await send(
        harness, coordinator, csv(f"{CROSSING},{day},07:00,09:00,3,,李明、王芳、王强")
    )
    assert "• 人员：安排 1 个名额，撤下 0 个，通知 1 人" in text
    text = await press_and_settle(harness, coordinator, "✅ 确认导入")
    assert "✅ 已导入「schedule.csv」" in text and "• 人员：安排 1 个名额" in text
    held = await seats(harness, town_.shift_id)
    assert held[qiang.user_id].status is AssignmentStatus.SIGNED_UP
    assert held[qiang.user_id].rota_id is not None
    assert held[zhang.user_id].status is AssignmentStatus.WAITLISTED

    # 王芳 asks leave; the file then takes her off: her request ends with the seat, at once.
    await ask_leave(harness, wang, "出差")
    await harness.deliver()
    card = coordinator.last()
    assert "🙋 请假申请" in (card.text or "") and "✅ 批准" in card.buttons()
    text = await send(harness, coordinator, csv(f"{CROSSING},{day},07:00,09:00,3,,李明、王强"))
    assert "• 人员：安排 0 个名额，撤下 1 个，通知 1 人" in text
    await press_and_settle(harness, coordinator, "✅ 确认导入")
    held = await seats(harness, town_.shift_id)
    assert held[wang.user_id].status is AssignmentStatus.REMOVED
    assert held[zhang.user_id].status is AssignmentStatus.SIGNED_UP
    assert held[zhang.user_id].rota_id is None  # his own sign-up, from the waitlist
    assert [leave.status for leave in await leaves(harness)] == [LeaveStatus.WITHDRAWN]
    await harness.deliver()
    assert "不再安排您" in (wang.last().text or "")
    assert (zhang.last().text or "").startswith("🎉 候补转正：空出了名额，已经是您的了：")
    closed = next(m for m in coordinator.messages() if m.message_id == card.message_id)
    assert closed.buttons() == []

    # Put on it again (a fourth seat), she does not find the old request on the new seat.
    await send(harness, coordinator, csv(f"{CROSSING},{day},07:00,09:00,4,,李明、王强、王芳"))
    await press_and_settle(harness, coordinator, "✅ 确认导入")
    assert "（排班 · 待确认收到）" in await command(harness, wang, "my")
    roster = await command(harness, coordinator, "roster", "12-02")
    assert "请假待批" not in roster


async def seats_of_day(harness: Harness, start: str) -> list[int]:
    async with harness.session() as session:
        found = (await session.scalars(select(Shift).order_by(Shift.starts_at))).unique()
        zone = harness.runtime.settings.zone
        return [s.id for s in found if f"{s.starts_at.astimezone(zone):%H:%M}" == start]


@pytest.mark.parametrize("settings_overrides", [{"weekly_shift_cap": 2}])
async def test_a_sheet_over_the_weekly_cap_is_refused_in_the_preview_not_at_confirm(
    harness: Harness,
) -> None:
    town_ = await town(harness)
    # Wednesday to Friday of one week, 李明 on each: three shifts with WEEKLY_SHIFT_CAP=2.
    days = [(TOMORROW + dt.timedelta(days=n)).isoformat() for n in range(3)]
    text = await send(
        harness, town_.coordinator, csv(*(f"{CROSSING},{day},12:00,14:00,2,,李明" for day in days))
    )
    assert "没有导入" in text and "第 4 行：人员：李明 这一周已排满 2 个班次（每周上限）" in text, (
        text
    )
    assert await harness.count(Rota) == 0
    # Two of them pass, and are imported.
    text = await send(
        harness,
        town_.coordinator,
        csv(*(f"{CROSSING},{day},12:00,14:00,2,,李明" for day in days[:2])),
    )
    assert "检查通过" in text, text
    await press_and_settle(harness, town_.coordinator, "✅ 确认导入")
    assert await harness.count(Rota) == 1


async def test_a_sheet_clashing_with_a_seat_one_took_oneself_on_a_shift_of_the_file_is_refused(
    harness: Harness,
) -> None:
    town_ = await town(harness)
    li = town_.people[0]
    day = TOMORROW.isoformat()
    # 李明 signed up himself for 07:00–09:00, a shift the file lists (for 王芳).
    await seat(harness, town_.shift_id, li.user_id)
    data = csv(
        f"{CROSSING},{day},07:00,09:00,2,,王芳",
        f"人民路口,traffic,城管局,30.66,104.07,{day},08:00,10:00,1,,李明",
    )
    text = await send(harness, town_.coordinator, data)
    assert "第 3 行：人员：李明 在 2026-12-02 07:00–09:00 已有班次" in text, text
    assert await harness.count(Rota) == 0


async def test_a_new_shift_of_the_sheet_at_the_hour_of_approved_leave_is_refused_in_the_preview(
    harness: Harness,
) -> None:
    town_ = await town(harness)
    li = town_.people[0]
    # 李明 was given leave from tomorrow's 07:00–09:00; the file puts him on a new shift of
    # another post at that hour.
    await approved_leave(harness, await assigned_seat(harness, town_.shift_id, li.user_id))
    data = csv(f"人民路口,traffic,城管局,30.66,104.07,{TOMORROW.isoformat()},07:30,08:30,1,,李明")
    text = await send(harness, town_.coordinator, data)
    assert "没有导入" in text and "第 2 行：人员：李明 这个时间已经请假（已批准）" in text, text
    assert await harness.count(Rota) == 1  # the rota of the seat he had, no other


async def test_the_preview_names_who_declared_the_hour_off_or_would_rest_too_little(
    harness: Harness,
) -> None:
    """As ➕ 安排人员 warns before 仍然安排, the preview names each person the file puts on a
    shift they declared they cannot serve (王芳, Wednesday mornings), or less than
    MIN_REST_HOURS (8) from another of their shifts: 李明 holds tomorrow's 07:00–09:00 seat and
    the file puts him at 12:00; 张伟 is at 12:00 and at 17:00 in the file. ✅ 确认导入 then
    assigns them all, as 仍然安排 does."""
    town_ = await town(harness)
    li, wang, zhang = town_.people
    await wang_unavailable_on_wednesday_mornings(harness, town_)
    await seat(harness, town_.shift_id, li.user_id)
    day = TOMORROW.isoformat()
    data = csv(
        f"{CROSSING},{day},12:00,14:00,2,,李明、张伟",
        f"{CROSSING},{day},17:00,19:00,2,,张伟",
        f"人民路口,traffic,城管局,30.66,104.07,{day},08:00,09:30,1,,王芳",
    )
    text = await send(harness, town_.coordinator, data)
    assert "检查通过" in text, text
    assert "请核对 3 处提醒" in text, text
    for expected in (
        "第 2 行：人员：李明 和 2026-12-02 07:00–09:00 的班次之间休息不到 8 小时",
        "第 3 行：人员：张伟 和表格第 2 行的班次之间休息不到 8 小时",
        "第 4 行：人员：王芳 申报过这段时间不能值班：每周三 06:00–10:00"
        "（2026年12月1日 至 2026年12月31日）",
    ):
        assert expected in text, expected
    assert "• 人员：安排 4 个名额，撤下 0 个，通知 3 人" in text
    assert town_.coordinator.last().buttons() == ["✅ 确认导入", "✖️ 取消"]
    text = await press_and_settle(harness, town_.coordinator, "✅ 确认导入")
    assert "• 人员：安排 4 个名额" in text and "请核对" not in text, text
    async with harness.session() as session:
        [rota] = list((await session.scalars(select(Rota))).all())
    assert rota.source is RotaSource.IMPORT and rota.seats == 4
    async with harness.session() as session:
        found = await session.scalar(select(Shift).where(Shift.starts_at == at(TOMORROW, 8)))
        assert found is not None
    assert (await seats(harness, found.id))[wang.user_id].status is AssignmentStatus.SIGNED_UP
    assert zhang.user_id not in await seats(harness, town_.shift_id)


async def test_a_seat_the_file_adds_reaches_the_waitlist_told_once(harness: Harness) -> None:
    """A file raising a full shift to three seats, naming its two people: 张伟, waiting, gets
    the new seat and is told so once (🎉), not also that the shift now needs three."""
    town_ = await town(harness)
    zhang = town_.people[2]
    coordinator = town_.coordinator
    day = TOMORROW.isoformat()
    await send(harness, coordinator, csv(f"{CROSSING},{day},07:00,09:00,2,,李明、王芳"))
    await press_and_settle(harness, coordinator, "✅ 确认导入")
    await seat(harness, town_.shift_id, zhang.user_id, AssignmentStatus.WAITLISTED)
    seen = len(zhang.messages())
    await send(harness, coordinator, csv(f"{CROSSING},{day},07:00,09:00,3,,李明、王芳"))
    await press_and_settle(harness, coordinator, "✅ 确认导入")
    await harness.deliver()
    told = zhang.texts()[seen:]
    assert len(told) == 1 and told[0].startswith("🎉 候补转正"), told
    held = await seats(harness, town_.shift_id)
    assert held[zhang.user_id].status is AssignmentStatus.SIGNED_UP
