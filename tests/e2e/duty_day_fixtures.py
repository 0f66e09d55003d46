"""The duty day that tests walk with the clock and the scheduler tick: the day before it, times
on it in local time, and a clock move followed by one tick."""

from __future__ import annotations

import datetime as dt

from tests.conftest import START, ZONE
from tests.harness import Harness

DAY_BEFORE = START.date()
DUTY_DAY = DAY_BEFORE + dt.timedelta(days=1)


def on(hour: int, minute: int = 0, day: dt.date = DUTY_DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ZONE)


async def tick_at(harness: Harness, moment: dt.datetime) -> None:
    """Move the clock and run one scheduler tick there, delivering what it queued."""
    harness.clock.set(moment)
    await harness.tick()
