"""The weekly cap and the no-show block, with their settings turned on."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.db.models import Assignment, AssignmentStatus, Member
from tests.e2e.button_fixtures import forged_press
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
from tests.harness import Harness


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"weekly_shift_cap": 2, "no_show_block_after": 2}


async def test_weekly_cap(harness: Harness) -> None:
    unit_id = await unit(harness)
    post_id = await post(harness, unit_id)
    # Wednesday to Friday of this week, and the Monday after.
    ids = [await shift(harness, post_id, DAY + dt.timedelta(days=n)) for n in (1, 2, 3, 6)]
    volunteer = await person(harness, 7501, unit_id)
    await command(harness, volunteer, "shifts")
    await press_and_settle(harness, volunteer, "✋ 报名 1")
    await command(harness, volunteer, "shifts")
    await press_and_settle(harness, volunteer, "✋ 报名 1")
    refusal = await forged_press(harness, volunteer, f"su:{ids[2]}")
    assert refusal == "每人每周最多报名 2 个班次，这一周已经满了。"
    assert await statuses(harness, ids[2]) == {}
    await command(harness, volunteer, "shifts")
    await press_and_settle(harness, volunteer, "✋ 报名 2")  # next week's counts afresh
    assert "报名成功" in (volunteer.last().text or "")


async def test_repeated_no_shows_block_self_sign_up(harness: Harness) -> None:
    unit_id = await unit(harness)
    post_id = await post(harness, unit_id)
    volunteer = await person(harness, 7601, unit_id)
    missed = [await shift(harness, post_id, DAY - dt.timedelta(days=n)) for n in (1, 2)]
    upcoming = await shift(harness, post_id)
    async with harness.session() as session:
        member_id = await session.scalar(select(Member.id).where(Member.telegram_id == 7601))
        for shift_id in missed:
            session.add(
                Assignment(
                    shift_id=shift_id,
                    member_id=member_id,
                    status=AssignmentStatus.ABSENT,
                    created_at=at(DAY, 0),
                    updated_at=at(DAY, 0),
                )
            )
    refusal = await forged_press(harness, volunteer, f"su:{upcoming}")
    assert refusal == "您有 2 次报名后未到岗，暂时不能自行报名。请联系协调员。"
    assert await statuses(harness, upcoming) == {}
    # /shifts still lists the shift; the Sign up button gets the same answer.
    await command(harness, volunteer, "shifts")
    await press_and_settle(harness, volunteer, "✋ 报名 1")
    assert volunteer.answered_callbacks[-1]["text"] == refusal
    assert await statuses(harness, upcoming) == {}
