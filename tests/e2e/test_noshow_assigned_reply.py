"""Who answers "I can't come today" to the no-show question is told what to do next time, and
that depends on the seat: one they took may be cancelled or swapped in /my; one a coordinator
assigned cannot be cancelled, and is asked leave for with 🙋 请假."""

from __future__ import annotations

from tests.e2e.checkin_fixtures import duty, post, shift, team, today
from tests.e2e.rostering_fixtures import assigned_seat
from tests.harness import Harness

NOT_COMING = "🙅 今天来不了"


async def test_an_assigned_seat_is_told_to_ask_leave_next_time(harness: Harness) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    duty_shift = await shift(harness, await post(harness, crew.unit), today(8, 0), today(10, 0))
    await assigned_seat(harness, duty_shift.id, fang.user_id)
    harness.clock.set(today(8, 31))
    await harness.tick()
    await fang.press(NOT_COMING, fang.last().message_id)
    await harness.settle()
    reply = fang.last().text or ""
    # The team has no coordinator: the admins were told, and the answer says so.
    assert reply.startswith("已告知管理员：您今天来不了"), reply
    assert "🙋 请假" in reply and "取消或换岗" not in reply, reply


async def test_a_seat_taken_oneself_is_told_to_cancel_or_swap_next_time(harness: Harness) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(8, 31))
    await harness.tick()
    await fang.press(NOT_COMING, fang.last().message_id)
    await harness.settle()
    assert "取消或换岗" in (fang.last().text or ""), fang.last().text
