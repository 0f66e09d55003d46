"""/roster [date]: a coordinator's view of a day — each post of their unit, its shifts, who is on
them with their status, open seats and the waitlist."""

from __future__ import annotations

import datetime as dt

from bot.db.models import Assignment
from bot.i18n import Translator
from bot.services import shifts, timespec
from handlers.keyboards import button, inline
from handlers.longtext import reply_long
from handlers.schedule import CARD_BUTTON
from handlers.turn import Turn

MAX_BUTTONS = 60


def status_label(t: Translator, assignment: Assignment) -> str:
    """How a person's state on a shift is named in the roster."""
    return t(f"roster.status.{assignment.status.value}")


def roster_row(t: Translator, number: int, name: str, label: str) -> str:
    """One person on the roster; the label is their state (signed up, checked in, late, ...)."""
    return t("roster.person", n=number, name=name, status=label)


async def show(turn: Turn) -> None:
    t = turn.t
    zone = turn.runtime.settings.zone
    today = turn.now.astimezone(zone).date()
    day: dt.date | None = today
    if turn.args:
        day = timespec.parse_date(turn.args[0], today - dt.timedelta(days=183))
        if day is None:
            turn.reply(t("roster.bad_date", text=turn.args[0]))
            return
    assert day is not None
    found = await shifts.roster(turn.session, turn.actor, day, zone)
    lines = [t("roster.header", day=t.weekday_date(day))]
    rows = []
    if not found:
        lines.append(t("roster.none"))
    for entry in found:
        lines.append("")
        lines.append(t("roster.post", post=entry.post.name, unit=entry.post.unit.name))
        for line in entry.shifts:
            shift = line.shift
            lines.append(
                t(
                    "roster.shift",
                    start=t.time(shift.starts_at),
                    end=t.time(shift.ends_at),
                    seated=len(line.seated),
                    capacity=shift.capacity,
                    open=line.open_seats,
                )
            )
            for number, assignment in enumerate(line.seated, start=1):
                lines.append(
                    roster_row(
                        t, number, assignment.member.display_name, status_label(t, assignment)
                    )
                )
            if line.waitlisted:
                names = t("common.list_separator").join(
                    a.member.display_name for a in line.waitlisted
                )
                lines.append(t("roster.waitlist", names=names))
            label = t("roster.button.manage", start=t.time(shift.starts_at), post=entry.post.name)
            rows.append([button(label[:60], f"{CARD_BUTTON}:{shift.id}")])
    reply_long(turn, lines, inline(rows[:MAX_BUTTONS]) if rows else None)
