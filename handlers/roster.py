"""/roster [date]: a coordinator's view of a day — each post of their unit, its shifts, who is on
them with their attendance (not yet, on post, late, far, photo flagged, left early, checked out
with hours, absent), open seats and the waitlist; buttons open a check-in photo or a correction."""

from __future__ import annotations

import datetime as dt

from telegram import InlineKeyboardButton

from bot.i18n import Translator
from bot.services import attendance, shifts, timespec
from bot.services.attendance import Attendance
from handlers.attendance import roster_buttons, status_line
from handlers.keyboards import button, inline
from handlers.longtext import reply_long
from handlers.schedule import CARD_BUTTON
from handlers.turn import Turn

MAX_BUTTONS = 100  # Telegram's limit for one inline keyboard


def roster_row(t: Translator, number: int, name: str, record: Attendance) -> str:
    """One person on the roster with their attendance line."""
    return t("roster.person", n=number, name=name, status=status_line(t, record))


def within_limit(rows: list[list[InlineKeyboardButton]]) -> list[list[InlineKeyboardButton]]:
    """As many whole rows as fit in one keyboard."""
    kept: list[list[InlineKeyboardButton]] = []
    count = 0
    for row in rows:
        count += len(row)
        if count > MAX_BUTTONS:
            break
        kept.append(row)
    return kept


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
    records = await attendance.attendance(
        turn.session,
        [a.id for entry in found for line in entry.shifts for a in line.seated],
        turn.now,
        turn.runtime.settings,
    )
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
            label = t("roster.button.manage", start=t.time(shift.starts_at), post=entry.post.name)
            rows.append([button(label[:60], f"{CARD_BUTTON}:{shift.id}")])
            for number, assignment in enumerate(line.seated, start=1):
                name = assignment.member.display_name
                record = records[assignment.id]
                lines.append(roster_row(t, number, name, record))
                if buttons := roster_buttons(t, record, name):
                    rows.append(buttons)
            if line.waitlisted:
                names = t("common.list_separator").join(
                    a.member.display_name for a in line.waitlisted
                )
                lines.append(t("roster.waitlist", names=names))
    reply_long(turn, lines, inline(within_limit(rows)) if rows else None)
