"""Shifts on posts: creating one-off and recurring shifts (each day its own row), editing and
cancelling them (everyone on them is told). What a member may take and what a post has ahead
are read in shift_lists.py (its names are kept here for the callers)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.db.models import (
    Assignment,
    AssignmentStatus,
    CheckIn,
    CheckoutKind,
    Member,
    Post,
    Role,
    Shift,
    ShiftStatus,
)
from bot.errors import DomainError, ErrorCode
from bot.services.people import names, units
from bot.services.people.access import Actor
from bot.services.people.tags import clean_tag
from bot.services.platform import audit, outbox
from bot.services.schedule import leave_cards, posts, seat_scan
from bot.services.schedule.seats import (
    ATTACHED,
    COMMITTED,
    attached,
    lock,
    lock_members,
    pending_leave,
    seated_count,
)
from bot.services.schedule.shift_changes import changed_key, changed_notice
from bot.services.schedule.shift_lists import Page as Page
from bot.services.schedule.shift_lists import count_upcoming_of_post as count_upcoming_of_post
from bot.services.schedule.shift_lists import open_for as open_for
from bot.services.schedule.shift_lists import upcoming_of_post as upcoming_of_post
from bot.services.schedule.shift_text import shift_label, translator_for
from bot.services.schedule.timespec import end_instant, ends_after, local_instant
from bot.services.schedule.waitlist import promote_waitlist
from bot.settings import Settings


@dataclass(frozen=True)
class AfterMove:
    """What follows a shift moved to another time in a domain above this one (its reminders,
    its swap offers): `run(session, shift_id, now, settings) -> int`, run by `edit` when the
    shift's start moved, and with `on_end` also when only its end did (what was agreed to for
    the old hours no longer holds; reminders, counted from the start, stand). Given by the
    edit's caller from the table of bot/moves.py."""

    run: Callable[[AsyncSession, int, dt.datetime, Settings], Awaitable[int]]
    on_end: bool = False


CAPACITY_MAX = 500
NOTES_MAX = 500
SERIES_DAYS_MAX = 366


def check_capacity(capacity: int) -> int:
    if not 1 <= capacity <= CAPACITY_MAX:
        raise DomainError(ErrorCode.CAPACITY_INVALID, high=CAPACITY_MAX)
    return capacity


def clean_notes(notes: str | None) -> str | None:
    """The notes as kept (None when blank, invisible marks alone too: a spreadsheet's empty
    cell); longer than NOTES_MAX is refused, not cut."""
    cleaned = names.lines(notes or "")
    if not cleaned:
        return None
    if len(cleaned) > NOTES_MAX:
        raise DomainError(ErrorCode.NOTE_TOO_LONG, limit=NOTES_MAX)
    return cleaned


def typed_notes(notes: str) -> str:
    """Notes someone typed to set: a text of invisible marks alone is refused as an empty one,
    never taken for clearing them ("-" clears)."""
    cleaned = clean_notes(notes)
    if cleaned is None:
        raise DomainError(ErrorCode.NOTE_TOO_LONG, limit=NOTES_MAX)
    return cleaned


def check_times(start: dt.time, end: dt.time) -> tuple[dt.time, dt.time]:
    """A shift ends after it starts, on the same day or at the midnight that ends it (24:00)."""
    if not ends_after(start, end):
        raise DomainError(ErrorCode.SHIFT_TIMES_INVALID)
    return start, end


def window(
    day: dt.date, start: dt.time, end: dt.time, zone: dt.tzinfo
) -> tuple[dt.datetime, dt.datetime]:
    check_times(start, end)
    return local_instant(day, start, zone), end_instant(day, end, zone)


def _actor_id(actor: Actor) -> int | None:
    return actor.member.id if actor.member is not None else None


