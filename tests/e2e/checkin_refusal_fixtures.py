"""Openings shared by the stories of a refused check-in (王芳 on a shift, a check-in begun or
left at its photo, a check-out of a running shift, a coordinator's correction, the reader's
language switched to English) and the state a refusal for good leaves behind."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.db.models import Dialogue
from bot.emulator import SimUser
from tests.e2e.checkin_fixtures import Team, check_in, checkins, duty, near, team, today
from tests.harness import Harness


@dataclass(frozen=True)
class OnDuty:
    crew: Team
    fang: SimUser
    seat: int


async def on_duty(
    harness: Harness,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    post_name: str = "黄河路-人民路口",
) -> OnDuty:
    """The team's 王芳 on a shift today, 08:00–10:00 on 黄河路-人民路口 unless told."""
    crew = await team(harness)
    fang = crew.volunteers[0]
    seat = await duty(
        harness, fang, crew.unit, start or today(8, 0), end or today(10, 0), post_name=post_name
    )
    return OnDuty(crew, fang, seat)


async def checkin_at(harness: Harness, person: SimUser, moment: dt.datetime) -> str:
    """/checkin sent at `moment`; the text the person reads."""
    harness.clock.set(moment)
    await person.send_command("checkin")
    await harness.settle()
    return person.last().text or ""


async def at_the_photo_step(harness: Harness, person: SimUser, moment: dt.datetime) -> None:
    """/checkin at `moment` and a location on post: the check-in asks for the photo."""
    await checkin_at(harness, person, moment)
    await person.send_location(*near(30))
    await harness.settle()
    assert "照片" in (person.last().text or "")


async def in_english(harness: Harness, person: SimUser) -> None:
    """The person picks English with /lang."""
    await person.send_command("lang")
    await harness.settle()
    await person.press("English（英文）")
    await harness.settle()


async def left_early(harness: Harness, person: SimUser) -> None:
    """Checked in at 08:05 and out at 09:00 (a reason given) of the 08:00–10:00 shift."""
    harness.clock.set(today(8, 5))
    await check_in(harness, person)
    harness.clock.set(today(9, 0))
    await person.send_command("checkout")
    await harness.settle()
    await person.send_text("家里有事")
    await harness.settle()
    assert "已签退" in (person.last().text or "")


async def marked_present(harness: Harness, coordinator: SimUser) -> str:
    """The coordinator records 王芳 as present by hand (her phone died); what they read."""
    await coordinator.send_command("roster")
    await harness.settle()
    await coordinator.press("✏️ 更正 · 王芳")
    await harness.settle()
    await coordinator.press("🙋 补录到岗（手机没电等）")
    await harness.settle()
    await coordinator.send_text("手机没电，现场核实在岗")
    await harness.settle()
    return coordinator.last().text or ""


async def nothing_open_nor_written(harness: Harness) -> None:
    """No check-in left open, and none recorded."""
    assert await harness.count(Dialogue) == 0
    assert await checkins(harness) == []
