"""A check-in waits on a live location shared on the way (refused as too far: keep sharing);
meanwhile the volunteer's seat goes (taken off the shift, or it was cancelled). The next move of
the share ends the check-in, and says so once, taking the 📍/Cancel keyboard away with it: not
silently, the keyboard left and the wait's end (whose check-in is gone) never telling."""

from __future__ import annotations

from sqlalchemy import update

from bot.db.models import Assignment, AssignmentStatus, Dialogue
from tests.e2e.checkin_fixtures import checkins, duty, near, team, today
from tests.harness import Harness

SEAT_GONE = (
    "您在「黄河路-人民路口」的班次刚刚有了变动（班次取消或改了时间、您被移出或名额已转给他人），"
    "签到未完成。发送 /my 查看您的班次。"
)


async def test_a_move_after_the_seat_went_ends_the_wait_saying_so(harness: Harness) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    seat = await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(8, 5))
    await fang.send_command("checkin")
    await harness.settle()
    shared = await fang.send_location(*near(2000), live_period=8 * 3600)
    await harness.settle()
    assert fang.reply_keyboard() is not None
    assert await harness.count(Dialogue) == 1
    async with harness.session() as session:
        await session.execute(
            update(Assignment).where(Assignment.id == seat).values(status=AssignmentStatus.REMOVED)
        )
    told = len(fang.texts())
    harness.clock.set(today(8, 10))
    await fang.update_live_location(shared["message_id"], *near(20))
    await harness.settle()
    assert fang.texts()[told:] == [SEAT_GONE]
    assert fang.reply_keyboard() is None
    assert await harness.count(Dialogue) == 0
    assert await checkins(harness) == []
    # Later moves and the scheduler's tick say nothing more.
    await fang.update_live_location(shared["message_id"], *near(10))
    await harness.settle()
    harness.clock.set(today(8, 40))
    await harness.tick()
    assert fang.texts()[told:] == [SEAT_GONE]