async def schedulable_post(session: AsyncSession, actor: Actor, post_id: int) -> Post:
    """A post the actor manages that may get new shifts (neither it nor its unit archived)."""
    post = await posts.get_managed(session, actor, post_id)
    if post.archived:
        raise DomainError(ErrorCode.POST_ARCHIVED, post=post.name)
    unit = await units.held(session, post.unit_id)  # not archived until this commits
    if unit.archived:
        raise DomainError(ErrorCode.UNIT_ARCHIVED_NO_SHIFTS, unit=unit.name)
    return post


def check_days(days: Sequence[dt.date], today: dt.date | None = None) -> None:
    """A new shift is on at least one day, a series on at most SERIES_DAYS_MAX; with `today`,
    none before it (asked at once, rather than after the times and the capacity)."""
    if not days or len(days) > SERIES_DAYS_MAX:
        raise DomainError(ErrorCode.DATE_INVALID)
    if today is not None and min(days) < today:
        raise DomainError(ErrorCode.SHIFT_IN_PAST, day=min(days).isoformat())


async def check_window(
    session: AsyncSession,
    post_id: int,
    days: Sequence[dt.date],
    start: dt.time,
    end: dt.time,
    now: dt.datetime,
    zone: dt.tzinfo,
) -> None:
    """The first of the days at the given time is still to come and the post has no shift at
    that start on any of them: asked when the time is given, rather than at Create, whose review
    offers no way to change the time. Create checks both again."""
    first = min(days)
    starts_at, _ = window(first, start, end, zone)
    if starts_at <= now:
        raise DomainError(ErrorCode.SHIFT_IN_PAST, day=first.isoformat())
    starts = [window(day, start, end, zone)[0] for day in days]
    taken = await session.scalar(
        select(Shift)
        .where(Shift.post_id == post_id, Shift.starts_at.in_(starts))
        .order_by(Shift.starts_at)
        .limit(1)
    )
    if taken is not None:
        raise await _duplicate(session, taken, zone)


async def _duplicate(session: AsyncSession, taken: Shift, zone: dt.tzinfo) -> DomainError:
    """The refusal of a start the post already has. A post keeps one shift per start, one
    cancelled included (kept for the record, and listed nowhere): said so, rather than that
    the post has a shift its coordinator cannot find."""
    post = await posts.get(session, taken.post_id)
    local = taken.starts_at.astimezone(zone)
    code = (
        ErrorCode.SHIFT_DUPLICATE_CANCELLED
        if taken.status is ShiftStatus.CANCELLED
        else ErrorCode.SHIFT_DUPLICATE
    )
    return DomainError(code, post=post.name, day=local.date().isoformat(), start=f"{local:%H:%M}")


# What ends a shift's edit besides the refusals final everywhere (`DomainError.for_good`: the
# shift began, was cancelled or is gone): the coordinator no longer manages its unit, which no
# other value typed can change.
EDIT_ENDS = frozenset({ErrorCode.FORBIDDEN})


def check_changeable(shift: Shift, now: dt.datetime) -> None:
    """Only a shift still to come, and not cancelled, may be changed or cancelled."""
    if shift.status is ShiftStatus.CANCELLED:
        raise DomainError(ErrorCode.SHIFT_CANCELLED)
    if shift.starts_at <= now:
        raise DomainError(ErrorCode.SHIFT_STARTED_LOCKED)


