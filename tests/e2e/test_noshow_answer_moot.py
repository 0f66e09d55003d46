"""The no-show question ("your shift has started, are you coming?") answered once it can no
longer be: the shift over, or the volunteer checked in meanwhile. The press is refused, saying
why, and the question's buttons go with it (they could only be refused the same way again);
the coordinators are told nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.db.models import AssignmentStatus, AuditEntry
from bot.emulator import SimUser
from tests.e2e.checkin_fixtures import assignment, check_in, coordinator, duty, team, today
from tests.harness import Harness

COMING = "🚶 在路上，马上到"
NOT_COMING = "🙅 今天来不了"


async def _asked(harness: Harness) -> tuple[SimUser, SimUser, int, int]:
    """王芳, absent from her 08:00–10:00 seat at 08:31, asked whether she is coming; her
    coordinator; the seat; the question's message id."""
    crew = await team(harness)
    fang = crew.volunteers[0]
    lead = await coordinator(harness, "城管局", 7001, "赵队长")
    seat = await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(8, 31))
    await harness.tick()
    asked = fang.last()
    assert asked.buttons() == [COMING, NOT_COMING], asked.text
    assert (await assignment(harness, seat)).status is AssignmentStatus.ABSENT
    return fang, lead, seat, asked.message_id


def _message(person: SimUser, message_id: int) -> tuple[str | None, list[str]]:
    """The text and buttons the message shows now."""
    [shown] = [sent for sent in person.messages() if sent.message_id == message_id]
    return shown.text, shown.buttons()


async def _answers(harness: Harness) -> int:
    async with harness.session() as session:
        return int(
            await session.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action.in_(("noshow.coming", "noshow.not_coming")))
            )
            or 0
        )


async def test_coming_pressed_after_the_shift_ended_takes_the_buttons_away(
    harness: Harness,
) -> None:
    fang, lead, _, question = await _asked(harness)
    told = len(lead.texts())
    harness.clock.set(today(10, 5))
    await fang.press(COMING, question)
    await harness.settle()
    await harness.deliver()
    refusal = "「黄河路-人民路口」的班次已于 10:00 结束，不能再签到了。如有特殊情况请联系协调员。"
    assert fang.answered_callbacks[-1]["text"] == refusal
    assert _message(fang, question) == (refusal, [])
    assert lead.texts()[told:] == []
    assert await _answers(harness) == 0


async def test_not_coming_pressed_once_checked_in_takes_the_buttons_away(
    harness: Harness,
) -> None:
    fang, lead, seat, question = await _asked(harness)
    harness.clock.set(today(8, 40))
    await check_in(harness, fang)
    assert (await assignment(harness, seat)).status is AssignmentStatus.CHECKED_IN
    await harness.deliver()
    told = len(lead.texts())
    await fang.press(NOT_COMING, question)
    await harness.settle()
    await harness.deliver()
    refusal = "您已经在「黄河路-人民路口」签到了，不用再回答。"
    assert fang.answered_callbacks[-1]["text"] == refusal
    assert _message(fang, question) == (refusal, [])
    assert lead.texts()[told:] == []
    assert await _answers(harness) == 0


async def test_coming_pressed_once_recorded_present_says_by_whom(harness: Harness) -> None:
    """Her coordinator recorded her present (her phone died): the question is not told that she
    checked in, which she did not, but that her coordinator recorded her."""
    fang, lead, seat, question = await _asked(harness)
    harness.clock.set(today(8, 40))
    await lead.send_command("roster")
    await harness.settle()
    await lead.press("✏️ 更正 · 王芳")
    await harness.settle()
    await lead.press("🙋 补录到岗（手机没电等）")
    await harness.settle()
    await lead.send_text("手机没电，电话核实在岗")
    await harness.settle()
    assert (await assignment(harness, seat)).status is AssignmentStatus.CHECKED_OUT
    told = len(lead.texts())
    await fang.press(COMING, question)
    await harness.settle()
    await harness.deliver()
    refusal = "协调员已将您记为在「黄河路-人民路口」到岗（08:00–10:00 的班次），不用再签到了。"
    assert fang.answered_callbacks[-1]["text"] == refusal
    assert _message(fang, question) == (refusal, [])
    assert lead.texts()[told:] == []
    assert await _answers(harness) == 0
