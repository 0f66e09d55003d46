"""A volunteer at the photo step sent a location again, refused as too far: the 📍/Cancel
keyboard came back. A photo then refused in a way that ends the check-in (the shift over, the
seat gone) takes that keyboard away with the check-in, as a location refused so does: nothing
is left to send a location for, or to cancel."""

from __future__ import annotations

from sqlalchemy import update

from bot.db.models import Assignment, AssignmentStatus, Dialogue
from bot.emulator import SimUser
from tests.e2e.checkin_fixtures import checkins, duty, near, team, today
from tests.harness import Harness

SEAT_GONE = (
    "您在「黄河路-人民路口」的班次刚刚有了变动（班次取消或改了时间、您被移出或名额已转给他人），"
    "签到未完成。发送 /my 查看您的班次。"
)
SHIFT_OVER = "「黄河路-人民路口」的班次已于 10:00 结束，不能再签到了。如有特殊情况请联系协调员。"


async def _keyboard_back_at_the_photo_step(harness: Harness) -> tuple[SimUser, int]:
    crew = await team(harness)
    fang = crew.volunteers[0]
    seat = await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    await fang.send_command("checkin")
    await harness.settle()
    await fang.send_location(*near(30))
    await harness.settle()
    assert "照片" in (fang.last().text or "")
    assert fang.reply_keyboard() is None
    await fang.send_location(*near(2000))
    await harness.settle()
    assert fang.reply_keyboard() is not None
    assert await harness.count(Dialogue) == 1
    return fang, seat


async def test_a_photo_after_the_shift_ended_takes_the_keyboard_away(harness: Harness) -> None:
    harness.clock.set(today(9, 55))
    fang, _ = await _keyboard_back_at_the_photo_step(harness)
    harness.clock.set(today(10, 1))
    await fang.send_photo()
    await harness.settle()
    assert fang.last().text == SHIFT_OVER
    assert fang.reply_keyboard() is None
    assert await harness.count(Dialogue) == 0
    assert await checkins(harness) == []


async def test_a_photo_after_the_seat_went_takes_the_keyboard_away(harness: Harness) -> None:
    harness.clock.set(today(7, 50))
    fang, seat = await _keyboard_back_at_the_photo_step(harness)
    async with harness.session() as session:
        await session.execute(
            update(Assignment).where(Assignment.id == seat).values(status=AssignmentStatus.REMOVED)
        )
    await fang.send_photo()
    await harness.settle()
    assert fang.last().text == SEAT_GONE
    assert fang.reply_keyboard() is None
    assert await harness.count(Dialogue) == 0
    assert await checkins(harness) == []
