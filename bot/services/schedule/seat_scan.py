"""The seats a due job scans (bot/due.py): those of shifts starting in a window of time, by
the state of the seat, without a message already queued under the job's key; and, for the few
that get one, what the message needs (the shift and the holder's chat and language). The
reminders before a shift and the waitlist's word at its start read them the same way."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Select, String, cast, exists, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Assignment,
    AssignmentStatus,
    Member,
    OutboxMessage,
    Post,
    Shift,
    ShiftStatus,
)
from bot.db.seldom import seldom
from bot.services.platform import inbox, outbox
from bot.settings import Settings


@dataclass(frozen=True)
class Seat:
    """What a due scan needs to decide about a seat, without loading it: the assignment's id,
    when it was last changed, and when its shift starts."""

    assignment_id: int
    updated_at: dt.datetime
    starts_at: dt.datetime


async def seats_starting(
    session: AsyncSession,
    starts_after: dt.datetime,
    starts_until: dt.datetime,
    *,
    status: AssignmentStatus = AssignmentStatus.SIGNED_UP,
    key: tuple[str, str] | None = None,
    sparing_waiting: bool = False,
) -> list[Seat]:
    """Seats in `status` (default: held but not yet checked in; or a waitlist's places, of
    live posts only) on scheduled shifts starting in (starts_after, starts_until], soonest first;
    people who blocked the bot are left out. Only the columns the scans decide on: ``load``
    loads the few that get a message. With
    `key` (prefix, suffix), only the seats with no outbox message under prefix + the
    assignment's id + suffix: a tick with nothing new reads nothing but the index. With
    `sparing_waiting`, not the seats of holders with updates stored and not yet handled
    (`waiting_members`)."""
    query = (
        select(Assignment.id, Assignment.updated_at, Shift.starts_at)
        .join(Shift, Assignment.shift_id == Shift.id)
        .join(Post, Shift.post_id == Post.id)
        .join(Member, Assignment.member_id == Member.id)
        .where(
            Assignment.status == status,
            Shift.status == ShiftStatus.SCHEDULED,
            Member.blocked_bot.is_(False),
            # Each bound marked on its own: SQLite uses an index for a condition at the top
            # level only, not for one inside a marked conjunction.
            seldom(Shift.starts_at > starts_after),
            seldom(Shift.starts_at <= starts_until),
        )
        .order_by(Shift.starts_at, Assignment.id)
    )
    if status is AssignmentStatus.WAITLISTED:
        # An archived post's shifts take place with the people seated on them, who are
        # reminded; its waitlist moves up no more, so it is not told that no seat came free.
        query = query.where(Post.archived.is_(False))
    if key is not None:
        prefix, suffix = key
        name = literal(prefix) + cast(Assignment.id, String) + literal(suffix)
        query = query.where(~exists().where(OutboxMessage.idempotency_key == name))
    if sparing_waiting:
        query = query.where(Assignment.member_id.not_in(waiting_members()))
    rows = await session.execute(query)
    return [Seat(*row) for row in rows.all()]


def waiting_members() -> Select[int]:
    """The members with updates stored and not yet handled (after an outage or a crash): a
    job that judges from what someone has not sent (the late nudge, the no-show) leaves them
    for a later tick, as their location and photo may be among them. A subquery: usually
    nobody, after an outage thousands, whose ids would not fit PostgreSQL's bound parameters."""
    return select(Member.id).where(Member.telegram_id.in_(inbox.unhandled_senders()))


@dataclass(frozen=True)
class Due:
    """A seat that gets a message: its assignment, its shift (with the post), who holds it
    (their chat and language), and whether a coordinator assigned it (its way out is leave)."""

    assignment_id: int
    shift: Shift
    chat_id: int
    language: str | None
    assigned: bool = False


async def load(session: AsyncSession, wanted: list[int]) -> list[Due]:
    """The seats of these assignments, in the given order, for their messages: one statement
    for the holders, one for the shifts (each loaded once)."""
    holders: dict[int, tuple[int, int, str | None, bool]] = {}
    for start in range(0, len(wanted), 500):
        rows = await session.execute(
            select(
                Assignment.id,
                Assignment.shift_id,
                Member.telegram_id,
                Member.language,
                Assignment.rota_id.is_not(None),
            )
            .join(Member, Assignment.member_id == Member.id)
            .where(Assignment.id.in_(wanted[start : start + 500]))
        )
        holders.update((row[0], (row[1], row[2], row[3], bool(row[4]))) for row in rows.all())
    shift_ids = sorted({holder[0] for holder in holders.values()})
    shifts: dict[int, Shift] = {}
    for start in range(0, len(shift_ids), 500):
        found = await session.scalars(
            select(Shift).where(Shift.id.in_(shift_ids[start : start + 500]))
        )
        shifts.update((shift.id, shift) for shift in found.unique())
    return [
        Due(i, shifts[holders[i][0]], holders[i][1], holders[i][2], holders[i][3])
        for i in wanted
        if i in holders and holders[i][0] in shifts
    ]


