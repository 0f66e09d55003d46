"""/rotate weighs the hours a member served in the last four weeks wherever they served them:
a volunteer who moved here from another unit last week is not taken for a newcomer with none
(found by the defect hunt of fair rotation)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.db.models import AssignmentStatus, Dialogue, Member, Role
from tests.e2e.rostering_fixtures import NEXT_MONDAY, member_id_of, open_assign, volunteers
from tests.e2e.schedule import DAY, command, post, shift, unit
from tests.e2e.swap_fixtures import member, seat
from tests.harness import Harness


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"min_rest_hours": 8, "weekly_shift_cap": 3}


async def test_hours_served_in_the_unit_a_member_moved_from_count_in_the_rotation(
    harness: Harness,
) -> None:
    here = await unit(harness, "城管局")
    before = await unit(harness, "交通局")
    crossing = await post(harness, here, "黄河路-人民路口")
    elsewhere = await post(harness, before, "人民路-解放路口")
    veteran, mover = await volunteers(harness, here, 2)
    coordinator = await member(harness, 7900, here, "陈协调", role=Role.COORDINATOR)
    # 队员01 served one 2-hour shift here; 队员02 served two at 交通局 before moving here.
    served_here = await shift(harness, crossing, day=DAY - dt.timedelta(days=6))
    await seat(harness, served_here, veteran, AssignmentStatus.CHECKED_OUT)
    for back in (5, 4):
        served_there = await shift(harness, elsewhere, day=DAY - dt.timedelta(days=back))
        await seat(harness, served_there, mover, AssignmentStatus.CHECKED_OUT)
    monday = await shift(harness, crossing, day=NEXT_MONDAY, capacity=1)

    await command(harness, coordinator, "rotate", "12-07")
    preview = coordinator.messages()[-2].text or ""
    # Fewest hours in the last four weeks first: 2 against 4, wherever the 4 were served.
    assert "队员01：1 班 2 小时（近四周 2 小时）" in preview, preview
    assert "队员02：0 班 0 小时（近四周 4 小时）" in preview, preview
    async with harness.session() as session:
        dialogue = await session.scalar(select(Dialogue))
        assert dialogue is not None
        planned = [(int(a), int(b)) for a, b in dialogue.data["seats"]]
        moved = await session.scalar(select(Member).where(Member.telegram_id == mover))
        assert moved is not None and moved.unit_id == here
    assert planned == [(monday, await member_id_of(harness, veteran))]


async def test_the_hand_list_counts_hours_served_this_month_in_the_unit_moved_from(
    harness: Harness,
) -> None:
    here = await unit(harness, "城管局")
    before = await unit(harness, "交通局")
    crossing = await post(harness, here, "黄河路-人民路口")
    elsewhere = await post(harness, before, "人民路-解放路口")
    veteran, mover = await volunteers(harness, here, 2)
    coordinator = await member(harness, 7900, here, "陈协调", role=Role.COORDINATOR)
    # This month 队员01 served 2 hours here, 队员02 4 hours at 交通局 before moving here.
    served_here = await shift(harness, crossing, day=DAY, start=5, end=7)
    await seat(harness, served_here, veteran, AssignmentStatus.CHECKED_OUT)
    served_there = await shift(harness, elsewhere, day=DAY, start=1, end=5)
    await seat(harness, served_there, mover, AssignmentStatus.CHECKED_OUT)
    tomorrow = await shift(harness, crossing, capacity=1)

    await open_assign(harness, coordinator, tomorrow)
    labels = [label for label in coordinator.last().buttons() if "队员" in label]
    # Fewest hours this month first, with the hours wherever they were served.
    assert labels == ["队员01 · 2小时", "队员02 · 4小时"], labels
