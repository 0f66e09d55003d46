"""The one clock: services take "now" from here so tests can move time without sleeping."""

from __future__ import annotations

import datetime as dt
from typing import Protocol


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current instant, timezone-aware in UTC."""
        ...


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


class ManualClock:
    """A clock that only moves when told to; used by tests and the demo's simulated day."""

    def __init__(self, start: dt.datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start.astimezone(dt.UTC)

    def now(self) -> dt.datetime:
        return self._now

    def set(self, instant: dt.datetime) -> None:
        self._now = instant.astimezone(dt.UTC)

    def advance(self, **delta: float) -> dt.datetime:
        self._now += dt.timedelta(**delta)
        return self._now


class ShiftedClock:
    """The system clock moved to begin at `start`: real seconds pass (Telegram's pace, the
    sender's waits), on the day a test or a demo needs. Used by the bot processes of the crash
    tests, which cannot be handed a clock to move."""

    def __init__(self, start: dt.datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ShiftedClock needs an aware datetime")
        self._offset = start - dt.datetime.now(dt.UTC)

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self._offset
