"""/rotate: a coordinator with 40 people and 3 posts fills next week in a minute: period, posts,
a preview with its spreadsheet, a re-draw, and confirmation that assigns and tells everyone in
one go. A plan overtaken by events assigns nothing; every wrong period or unit is refused."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select, update

from bot.buttons import RotateConfirm
from bot.db.models import (
    AssignmentStatus,
    Dialogue,
    Member,
    Role,
    Shift,
)
from tests.e2e.rostering_fixtures import (
    NEXT_MONDAY,
    alert,
    member_id_of,
    press,
    rota_city,
    rotated_seats,
    unavailable,
    volunteers,
    week_of_shifts,
)
from tests.e2e.schedule import DAY, at, command, post, press_and_settle, shift, unit
from tests.e2e.swap_fixtures import member, seat
from tests.harness import Harness

HOUR = dt.timedelta(hours=1)
NEXT_WEEK = "下周 · 12月7日 周一 至 12月13日 周日"
PERIOD = "12月7日 周一 至 12月13日 周日"


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"min_rest_hours": 8, "weekly_shift_cap": 3}


def sheets(data: bytes) -> dict[str, list[tuple[Any, ...]]]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


async def test_rotate_next_week_preview_redraw_and_confirm(harness: Harness) -> None:
    _, _, coordinator = await rota_city(harness)
    # 队员01 cannot do mornings at all; the rotation respects it.
    await unavailable(
        harness, 8000, NEXT_MONDAY, NEXT_MONDAY + dt.timedelta(days=6),
        start=dt.time(6, 0), end=dt.time(10, 0),
    )  # fmt: skip

    text = await command(harness, coordinator, "rotate")
    assert "🗓 自动排班 · 城管局" in text
    assert coordinator.last().buttons() == [
        NEXT_WEEK,
        "本周剩下几天 · 12月2日 周三 至 12月6日 周日",
        "✖️ 取消",
    ]
    text = await press_and_settle(harness, coordinator, NEXT_WEEK)
    assert f"🗓 {PERIOD}：排哪些岗位？" in text
    assert coordinator.last().buttons() == [
        "✅ 全部岗位（3 个）",
        "⬜ 人民路-解放路口",
        "⬜ 解放路-长江路口",
        "⬜ 黄河路-人民路口",
        "✖️ 取消",
    ]
    await press_and_settle(harness, coordinator, "⬜ 人民路-解放路口")
    assert "☑️ 人民路-解放路口" in coordinator.last().buttons()
    assert "▶️ 排已选的 1 个岗位" in coordinator.last().buttons()
    await press_and_settle(harness, coordinator, "☑️ 人民路-解放路口")
    assert "▶️ 排已选的 1 个岗位" not in coordinator.last().buttons()

    await coordinator.press("✅ 全部岗位（3 个）")
    await harness.settle()
    sheet_message = coordinator.last()
    assert sheet_message.kind == "document"
    assert sheet_message.file_name == "rotation-2026-12-07-2026-12-13.xlsx"
    assert sheet_message.caption == "排班预览表（确认之前不会安排任何人）"
    preview = coordinator.messages()[-2]
    text = preview.text or ""
    assert f"🗓 自动排班预览 · 城管局\n{PERIOD}" in text
    assert "共 84 个空位，排上 84 个，分给 40 人。" in text
    assert "12月7日 周一" in text and "· 07:00–09:00 黄河路-人民路口：" in text
    assert "每人本期班次、时长（近四周时长）：" in text
    assert "队员01：2 班 4 小时（近四周 0 小时）" in text or "队员01：3 班 6 小时" in text
    assert preview.buttons() == ["✅ 确认排班", "🔀 重新排", "✖️ 取消"]
    assert sheet_message.file_id is not None
    book = sheets(harness.emulator.file_bytes(sheet_message.file_id))
    assert list(book) == ["排班", "每人", "未排满"]
    assert book["排班"][0] == ("日期", "星期", "开始", "结束", "岗位", "姓名", "手机号")
    assert len(book["排班"]) == 1 + 84 and len(book["每人"]) == 1 + 40
    assert sum(row[1] for row in book["每人"][1:]) == 84
    assert await rotated_seats(harness) == []  # nothing assigned before confirmation

    first_plan = await plan_in_dialogue(harness)
    await coordinator.press("🔀 重新排", preview.message_id)
    await harness.settle()
    assert coordinator.last().kind == "document"
    second_plan = await plan_in_dialogue(harness)
    assert second_plan != first_plan and len(second_plan) == 84
    # The old preview's confirmation (the plan before the re-draw) is stale.
    await press(harness, coordinator, RotateConfirm(0))
    assert alert(coordinator) == "这个按钮已失效，请重新打开菜单。"

    text = await press_and_settle(harness, coordinator, "✅ 确认排班")
    assert f"✅ 已排班（{PERIOD}）：84 个名额，40 人，都已通知" in text
    assert await harness.count(Dialogue) == 0
    seats = await rotated_seats(harness)
    assert sorted((s.shift_id, s.member_id) for s in seats) == sorted(second_plan)
    assert {s.status for s in seats} == {AssignmentStatus.SIGNED_UP}
    assert len({s.rota_id for s in seats}) == 1
    per_person = Counter(s.member_id for s in seats)
    assert sorted(Counter(per_person.values()).items()) == [(2, 36), (3, 4)]
    first = await harness.member(8000)
    assert first is not None
    zone = harness.runtime.settings.zone
    async with harness.session() as session:
        hours = {
            s.id: s.starts_at.astimezone(zone).hour for s in await session.scalars(select(Shift))
        }
    assert [s for s in seats if s.member_id == first.id and hours[s.shift_id] == 7] == []
    assert per_person[first.id] >= 2  # evenings instead

    await harness.deliver()
    someone = harness.user(8001, "队员02")
    notice = someone.last().text or ""
    assert "📋 陈协调 给您排了" in notice and "个班次：" in notice
    assert someone.last().buttons()[0] == "✅ 收到"
    assert someone.last().buttons()[1].startswith("🙋 请假")


async def plan_in_dialogue(harness: Harness) -> list[tuple[int, int]]:
    async with harness.session() as session:
        dialogue = await session.scalar(select(Dialogue))
        assert dialogue is not None
        return [(int(a), int(b)) for a, b in dialogue.data["seats"]]


async def test_a_plan_overtaken_by_a_sign_up_assigns_nothing_and_a_redraw_works(
    harness: Harness,
) -> None:
    unit_id, _, coordinator = await rota_city(harness, people=12)
    await command(harness, coordinator, "rotate", "12-07 12-08")
    await press_and_settle(harness, coordinator, "✅ 全部岗位（3 个）")
    plan = await plan_in_dialogue(harness)
    planned_on = {shift_id for shift_id, _ in plan}
    # A late-comer signs up for a planned shift meanwhile.
    latecomer = await member(harness, 7400, unit_id, "晚到")
    await seat(harness, sorted(planned_on)[0], latecomer.user_id)

    preview = coordinator.messages()[-2]
    await coordinator.press("✅ 确认排班", preview.message_id)
    await harness.settle()
    assert alert(coordinator).startswith("预览之后情况有变（")
    assert "什么都没有安排" in alert(coordinator)
    assert await rotated_seats(harness) == []
    await coordinator.press("🔀 重新排", preview.message_id)
    await harness.settle()
    text = await press_and_settle(harness, coordinator, "✅ 确认排班")
    assert "✅ 已排班（12月7日 周一 至 12月8日 周二）：" in text
    assert len(await rotated_seats(harness)) == 2 * 3 * 2 * 2 - 1


async def test_seats_nobody_may_take_are_explained(harness: Harness) -> None:
    unit_id = await unit(harness)
    patrol = await post(harness, unit_id, "党员文明岗")
    await week_of_shifts(harness, [patrol], hours=((9, 11),), required_tag="党员")
    # One ends at the midnight that ends its day: its gap reads 22:00–24:00, as /roster says.
    async with harness.session() as session:
        session.add(
            Shift(
                post_id=patrol,
                starts_at=at(NEXT_MONDAY, 22),
                ends_at=at(NEXT_MONDAY + dt.timedelta(days=1), 0),
                capacity=1,
                required_tag="党员",
                created_at=harness.clock.now(),
            )
        )
    await volunteers(harness, unit_id, 5)
    coordinator = await member(harness, 7900, unit_id, "陈协调", role=Role.COORDINATOR)
    text = await command(harness, coordinator, "rotate", "12-07")
    assert "共 3 个空位，排上 0 个，分给 0 人。" in text
    assert "没有可以排上的人，原因见下。" in text
    assert "· 12月7日 周一 09:00–11:00 · 党员文明岗：差 2 人 — 5 人缺少所需标签" in text
    assert "· 12月7日 周一 22:00–24:00 · 党员文明岗：差 1 人 — 5 人缺少所需标签" in text
    assert coordinator.last().buttons() == ["✖️ 取消"]


async def test_wrong_periods_and_units_are_refused(harness: Harness) -> None:
    _, _, coordinator = await rota_city(harness, people=3)
    for args, expected in (
        ("12-07 2027-01-20", "一次最多排 31 天，请缩短时间段。"),
        ("2026-11-01 2026-11-07", "这段时间已经过去了。"),
        ("11-24 11-30", "这段时间已经过去了。"),
        ("12-13 12-07", "没看懂这个日期范围"),
        ("下个月", "没看懂这个日期范围"),
    ):
        text = await command(harness, coordinator, "rotate", args)
        assert expected in text, args
    assert await harness.count(Dialogue) == 0
    # Typed at the period step.
    await command(harness, coordinator, "rotate")
    await coordinator.send_text("后天")
    await harness.settle()
    assert "没看懂这个日期范围" in (coordinator.last().text or "")
    assert "请输入日期范围，例如 12-07 12-13" in (coordinator.last().text or "")
    await coordinator.send_text("12-07 12-07")
    await harness.settle()
    assert "排哪些岗位？" in (coordinator.last().text or "")

    # A unit without volunteers, and one without posts.
    empty = await unit(harness, "环保局")
    lonely = await member(harness, 7901, empty, "孤单协调", role=Role.COORDINATOR)
    assert "本单位还没有岗位，先用 /newpost 创建。" in await command(
        harness, lonely, "rotate", "12-07"
    )
    await week_of_shifts(harness, [await post(harness, empty, "环保岗")])
    assert "本单位没有可以排班的志愿者" in await command(harness, lonely, "rotate", "12-07")
    # A volunteer may not rotate.
    assert await command(harness, harness.user(8000, "队员01"), "rotate") == (
        "抱歉，您没有权限执行这个操作。"
    )
    assert await rotated_seats(harness) == []

    # A period's button pressed once its days have passed (the question left open a week) is
    # answered with why and the choices of today, not by an alert over the same stale ones.
    await command(harness, coordinator, "rotate")
    [rest] = [label for label in coordinator.last().buttons() if label.startswith("本周剩下")]
    harness.clock.set(at(NEXT_MONDAY, 9))
    text = await press_and_settle(harness, coordinator, rest)
    assert text.startswith("这段时间已经过去了。\n请输入日期范围"), text
    assert coordinator.last().buttons()[0] == "下周 · 12月14日 周一 至 12月20日 周日"


NOTHING_OPEN = [
    "这段时间所选岗位没有空位（没有班次，或都已排满）。",
    "请输入日期范围，例如 12-07 12-13，或点下面的按钮。",
]


@pytest.mark.parametrize("with_command", [False, True], ids=["typed_in_dialogue", "with_command"])
async def test_a_typed_period_without_open_seats_keeps_the_period_step_open(
    harness: Harness, with_command: bool
) -> None:
    """The same answer whether the period came with /rotate or at the period step: the
    refusal, the hint and the period's choices, the step still open; and the question asked
    before it loses its buttons."""
    _, _, coordinator = await rota_city(harness, people=3)
    if with_command:
        await command(harness, coordinator, "rotate", "2027-03-01 2027-03-07")
    else:
        await command(harness, coordinator, "rotate")
        choices = coordinator.last().buttons()
        await coordinator.send_text("2027-03-01 2027-03-07")
        await harness.settle()
    answer = coordinator.last()
    assert (answer.text or "").split("\n") == NOTHING_OPEN
    if not with_command:
        assert answer.buttons() == choices
    assert answer.buttons()[0] == NEXT_WEEK
    assert answer.buttons()[-1] == "✖️ 取消"
    assert [m.message_id for m in coordinator.messages() if m.buttons()] == [answer.message_id]
    async with harness.session() as session:
        dialogue = await session.scalar(select(Dialogue))
        assert dialogue is not None
        assert dialogue.step == "period"
        assert "first" not in dialogue.data
    # Another period is still read.
    await coordinator.send_text("12-07 12-07")
    await harness.settle()
    assert "排哪些岗位？" in (coordinator.last().text or "")
    assert await rotated_seats(harness) == []


async def test_a_confirmation_after_the_coordinator_moved_ends_the_rotation(
    harness: Harness,
) -> None:
    """Moved to another unit since the preview: the plan is no longer theirs to confirm, or to
    draw again; said once, in place of the preview's buttons, and the dialogue ends. So at the
    period and posts steps before it (a period pressed or typed, the posts picked)."""
    home, _, coordinator = await rota_city(harness, people=3)
    other = await unit(harness, "交警队")

    async def moves(to: int) -> None:
        async with harness.session() as session:
            await session.execute(
                update(Member).where(Member.telegram_id == coordinator.user_id).values(unit_id=to)
            )

    for step in ("period pressed", "period typed", "posts"):
        await command(harness, coordinator, "rotate", "12-07" if step == "posts" else None)
        await moves(other)
        if step == "period pressed":
            text = await press_and_settle(harness, coordinator, NEXT_WEEK)
        elif step == "period typed":
            await coordinator.send_text("12-07")
            await harness.settle()
            text = coordinator.last().text or ""
        else:
            text = await press_and_settle(harness, coordinator, "✅ 全部岗位（3 个）")
        assert text == "抱歉，您没有权限执行这个操作。", (step, text)
        assert [m.text for m in coordinator.messages() if m.buttons()] == [], step
        assert await harness.count(Dialogue) == 0, step
        await moves(home)

    await command(harness, coordinator, "rotate", "12-07")
    await coordinator.press("✅ 全部岗位（3 个）")
    await harness.settle()
    await moves(other)
    text = await press_and_settle(harness, coordinator, "✅ 确认排班")
    assert alert(coordinator) == "抱歉，您没有权限执行这个操作。"
    assert text == "抱歉，您没有权限执行这个操作。", text
    assert [m for m in coordinator.messages() if m.buttons()] == []
    assert await harness.count(Dialogue) == 0
    assert await rotated_seats(harness) == []


async def test_an_admin_picks_the_unit(harness: Harness) -> None:
    await rota_city(harness, people=6)
    await unit(harness, "环保局")
    admin = harness.admin
    text = await command(harness, admin, "rotate")
    assert "🗓 自动排班：选择单位：" in text
    assert admin.last().buttons() == ["城管局", "环保局", "✖️ 取消"]
    text = await press_and_settle(harness, admin, "城管局")
    assert "🗓 自动排班 · 城管局" in text
    await press_and_settle(harness, admin, NEXT_WEEK)
    await admin.press("✅ 全部岗位（3 个）")
    await harness.settle()
    assert "共 84 个空位，排上" in (admin.messages()[-2].text or "")


async def test_dates_typed_with_the_command_survive_the_choice_of_unit(harness: Harness) -> None:
    await rota_city(harness, people=6)
    await unit(harness, "环保局")
    admin = harness.admin
    # A wrong range is refused before any unit is asked for.
    assert "没看懂这个日期范围" in await command(harness, admin, "rotate", "下个月")
    assert await harness.count(Dialogue) == 0
    text = await command(harness, admin, "rotate", "12-07 12-08")
    assert "🗓 自动排班：选择单位：" in text
    text = await press_and_settle(harness, admin, "城管局")
    assert text.startswith("🗓 12月7日 周一 至 12月8日 周二：排哪些岗位？")
    await admin.press("✅ 全部岗位（3 个）")
    await harness.settle()
    assert "12月7日 周一 至 12月8日 周二" in (admin.messages()[-2].text or "")
    assert await rotated_seats(harness) == []
    # Typed just before midnight and the unit picked after it, the day typed has passed: the
    # admin is told so and asked for a period, rather than refused at every press of the unit.
    await admin.send_command("cancel")
    harness.clock.set(at(DAY, 23, 59))
    await command(harness, admin, "rotate", "12-01")
    harness.clock.set(at(DAY + dt.timedelta(days=1), 0, 1))
    text = await press_and_settle(harness, admin, "城管局")
    assert text.startswith("这段时间已经过去了。\n请输入日期范围"), text
    assert admin.last().buttons()[-1] == "✖️ 取消", admin.last().buttons()
    await admin.send_text("12-07 12-08")
    await harness.settle()
    assert "排哪些岗位？" in (admin.last().text or "")


async def test_a_no_show_is_not_counted_as_hours_served_when_weighing_fairness(
    harness: Harness,
) -> None:
    unit_id = await unit(harness)
    crossing = await post(harness, unit_id, "黄河路-人民路口")
    first, second = await volunteers(harness, unit_id, 2)
    coordinator = await member(harness, 7900, unit_id, "陈协调", role=Role.COORDINATOR)
    # Last week 队员01 missed two 2-hour shifts; 队员02 served one.
    for back, (who, status) in enumerate(
        (
            (first, AssignmentStatus.ABSENT),
            (first, AssignmentStatus.ABSENT),
            (second, AssignmentStatus.CHECKED_OUT),
        ),
        start=4,
    ):
        past = await shift(harness, crossing, day=DAY - dt.timedelta(days=back))
        await seat(harness, past, who, status)
    monday = await shift(harness, crossing, day=NEXT_MONDAY, capacity=1)
    await command(harness, coordinator, "rotate", "12-07")
    preview = coordinator.messages()[-2].text or ""
    # Fewest hours served in the last four weeks first: 0 against 2, whatever was missed.
    assert "队员01：1 班 2 小时（近四周 0 小时）" in preview, preview
    assert await plan_in_dialogue(harness) == [(monday, await member_id_of(harness, first))]


async def test_an_admin_s_rota_and_its_reminder_name_the_admin(harness: Harness) -> None:
    unit_id = await unit(harness)
    crossing = await post(harness, unit_id, "黄河路-人民路口")
    await volunteers(harness, unit_id, 1)
    await shift(harness, crossing, day=NEXT_MONDAY, capacity=1)
    admin = harness.admin  # in ADMIN_IDS, never registered as a member
    await command(harness, admin, "rotate", "12-07")
    await admin.press("✅ 确认排班", admin.messages()[-2].message_id)
    await harness.settle()
    await harness.deliver()
    volunteer = harness.user(8000, "队员01")
    assert (volunteer.last().text or "").startswith("📋 管理员 给您排了 1 个班次：")
    harness.clock.advance(hours=6)
    await harness.tick()
    assert (volunteer.last().text or "").startswith("⏰ 管理员 给您排的 1 个班次还没有确认收到")


async def test_a_rota_names_who_was_assigned_but_cannot_be_told(harness: Harness) -> None:
    unit_id = await unit(harness)
    crossing = await post(harness, unit_id, "黄河路-人民路口")
    await volunteers(harness, unit_id, 2)
    async with harness.session() as session:
        await session.execute(
            update(Member).where(Member.telegram_id == 8000).values(blocked_bot=True)
        )
    coordinator = await member(harness, 7900, unit_id, "陈协调", role=Role.COORDINATOR)
    await shift(harness, crossing, day=NEXT_MONDAY, capacity=2)
    await command(harness, coordinator, "rotate", "12-07")
    text = await press_and_settle(harness, coordinator, "✅ 确认排班")
    assert "2 个名额，2 人；能收到通知的都已通知" in text and "2 人，都已通知" not in text
    assert "⚠️ 队员01（1 人）屏蔽了机器人，收不到通知，请电话联系。" in text


async def test_hours_of_shifts_not_of_whole_hours_read_as_in_the_reports(
    harness: Harness,
) -> None:
    """An 80-minute shift is 1.33 hours, as /hours and the reports write it, not 1.33333."""
    unit_id = await unit(harness)
    crossing = await post(harness, unit_id, "黄河路-人民路口")
    (first,) = await volunteers(harness, unit_id, 1)
    coordinator = await member(harness, 7900, unit_id, "陈协调", role=Role.COORDINATOR)
    past = await shift(harness, crossing, day=DAY - dt.timedelta(days=4))
    monday = await shift(harness, crossing, day=NEXT_MONDAY, capacity=1)
    async with harness.session() as session:
        for shift_id in (past, monday):
            row = await session.get(Shift, shift_id)
            assert row is not None
            row.ends_at = row.starts_at + dt.timedelta(minutes=80)
    await seat(harness, past, first, AssignmentStatus.CHECKED_OUT)
    await command(harness, coordinator, "rotate", "12-07")
    preview = coordinator.messages()[-2].text or ""
    assert "队员01：1 班 1.33 小时（近四周 1.33 小时）" in preview, preview
