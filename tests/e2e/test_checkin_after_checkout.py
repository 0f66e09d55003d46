"""A volunteer who checked out of a shift still running (an early leave) and then sends a
location or /checkin is told they checked out of that shift, naming it and when, not that they
have no shift at all; nothing is written."""

from __future__ import annotations

from bot.db.models import CheckoutKind, Dialogue
from bot.emulator import SimUser
from tests.e2e.checkin_fixtures import check_in, checkins, duty, near, team, today
from tests.harness import Harness

CHECKED_OUT = "您已于 09:00 在「黄河路-人民路口」签退（08:00–10:00 的班次），这一班不能再签到了。"


async def _left_early(harness: Harness) -> SimUser:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(8, 5))
    await check_in(harness, fang)
    harness.clock.set(today(9, 0))
    await fang.send_command("checkout")
    await harness.settle()
    await fang.send_text("家里有事")
    await harness.settle()
    assert "已签退" in (fang.last().text or "")
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
    harness.clock.set(today(9, 10))
    await fang.send_command("checkin")
    await harness.settle()
    assert fang.last().text == CHECKED_OUT
    assert await harness.count(Dialogue) == 0
    assert len(await checkins(harness)) == 1
