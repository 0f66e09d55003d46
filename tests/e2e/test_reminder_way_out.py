"""A reminder held back by the quiet hours tells what one who cannot come may still do when
it goes out, not when it was queued: at 05:30 swaps of a 07:30 shift were still open, at 07:00,
when the reminder arrives, only the coordinator can help (found by the defect hunt of
reminders)."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.db.models import AssignmentStatus, OutboxMessage, Shift
from tests.e2e.schedule import DAY, at, person, post, shift, statuses, unit
from tests.e2e.swap_fixtures import seat
from tests.harness import Harness

TOMORROW = DAY + dt.timedelta(days=1)


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    # Two hours' notice; swaps close an hour before the start (the default).
    return {"reminder_leads": "120", "understaffed_alert_hours": 0}


async def test_a_reminder_the_quiet_hours_held_says_what_may_be_done_when_it_arrives(
    harness: Harness,
) -> None:
    unit_id = await unit(harness)
    crossing = await post(harness, unit_id)
    volunteers = [
        await person(harness, 6001, unit_id, "王芳"),
        await person(harness, 6002, unit_id, "Amy", language="en"),
        await person(harness, 6003, unit_id, "陳美", language="zh_Hant"),
    ]
    early = await shift(harness, crossing, day=TOMORROW, start=7, end=9)
    async with harness.session() as session:
        row = await session.get(Shift, early)
        assert row is not None
        row.starts_at = at(TOMORROW, 7, 30)
    for who in volunteers:
        who.started = True
        await seat(harness, early, who.user_id)
    # 05:30: two hours before the start, the reminder is queued and waits for 07:00.
    harness.clock.set(at(TOMORROW, 5, 30))
    await harness.tick()
    await harness.deliver()
    assert all(who.texts() == [] for who in volunteers)
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    # Each reads the reminder once (the check-in notice follows it, as it opens at 07:00).
    reminders = [[text for text in who.texts() if text.startswith("⏰")] for who in volunteers]
    [fang], [amy], [mei] = reminders
    # Swaps closed at 06:30: only the coordinator can help now.
    assert "有事来不了？请马上告诉协调员，好让别人顶上。" in fang, fang
    assert "/swap" not in fang and "/swap" not in amy and "/swap" not in mei, (amy, mei)
    assert "coordinator" in amy, amy
    assert "協調員" in mei, mei
    assert await harness.count(OutboxMessage) == 6
    assert set((await statuses(harness, early)).values()) == {AssignmentStatus.SIGNED_UP}