# The messages the reminder jobs (bot/services/duty/reminders.py) queue for a seat before its
# shift, by key: a reminder per lead, the check-in notice, the late nudge.
def reminder_key(assignment_id: int, lead: int) -> str:
    return f"remind:{assignment_id}:{lead}"


def checkin_open_key(assignment_id: int) -> str:
    return f"checkin-open:{assignment_id}"


def late_key(assignment_id: int) -> str:
    return f"late:{assignment_id}"


def notice_keys(assignment_ids: Iterable[int], leads: Iterable[int]) -> list[str]:
    """The keys of every message the reminder jobs may queue for these seats."""
    keys: list[str] = []
    for seat in assignment_ids:
        keys += [reminder_key(seat, lead) for lead in leads]
        keys += [checkin_open_key(seat), late_key(seat)]
    return keys


def ack_reminder_key(rota_id: int, member_id: int) -> str:
    """The reminder to acknowledge a rota's seats (bot/services/rostering/acknowledge.py): one
    per rota and person, about all their seats of it not yet acknowledged."""
    return f"ack-remind:{rota_id}:{member_id}"


def rota_notice_key(rota_id: int, member_id: int) -> str:
    """The notice of a rota's seats to one person (bot/services/rostering/rotas.py): one per
    rota and person, naming all their seats of it."""
    return f"rota:{rota_id}:{member_id}"


def promoted_key(assignment_id: int) -> str:
    """The word that a place in the queue became a seat (bot/services/schedule/waitlist.py).
    Freed whenever the seat goes (``withdraw_notices``), so a seat moved up to again is told
    again."""
    return f"waitlist-promoted:{assignment_id}"


async def _rota_notice_keys(session: AsyncSession, seats: list[int]) -> list[str]:
    """The rota notices and acknowledgment reminders of these assigned seats' holders that name
    nothing else: a notice names no other seat of the rota still held, a reminder no other still
    waiting for ✅ 收到."""
    keys: list[str] = []
    for start in range(0, len(seats), 500):
        part = seats[start : start + 500]
        rows = await session.execute(
            select(Assignment.rota_id, Assignment.member_id)
            .where(Assignment.id.in_(part), Assignment.rota_id.is_not(None))
            .distinct()
        )
        for rota_id, member_id in rows.all():
            assert rota_id is not None  # as selected
            held = await session.scalars(
                select(Assignment.acknowledged_at).where(
                    Assignment.rota_id == rota_id,
                    Assignment.member_id == member_id,
                    Assignment.status == AssignmentStatus.SIGNED_UP,
                    Assignment.id.not_in(seats),
                )
            )
            others = list(held)
            if not others:
                keys.append(rota_notice_key(rota_id, member_id))
            if all(acknowledged is not None for acknowledged in others):
                keys.append(ack_reminder_key(rota_id, member_id))
    return keys


async def withdraw_notices(
    session: AsyncSession, assignment_ids: Iterable[int], now: dt.datetime, settings: Settings
) -> int:
    """The seats were given up (cancelled, taken off, left on leave, swapped away, their shift
    cancelled): their reminders, check-in notices and nudges not sent yet are dropped, and so
    is the word that the seat came from the queue, and the notice of an assigned seat or the
    reminder to acknowledge it when it names no other. One the quiet hours held back would
    otherwise reach someone at 07:00 about a shift they were told at 22:30 they are no longer
    on. The word of a promotion frees its key even when sent: the seat may be moved up to
    again, and that is told again."""
    seats = sorted(set(assignment_ids))
    suffix = f":withdrawn-{now:%Y%m%d%H%M%S}"
    keys = notice_keys(seats, settings.reminder_leads) + await _rota_notice_keys(session, seats)
    dropped = await outbox.withdraw_keys(session, keys, suffix)
    return dropped + await outbox.retire_keys(session, [promoted_key(s) for s in seats], suffix)
