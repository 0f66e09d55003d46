"""Each sign-up rule refuses with its own message and changes nothing."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from bot.db.models import Assignment, AssignmentStatus, Role, Shift, ShiftStatus
from tests.e2e.button_fixtures import forged_press
from tests.e2e.schedule import DAY, command, person, post, press_and_settle, shift, statuses, unit
from tests.harness import Harness

TOMORROW = DAY + dt.timedelta(days=1)


async def test_overlapping_shifts_clash(harness: Harness) -> None:
    unit_id = await unit(harness)
    first = await shift(harness, await post(harness, unit_id, "甲路口"), start=7, end=9)
    second = await shift(harness, await post(harness, unit_id, "乙路口"), start=8, end=10)
    volunteer = await person(harness, 7001, unit_id)
    await command(harness, volunteer, "shifts")
    await press_and_settle(harness, volunteer, "✋ 报名 1")
    refusal = await forged_press(harness, volunteer, f"su:{second}")
    assert refusal == "时间冲突：您已报名 12月2日 周三 07:00–09:00 · 甲路口。"
    assert await statuses(harness, first) == {7001: AssignmentStatus.SIGNED_UP}
    assert await statuses(harness, second) == {}


async def test_sign_up_opens_days_ahead_and_closes_at_the_start(harness: Harness) -> None:
    unit_id = await unit(harness)
    post_id = await post(harness, unit_id)
    far = await shift(harness, post_id, DAY + dt.timedelta(days=20))
    today = await shift(harness, post_id, DAY, 7, 9)  # started an hour ago
    volunteer = await person(harness, 7101, unit_id)
    assert "暂时没有可报名的班次" in await command(harness, volunteer, "shifts")
    refusal = await forged_press(harness, volunteer, f"su:{far}")
    assert refusal == "这个班次的报名还没开始，2026年12月7日 07:00 开放报名。"
    assert await forged_press(harness, volunteer, f"su:{today}") == "这个班次已经开始，报名已截止。"
    assert await statuses(harness, far) == {} and await statuses(harness, today) == {}


async def test_required_tag_other_unit_and_cancelled_shift(harness: Harness) -> None:
    unit_id = await unit(harness)
    other_unit = await unit(harness, "交警队")
    party = await shift(harness, await post(harness, unit_id, "党员文明岗"), required_tag="党员")
    theirs = await shift(harness, await post(harness, other_unit, "交警岗"))
    cancelled = await shift(harness, await post(harness, unit_id, "人民路"))
    async with harness.session() as session:
        await session.execute(
            update(Shift).where(Shift.id == cancelled).values(status=ShiftStatus.CANCELLED)
        )
    volunteer = await person(harness, 7201, unit_id)
    member = await person(harness, 7202, unit_id, tags=("党员",))

    assert "暂时没有可报名的班次" in await command(harness, volunteer, "shifts")
    refusal = await forged_press(harness, volunteer, f"su:{party}")
    assert refusal == "这个班次仅限「党员」报名。如果您符合条件，请联系协调员登记。"
    assert "🏷 仅限：党员" in await command(harness, member, "shifts")
    await press_and_settle(harness, member, "✋ 报名 1")
    assert await statuses(harness, party) == {7202: AssignmentStatus.SIGNED_UP}

    refusal = await forged_press(harness, volunteer, f"su:{theirs}")
    assert refusal == "这个班次属于「交警队」，只有该单位的志愿者能报名。"
    assert await forged_press(harness, volunteer, f"su:{cancelled}") == "这个班次已取消。"
    assert await forged_press(harness, volunteer, "su:999999") == "找不到这个班次。"
    assert await forged_press(harness, volunteer, "su:abc") == "这个按钮已失效，请重新打开菜单。"
    # An id no database column can hold: stale too, not an overflow on the way to the database.
    for huge in ("2147483648", "9" * 40):
        assert await forged_press(harness, volunteer, f"su:{huge}") == (
            "这个按钮已失效，请重新打开菜单。"
        )
    assert await statuses(harness, theirs) == {} and await statuses(harness, cancelled) == {}


async def test_someone_elses_sign_up_cannot_be_cancelled(harness: Harness) -> None:
    unit_id = await unit(harness)
    shift_id = await shift(harness, await post(harness, unit_id))
    owner = await person(harness, 7301, unit_id)
    intruder = await person(harness, 7302, unit_id)
    await command(harness, owner, "shifts")
    await press_and_settle(harness, owner, "✋ 报名 1")
    async with harness.session() as session:
        assignment_id = await session.scalar(
            select(Assignment.id).where(Assignment.shift_id == shift_id)
        )
    for data in (f"mcy:{assignment_id}", f"mc:{assignment_id}"):
        assert await forged_press(harness, intruder, data) == "找不到这条报名，可能已经取消了。"
    assert await statuses(harness, shift_id) == {7301: AssignmentStatus.SIGNED_UP}


async def test_strangers_and_wrong_input_get_answers(harness: Harness) -> None:
    stranger = harness.user(7401, "路人")
    assert "还没有注册" in await command(harness, stranger, "shifts")
    assert "还没有注册" in await command(harness, stranger, "my")
    unit_id = await unit(harness)
    volunteer = await person(harness, 7402, unit_id)
    assert "您还没有报名任何班次" in await command(harness, volunteer, "my")
    # A location outside any dialogue is a check-in attempt, answered with what is next.
    await volunteer.send_location(30.0, 104.0)
    await harness.settle()
    assert "没有需要签到的班次" in (volunteer.last().text or "")
    await volunteer.send_sticker()
    await harness.settle()
    assert "没看懂" in (volunteer.last().text or "")
    assert "没有权限" in await command(harness, volunteer, "roster")
    assert "没有权限" in await command(harness, volunteer, "posts")


async def test_waitlist_twice_and_no_unit_are_refused(harness: Harness) -> None:
    unit_id = await unit(harness)
    shift_id = await shift(harness, await post(harness, unit_id), capacity=1)
    seated = await person(harness, 7701, unit_id)
    waiting = await person(harness, 7702, unit_id)
    await command(harness, seated, "shifts")
    await press_and_settle(harness, seated, "✋ 报名 1")
    await command(harness, waiting, "shifts")
    await press_and_settle(harness, waiting, "⏳ 候补 1")
    join = waiting.last()
    data = join.button_data("⏳ 加入候补")
    assert data is not None
    await press_and_settle(harness, waiting, "⏳ 加入候补")
    # The same button again (a double tap, or an old message): refused, still one place.
    await waiting.press_data(data, join.message_id)
    await harness.settle()
    assert waiting.answered_callbacks[-1]["text"] == "您已经在这个班次的候补名单上了。"
    assert await statuses(harness, shift_id) == {
        7701: AssignmentStatus.SIGNED_UP,
        7702: AssignmentStatus.WAITLISTED,
    }

    # A leader (no volunteer role) stands on no post: /shifts lists the shifts without sign-up
    # buttons and says why, and a sign-up button says so.
    leader = await person(harness, 7703, unit_id, "领导", role=Role.LEADER)
    not_on_post = "只有志愿者上岗接班，需要志愿者身份（协调员可以发一个志愿者邀请链接）。"
    listed = await command(harness, leader, "shifts")
    assert listed.endswith(f"\n{not_on_post}") and "黄河路-人民路口" in listed
    assert not any(label.startswith(("✋", "⏳")) for label in leader.last().buttons())
    assert await forged_press(harness, leader, f"su:{shift_id}") == not_on_post
    assert await forged_press(harness, leader, f"wl:{shift_id}") == not_on_post

    # An admin belongs to no unit and has no shifts to take.
    await command(harness, harness.admin, "start")
    assert await command(harness, harness.admin, "shifts") == (
        "您是管理员，但不属于任何单位，所以没有自己的班次、签到和服务时长。"
        "要亲自上岗，请打开本单位的邀请链接加入（管理员可用 /invite 生成）。"
    )
    refusal = await forged_press(harness, harness.admin, f"su:{shift_id}")
    assert refusal == "这个班次属于「城管局」，只有该单位的志愿者能报名。"
    assert await statuses(harness, shift_id) == {
        7701: AssignmentStatus.SIGNED_UP,
        7702: AssignmentStatus.WAITLISTED,
    }
