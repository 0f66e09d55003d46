"""/roster [date]: a coordinator's view of a day — each post of their unit, its shifts, who is on
them with their attendance (not yet, on post, late, far, photo flagged, left early, checked out
with hours, absent), open seats and the waitlist; buttons open a check-in photo or a correction.

A big unit (or an admin's whole city) has more people on a busy day than one message holds:
Telegram takes 4096 characters and 100 buttons. So the roster comes a page at a time, up to
ten posts a page, fewer when their lines or buttons would not fit; a post too big for one page
goes on over the next, its post and shift lines repeated. Every volunteer's buttons are on
some page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from telegram import InlineKeyboardButton

from bot.buttons import PendingLeaves, RosterDayPage, ShiftCard
from bot.i18n import Translator
from bot.services.duty import attendance
from bot.services.duty.attendance import Attendance
from bot.services.reports.report_text import utf16_len
from bot.services.rostering import leave_waiting
from bot.services.schedule import timespec
from bot.services.schedule.roster import RosterPost, roster
from handlers.assign import ack_mark
from handlers.attendance import roster_buttons, status_line
from handlers.keyboards import button, inline
from handlers.turn import Turn

POSTS_PER_PAGE = 10
# A page's body, so that the header lines and the body stay within Telegram's 4096 characters
# (counted in UTF-16 units) and the buttons, Previous / Next included, within 100.
TEXT_BUDGET = 3600
BUTTON_BUDGET = 96


def roster_row(t: Translator, number: int, name: str, record: Attendance) -> str:
    """One person on the roster with their attendance line."""
    return t("roster.person", n=number, name=name, status=status_line(t, record))


@dataclass
class Piece:
    """A few lines of the roster that stay together, with their buttons. ``context`` repeats
    the post (and the shift) above them when a page starts with this piece."""

    post: int  # the post's place in the day's roster, from 0
    lines: list[str]
    rows: list[list[InlineKeyboardButton]]
    context: list[str] = field(default_factory=list)


@dataclass
class RosterPage:
    first_post: int
    last_post: int
    lines: list[str] = field(default_factory=list)
    rows: list[list[InlineKeyboardButton]] = field(default_factory=list)


def _size(lines: list[str]) -> int:
    """The lines joined, as Telegram counts them."""
    return sum(utf16_len(line) + 1 for line in lines)


def _buttons(rows: list[list[InlineKeyboardButton]]) -> int:
    return sum(len(row) for row in rows)


def pieces(
    t: Translator, found: list[RosterPost], records: dict[int, Attendance], now: dt.datetime
) -> list[Piece]:
    """The day's roster cut where a page may end: a shift (with the post line above its first
    one), each person, the waitlist (once the shift has started, the places never filled)."""
    cut: list[Piece] = []
    for index, entry in enumerate(found):
        post_line = t("roster.post", post=entry.post.name, unit=entry.post.unit.name)
        for number_of_shift, line in enumerate(entry.shifts):
            shift = line.shift
            shift_line = t(
                "roster.shift",
                start=t.time(shift.starts_at),
                end=t.end_time(shift.starts_at, shift.ends_at),
                seated=len(line.seated),
                capacity=shift.capacity,
                open=line.open_seats,
            )
            label = t("roster.button.manage", start=t.time(shift.starts_at), post=entry.post.name)
            manage = [[button(label[:60], ShiftCard(shift.id))]]
            if number_of_shift == 0:
                cut.append(Piece(index, ["", post_line, shift_line], manage))
            else:
                cut.append(Piece(index, [shift_line], manage, ["", post_line]))
            context = ["", post_line, shift_line]
            for number, assignment in enumerate(line.seated, start=1):
                name = assignment.member.display_name
                record = records[assignment.id]
                buttons = roster_buttons(t, record, name)
                cut.append(
                    Piece(
                        index,
                        [
                            roster_row(t, number, name, record)
                            + ack_mark(t, assignment, assignment.id in line.leave_asked)
                        ],
                        [buttons] if buttons else [],
                        context,
                    )
                )
            if line.waitlisted:
                names = t("common.list_separator").join(
                    a.member.display_name for a in line.waitlisted
                )
                key = "roster.waitlist_lapsed" if shift.starts_at <= now else "roster.waitlist"
                waitlist = t(key, names=names)[:1000]
                cut.append(Piece(index, [waitlist], [], context))
    return cut


def paginate(cut: list[Piece]) -> list[RosterPage]:
    """Pages of at most ``POSTS_PER_PAGE`` posts whose text and buttons fit in one message."""
    pages: list[RosterPage] = []
    current: RosterPage | None = None
    for piece in cut:
        if current is not None:
            new_post = piece.post != current.last_post
            full = (
                (new_post and piece.post - current.first_post >= POSTS_PER_PAGE)
                or _size(current.lines) + _size(piece.lines) > TEXT_BUDGET
                or _buttons(current.rows) + _buttons(piece.rows) > BUTTON_BUDGET
            )
            if full:
                current = None
        if current is None:
            current = RosterPage(piece.post, piece.post)
            pages.append(current)
            if piece.context:
                current.lines += piece.context
        current.last_post = piece.post
        current.lines += piece.lines
        current.rows += piece.rows
    return pages


async def show(turn: Turn) -> None:
    t = turn.t
    today = turn.today
    day: dt.date | None = today
    if turn.args:
        day = timespec.parse_date(turn.args[0], today - dt.timedelta(days=183))
        if day is None:
            turn.reply(t("roster.bad_date", text=turn.args[0]))
            return
    assert day is not None
    await _render(turn, day, 0)


async def turn_page(turn: Turn, data: RosterDayPage) -> None:
    """Previous / Next on the roster; a forged page changes nothing."""
    if data.page < 0:
        turn.stale()
        return
    await _render(turn, data.day, data.page)


async def _render(turn: Turn, day: dt.date, index: int) -> None:
    t = turn.t
    found = await roster(turn.session, turn.actor, day, turn.runtime.settings.zone, turn.now)
    records = await attendance.attendance(
        turn.session,
        [a.id for entry in found for line in entry.shifts for a in line.seated],
        turn.now,
        turn.runtime.settings,
        turn.actor,
    )
    # Another year's day says its year: /roster 05-20 typed on 1 December is next May's.
    lines = [t("roster.header", day=t.day_in_year(day, turn.today))]
    rows: list[list[InlineKeyboardButton]] = []
    pages = paginate(pieces(t, found, records, turn.now))
    if not pages:
        lines.append(t("roster.none"))
    else:
        index = min(index, len(pages) - 1)  # a page pressed after shifts went lands on the last
        shown = pages[index]
        if len(pages) > 1:
            lines.append(
                t(
                    "roster.page",
                    page=index + 1,
                    pages=len(pages),
                    first=shown.first_post + 1,
                    last=shown.last_post + 1,
                    total=len(found),
                )
            )
        lines += shown.lines
        rows += shown.rows
        nav = []
        if index > 0:
            nav.append(button(t("common.button.previous"), RosterDayPage(day, index - 1)))
        if index + 1 < len(pages):
            nav.append(button(t("common.button.next"), RosterDayPage(day, index + 1)))
        if nav:
            rows.append(nav)
    # Leave asked and not yet decided, whatever its day: a request scrolled past is found here.
    asked = await leave_waiting.pending_count(turn.session, turn.actor, turn.now)
    if asked:
        lines.append("")
        lines.append(t("roster.leaves_pending", count=asked))
        rows.append([button(t("roster.button.leaves_pending", count=asked), PendingLeaves())])
    text, markup = "\n".join(lines), inline(rows) if rows else None
    if turn.update.callback_query is not None:
        turn.edit(text, markup)
    else:
        turn.reply(text, markup)