async def create(
    session: AsyncSession,
    actor: Actor,
    *,
    post_id: int,
    days: Sequence[dt.date],
    start: dt.time,
    end: dt.time,
    capacity: int,
    required_tag: str | None,
    notes: str | None,
    now: dt.datetime,
    settings: Settings,
) -> list[Shift]:
    """One shift per day; several days make a series. All or nothing."""
    post = await schedulable_post(session, actor, post_id)
    check_days(days)
    check_capacity(capacity)
    tag = clean_tag(required_tag)
    series_id = uuid.uuid4().hex[:16] if len(days) > 1 else None
    created: list[Shift] = []
    # Every day is checked before any shift is added: a refusal leaves the session clean, so a
    # caller that answers it and goes on (ending /newshift) writes none of the series.
    await check_window(session, post.id, days, start, end, now, settings.zone)
    try:
        # In a savepoint: a failed insert leaves the turn's transaction usable for its answer.
        async with session.begin_nested():
            for day in sorted(set(days)):
                starts_at, ends_at = window(day, start, end, settings.zone)
                shift = Shift(
                    post_id=post.id,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    capacity=capacity,
                    required_tag=tag,
                    notes=clean_notes(notes),
                    status=ShiftStatus.SCHEDULED,
                    series_id=series_id,
                    created_at=now,
                )
                session.add(shift)
                created.append(shift)
            await session.flush()
    except IntegrityError:
        # A colleague made a shift at one of these starts since the check above and committed
        # first (two at once on PostgreSQL): answered as the check answers, naming it.
        await check_window(session, post.id, days, start, end, now, settings.zone)
        raise
    for shift in created:
        shift.post = post
    audit.record(
        session,
        actor_id=_actor_id(actor),
        action="shift.create",
        object_type="post",
        object_id=post.id,
        after={"shifts": [shift.id for shift in created], "series_id": series_id},
        now=now,
    )
    return created


async def get(session: AsyncSession, shift_id: int) -> Shift:
    shift = await session.get(Shift, shift_id)
    if shift is None:
        raise DomainError(ErrorCode.SHIFT_NOT_FOUND)
    return shift


async def get_managed(session: AsyncSession, actor: Actor, shift_id: int) -> Shift:
    shift = await get(session, shift_id)
    actor.require_unit(shift.post.unit_id, Role.COORDINATOR)
    return shift


async def busy_at(
    session: AsyncSession, shift: Shift, starts_at: dt.datetime, ends_at: dt.datetime
) -> tuple[str, ...]:
    """The names of those with a seat on the shift who hold another seat overlapping
    [starts_at, ends_at): they could not be on two posts at once, so the shift may not move
    there (a time typed on its card, an end corrected by an import's row)."""
    on_it = select(Assignment.member_id).where(
        Assignment.shift_id == shift.id, Assignment.status.in_(COMMITTED)
    )
    other, other_shift = aliased(Assignment), aliased(Shift)
    names = await session.scalars(
        select(Member.display_name)
        .join(other, other.member_id == Member.id)
        .join(other_shift, other.shift_id == other_shift.id)
        .where(
            Member.id.in_(on_it),
            other.shift_id != shift.id,
            other.status.in_(COMMITTED),
            other_shift.status == ShiftStatus.SCHEDULED,
            other_shift.starts_at < ends_at,
            other_shift.ends_at > starts_at,
        )
        .distinct()
        .order_by(Member.display_name)
    )
    return tuple(names)


async def _check_people_free(
    session: AsyncSession, shift: Shift, starts_at: dt.datetime, ends_at: dt.datetime
) -> None:
    """A shift moved to another time must not overlap another seat of someone on it (what
    sign-up and assignment refuse too). The people on it are locked first (after the shift's
    lock, the order sign-up takes): a seat one of them is taking at the new hour meanwhile, on
    another shift whose lock this edit does not hold, is seen once it is taken, not missed.
    Those waiting on it are locked in the same statement, which the waitlist's promotion after
    the edit takes again: one lock in id order, never two that another writer could take
    between."""
    await lock_members(
        session,
        await session.scalars(
            select(Assignment.member_id).where(
                Assignment.shift_id == shift.id, Assignment.status.in_(ATTACHED)
            )
        ),
    )
    busy = await busy_at(session, shift, starts_at, ends_at)
    if busy:
        raise DomainError(ErrorCode.SHIFT_MOVE_CLASH, names=busy, count=len(busy))


async def _check_nobody_on_post(session: AsyncSession, shift: Shift) -> None:
    """A shift's start does not move once someone on it has checked in (check-in opens before
    the start): their check-in was made for the old start and would stand for the new one. Its
    end may (an import typing the same start with another end, say)."""
    names = tuple(
        await session.scalars(
            select(Member.display_name)
            .join(Assignment, Assignment.member_id == Member.id)
            .where(
                Assignment.shift_id == shift.id,
                Assignment.status == AssignmentStatus.CHECKED_IN,
            )
            .order_by(Member.display_name)
        )
    )
    if names:
        raise DomainError(ErrorCode.SHIFT_MOVE_ON_POST, names=names, count=len(names))


