"""Two coordinators open the same correction; the one who types the reason second is told the
correction no longer applies, once: the correction ends, so the next message is not refused
the same way, and the record holds the first coordinator's correction alone."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.db.models import AuditEntry, Dialogue
from bot.emulator import SimUser
from bot.services.duty import attendance
from tests.e2e.checkin_fixtures import check_in, checkins, coordinator, duty, team, today
from tests.e2e.race_gate import Gate, until
from tests.harness import Harness

ALREADY_PRESENT = "这位志愿者已经签到，不需要补录。"
NO_PHOTO = "这条签到没有可审核的照片。"
NOT_UNDERSTOOD = "没看懂这条消息。发送 /help 查看可用的命令。"


async def _open_fix(harness: Harness, person: SimUser, seat: int, choice: str) -> None:
    await person.send_command("roster")
    await harness.settle()
    await person.press("✏️ 更正 · 王芳")
    await harness.settle()
    await person.press(choice)
    await harness.settle()


async def _corrections(harness: Harness) -> int:
    async with harness.session() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action.like("attendance.%"))
        )
        return int(count or 0)


async def test_a_manual_check_in_made_meanwhile_ends_the_second_correction(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    li = await coordinator(harness, "城管局", 6001, "李协调")
    zhang = await coordinator(harness, "城管局", 6002, "张协调")
    seat = await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(10, 30))

    await _open_fix(harness, li, seat, "🙋 补录到岗（手机没电等）")
    await _open_fix(harness, zhang, seat, "🙋 补录到岗（手机没电等）")
    await li.send_text("手机没电，现场核实在岗")
    await harness.settle()
    assert "已更正" in (li.last().text or "")

    await zhang.send_text("电话核实在岗")
    await harness.settle()
    assert zhang.last().text == ALREADY_PRESENT
    assert zhang.last().buttons() == []
    async with harness.session() as session:
        assert await session.get(Dialogue, zhang.user_id) is None
    await zhang.send_text("电话核实在岗")
    await harness.settle()
    assert zhang.last().text == NOT_UNDERSTOOD
    assert len(await checkins(harness)) == 1
    assert await _corrections(harness) == 1


async def test_two_reasons_typed_at_once_record_the_volunteer_present_once(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first reason has checked that nobody recorded her yet when the second is typed: the
    second waits for the first and is told it no longer applies (on PostgreSQL both ran at once,
    and the second's check-in row met the first's: an internal error)."""
    crew = await team(harness)
    fang = crew.volunteers[0]
    li = await coordinator(harness, "城管局", 6001, "李协调")
    zhang = await coordinator(harness, "城管局", 6002, "张协调")
    seat = await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(10, 30))
    await _open_fix(harness, li, seat, "🙋 补录到岗（手机没电等）")
    await _open_fix(harness, zhang, seat, "🙋 补录到岗（手机没电等）")

    gate = Gate(monkeypatch, attendance, "check_correction", after=True)
    await li.send_text("手机没电，现场核实在岗")
    await gate.wait_reached()
    seen = len(zhang.texts())
    await zhang.send_text("电话核实在岗")
    await until(lambda: len(zhang.texts()) > seen, timeout=0.3)
    gate.release()
    await harness.settle()

    assert "已更正" in (li.last().text or "")
    assert zhang.texts()[seen:] == [ALREADY_PRESENT]
    assert len(await checkins(harness)) == 1
    assert await _corrections(harness) == 1


async def test_a_photo_rejected_meanwhile_ends_the_second_rejection(harness: Harness) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    li = await coordinator(harness, "城管局", 6001, "李协调")
    zhang = await coordinator(harness, "城管局", 6002, "张协调")
    seat = await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    await check_in(harness, fang)

    await _open_fix(harness, li, seat, "🚫 照片不合格")
    await _open_fix(harness, zhang, seat, "🚫 照片不合格")
    await li.send_text("照片不是在岗点拍的")
    await harness.settle()
    assert "已更正" in (li.last().text or "")

    await zhang.send_text("照片模糊")
    await harness.settle()
    assert zhang.last().text == NO_PHOTO
    async with harness.session() as session:
        assert await session.get(Dialogue, zhang.user_id) is None
    assert await _corrections(harness) == 1


async def test_a_reason_too_short_may_be_typed_again(harness: Harness) -> None:
    """A refusal the coordinator can answer keeps the question open, with its Cancel."""
    crew = await team(harness)
    fang = crew.volunteers[0]
    li = await coordinator(harness, "城管局", 6001, "李协调")
    seat = await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(10, 30))
    await _open_fix(harness, li, seat, "🙋 补录到岗（手机没电等）")
    await li.send_text(" . ")
    await harness.settle()
    assert li.last().buttons() != []
    async with harness.session() as session:
        assert await session.get(Dialogue, li.user_id) is not None
    await li.send_text("手机没电，现场核实在岗")
    await harness.settle()
    assert "已更正" in (li.last().text or "")
