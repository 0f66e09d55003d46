"""A volunteer began a check-in; its shift ended before the location came. With no other shift
open to check in to, the location is refused once, saying the shift is over, and the check-in
ends (the keyboard with 📍 and Cancel goes with it), rather than stay open to refuse every
location the same way. With another shift open, that shift takes the location. A move of a
live share the check-in waits on is no location sent: the wait's end says it (the tick)."""

from __future__ import annotations

from bot.db.models import Dialogue
from bot.emulator import SimUser
from tests.e2e.checkin_fixtures import checkins, duty, near, today
from tests.e2e.checkin_refusal_fixtures import checkin_at, nothing_open_nor_written, on_duty
from tests.harness import Harness

SHIFT_OVER = "「黄河路-人民路口」的班次已于 10:00 结束，不能再签到了。如有特殊情况请联系协调员。"


async def _asked_for_location(harness: Harness) -> SimUser:
    fang = (await on_duty(harness)).fang
    await checkin_at(harness, fang, today(9, 55))
    assert await harness.count(Dialogue) == 1
    return fang


async def test_a_location_after_the_shift_ended_ends_the_check_in(harness: Harness) -> None:
    fang = await _asked_for_location(harness)
    harness.clock.set(today(10, 1))
    await fang.send_location(*near(30))
    await harness.settle()
    assert fang.last().text == SHIFT_OVER
    assert await harness.count(Dialogue) == 0
    assert fang.reply_keyboard() is None
    assert await checkins(harness) == []


async def test_a_location_sent_again_after_the_shift_ended_ends_the_check_in(
    harness: Harness,
) -> None:
    """Located in time, the photo not sent: a location sent again once the shift is over is
    refused once and the check-in ends."""
    fang = await _asked_for_location(harness)
    await fang.send_location(*near(30))
    await harness.settle()
    assert "照片" in (fang.last().text or "")
    harness.clock.set(today(10, 1))
    await fang.send_location(*near(30))
    await harness.settle()
    assert fang.last().text == SHIFT_OVER
    await nothing_open_nor_written(harness)


async def test_a_new_location_in_a_wait_on_a_live_share_after_the_shift_ends_it(
    harness: Harness,
) -> None:
    fang = await _asked_for_location(harness)
    await fang.send_location(*near(2000), live_period=8 * 3600)
    await harness.settle()
    assert await harness.count(Dialogue) == 1
    harness.clock.set(today(10, 1))
    await fang.send_location(*near(30))
    await harness.settle()
    assert fang.last().text == SHIFT_OVER
    assert await harness.count(Dialogue) == 0
    await harness.tick()  # the wait is over with the check-in: nothing more to say
    assert fang.last().text == SHIFT_OVER


async def test_a_move_of_the_awaited_live_share_after_the_shift_leaves_the_end_to_the_tick(
    harness: Harness,
) -> None:
    fang = await _asked_for_location(harness)
    shared = await fang.send_location(*near(2000), live_period=8 * 3600)
    await harness.settle()
    harness.clock.set(today(10, 1))
    await fang.update_live_location(shared["message_id"], *near(20))
    await harness.settle()
    assert fang.last().text != SHIFT_OVER
    await harness.tick()
    assert "10:00" in (fang.last().text or "") and "协调员" in (fang.last().text or "")
    await nothing_open_nor_written(harness)


async def test_another_shift_open_takes_the_location(harness: Harness) -> None:
    shift = await on_duty(harness)
    fang = shift.fang
    await checkin_at(harness, fang, today(9, 20))
    await duty(harness, fang, shift.crew.unit, today(10, 0), today(12, 0), post_name="人民路口")
    harness.clock.set(today(10, 1))
    await fang.send_location(*near(30))
    await harness.settle()
    assert "照片" in (fang.last().text or ""), fang.last().text
    assert await harness.count(Dialogue) == 1
