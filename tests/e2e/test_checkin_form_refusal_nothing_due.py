"""A forwarded location or a venue sent when no check-in is due (on post already, or no shift
to check in to) is answered with why nothing is due, not asked to be sent again as one's own
location with the 📍/Cancel keyboard, which would lead only to that same answer."""

from __future__ import annotations

from bot.db.models import Dialogue
from tests.e2e.checkin_fixtures import check_in, checkins, near, team, today
from tests.e2e.checkin_refusal_fixtures import nothing_open_nor_written, on_duty
from tests.harness import Harness

ALREADY = "您已在「黄河路-人民路口」签到（07:50）。离开时请发送 /checkout 签退。"
NO_SHIFTS = "您现在没有需要签到的班次，也还没有报名以后的班次。发送 /shifts 看看可报名的班次。"


async def test_a_forwarded_location_on_post_says_so(harness: Harness) -> None:
    fang = (await on_duty(harness)).fang
    harness.clock.set(today(7, 50))
    await check_in(harness, fang)
    harness.clock.set(today(8, 30))
    await fang.send_location(*near(10), forwarded=True)
    await harness.settle()
    assert fang.last().text == ALREADY
    assert fang.reply_keyboard() is None
    await fang.send_venue(*near(10), "黄河路", "人民路口")
    await harness.settle()
    assert fang.last().text == ALREADY
    assert fang.reply_keyboard() is None
    assert await harness.count(Dialogue) == 0
    (record,) = await checkins(harness)
    assert record.checked_out_at is None


async def test_a_forwarded_location_with_no_shift_says_there_is_none(harness: Harness) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    harness.clock.set(today(8, 30))
    await fang.send_location(*near(10), forwarded=True)
    await harness.settle()
    assert fang.last().text == NO_SHIFTS
    assert fang.reply_keyboard() is None
    await nothing_open_nor_written(harness)


async def test_a_forwarded_location_with_a_check_in_due_is_still_refused_as_forwarded(
    harness: Harness,
) -> None:
    fang = (await on_duty(harness)).fang
    harness.clock.set(today(7, 50))
    await fang.send_location(*near(10), forwarded=True)
    await harness.settle()
    assert fang.last().text == "这是转发的位置。请用下面的按钮发送您自己现在的位置。"
    assert fang.reply_keyboard() is not None
    assert await checkins(harness) == []


async def test_a_forwarded_location_before_the_opening_is_refused_as_forwarded(
    harness: Harness,
) -> None:
    fang = (await on_duty(harness)).fang
    harness.clock.set(today(7, 0))
    await fang.send_location(*near(10), forwarded=True)
    await harness.settle()
    assert fang.last().text == "这是转发的位置。请用下面的按钮发送您自己现在的位置。"
    assert await checkins(harness) == []
