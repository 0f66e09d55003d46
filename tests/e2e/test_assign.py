"""A coordinator assigns people by hand: picks from those who may take the shift or types names;
each person is told with ✅ 收到 and 🙋 请假, is reminded ASSIGN_ACK_REMIND_HOURS later if they
did not acknowledge, and the coordinator hears the evening before who still has not. Every
wrong person is refused with its own reason and nothing changes."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update

from bot.buttons import AssignAnyway, AssignStart
from bot.db.models import AssignmentStatus, Dialogue, Member, Role, Rota, Shift
from tests.e2e.rostering_fixtures import (
    ASSIGN_SETTINGS,
    LABEL,
    SIGNED,
    TOMORROW,
    alert,
    approved_leave,
    assigned_seat,
    audit_actions,
    open_assign,
    press,
    rota_days,
    seats,
    town,
    wang_unavailable_on_wednesday_mornings,
)
from tests.e2e.schedule import (
    DAY,
    at,
    command,
    person,
    post,
    press_and_settle,
    shift,
    statuses,
    unit,
)
from tests.e2e.swap_fixtures import member, seat
from tests.harness import Harness


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return dict(ASSIGN_SETTINGS)


async def test_assign_by_picking_and_typing_then_acknowledge_reminder_and_evening_list(
    harness: Harness,
) -> None:
    town_ = await town(harness)
    li, wang, zhang = town_.people
    coordinator = town_.coordinator
    # 李明 already served this month: he comes after those who have not.
    past = await shift(harness, town_.post_id, day=DAY, start=5, end=7)
    await seat(harness, past, li.user_id, AssignmentStatus.CHECKED_OUT)

    text = await open_assign(harness, coordinator, town_.shift_id)
    assert f"➕ 为 {LABEL} 安排人员（还差 2 人）" in text
    assert coordinator.last().buttons() == [
        "张伟 · 0小时",
        "王芳 · 0小时",
        "陈协调 · 0小时",
        "李明 · 2小时",
        "✖️ 取消",
    ]

    text = await press_and_settle(harness, coordinator, "王芳 · 0小时")
    assert f"✅ 已安排 1 人到 {LABEL}：王芳。已通知本人" in text
    assert "还差 1 人" in text and "王芳 · 0小时" not in coordinator.last().buttons()
    assert coordinator.answered_callbacks[-1]["text"] == "已安排"

    await coordinator.send_text("张")
    await harness.settle()
    assert f"✅ 已安排 1 人到 {LABEL}：张伟" in (coordinator.last().text or "")
    assert "这个班次已经排满" in (coordinator.last().text or "")
    assert coordinator.last().buttons() == ["⚙️ 打开班次卡片"]
    assert await harness.count(Dialogue) == 0

    held = await seats(harness, town_.shift_id)
    assert {held[wang.user_id].status, held[zhang.user_id].status} == {SIGNED}
    assert held[wang.user_id].rota_id is not None and held[wang.user_id].acknowledged_at is None
    assert held[wang.user_id].rota_id != held[zhang.user_id].rota_id  # two acts, two rotas
    # Each rota runs on the shift's local day (07:00 in Shanghai is the day before in UTC).
    assert await rota_days(harness) == [(TOMORROW, TOMORROW)] * 2
    assert await audit_actions(harness, "assignment") == ["assignment.assign"] * 2

    await harness.deliver()
    notice = wang.last().text or ""
    assert "📋 陈协调 给您排了 1 个班次：" in notice and f"1. {LABEL}" in notice
    assert wang.last().buttons() == ["✅ 收到", "🙋 请假"]
    text = await press_and_settle(harness, wang, "✅ 收到")
    assert "✅ 已确认收到 1 个班次" in text and wang.last().buttons() == ["🙋 请假"]
    assert wang.answered_callbacks[-1]["text"] == "已确认收到"
    held = await seats(harness, town_.shift_id)
    assert held[wang.user_id].acknowledged_at == harness.clock.now()

    # Six hours on, 张伟 (who did not answer) is reminded once; 王芳 is not.
    seen = len(wang.messages())
    harness.clock.advance(hours=5, minutes=59)
    await harness.tick()
    assert "还没有确认收到" not in (zhang.last().text or "")
    harness.clock.advance(minutes=1)
    await harness.tick()
    reminder = zhang.last().text or ""
    assert "⏰ 陈协调 给您排的 1 个班次还没有确认收到" in reminder and LABEL in reminder
    assert zhang.last().buttons() == ["✅ 收到", "🙋 请假"]
    reminded = len(zhang.messages())
    await harness.tick()
    assert len(zhang.messages()) == reminded and len(wang.messages()) == seen

    # At SUMMARY_TIME the coordinator hears who has not acknowledged tomorrow's seats.
    harness.clock.set(at(DAY, 20, 0))
    await harness.tick()
    evening = coordinator.last().text or ""
    assert "📋 明天（12月2日 周三）还有 1 人没有确认收到排班" in evening
    assert LABEL in evening and "张伟" in evening and "王芳" not in evening
    await harness.tick()
    assert coordinator.last().text == evening
    # Acknowledging from the reminder works like from the notice.
    await zhang.press("✅ 收到")
    await harness.settle()
    assert (await seats(harness, town_.shift_id))[zhang.user_id].acknowledged_at is not None


async def test_every_wrong_person_is_refused_with_its_reason_and_nothing_changes(
    harness: Harness,
) -> None:
    town_ = await town(harness, capacity=4)
    li, wang, zhang = town_.people
    coordinator = town_.coordinator
    other_unit = await unit(harness, "环保局")
    await person(harness, 7101, other_unit, "王五")
    await member(harness, 7004, town_.unit_id, "王强")
    blocked = await member(harness, 7005, town_.unit_id, "赵缺")
    for days_ago in (3, 4):
        missed = await shift(harness, town_.post_id, day=DAY - dt.timedelta(days=days_ago))
        await seat(harness, missed, blocked.user_id, AssignmentStatus.ABSENT)
    elsewhere = await post(harness, town_.unit_id, "人民路-解放路口")
    await seat(harness, await shift(harness, elsewhere, day=TOMORROW, start=8, end=10), li.user_id)
    # 王芳 had this shift and was given leave from it.
    await approved_leave(harness, await assigned_seat(harness, town_.shift_id, wang.user_id))
    tagged = await shift(
        harness, town_.post_id, day=TOMORROW, start=12, end=14, required_tag="党员"
    )
    before = await statuses(harness, town_.shift_id)

    await open_assign(harness, coordinator, town_.shift_id)
    for typed, expected in (
        ("王五", "· 王五 不是「城管局」的成员，不能安排到这个班次"),
        ("赵缺", "· 赵缺 已缺勤 2 次，暂停排班，请先和本人沟通"),
        ("李明", "· 李明 同一时间已有班次：12月2日 周三 08:00–10:00 · 人民路-解放路口"),
        ("王芳", "· 王芳 这个时间已经请假（已批准）"),
        ("不存在", "· 找不到成员「不存在」"),
        ("王", "· 「王」对应 2 位成员：王强（尾号 0000）、王芳（尾号 0000）"),
        ("张伟、李明", "· 李明 同一时间已有班次"),
    ):
        await coordinator.send_text(typed)
        await harness.settle()
        assert expected in (coordinator.last().text or ""), typed
        # Asked again with the choices, whose earlier question lost its buttons.
        assert "张伟 · 0小时" in coordinator.last().buttons()
        assert [b for m in coordinator.messages() for b in m.buttons()].count("✖️ 取消") == 1
    assert await statuses(harness, town_.shift_id) == before
    assert await harness.count(Rota) == 1  # only the fixture's

    # A shift that needs a tag: those without it are refused.
    await press(harness, coordinator, AssignStart(tagged))
    assert "本单位现在没有人可以直接排这个班次" in (coordinator.last().text or "")
    await coordinator.send_text("张伟")
    await harness.settle()
    assert "· 张伟 没有这个班次要求的标签「党员」" in (coordinator.last().text or "")

    # A full shift has no room.
    full = await shift(harness, town_.post_id, day=TOMORROW, start=17, end=19, capacity=1)
    await seat(harness, full, zhang.user_id)
    await press(harness, coordinator, AssignStart(full))
    assert alert(coordinator) == "这个班次已经满了（1 人），不能再安排。"
    # Too many names for the seats left: nobody is assigned.
    small = await shift(harness, town_.post_id, day=TOMORROW, start=19, end=21, capacity=1)
    await press(harness, coordinator, AssignStart(small))
    await coordinator.send_text("张伟、王强")
    await harness.settle()
    assert "输入了 2 个人，但只剩 1 个空位，没有安排任何人" in (coordinator.last().text or "")
    assert await seats(harness, small) == {}
    # A name pressed after its person took a clashing seat: refused with why, and the list is
    # drawn again without them rather than offering the same refusal once more.
    await seat(harness, await shift(harness, elsewhere, day=TOMORROW, start=19, end=21), 7004)
    await coordinator.press("王强 · 0小时")
    await harness.settle()
    assert "· 王强 同一时间已有班次" in alert(coordinator)
    names = next(m for m in reversed(coordinator.messages()) if m.buttons())
    assert "· 王强 同一时间已有班次" in (names.text or ""), names.text
    assert "王强 · 0小时" not in names.buttons() and "王芳 · 0小时" in names.buttons()
    assert await seats(harness, small) == {}


async def test_someone_who_declared_they_cannot_serve_is_assigned_only_after_a_warning(
    harness: Harness,
) -> None:
    town_ = await town(harness)
    wang = await wang_unavailable_on_wednesday_mornings(harness, town_)
    coordinator = town_.coordinator
    await open_assign(harness, coordinator, town_.shift_id)
    # Not offered in the list, but typing the name warns and asks.
    assert not any(label.startswith("王芳") for label in coordinator.last().buttons())
    await coordinator.send_text("王芳")
    await harness.settle()
    warning = coordinator.last().text or ""
    assert "⚠️ 王芳 申报过这段时间不能值班：每周三 06:00–10:00" in warning
    assert f"仍然安排到 {LABEL} 吗？" in warning
    assert coordinator.last().buttons() == ["仍然安排", "✖️ 取消"]
    assert await seats(harness, town_.shift_id) == {}

    text = await press_and_settle(harness, coordinator, "仍然安排")
    assert f"✅ 已安排 1 人到 {LABEL}：王芳" in text
    assert (await seats(harness, town_.shift_id))[wang.user_id].status is SIGNED
    # The same button again is stale: nothing is assigned twice.
    await press(harness, coordinator, AssignAnyway(town_.shift_id))
    assert alert(coordinator) == "这个按钮已失效，请重新打开菜单。"


async def test_only_the_units_coordinators_assign(harness: Harness) -> None:
    town_ = await town(harness)
    other_unit = await unit(harness, "环保局")
    outsider = await member(harness, 7200, other_unit, "外单位协调", role=Role.COORDINATOR)
    await outsider.send_command("roster")
    await harness.settle()
    await press(harness, outsider, AssignStart(town_.shift_id))
    assert alert(outsider) == "抱歉，您没有权限执行这个操作。"
    volunteer = town_.people[0]
    await command(harness, volunteer, "my")
    await press(harness, volunteer, AssignStart(town_.shift_id))
    assert alert(volunteer) == "抱歉，您没有权限执行这个操作。"
    assert await seats(harness, town_.shift_id) == {}
    assert await harness.count(Rota) == 0


async def test_a_seat_given_away_by_swap_is_the_takers_own(harness: Harness) -> None:
    town_ = await town(harness)
    _, wang, zhang = town_.people
    await open_assign(harness, town_.coordinator, town_.shift_id)
    await town_.coordinator.send_text("王芳")
    await harness.settle()
    await command(harness, wang, "my")
    await press_and_settle(harness, wang, "🔁 换岗 1")
    await press_and_settle(harness, wang, "📢 转让（单位里谁都可以接）")
    await harness.deliver()
    await press_and_settle(harness, zhang, "🙋 我来接")
    held = await seats(harness, town_.shift_id)
    assert held[zhang.user_id].status is SIGNED and held[zhang.user_id].rota_id is None
    assert held[wang.user_id].status is AssignmentStatus.CANCELLED


async def test_a_name_search_does_not_list_other_units_members(harness: Harness) -> None:
    town_ = await town(harness)
    other = await unit(harness, "环保局")
    await person(harness, 7101, other, "赵五")
    await person(harness, 7102, other, "赵六")
    await open_assign(harness, town_.coordinator, town_.shift_id)
    # A surname is no one of 城管局: 环保局's 赵五 and 赵六 (and their phone tails) stay unseen.
    await town_.coordinator.send_text("赵")
    await harness.settle()
    text = town_.coordinator.last().text or ""
    assert "找不到成员「赵」" in text and "赵五" not in text and "尾号" not in text, text
    # A whole name of another unit's member is still told as not of this unit.
    await open_assign(harness, town_.coordinator, town_.shift_id)
    await town_.coordinator.send_text("赵五")
    await harness.settle()
    assert "赵五 不是「城管局」的成员" in (town_.coordinator.last().text or "")


async def test_two_members_of_one_name_are_told_apart_in_the_list(harness: Harness) -> None:
    """Names repeat (王芳 is among the commonest): two buttons both reading 王芳 would let the
    coordinator put the wrong one on the shift. Their phones' last digits tell them apart."""
    town_ = await town(harness)
    second = await person(harness, 7004, town_.unit_id, "王芳")
    # A third of that name has no phone on record: her name alone, not an empty 尾号.
    third = await person(harness, 7005, town_.unit_id, "王芳")
    phones = (
        (town_.people[1], "+8613900001111"),
        (second, "+8613900002222"),
        (third, None),
    )
    async with harness.session() as session:
        for user, phone in phones:
            await session.execute(
                update(Member).where(Member.telegram_id == user.user_id).values(phone=phone)
            )
    await open_assign(harness, town_.coordinator, town_.shift_id)
    labels = town_.coordinator.last().buttons()
    assert "王芳（尾号 1111） · 0小时" in labels and "王芳（尾号 2222） · 0小时" in labels, labels
    assert "张伟 · 0小时" in labels and "王芳 · 0小时" in labels, labels
    assert not any("尾号 ）" in label for label in labels), labels
    # Longer than a name, a label with 尾号 takes a row of its own: half a phone's width would
    # cut its digits off.
    rows = town_.coordinator.last().button_rows()
    assert [row for row in rows if any("尾号" in label for label in row) and len(row) > 1] == []
    await press_and_settle(harness, town_.coordinator, "王芳（尾号 2222） · 0小时")
    assert set(await seats(harness, town_.shift_id)) == {second.user_id}


