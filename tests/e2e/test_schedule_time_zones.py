"""The scheduler in a zone with daylight saving: on the night Europe/Berlin moves its clocks
forward (2027-03-28, 02:00 becomes 03:00), a night shift across midnight and the change, and a
morning shift after it. Leads are real durations, local times are shown in the zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.db.models import CheckIn, CheckoutKind, OutboxMessage
from bot.emulator import SimUser
from tests.e2e.checkin_fixtures import assign, check_in, coordinator, post, shift, team
from tests.e2e.group_fixtures import bind_group
from tests.harness import Harness

BERLIN = ZoneInfo("Europe/Berlin")
UNIT_GROUP = -100_778


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"timezone": "Europe/Berlin"}


def berlin(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2027, 3, day, hour, minute, tzinfo=BERLIN)


async def at(harness: Harness, moment: dt.datetime) -> None:
    harness.clock.set(moment)
    await harness.tick()


def texts_since(person: SimUser, seen: int, start: str) -> list[str]:
    """What the bot sent since `seen` that begins with `start` (the understaffed offers of these
    half-empty shifts arrive too)."""
    return [text for text in person.texts()[seen:] if text.startswith(start)]


async def test_shifts_across_midnight_and_the_change_to_summer_time(harness: Harness) -> None:
    harness.clock.set(berlin(26, 12))
    crew = await team(harness, ("Anna", "Ben"))
    anna, ben = crew.volunteers
    await coordinator(harness, "城管局", 5100, "Clara")
    await bind_group(harness, UNIT_GROUP, "Unit group", "城管局")
    group = harness.emulator.group(UNIT_GROUP)
    place = await post(harness, crew.unit)
    # 22:00 CET to 03:00 CEST: five hours on the wall clock, four in reality.
    night = await shift(harness, place, berlin(27, 22), berlin(28, 3))
    morning = await shift(harness, place, berlin(28, 7), berlin(28, 9))
    await assign(harness, night, anna)
    await assign(harness, morning, ben)
    assert morning.starts_at.astimezone(dt.UTC).hour == 5  # 07:00 CEST is 05:00 UTC

    # Twelve real hours before 07:00 CEST is 18:00 CET the evening before, not 19:00.
    seen = len(ben.texts())
    await at(harness, berlin(27, 17, 59))
    assert texts_since(ben, seen, "⏰") == []
    await at(harness, berlin(27, 18, 0))
    reminder = texts_since(ben, seen, "⏰")
    assert len(reminder) == 1 and "3月28日 周日 07:00–09:00" in reminder[0]
    assert "还有 12 小时" in reminder[0]

    # Anna's night shift: she checks in at 22:00 CET and forgets to check out.
    harness.clock.set(berlin(27, 22, 0))
    await check_in(harness, anna)
    await at(harness, berlin(28, 3, 0))  # 03:00 CEST, the end: the check-out reminder
    assert anna.last().text == (
        "🏁 「黄河路-人民路口」的班次 03:00 结束了，辛苦了！离开时请点「签退」。"
    )
    await at(harness, berlin(28, 4, 0))  # an hour later: closed, four real hours credited
    async with harness.session() as session:
        record = await session.scalar(select(CheckIn))
    assert record is not None and record.checkout_kind is CheckoutKind.AUTO
    assert record.credited_minutes == 240
    # Its notice is not urgent: it waits for the end of the quiet hours (22:00-07:00).
    assert "自动" not in (anna.last().text or "")

    # Ben's check-in opens at 06:30 CEST (04:30 UTC).
    seen = len(ben.texts())
    await at(harness, berlin(28, 6, 29))
    assert texts_since(ben, seen, "📍") == []
    await at(harness, berlin(28, 6, 30))
    opened = texts_since(ben, seen, "📍")
    assert len(opened) == 1 and "07:00 开始" in opened[0], opened
    await at(harness, berlin(28, 7, 0))
    assert "计入服务时长 4 小时" in (anna.last().text or "")

    # The tally of the 28th goes out at 20:00 CEST, 18:00 UTC.
    before = len(group.messages())
    await at(harness, berlin(28, 19, 59))
    assert len(group.messages()) == before
    await at(harness, berlin(28, 20, 0))
    assert len(group.messages()) > before
    async with harness.session() as session:
        keys = set(await session.scalars(select(OutboxMessage.idempotency_key)))
    assert f"tally:{UNIT_GROUP}:2027-03-28" in keys
