"""A coordinator marked a volunteer present (attendance correction) while their shift runs. A
location (or /checkin) the volunteer sends afterwards is not told they have no shift: it is
told they are recorded as present for that shift, naming its post and time, and nothing is
written."""

from __future__ import annotations

from bot.db.models import Dialogue
from tests.e2e.checkin_fixtures import assignment, checkins, coordinator, near, today
from tests.e2e.checkin_refusal_fixtures import OnDuty, checkin_at, marked_present, on_duty
from tests.harness import Harness

MARKED = "协调员已将您记为在「黄河路-人民路口」到岗（08:00–10:00 的班次），不用再签到了。"


async def _marked_present(harness: Harness, shift: OnDuty) -> str:
    """李协调 marks 王芳 present at 08:30; what he reads."""
    li = await coordinator(harness, "城管局", 6001, "李协调")
    harness.clock.set(today(8, 30))
    return await marked_present(harness, li)


async def test_a_location_after_being_marked_present_says_so(harness: Harness) -> None:
    shift = await on_duty(harness)
    fang, seat = shift.fang, shift.seat
    assert "已更正" in await _marked_present(harness, shift)
    before = await assignment(harness, seat)
    harness.clock.set(today(8, 40))
    await fang.send_location(*near(30))
    await harness.settle()
    assert fang.last().text == MARKED
    assert fang.reply_keyboard() is None
    assert await harness.count(Dialogue) == 0
    (record,) = await checkins(harness)
    assert record.manual
    assert (await assignment(harness, seat)).status is before.status


async def test_checkin_after_being_marked_present_says_so(harness: Harness) -> None:
    shift = await on_duty(harness)
    assert "已更正" in await _marked_present(harness, shift)
    assert await checkin_at(harness, shift.fang, today(8, 40)) == MARKED
    assert await harness.count(Dialogue) == 0
    assert len(await checkins(harness)) == 1


async def test_an_open_check_in_ends_when_marked_present(harness: Harness) -> None:
    shift = await on_duty(harness)
    fang = shift.fang
    await checkin_at(harness, fang, today(8, 15))
    assert fang.reply_keyboard() is not None
    await _marked_present(harness, shift)
    await fang.send_location(*near(30))
    await harness.settle()
    assert fang.last().text == MARKED
    assert fang.reply_keyboard() is None
    assert await harness.count(Dialogue) == 0
    assert len(await checkins(harness)) == 1