async def test_assigning_someone_who_blocked_the_bot_says_to_phone_them(harness: Harness) -> None:
    town_ = await town(harness)
    async with harness.session() as session:
        await session.execute(
            update(Member).where(Member.telegram_id == 7001).values(blocked_bot=True)
        )
    await open_assign(harness, town_.coordinator, town_.shift_id)
    await town_.coordinator.send_text("李明")
    await harness.settle()
    text = town_.coordinator.last().text or ""
    assert "李明。能收到通知的已通知" in text and "已通知本人" not in text, text
    assert "⚠️ 李明（1 人）屏蔽了机器人，收不到通知，请电话联系。" in text


async def test_a_full_shift_is_refused_before_any_warning_about_declared_unavailability(
    harness: Harness,
) -> None:
    """The coordinator opens ➕ 安排人员 on a one-seat shift; meanwhile 张伟 takes the seat. She
    types 王芳, who declared Wednesday mornings off: she is told at once that the shift is full,
    not asked to confirm a warning only to be refused after 仍然安排. With two names for the
    one seat left of a larger shift, she hears there are too many, not the warning."""
    town_ = await town(harness, capacity=1)
    li, _, zhang = town_.people
    wang = await wang_unavailable_on_wednesday_mornings(harness, town_)
    coordinator = town_.coordinator
    await open_assign(harness, coordinator, town_.shift_id)
    await seat(harness, town_.shift_id, zhang.user_id)
    await coordinator.send_text("王芳")
    await harness.settle()
    text = coordinator.last().text or ""
    assert "这个班次已经满了（1 人），不能再安排。" in text, text
    assert "申报过这段时间不能值班" not in text and "仍然安排" not in coordinator.last().buttons()
    assert wang.user_id not in await seats(harness, town_.shift_id)

    larger = await shift(harness, town_.post_id, day=TOMORROW, start=8, end=10, capacity=2)
    await seat(harness, larger, zhang.user_id)
    await open_assign(harness, coordinator, larger)
    await coordinator.send_text("王芳、李明")
    await harness.settle()
    text = coordinator.last().text or ""
    assert "输入了 2 个人，但只剩 1 个空位，没有安排任何人" in text, text
    assert "申报过这段时间不能值班" not in text
    assert set(await seats(harness, larger)) == {zhang.user_id}
    assert li.user_id not in await seats(harness, larger)


async def test_hours_this_month_not_of_whole_hours_read_as_in_the_reports(
    harness: Harness,
) -> None:
    town_ = await town(harness)
    li = town_.people[0]
    past = await shift(harness, town_.post_id, day=DAY, start=5, end=7)
    async with harness.session() as session:
        await session.execute(update(Shift).where(Shift.id == past).values(ends_at=at(DAY, 6, 20)))
    await seat(harness, past, li.user_id, AssignmentStatus.CHECKED_OUT)
    await open_assign(harness, town_.coordinator, town_.shift_id)
    assert "李明 · 1.33小时" in town_.coordinator.last().buttons()
