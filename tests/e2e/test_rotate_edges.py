"""/rotate at its edges: a shift that crosses midnight at the end of the period, and the
other corners a coordinator meets (found by the defect hunt of assigned duty)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from sqlalchemy import select, update

from bot.db.models import (
    Assignment,
    AssignmentStatus,
    Dialogue,
    Member,
    MemberTag,
    Role,
    Shift,
    ShiftStatus,
)
from bot.emulator import SimUser
from tests.e2e.rostering_fixtures import (
    NEXT_MONDAY,
    TOMORROW,
    alert,
    assign_by_hand,
    member_id_of,
    open_assign,
    town,
    unavailable,
    volunteers,
    week_of_shifts,
)
from tests.e2e.schedule import DAY, at, command, post, press_and_settle, shift, unit
from tests.e2e.swap_fixtures import member
from tests.harness import Harness


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"min_rest_hours": 8, "weekly_shift_cap": 3, "assign_ack_remind_hours": 6}


async def night_shift(harness: Harness, post_id: int, day: dt.date, capacity: int = 1) -> int:
    """22:00 on `day` to 06:00 the next morning."""
    async with harness.session() as session:
        row = Shift(
            post_id=post_id,
            starts_at=at(day, 22),
            ends_at=at(day + dt.timedelta(days=1), 6),
            capacity=capacity,
            status=ShiftStatus.SCHEDULED,
            created_at=harness.clock.now(),
        )
        session.add(row)
        await session.flush()
        return row.id


async def preview(harness: Harness, coordinator: SimUser, args: str) -> str:
    """/rotate with dates; the preview's text (its spreadsheet follows when anyone is planned)."""
    await command(harness, coordinator, "rotate", args)
    last = coordinator.last()
    return (coordinator.messages()[-2] if last.kind == "document" else last).text or ""


async def plan_in_dialogue(harness: Harness) -> list[tuple[int, int]]:
    async with harness.session() as session:
        dialogue = await session.scalar(select(Dialogue))
        assert dialogue is not None
        return [(int(a), int(b)) for a, b in dialogue.data["seats"]]


async def test_a_night_shift_on_the_last_day_respects_the_next_day_declared_off(
    harness: Harness,
) -> None:
    unit_id = await unit(harness)
    crossing = await post(harness, unit_id, "黄河路-人民路口")
    first, second = await volunteers(harness, unit_id, 2)
    coordinator = await member(harness, 7900, unit_id, "陈协调", role=Role.COORDINATOR)
    night = await night_shift(harness, crossing, NEXT_MONDAY)
    # 队员01 cannot serve on Tuesday from midnight to 08:00: the night shift runs into it.
    tuesday = NEXT_MONDAY + dt.timedelta(days=1)
    await unavailable(harness, first, tuesday, tuesday, start=dt.time(0, 0), end=dt.time(8, 0))

    text = await preview(harness, coordinator, "12-07")
    assert "共 1 个空位，排上 1 个，分给 1 人。" in text, text
    assert await plan_in_dialogue(harness) == [(night, await member_id_of(harness, second))]

    # Alone, 队员01 is not put on it: the seat stays open, and the preview says why.
    async with harness.session() as session:
        other = await session.get(Member, await member_id_of(harness, second))
        assert other is not None
        other.active = False
    await coordinator.send_command("cancel")
    await harness.settle()
    text = await preview(harness, coordinator, "12-07")
    assert "共 1 个空位，排上 0 个，分给 0 人。" in text, text
    assert "1 人申报不能值班" in text, text


async def test_the_hand_list_of_a_night_shift_leaves_out_who_declared_the_next_morning_off(
    harness: Harness,
) -> None:
    unit_id = await unit(harness)
    crossing = await post(harness, unit_id, "黄河路-人民路口")
    first, _ = await volunteers(harness, unit_id, 2)
    coordinator = await member(harness, 7900, unit_id, "陈协调", role=Role.COORDINATOR)
    night = await night_shift(harness, crossing, NEXT_MONDAY)
    tuesday = NEXT_MONDAY + dt.timedelta(days=1)
    await unavailable(harness, first, tuesday, tuesday, start=dt.time(0, 0), end=dt.time(8, 0))
    await open_assign(harness, coordinator, night)
    assert "队员02" in coordinator.last().buttons()[0], coordinator.last().buttons()
    assert not any("队员01" in label for label in coordinator.last().buttons())


