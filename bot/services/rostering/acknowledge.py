"""Knowing that every assigned person saw it: ✅ 收到 on the notice, a reminder to whoever has
not pressed it ASSIGN_ACK_REMIND_HOURS after the rota, and the evening before a day (at
SUMMARY_TIME) a list for the unit's coordinators of who still has not.

Both scheduled notices are derived from the seats at `now` and keyed by the occasion (the rota
and the person; the unit, the day and the coordinator), so a tick that runs twice or a second
process sends nothing twice, and a bot that was down sends them when it is back (the evening
list only until midnight).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import String, and_, cast, exists, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Assignment,
    AssignmentStatus,
    Member,
    OutboxMessage,
    OutboxStatus,
    Rota,
    Shift,
    ShiftStatus,
)
from bot.errors import DomainError, ErrorCode
from bot.services.duty.reminders import is_urgent
from bot.services.people.access import Actor
from bot.services.people.reachability import coordinators_of
from bot.services.platform import outbox
from bot.services.platform.notify import notify, translators
from bot.services.platform.outbox import Message, Queued
from bot.services.platform.redraw import Subject
from bot.services.rostering import notices
from bot.services.schedule import seat_scan, timespec
from bot.services.schedule.seats import leave_pending, with_pending_leave
from bot.settings import Settings


async def held_of_rota(
    session: AsyncSession, rota_id: int, member_id: int, *, lock: bool = False
) -> list[Assignment]:
    """The member's seats from this rota that they still hold, soonest first; with `lock`,
    their rows locked for this transaction and read as they are once locked (a shift moved at
    the same moment resets an acknowledgment on them: one waits for the other)."""
    if lock:
        # Locked first, then read by a statement of its own: on PostgreSQL a statement that
        # waited for a move's lock still sees the shifts' hours of when it began, the old ones.
        await session.execute(
            select(Assignment.id)
            .where(Assignment.rota_id == rota_id, Assignment.member_id == member_id)
            .order_by(Assignment.id)
            .with_for_update()
        )
    query = (
        select(Assignment)
        .join(Shift, Assignment.shift_id == Shift.id)
        .where(
            Assignment.rota_id == rota_id,
            Assignment.member_id == member_id,
            Assignment.status.in_((AssignmentStatus.SIGNED_UP, AssignmentStatus.CHECKED_IN)),
            Shift.status == ShiftStatus.SCHEDULED,
        )
        .order_by(Shift.starts_at, Assignment.id)
    )
    if lock:
        query = query.execution_options(populate_existing=True)
    return list((await session.scalars(query)).unique())


async def redraw_notices(
    session: AsyncSession, subjects: Sequence[Subject], now: dt.datetime, settings: Settings
) -> list[Message | None]:
    """The notices of rotas' seats about to go out (`notices.assigned`), drawn again: each names
    the seats of its rota the person still holds, none when they hold none any more."""
    return await _redraw(session, subjects, now, settings, reminder=False)


async def redraw_reminders(
    session: AsyncSession, subjects: Sequence[Subject], now: dt.datetime, settings: Settings
) -> list[Message | None]:
    """The reminders to acknowledge about to go out (`notices.ack_reminder`), drawn again: each
    names the seats still held and not yet acknowledged, none when there are none."""
    return await _redraw(session, subjects, now, settings, reminder=True)


async def _redraw(
    session: AsyncSession,
    subjects: Sequence[Subject],
    now: dt.datetime,
    settings: Settings,
    *,
    reminder: bool,
) -> list[Message | None]:
    """Rota notices are few (one per person and rota, then one reminder): drawn one by one."""
    translator = translators(settings)
    drawn: list[Message | None] = []
    for subject in subjects:
        rota_id, member_id = subject.args
        held = await held_of_rota(session, rota_id, member_id)
        # A seat whose leave was asked since the message was queued has been answered: the
        # reminder does not ask about it (as `reminders` leaves it out), the notice marks it.
        asked = await with_pending_leave(session, [seat.id for seat in held])
        seats = [
            seat
            for seat in held
            if seat.shift.starts_at > now
            and not (
                reminder
                and (
                    seat.acknowledged_at is not None
                    or seat.status is not AssignmentStatus.SIGNED_UP
                    or seat.id in asked
                )
            )
        ]
        rota = await session.get(Rota, rota_id)
        if not seats or rota is None:
            drawn.append(None)
            continue
        by = rota.created_by.display_name if rota.created_by is not None else None
        render = (
            notices.ack_reminder(rota_id, seats, by)
            if reminder
            else notices.assigned(rota_id, seats, by, asked)
        )
        drawn.append(render(translator(seats[0].member.language)))
    return drawn


async def acknowledge(
    session: AsyncSession, actor: Actor, rota_id: int, now: dt.datetime
) -> tuple[list[Assignment], bool]:
    """Mark the member's seats of the rota that have not started as seen; those seats and
    whether this press was the first (a second press changes nothing). A seat whose shift has
    begun is past acknowledging, and past leave: it is neither marked nor listed."""
    member = actor.require_member()
    if await session.get(Rota, rota_id) is None:
        raise DomainError(ErrorCode.ROTA_NOT_FOUND)
    # Locked: a shift of them moved meanwhile (``unacknowledge_moved``) either waits for this
    # press and asks again, or goes first and this press reads, and acknowledges, its new hours.
    held = await held_of_rota(session, rota_id, member.id, lock=True)
    if not held:
        raise DomainError(ErrorCode.ACK_NOTHING_HELD)
    seats = [seat for seat in held if seat.shift.starts_at > now]
    if not seats:
        raise DomainError(ErrorCode.ACK_ALL_STARTED)
    first = False
    for seat in seats:
        if seat.acknowledged_at is None:
            seat.acknowledged_at = now
            first = True
    return seats, first


async def leave_asked(session: AsyncSession, seats: Sequence[Assignment]) -> set[int]:
    """Of the seats an acknowledgment lists, those whose leave is asked and not yet decided
    (marked so, and not offered 🙋 请假 again: notices.leave_buttons)."""
    return await with_pending_leave(session, [seat.id for seat in seats])


async def unacknowledge_moved(
    session: AsyncSession, shift_id: int, now: dt.datetime, settings: Settings
) -> int:
    """A shift moved to other hours (bot/moves.py): a ✅ 收到 pressed for its old hours does not
    acknowledge the new ones. Each assigned seat on it acknowledged before is to be acknowledged
    again: the roster and /my say so, the evening list names it, and its person is reminded once
    more (the reminder of the rota freed for a new one, as for a person not yet reminded). How
    many seats."""
    # Locked before their acknowledgment is read: a ✅ 收到 being pressed at this moment (which
    # locks them too) is waited for, and reset with the others.
    held = (
        await session.scalars(
            select(Assignment)
            .where(
                Assignment.shift_id == shift_id,
                Assignment.status == AssignmentStatus.SIGNED_UP,
                Assignment.rota_id.is_not(None),
            )
            .order_by(Assignment.id)
            .with_for_update(of=Assignment)
            .execution_options(populate_existing=True)
        )
    ).unique()
    seats = [seat for seat in held if seat.acknowledged_at is not None]
    keys = []
    for seat in seats:
        assert seat.rota_id is not None
        seat.acknowledged_at = None
        keys.append(seat_scan.ack_reminder_key(seat.rota_id, seat.member_id))
    await outbox.retire_keys(session, keys, f":moved-{shift_id}-{now:%Y%m%d%H%M%S}")
    return len(seats)


async def reminders(session: AsyncSession, now: dt.datetime, settings: Settings) -> int:
    """Remind each person who has not acknowledged a rota's seats ASSIGN_ACK_REMIND_HOURS after
    they were told of it (the rota's notice sent), once, while the first of those seats has not
    started."""
    if settings.assign_ack_remind_hours <= 0:
        return 0
    due = now - dt.timedelta(hours=settings.assign_ack_remind_hours)
    key = (
        literal("ack-remind:")
        + cast(Assignment.rota_id, String)
        + literal(":")
        + cast(Assignment.member_id, String)
    )
    notice = (
        literal("rota:")
        + cast(Assignment.rota_id, String)
        + literal(":")
        + cast(Assignment.member_id, String)
    )
    # Counted from when the person was told: a rota's notice held by the quiet hours (or still
    # being retried) is not followed at once by the reminder; it comes the hours after.
    notice_recent = exists().where(
        OutboxMessage.idempotency_key == notice,
        or_(
            OutboxMessage.status == OutboxStatus.PENDING,
            and_(OutboxMessage.status == OutboxStatus.SENT, OutboxMessage.sent_at > due),
        ),
    )
    # The condition of the partial index of unacknowledged seats (models.UNACKNOWLEDGED_SEAT,
    # kept the same by hand), with 'signed_up' inline: a prepared statement's generic plan
    # cannot match a parameter to the index's condition (as in duty/jobs.mark_absent).
    unacknowledged = and_(
        Assignment.status
        == literal(AssignmentStatus.SIGNED_UP, Assignment.status.type, literal_execute=True),
        Assignment.acknowledged_at.is_(None),
        Assignment.rota_id.is_not(None),
    )
    # The unacknowledged seats ahead of rotas old enough (few, whatever the history: only the
    # shifts not yet begun, by their own hours, not by the rota's days, which a shift moved to
    # a later day has left), leaving out in SQL the people already reminded, so a steady tick
    # loads nothing; volunteered seats (no rota) are never looked at.
    due_seats = (
        select(Assignment)
        .join(Shift, Assignment.shift_id == Shift.id)
        .join(Member, Assignment.member_id == Member.id)
        .where(
            Assignment.rota_id.in_(select(Rota.id).where(Rota.created_at <= due)),
            unacknowledged,
            Shift.status == ShiftStatus.SCHEDULED,
            Shift.starts_at > now,
            Member.blocked_bot.is_(False),
            ~exists().where(OutboxMessage.idempotency_key == key),
            ~notice_recent,
            # Leave asked from the seat: the person answered the notice with 🙋 请假, so they
            # are neither reminded nor listed as silent; the coordinator has it to decide.
            ~leave_pending(Assignment.id),
        )
    )
    # Asked first without loading anything: in a steady tick every unacknowledged seat has
    # been reminded, and the seats' joined shifts, posts and members, fetched before the
    # outbox leaves them out, were half the job's time (2,500 seats after a year of rotas).
    if not await session.scalar(select(due_seats.exists())):
        return 0
    seats = list(
        (await session.scalars(due_seats.order_by(Shift.starts_at, Assignment.id))).unique()
    )
    grouped: dict[tuple[int, int], list[Assignment]] = defaultdict(list)
    for seat in seats:
        assert seat.rota_id is not None
        grouped[(seat.rota_id, seat.member_id)].append(seat)
    if not grouped:
        return 0
    # Queued in bulk, as the rota's notices were (rotas.tell): after a rotation of a whole city
    # the first reminders are thousands at once. A key queued meanwhile is skipped on insert.
    translator = translators(settings)
    # Kept here: the session holds loaded rows only while something refers to them.
    rota_ids = {rota_id for rota_id, _ in grouped}
    rotas = {
        rota.id: rota for rota in await session.scalars(select(Rota).where(Rota.id.in_(rota_ids)))
    }
    queued: dict[bool, list[Queued]] = {True: [], False: []}
    for (rota_id, _), mine in grouped.items():
        rota = rotas[rota_id]
        by = rota.created_by.display_name if rota.created_by is not None else None
        member = mine[0].member
        render = notices.ack_reminder(rota.id, mine, by)
        queued[is_urgent(mine[0].shift, now, settings)].append(
            Queued(
                seat_scan.ack_reminder_key(rota_id, member.id),
                member.telegram_id,
                render(translator(member.language)),
            )
        )
    told = 0
    for urgent, messages in queued.items():
        told += await outbox.enqueue_many(session, messages, now=now, urgent=urgent)
    return told


async def unacknowledged(
    session: AsyncSession, unit_id: int, day: dt.date, zone: dt.tzinfo
) -> list[tuple[Shift, list[Member]]]:
    """The unit's shifts starting on `day` with assigned people who have not acknowledged."""
    first, after = timespec.local_day_bounds(day, zone)
    seats = (
        await session.scalars(
            select(Assignment)
            .join(Shift, Assignment.shift_id == Shift.id)
            .join(Rota, Assignment.rota_id == Rota.id)
            .where(
                Rota.unit_id == unit_id,
                Assignment.acknowledged_at.is_(None),
                Assignment.status == AssignmentStatus.SIGNED_UP,
                Shift.status == ShiftStatus.SCHEDULED,
                Shift.starts_at >= first,
                Shift.starts_at < after,
                ~leave_pending(Assignment.id),
            )
            .order_by(Shift.starts_at, Shift.id, Assignment.id)
        )
    ).unique()
    by_shift: dict[int, tuple[Shift, list[Member]]] = {}
    for seat in seats:
        by_shift.setdefault(seat.shift_id, (seat.shift, []))[1].append(seat.member)
    return list(by_shift.values())


async def evening_lists(session: AsyncSession, now: dt.datetime, settings: Settings) -> int:
    """From SUMMARY_TIME until midnight: each unit's coordinators get tomorrow's shifts with
    the assigned people who have not acknowledged (nothing when everyone has)."""
    zone = settings.zone
    today = now.astimezone(zone).date()
    if now < timespec.local_instant(today, settings.summary_time, zone):
        return 0
    tomorrow = today + dt.timedelta(days=1)
    first, after = timespec.local_day_bounds(tomorrow, zone)
    units = (
        await session.scalars(
            select(Rota.unit_id)
            .join(Assignment, Assignment.rota_id == Rota.id)
            .join(Shift, Assignment.shift_id == Shift.id)
            .where(
                Assignment.acknowledged_at.is_(None),
                Assignment.status == AssignmentStatus.SIGNED_UP,
                Shift.status == ShiftStatus.SCHEDULED,
                Shift.starts_at >= first,
                Shift.starts_at < after,
                ~leave_pending(Assignment.id),
            )
            .distinct()
        )
    ).all()
    queued = 0
    for unit_id in sorted(units):
        coordinators = await coordinators_of(session, unit_id)
        keys = {c.id: f"ack-missing:{unit_id}:{tomorrow.isoformat()}:{c.id}" for c in coordinators}
        sent = await outbox.queued_keys(session, list(keys.values()))
        waiting = [c for c in coordinators if keys[c.id] not in sent]
        if not waiting:
            continue
        missing = await unacknowledged(session, unit_id, tomorrow, zone)
        for coordinator in waiting:
            queued += await notify(
                session,
                coordinator,
                # Only until midnight: held by the quiet hours, it would arrive as the day
                # it calls tomorrow begins.
                notices.unacknowledged(tomorrow, missing, first),
                key=keys[coordinator.id],
                now=now,
                settings=settings,
                not_before=None,
            )
    return queued
