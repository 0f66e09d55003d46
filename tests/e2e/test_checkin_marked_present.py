"""A coordinator marked a volunteer present (attendance correction) while their shift runs. A
location (or /checkin) the volunteer sends afterwards is not told they have no shift: it is
told they are recorded as present for that shift, naming its post and time, and nothing is
written."""

from __future__ import annotations

from bot.db.models import Dialogue
from bot.emulator import SimUser
from tests.e2e.checkin_fixtures import assignment, checkins, coordinator, duty, near, team, today
from tests.harness import Harness

MARKED = "协调员已将您记为在「黄河路-人民路口」到岗（08:00–10:00 的班次），不用再签到了。"


async def _marked_present(harness: Harness) -> tuple[SimUser, int]:
    crew = await team(harness)
    fang = crew.volunteers[0]
    seat = await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    li = await coordinator(harness, "城管局", 6001, "李协调")
    harness.clock.set(today(8, 30))
    await li.send_command("roster")
    await harness.settle()
    await li.press("✏️ 更正 · 王芳")
    await harness.settle()
    await li.press("🙋 补录到岗（手机没电等）")
    await harness.settle()
    await li.send_text("手机没电，现场核实在岗")
    await harness.settle()
    assert "已更正" in (li.last().text or "")
    return fang, seat


async def test_a_location_after_being_marked_present_says_so(harness: Harness) -> None:
    fang, seat = await _marked_present(harness)
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
    fang, _ = await _marked_present(harness)
    harness.clock.set(today(8, 40))
    await fang.send_command("checkin")
    await harness.settle()
    assert fang.last().text == MARKED
    assert await harness.count(Dialogue) == 0
    assert len(await checkins(harness)) == 1


async def test_an_open_check_in_ends_when_marked_present(harness: Harness) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(8, 15))
    await fang.send_command("checkin")
    await harness.settle()
    assert fang.reply_keyboard() is not None
    li = await coordinator(harness, "城管局", 6001, "李协调")
    harness.clock.set(today(8, 30))
    await li.send_command("roster")
    await harness.settle()
    await li.press("✏️ 更正 · 王芳")
    await harness.settle()
    await li.press("🙋 补录到岗（手机没电等）")
    await harness.settle()
    await li.send_text("手机没电，现场核实在岗")
    await harness.settle()
    await fang.send_location(*near(30))
    await harness.settle()
    assert fang.last().text == MARKED
    assert fang.reply_keyboard() is None
    assert await harness.count(Dialogue) == 0
    assert len(await checkins(harness)) == 1
