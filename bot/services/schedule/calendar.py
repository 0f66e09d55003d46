"""An iCalendar (.ics) file of a member's shifts, so phones put them in the calendar."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from icalendar import Calendar, Event, vGeo


@dataclass(frozen=True)
class CalendarEntry:
    uid: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    summary: str
    location: str
    latitude: float
    longitude: float
    description: str = ""


def build_ics(entries: Sequence[CalendarEntry], now: dt.datetime) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//dutybot//shifts//ZH")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    for entry in entries:
        event = Event()
        event.add("uid", entry.uid)
        event.add("dtstamp", now.astimezone(dt.UTC))
        event.add("dtstart", entry.starts_at.astimezone(dt.UTC))
        event.add("dtend", entry.ends_at.astimezone(dt.UTC))
        event.add("summary", entry.summary)
        event.add("location", entry.location)
        event["geo"] = vGeo((entry.latitude, entry.longitude))
        if entry.description:
            event.add("description", entry.description)
        calendar.add_component(event)
    data: bytes = calendar.to_ical()
    return data
