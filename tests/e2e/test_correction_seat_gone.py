"""A correction pressed on a roster sent before the volunteer was taken off the shift (➖ 移出):
the seat is no longer hers, so there is nothing to correct. Recording her present would put a
removed volunteer back on the shift with its hours, past a seat that may have gone to someone
from the waitlist."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.buttons import SeatRemoveConfirm
from bot.db.models import AssignmentStatus, AuditEntry, Dialogue
from bot.emulator import SimUser
from tests.e2e.checkin_fixtures import assignment, checkins, coordinator, duty, team, today
from tests.harness import Harness

GONE = "找不到这条出勤记录，可能已被取消。"


async def _corrections(harness: Harness) -> int:
    async with harness.session() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action.like("attendance.%"))
        )
        return int(count or 0)


async def _roster_fix_button(harness: Harness, boss: SimUser) -> tuple[int, str]:
    """/roster, and the message and data of its ✏️ button for 王芳."""
    await boss.send_command("roster")
    await harness.settle()
    sent, data = boss._find_button("✏️ 更正 · 王芳", None)
    return sent.message_id, data


async def test_a_removed_volunteer_is_not_recorded_present_from_an_older_roster(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    boss = await coordinator(harness, "城管局", 5100, "周协调")
    seat = await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(8, 20))
    roster_id, fix = await _roster_fix_button(harness, boss)
    # She phoned in sick: off the shift.
    await boss.press_data(SeatRemoveConfirm(seat).pack(), roster_id)
    await harness.settle()
    assert (await assignment(harness, seat)).status is AssignmentStatus.REMOVED

    harness.clock.set(today(10, 30))
    await boss.press_data(fix, roster_id)
    await harness.settle()
    assert boss.answered_callbacks[-1].get("text") == GONE, boss.answered_callbacks[-1]
    assert "补录到岗" not in str(boss.last().buttons())
    assert (await assignment(harness, seat)).status is AssignmentStatus.REMOVED
    assert await checkins(harness) == []
    assert await _corrections(harness) == 0


async def test_a_correction_begun_before_the_removal_is_refused_at_its_reason(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    boss = await coordinator(harness, "城管局", 5100, "周协调")
    colleague = await coordinator(harness, "城管局", 5101, "李协调")
    seat = await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(8, 20))
    roster_id, fix = await _roster_fix_button(harness, boss)
    await boss.press_data(fix, roster_id)
    await harness.settle()
    await boss.press("🙋 补录到岗（手机没电等）")
    await harness.settle()
    # Meanwhile her colleague takes her off the shift.
    other_roster, _ = await _roster_fix_button(harness, colleague)
    await colleague.press_data(SeatRemoveConfirm(seat).pack(), other_roster)
    await harness.settle()
    assert (await assignment(harness, seat)).status is AssignmentStatus.REMOVED

    await boss.send_text("手机没电，现场核实在岗")
    await harness.settle()
    assert boss.last().text == GONE
    async with harness.session() as session:
        assert await session.get(Dialogue, boss.user_id) is None
    assert (await assignment(harness, seat)).status is AssignmentStatus.REMOVED
    assert await checkins(harness) == []
    assert await _corrections(harness) == 0
