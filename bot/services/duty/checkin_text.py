"""Wording shared by the check-in replies and the notices the outbox carries: distances,
directions, durations, the 📍 button that sends a location, and domain errors whose parameters
are times or distances."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from bot import geo
from bot.db.models import CheckIn
from bot.i18n import Translator
from bot.services.duty.at_hand import ShiftAtHand
from bot.settings import Settings

DISTANCE_PARAMS = frozenset({"distance", "radius"})


def distance(t: Translator, metres: float) -> str:
    if metres < 1000:
        return t("geo.metres", value=round(metres))
    return t("geo.kilometres", value=f"{metres / 1000:.1f}")


def duration(t: Translator, minutes: int) -> str:
    hours, rest = divmod(max(0, minutes), 60)
    if hours and rest:
        return t("checkin.duration.hours_minutes", hours=hours, minutes=rest)
    if hours:
        return t("checkin.duration.hours", hours=hours)
    return t("checkin.duration.minutes", minutes=rest)


def minutes_between(earlier: dt.datetime, later: dt.datetime) -> int:
    """Whole minutes from one moment to another, rounded to the nearest: a reminder 1 min 59 s
    before the start says 2 minutes, not 1. Never below zero."""
    return max(0, math.floor((later - earlier).total_seconds() / 60 + 0.5))


@dataclass(frozen=True)
class Moment:
    """A moment as a refusal shows it, read at `now`: a date on the reader's own day only
    clutters the line."""

    at: dt.datetime
    now: dt.datetime


def moment(t: Translator, at: dt.datetime, now: dt.datetime) -> str:
    """The time alone when `at` is on the same local day as `now`, else the date and time."""
    if t.local(at).date() == t.local(now).date():
        return t.time(at)
    return t.datetime(at)


def location_button(t: Translator, settings: Settings) -> str | None:
    """The 📍 button under a notice; none where a live location is required (the button sends a
    one-off location, which that check-in refuses)."""
    if settings.checkin_require_live_location:
        return None
    return t("checkin.button.send_location")


def param(t: Translator, name: str, value: Any) -> Any:
    if isinstance(value, Moment):
        return moment(t, value.at, value.now)
    if isinstance(value, dt.datetime):
        return t.datetime(value)
    if isinstance(value, dt.timedelta):
        return duration(t, int(value.total_seconds() // 60))
    if isinstance(value, dt.date):
        return t.date(value)
    if isinstance(value, geo.Compass):
        return t(value.message_key)
    if name in DISTANCE_PARAMS and isinstance(value, int | float):
        return distance(t, value)
    return value


def confirmation(t: Translator, record: CheckIn, shift: ShiftAtHand, photo_reused: bool) -> str:
    """What a check-in just made says: where and when, on time or late, and what else to know;
    answered to the photo (or location) that made it, or sent by the scheduler when the check-in
    opened on a live location shared at the post before."""
    lines = [
        t(
            "checkin.done",
            post=shift.post.name,
            time=t.time(record.checked_in_at),
            start=t.time(shift.starts_at),
            end=t.end_time(shift.starts_at, shift.ends_at),
            distance=distance(t, record.distance_m),
        )
    ]
    if record.late:
        lines.append(t("checkin.done.late", minutes=record.minutes_late))
    elif record.checked_in_at < shift.starts_at:
        lines.append(t("checkin.done.early"))
    else:
        lines.append(t("checkin.done.on_time"))
    if record.far:
        lines.append(t("checkin.done.far"))
    if photo_reused:
        lines.append(t("checkin.done.photo_flagged"))
    lines.append(t("checkin.done.live" if record.live else "checkin.done.static"))
    return "\n".join(lines)