@dataclass(frozen=True)
class Edited:
    """A shift after an edit: whether anything changed, and how many on it were told (each
    seated or waiting member: of the change, or, moved up from the waitlist, of their seat)."""

    shift: Shift
    changed: bool
    told: int


async def edit(
    session: AsyncSession,
    actor: Actor,
    shift_id: int,
    now: dt.datetime,
    settings: Settings,
    *,
    capacity: int | None = None,
    notes: str | None = None,
    clear_notes: bool = False,
    times: tuple[dt.time, dt.time] | None = None,
    after_move: Sequence[AfterMove],
    promote: bool = True,
) -> Edited:
    """Change a shift; everyone on it (seated or waiting) is told what changed. A larger
    capacity gives seats to the waitlist (with `promote=False`, the caller gives them, after
    seating the people it names itself: an import's people column). A shift whose start moved
    has `after_move` run on it (bot/moves.py: its seats' reminders re-armed, its swap offers
    called off); one whose end alone moved, the rows of it that ask to (its swap offers called
    off)."""
    await get_managed(session, actor, shift_id)
    shift = await lock(session, shift_id)
    check_changeable(shift, now)
    before = {
        "capacity": shift.capacity,
        "notes": shift.notes,
        "starts_at": shift.starts_at.isoformat(),
        "ends_at": shift.ends_at.isoformat(),
    }
    was_starts_at, was_ends_at = shift.starts_at, shift.ends_at
    if capacity is not None:
        check_capacity(capacity)
        taken = await seated_count(session, shift.id)
        if capacity < taken:
            raise DomainError(ErrorCode.CAPACITY_BELOW_SIGNED, count=taken)
        shift.capacity = capacity
    if clear_notes:
        shift.notes = None
    elif notes is not None:
        shift.notes = typed_notes(notes)
    if times is not None:
        day = shift.starts_at.astimezone(settings.zone).date()
        starts_at, ends_at = window(day, times[0], times[1], settings.zone)
        if starts_at <= now:
            raise DomainError(ErrorCode.SHIFT_IN_PAST, day=day.isoformat())
        clash = await session.scalar(
            select(Shift).where(
                Shift.post_id == shift.post_id, Shift.starts_at == starts_at, Shift.id != shift.id
            )
        )
        if clash is not None:
            raise await _duplicate(session, clash, settings.zone)
        if starts_at != shift.starts_at:
            await _check_nobody_on_post(session, shift)
        await _check_people_free(session, shift, starts_at, ends_at)
        post_id = shift.post_id  # the savepoint's rollback expires the shift
        try:
            # In a savepoint: a failed write leaves the turn's transaction usable for its answer.
            async with session.begin_nested():
                shift.starts_at, shift.ends_at = starts_at, ends_at
                await session.flush()
        except IntegrityError:
            # A colleague put a shift of the post at that start since the check above and
            # committed first (two at once on PostgreSQL): answered as the check answers.
            clash = await session.scalar(
                select(Shift).where(Shift.post_id == post_id, Shift.starts_at == starts_at)
            )
            if clash is None:
                raise
            raise await _duplicate(session, clash, settings.zone) from None
    after = {
        "capacity": shift.capacity,
        "notes": shift.notes,
        "starts_at": shift.starts_at.isoformat(),
        "ends_at": shift.ends_at.isoformat(),
    }
    if after == before:
        return Edited(shift, changed=False, told=0)
    entry = audit.record(
        session,
        actor_id=_actor_id(actor),
        action="shift.edit",
        object_type="shift",
        object_id=shift.id,
        before=before,
        after=after,
        now=now,
    )
    await session.flush()
    promoted = await promote_waitlist(session, shift, now, settings) if promote else []
    promoted_ids = {assignment.id for assignment in promoted}
    on_it = await attached(session, shift.id)
    for assignment in on_it:
        if assignment.id in promoted_ids:
            continue
        member = assignment.member
        body = changed_notice(translator_for(member, settings), shift, entry.id, before)
        assert body is not None  # `after` differs from `before`
        await outbox.enqueue(
            session,
            key=changed_key(shift.id, entry.id, member.id),
            chat_id=member.telegram_id,
            body=body,
            now=now,
            urgent=shift.starts_at - now < dt.timedelta(hours=12),
        )
    start_moved, end_moved = shift.starts_at != was_starts_at, shift.ends_at != was_ends_at
    for follow in after_move:
        if start_moved or (end_moved and follow.on_end):
            await follow.run(session, shift.id, now, settings)
    return Edited(shift, changed=True, told=len(on_it))


