"""Fifty members press Sign up on a four-seat shift at the same moment."""

from __future__ import annotations

from bot.db.models import AssignmentStatus
from tests.e2e.schedule import person, post, shift, statuses, unit
from tests.harness import Harness

PEOPLE = 50
SEATS = 4


async def test_capacity_holds_when_fifty_press_at_once(harness: Harness) -> None:
    unit_id = await unit(harness)
    shift_id = await shift(harness, await post(harness, unit_id), capacity=SEATS)
    people = [await person(harness, 6000 + n, unit_id) for n in range(PEOPLE)]
    for volunteer in people:
        await volunteer.send_command("shifts")
    await harness.settle()

    harness.emulator.latency = 0.02
    for volunteer in people:
        await volunteer.press("✋ 报名 1")
    await harness.settle()

    confirmed = [v for v in people if "报名成功" in (v.last().text or "")]
    told_full = [v for v in people if "这个班次已满" in (v.last().text or "")]
    assert len(confirmed) == SEATS
    assert len(told_full) == PEOPLE - SEATS
    seats = await statuses(harness, shift_id)
    assert sorted(seats.values()) == [AssignmentStatus.SIGNED_UP] * SEATS
    assert set(seats) == {v.user_id for v in confirmed}
