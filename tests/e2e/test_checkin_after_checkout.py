"""A volunteer who checked out of a shift still running (an early leave) and then sends a
location or /checkin is told they checked out of that shift, naming it and when, not that they
have no shift at all; nothing is written."""

from __future__ import annotations

from bot.db.models import CheckoutKind, Dialogue
from bot.emulator import SimUser
from tests.e2e.checkin_fixtures import checkins, near, today
from tests.e2e.checkin_refusal_fixtures import checkin_at, left_early, on_duty
from tests.harness import Harness

CHECKED_OUT = "您已于 09:00 在「黄河路-人民路口」签退（08:00–10:00 的班次），这一班不能再签到了。"


async def _left_early(harness: Harness) -> SimUser:
    fang = (await on_duty(harness)).fang
    await left_early(harness, fang)
    return fang


async def test_a_location_after_leaving_early_names_the_check_out(harness: Harness) -> None:
    fang = await _left_early(harness)
    harness.clock.set(today(9, 10))
    await fang.send_location(*near(30))
    await harness.settle()
    assert fang.last().text == CHECKED_OUT
    assert await harness.count(Dialogue) == 0
    (record,) = await checkins(harness)
    assert record.checked_out_at == today(9, 0)
    assert record.checkout_kind == CheckoutKind.EARLY


async def test_checkin_after_leaving_early_names_the_check_out(harness: Harness) -> None:
    fang = await _left_early(harness)
    assert await checkin_at(harness, fang, today(9, 10)) == CHECKED_OUT
    assert await harness.count(Dialogue) == 0
    assert len(await checkins(harness)) == 1