async def test_an_assignment_held_by_the_quiet_hours_is_not_followed_at_once_by_its_reminder(
    harness: Harness,
) -> None:
    """At 23:00 the coordinator assigns 王芳 a shift two days on: the notice waits for 07:00.
    The reminder to acknowledge comes ASSIGN_ACK_REMIND_HOURS after she got it, not with it."""
    town_ = await town(harness, capacity=1)
    wang = town_.people[1]
    later = await shift(harness, town_.post_id, DAY + dt.timedelta(days=2), 10, 12, capacity=1)
    harness.clock.set(at(DAY, 23, 0))
    await assign_by_hand(harness, town_.coordinator, later, "王芳")
    assert not any("给您排了" in text for text in wang.texts())
    harness.clock.set(at(TOMORROW, 5, 0))
    await harness.tick()
    await harness.deliver()
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    assert any("给您排了" in text for text in wang.texts())
    assert not any("还没有确认收到" in text for text in wang.texts()), wang.texts()
    # Six hours after she was told, and not before, she is reminded once.
    harness.clock.set(at(TOMORROW, 12, 59))
    await harness.tick()
    await harness.deliver()
    assert not any("还没有确认收到" in text for text in wang.texts())
    harness.clock.set(at(TOMORROW, 13, 0))
    await harness.tick()
    await harness.deliver()
    assert [text for text in wang.texts() if "还没有确认收到" in text] != []


async def test_two_coordinators_confirming_rotations_of_the_same_people_at_once(
    harness: Harness,
) -> None:
    """Two coordinators of one unit rotate its two posts for the same Monday, each on their
    own, and press 确认排班 at the same moment. The plans need the same people at the same hours:
    no one ends up on two shifts at once, and whoever's plan was overtaken is told and
    assigns nothing."""
    unit_id = await unit(harness)
    north = await post(harness, unit_id, "北门")
    south = await post(harness, unit_id, "南门")
    await shift(harness, north, day=NEXT_MONDAY, start=7, end=9, capacity=2)
    await shift(harness, south, day=NEXT_MONDAY, start=7, end=9, capacity=2)
    await volunteers(harness, unit_id, 3)
    chen = await member(harness, 7900, unit_id, "陈协调", role=Role.COORDINATOR)
    liu = await member(harness, 7901, unit_id, "刘协调", role=Role.COORDINATOR)
    for coordinator, name in ((chen, "⬜ 北门"), (liu, "⬜ 南门")):
        await command(harness, coordinator, "rotate", "12-07")
        await press_and_settle(harness, coordinator, name)
        await coordinator.press("▶️ 排已选的 1 个岗位")
        await harness.settle()
        assert "排上 2 个" in (coordinator.messages()[-2].text or "")
    previews = {c.user_id: c.messages()[-2].message_id for c in (chen, liu)}
    harness.emulator.latency = 0.02
    for coordinator in (chen, liu):
        await coordinator.press("✅ 确认排班", previews[coordinator.user_id])
    await harness.settle()
    harness.emulator.latency = 0.0
    async with harness.session() as session:
        rows = (
            await session.execute(
                select(Assignment.member_id, Shift.post_id)
                .join(Shift, Assignment.shift_id == Shift.id)
                .where(Assignment.status == AssignmentStatus.SIGNED_UP)
            )
        ).all()
    per_member = Counter(member_id for member_id, _ in rows)
    assert all(count == 1 for count in per_member.values()), rows
    assert len(rows) in (2, 3), rows  # one plan whole (the other stale, or fitted to the rest)
    outcomes = sorted(
        "已排班" if "✅ 已排班" in text else "stale" if "预览之后情况有变" in text else text
        for text in (
            next(m.text or "" for m in c.messages() if m.message_id == previews[c.user_id])
            + alert(c)
            for c in (chen, liu)
        )
    )
    assert outcomes == ["stale", "已排班"], outcomes