def cancelled_key(shift_id: int, member_id: int) -> str:
    """The key of the word to a member on a shift that it was cancelled: a notice held back
    about the shift asks whether its reader was told so."""
    return f"shift-cancelled:{shift_id}:{member_id}"


async def cancel(
    session: AsyncSession,
    actor: Actor,
    shift_id: int,
    now: dt.datetime,
    settings: Settings,
    reason: str | None = None,
) -> tuple[Shift, int]:
    """Cancel a shift; everyone on it is told. Returns the shift and how many were told."""
    await get_managed(session, actor, shift_id)
    shift = await lock(session, shift_id)
    check_changeable(shift, now)
    shift.status = ShiftStatus.CANCELLED
    told = 0
    on_it = await attached(session, shift.id)
    await seat_scan.withdraw_notices(session, [a.id for a in on_it], now, settings)
    # Leave asked from its seats ends with it, and the deciders' cards say so, in this
    # transaction: no card offers 批准 on a cancelled shift (the tick is the safety net).
    asked = [leave for a in on_it if (leave := await pending_leave(session, a.id)) is not None]
    await leave_cards.withdraw_leave(session, asked, leave_cards.Ending.CANCELLED, now, settings)
    for assignment in on_it:
        if assignment.status is AssignmentStatus.CHECKED_IN:
            await _check_out_unserved(session, assignment.id, now)
        assignment.status = AssignmentStatus.CANCELLED
        assignment.updated_at = now
        member = assignment.member
        t = translator_for(member, settings)
        text = t("shifts.notice.cancelled", shift=shift_label(t, shift))
        await outbox.enqueue(
            session,
            key=cancelled_key(shift.id, member.id),
            chat_id=member.telegram_id,
            body=outbox.payload(text),
            now=now,
            urgent=True,
        )
        told += 1
    audit.record(
        session,
        actor_id=_actor_id(actor),
        action="shift.cancel",
        object_type="shift",
        object_id=shift.id,
        before={"status": ShiftStatus.SCHEDULED.value},
        after={"status": ShiftStatus.CANCELLED.value, "told": told},
        reason=reason,
        now=now,
    )
    return shift, told


async def _check_out_unserved(session: AsyncSession, assignment_id: int, now: dt.datetime) -> None:
    """Check out whoever checked in early to a seat of a shift being cancelled. A shift is
    cancelled only before its start, so none of it was served: the check-in closes now with no
    minutes credited, and no automatic check-out credits the shift later (duty/jobs.py)."""
    await session.execute(
        update(CheckIn)
        .where(CheckIn.assignment_id == assignment_id, CheckIn.checked_out_at.is_(None))
        .values(
            checked_out_at=now,
            checkout_kind=CheckoutKind.NORMAL,
            outside_since=None,
            credited_minutes=0,
        )
        .execution_options(synchronize_session=False)
    )


async def assignment_managed(session: AsyncSession, actor: Actor, assignment_id: int) -> Assignment:
    assignment = await session.get(Assignment, assignment_id)
    if assignment is None or assignment.status not in ATTACHED:
        raise DomainError(ErrorCode.ASSIGNMENT_NOT_FOUND)
    actor.require_unit(assignment.shift.post.unit_id, Role.COORDINATOR)
    return assignment
