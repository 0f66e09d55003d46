"""A volunteer sent the location of a check-in; before the photo, their seat went (a
coordinator took them off, or cancelled the shift) or the shift ended. The photo is refused
once, saying why, and the check-in ends: the next photo is not refused the same way, and no
check-in is written."""

from __future__ import annotations

from sqlalchemy import update

from bot.db.models import Assignment, AssignmentStatus, Dialogue, Shift, ShiftStatus
from bot.emulator import SimUser
from tests.e2e.checkin_fixtures import checkins, duty, near, team, today
from tests.harness import Harness

SEAT_GONE = (
    "您在「黄河路-人民路口」的班次刚刚有了变动（班次取消或改了时间、您被移出或名额已转给他人），"
    "签到未完成。发送 /my 查看您的班次。"
)
SHIFT_OVER = "「黄河路-人民路口」的班次已于 10:00 结束，不能再签到了。如有特殊情况请联系协调员。"


async def _located(harness: Harness) -> tuple[SimUser, int]:
    crew = await team(harness)
    fang = crew.volunteers[0]
    seat = await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    await fang.send_command("checkin")
    await harness.settle()
    await fang.send_location(*near(30))
    await harness.settle()
    assert "照片" in (fang.last().text or "")
    return fang, seat


async def test_a_photo_after_the_coordinator_took_the_seat_ends_the_check_in(
    harness: Harness,
) -> None:
    harness.clock.set(today(7, 50))
    fang, seat = await _located(harness)
    async with harness.session() as session:
        await session.execute(
            update(Assignment).where(Assignment.id == seat).values(status=AssignmentStatus.REMOVED)
        )
    await fang.send_photo()
    await harness.settle()
    assert fang.last().text == SEAT_GONE
    assert await harness.count(Dialogue) == 0
    assert await checkins(harness) == []


async def test_a_photo_after_the_shift_was_cancelled_ends_the_check_in(harness: Harness) -> None:
    harness.clock.set(today(8, 10))
    fang, seat = await _located(harness)
    async with harness.session() as session:
        row = await session.get(Assignment, seat)
        assert row is not None
        shift_id = row.shift_id
        await session.execute(
            update(Shift).where(Shift.id == shift_id).values(status=ShiftStatus.CANCELLED)
        )
        await session.execute(
            update(Assignment)
            .where(Assignment.id == seat)
            .values(status=AssignmentStatus.CANCELLED)
        )
    await fang.send_photo()
    await harness.settle()
    assert fang.last().text == SEAT_GONE
    assert await harness.count(Dialogue) == 0
    assert await checkins(harness) == []


async def test_a_photo_after_the_shift_ended_ends_the_check_in(harness: Harness) -> None:
    harness.clock.set(today(9, 55))
    fang, _ = await _located(harness)
    harness.clock.set(today(10, 1))
    await fang.send_photo()
    await harness.settle()
    assert fang.last().text == SHIFT_OVER
    assert await harness.count(Dialogue) == 0
    # Sent again, it begins nothing: it is told the same, as a location sent then would be,
    # not "not understood".
    await fang.send_photo()
    await harness.settle()
    assert fang.last().text == SHIFT_OVER
    assert await harness.count(Dialogue) == 0
    assert await checkins(harness) == []


async def test_a_location_after_the_coordinator_took_the_seat_ends_the_check_in(
    harness: Harness,
) -> None:
    """Asked for the location (the check-in opened on its shift), the volunteer is taken off
    before sending it: told once why, and the check-in ends."""
    harness.clock.set(today(7, 50))
    crew = await team(harness)
    fang = crew.volunteers[0]
    seat = await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    await fang.send_command("checkin")
    await harness.settle()
    assert await harness.count(Dialogue) == 1
    async with harness.session() as session:
        await session.execute(
            update(Assignment).where(Assignment.id == seat).values(status=AssignmentStatus.REMOVED)
        )
    await fang.send_location(*near(30))
    await harness.settle()
    assert fang.last().text == SEAT_GONE
    assert await harness.count(Dialogue) == 0
    assert await checkins(harness) == []