async def test_a_unit_of_30_keeps_its_party_members_for_the_party_members_post(
    harness: Harness,
) -> None:
    """30 volunteers, six of them party members (one away all week), a crossing twice a day
    and the 党员文明岗 every morning, at most three shifts a week each: the party members'
    three shifts go to the post only they may take, and every seat is filled."""
    unit_id = await unit(harness)
    crossing = await post(harness, unit_id, "黄河路-人民路口")
    patrol = await post(harness, unit_id, "党员文明岗")
    await week_of_shifts(harness, [crossing], hours=((7, 9), (17, 19)), capacity=2)
    await week_of_shifts(harness, [patrol], hours=((9, 11),), capacity=2, required_tag="党员")
    people = await volunteers(harness, unit_id, 30)
    async with harness.session() as session:
        for telegram_id in people[:6]:
            session.add(MemberTag(member_id=await member_id_of(harness, telegram_id), tag="党员"))
    await unavailable(harness, people[0], NEXT_MONDAY, NEXT_MONDAY + dt.timedelta(days=6))
    coordinator = await member(harness, 7900, unit_id, "陈协调", role=Role.COORDINATOR)
    await command(harness, coordinator, "rotate", "12-07 12-13")
    await coordinator.press("✅ 全部岗位（2 个）")
    await harness.settle()
    text = coordinator.messages()[-2].text or ""
    assert "共 42 个空位，排上 42 个，分给 29 人。" in text, text
    assert "没排上的空位" not in text
    text = await press_and_settle(harness, coordinator, "✅ 确认排班")
    assert "42 个名额，29 人，都已通知" in text, text
    async with harness.session() as session:
        rows = (
            await session.execute(
                select(Member.telegram_id, Shift.required_tag)
                .join(Assignment, Assignment.member_id == Member.id)
                .join(Shift, Assignment.shift_id == Shift.id)
                .where(Assignment.status == AssignmentStatus.SIGNED_UP)
            )
        ).all()
    party = set(people[1:6])
    assert {telegram_id for telegram_id, tag in rows if tag == "党员"} == party
    per_person = Counter(telegram_id for telegram_id, _ in rows)
    assert sum(1 for _, tag in rows if tag == "党员") == 14
    assert sorted(per_person[telegram_id] for telegram_id in party) in ([2, 3, 3, 3, 3], [3] * 5)
    # The others share the crossing within one shift of each other.
    others = [per_person[telegram_id] for telegram_id in people[6:]]
    assert max(others) - min(others) <= 1, per_person


async def test_two_volunteers_of_one_name_are_told_apart_in_the_preview(
    harness: Harness,
) -> None:
    """Names repeat: a plan reading 王芳、王芳 does not say which is which. Their phones' last
    digits tell them apart in the plan and in the shares, as in ➕ 安排人员's list."""
    unit_id = await unit(harness)
    crossing = await post(harness, unit_id, "黄河路-人民路口")
    await shift(harness, crossing, day=NEXT_MONDAY, capacity=2)
    people = await volunteers(harness, unit_id, 4)
    async with harness.session() as session:
        await session.execute(
            update(Member).where(Member.telegram_id.in_(people[:3])).values(display_name="王芳")
        )
        # One of that name has no phone on record: her name alone, not an empty 尾号.
        await session.execute(
            update(Member).where(Member.telegram_id == people[2]).values(phone=None)
        )
    coordinator = await member(harness, 7900, unit_id, "陈协调", role=Role.COORDINATOR)
    text = await preview(harness, coordinator, "12-07")
    assert "王芳（尾号 0000）" in text and "王芳（尾号 0001）" in text, text
    assert "\n王芳：" in text and "尾号 ）" not in text, text
    assert "队员04：" in text, text
