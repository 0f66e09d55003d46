"""A check-in asked which of two shifts it is for; the pick came once the picked shift was over
(or its seat gone). With no other shift open, nothing is left to pick: the press is refused once,
saying why, the check-in ends, and the pick message reads the refusal without its buttons. With
another shift still open, its button is left to press."""

from __future__ import annotations

from sqlalchemy import update

from bot.db.models import Assignment, AssignmentStatus, Dialogue
from bot.emulator import SimUser
from tests.e2e.checkin_fixtures import checkins, duty, near, team, today
from tests.harness import Harness

FIRST = "12月1日 周二 08:00–10:00 黄河路-人民路口"
SHIFT_OVER = "「黄河路-人民路口」的班次已于 10:00 结束，不能再签到了。如有特殊情况请联系协调员。"
SEAT_GONE = (
    "您在「黄河路-人民路口」的班次刚刚有了变动（班次取消或改了时间、您被移出或名额已转给他人），"
    "签到未完成。发送 /my 查看您的班次。"
)


async def _asked_to_pick(harness: Harness, second_end: int) -> tuple[SimUser, int, int, int]:
    """王芳 with an 08:00–10:00 seat and an 08:15 one at 人民路口 ending at `second_end`,
    asked at 09:50 which to check in to: the two seats and the pick message's id."""
    crew = await team(harness)
    fang = crew.volunteers[0]
    first = await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    second = await duty(
        harness, fang, crew.unit, today(8, 15), today(second_end, 0), post_name="人民路口"
    )
    harness.clock.set(today(9, 50))
    await fang.send_command("checkin")
    await harness.settle()
    asked = fang.last()
    assert "几个班次" in (asked.text or "")
    return fang, first, second, asked.message_id


def _shown(person: SimUser, message_id: int) -> tuple[str | None, list[str]]:
    [sent] = [sent for sent in person.messages() if sent.message_id == message_id]
    return sent.text, sent.buttons()


async def test_a_pick_after_every_shift_ended_ends_the_check_in(harness: Harness) -> None:
    fang, _, _, asked = await _asked_to_pick(harness, 10)
    harness.clock.set(today(10, 1))
    await fang.press(FIRST, asked)
    await harness.settle()
    assert fang.answered_callbacks[-1]["text"] == SHIFT_OVER
    assert _shown(fang, asked) == (SHIFT_OVER, [])
    assert await harness.count(Dialogue) == 0
    assert await checkins(harness) == []


async def test_a_pick_of_a_seat_gone_with_the_other_gone_too_ends_the_check_in(
    harness: Harness,
) -> None:
    fang, first, second, asked = await _asked_to_pick(harness, 11)
    async with harness.session() as session:
        await session.execute(
            update(Assignment)
            .where(Assignment.id.in_((first, second)))
            .values(status=AssignmentStatus.REMOVED)
        )
    await fang.press(FIRST, asked)
    await harness.settle()
    assert fang.answered_callbacks[-1]["text"] == SEAT_GONE
    assert _shown(fang, asked) == (SEAT_GONE, [])
    assert await harness.count(Dialogue) == 0


async def test_a_pick_of_an_ended_shift_leaves_the_open_one_to_pick(harness: Harness) -> None:
    fang, _, second, asked = await _asked_to_pick(harness, 11)
    harness.clock.set(today(10, 1))
    await fang.press(FIRST, asked)
    await harness.settle()
    assert fang.answered_callbacks[-1]["text"] == SHIFT_OVER
    text, buttons = _shown(fang, asked)
    assert "几个班次" in (text or "") and "12月1日 周二 08:15–11:00 人民路口" in buttons
    assert await harness.count(Dialogue) == 1
    await fang.press("12月1日 周二 08:15–11:00 人民路口", asked)
    await harness.settle()
    assert "签到班次" in (_shown(fang, asked)[0] or "")
    await fang.send_location(*near(30))
    await harness.settle()
    await fang.send_photo()
    await harness.settle()
    [record] = await checkins(harness)
    assert record.assignment_id == second
