"""A volunteer began a check-in and, before it was done, was put on post another way (checked
in meanwhile, or marked present by a coordinator). The next location or photo is refused once,
saying so, and the check-in ends with the 📍/Cancel keyboard, rather than stay open to refuse
every later location or photo the same way."""

from __future__ import annotations

from sqlalchemy import update

from bot.db.models import Assignment, AssignmentStatus, CheckIn, Dialogue
from bot.emulator import SimUser
from tests.e2e.checkin_fixtures import (
    POST_LATITUDE,
    POST_LONGITUDE,
    checkins,
    coordinator,
    duty,
    near,
    team,
    today,
)
from tests.e2e.checkin_refusal_fixtures import marked_present
from tests.harness import Harness

ALREADY = "您已在「黄河路-人民路口」签到（08:20）。离开时请发送 /checkout 签退。"


async def _checked_in_meanwhile(harness: Harness, seat: int) -> None:
    """The seat's check-in written by another turn (08:20, still on post)."""
    async with harness.session() as session:
        await session.execute(
            update(Assignment)
            .where(Assignment.id == seat)
            .values(status=AssignmentStatus.CHECKED_IN)
        )
        session.add(
            CheckIn(
                assignment_id=seat,
                checked_in_at=today(8, 20),
                latitude=POST_LATITUDE,
                longitude=POST_LONGITUDE,
                distance_m=5.0,
                live=False,
                minutes_late=0,
            )
        )


async def _asked_for_location(harness: Harness) -> tuple[SimUser, int]:
    crew = await team(harness)
    fang = crew.volunteers[0]
    seat = await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(8, 15))
    await fang.send_command("checkin")
    await harness.settle()
    assert fang.reply_keyboard() is not None
    assert await harness.count(Dialogue) == 1
    return fang, seat


async def test_a_location_after_checking_in_meanwhile_ends_the_check_in(
    harness: Harness,
) -> None:
    fang, seat = await _asked_for_location(harness)
    await _checked_in_meanwhile(harness, seat)
    harness.clock.set(today(8, 30))
    await fang.send_location(*near(2000))
    await harness.settle()
    assert fang.last().text == ALREADY
    assert fang.reply_keyboard() is None
    assert await harness.count(Dialogue) == 0
    assert len(await checkins(harness)) == 1


async def test_a_photo_after_checking_in_meanwhile_ends_the_check_in(harness: Harness) -> None:
    fang, seat = await _asked_for_location(harness)
    await fang.send_location(*near(30))
    await harness.settle()
    await fang.send_location(*near(2000))  # refused as too far: 📍/Cancel come back
    await harness.settle()
    assert fang.reply_keyboard() is not None
    await _checked_in_meanwhile(harness, seat)
    harness.clock.set(today(8, 30))
    await fang.send_photo()
    await harness.settle()
    assert fang.last().text == ALREADY
    assert fang.reply_keyboard() is None
    assert await harness.count(Dialogue) == 0
    assert len(await checkins(harness)) == 1


async def test_a_location_after_a_coordinator_marked_present_ends_the_check_in(
    harness: Harness,
) -> None:
    fang, _ = await _asked_for_location(harness)
    li = await coordinator(harness, "城管局", 6001, "李协调")
    harness.clock.set(today(8, 30))
    assert "已更正" in await marked_present(harness, li)
    await fang.send_location(*near(30))
    await harness.settle()
    refused = fang.last().text
    assert fang.reply_keyboard() is None
    assert await harness.count(Dialogue) == 0
    await fang.send_location(*near(30))
    await harness.settle()
    assert fang.last().text == refused
    assert len(await checkins(harness)) == 1
