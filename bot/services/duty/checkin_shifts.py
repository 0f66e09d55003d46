"""Which of a member's shifts a check-in is for: those open for check-in now (from
``CHECKIN_OPEN_BEFORE_MIN`` before the start until the end), the check-in still open, and why
none is when none is (not open yet, over, nothing ahead). Only shifts around now are read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Assignment,
    AssignmentStatus,
    CheckIn,
    Dialogue,
    Member,
    Shift,
    ShiftStatus,
)
from bot.errors import DomainError, ErrorCode
from bot.services.duty import at_hand
from bot.services.duty.at_hand import MAY_CHECK_IN, AssignmentAtHand
from bot.services.duty.checkin_text import Moment
from bot.services.duty.checkout import asked_at, asked_to_leave_at, open_checkin
from bot.services.duty.sent import judged_at
from bot.settings import Settings


def window_opens(starts_at: dt.datetime, settings: Settings) -> dt.datetime:
    """When the check-in to a shift starting at `starts_at` opens."""
    return starts_at - dt.timedelta(minutes=settings.checkin_open_before_min)


def _local_day(instant: dt.datetime, settings: Settings) -> dt.date:
    return instant.astimezone(settings.zone).date()


async def _assignments(
    session: AsyncSession, member_id: int, statuses: Sequence[AssignmentStatus]
) -> list[Assignment]:
    rows = await session.scalars(
        select(Assignment)
        .join(Shift, Assignment.shift_id == Shift.id)
        .where(
            Assignment.member_id == member_id,
            Assignment.status.in_(statuses),
            Shift.status == ShiftStatus.SCHEDULED,
        )
        .order_by(Shift.starts_at)
    )
    return list(rows)


def _open_now(assignment: AssignmentAtHand, now: dt.datetime, settings: Settings) -> bool:
    shift = assignment.shift
    return (
        assignment.status in MAY_CHECK_IN
        and shift.status == ShiftStatus.SCHEDULED
        and window_opens(shift.starts_at, settings) <= now < shift.ends_at
    )


@dataclass(frozen=True)
class _AtHand:
    open_now: list[AssignmentAtHand]
    # The check-in this person has not checked out of yet (the latest, should there be two).
    current: CheckIn | None
    # Whether the photo asked about was used in a check-in before (known when any assignment
    # is at hand, which is whenever a check-in may go ahead).
    photo_used: bool


async def _at_hand(
    session: AsyncSession,
    member_id: int,
    now: dt.datetime,
    settings: Settings,
    photo_unique_id: str | None = None,
) -> _AtHand:
    """In one statement: the assignments whose check-in window is open now (each with its
    shift and post) and whether a photo was used before; then, only when there is one, the
    open check-in (as checkout.open_checkin finds it). Only shifts around now are read,
    however long the person's schedule is."""
    found = await at_hand.read(
        session,
        member_id,
        now,
        now + dt.timedelta(minutes=settings.checkin_open_before_min),
        photo_unique_id,
    )
    current = await open_checkin(session, member_id) if found.has_open_checkin else None
    open_now = [a for a in found.assignments if _open_now(a, now, settings)]
    return _AtHand(open_now, current, found.photo_used)


async def choices(
    session: AsyncSession, member: Member, now: dt.datetime, settings: Settings
) -> list[AssignmentAtHand]:
    """The shifts this person may check in to now, or the refusal that says why there is none."""
    return (await shifts_at_hand(session, member, now, settings)).open_now


# A dialogue that asked for a location this long ago has likely been left: a location sent
# when a check-in is due is then the check-in (the on-post button of the check-in notice).
LOCATION_ASKED_FRESH = dt.timedelta(minutes=15)


async def checks_in_instead(
    session: AsyncSession,
    member: Member | None,
    dialogue: Dialogue,
    asked_location: bool,
    now: dt.datetime,
    settings: Settings,
    *,
    sent_at: dt.datetime | None,
) -> bool:
    """Whether a location sent while another dialogue is open is the person's check-in: one is
    due (a shift is open for it and they are not on post already), and the open dialogue did
    not just ask for a location (`asked_location`: its current step asks for one). A volunteer
    on post who once opened /unavailable, or left a street report at its photo, is still
    checked in. All of it as of when the location was sent (`sent_at`, judged as the check-in
    itself is: `sent.judged_at`), however late the bot reads it."""
    if member is None:
        return False
    at = judged_at(sent_at, now)
    if asked_location and at - dialogue.updated_at < LOCATION_ASKED_FRESH:
        return False
    at_hand = await _at_hand(session, member.id, at, settings)
    current = at_hand.current
    # One whose early /checkout waits for its reason has left (`checkout.leave_as_asked`).
    on_post = (
        current is not None
        and at < current.assignment.shift.ends_at
        and asked_at(dialogue, current) is None
    )
    return bool(at_hand.open_now) and not on_post


async def shifts_at_hand(
    session: AsyncSession,
    member: Member,
    now: dt.datetime,
    settings: Settings,
    photo_unique_id: str | None = None,
) -> _AtHand:
    at_hand = await _at_hand(session, member.id, now, settings, photo_unique_id)
    current = at_hand.current
    if current is not None:
        shift = current.assignment.shift
        if now < shift.ends_at:
            # On post until the next shift (elsewhere, maybe), whose check-in is open: the
            # handover. Anything else while on post is checking in twice.
            next_up = [a for a in at_hand.open_now if a.shift.starts_at >= shift.ends_at]
            if not next_up:
                if await asked_to_leave_at(session, member.telegram_id, current) is not None:
                    # Not on post as they see it: their /checkout waits for its reason.
                    raise DomainError(ErrorCode.CHECKOUT_REASON_PENDING, post=shift.post.name)
                raise DomainError(
                    ErrorCode.CHECKIN_ALREADY,
                    post=shift.post.name,
                    since=Moment(current.checked_in_at, now),
                )
            at_hand = _AtHand(next_up, current, at_hand.photo_used)
        # Straight on to the next shift: the current one is closed when the new check-in is
        # written (checkin_write), not before, so a refusal on the way changes nothing.
    if at_hand.open_now:
        return at_hand
    if current is not None:
        # Nothing to check in to, and the last shift not checked out of: that is what to do.
        shift = current.assignment.shift
        raise DomainError(
            ErrorCode.CHECKIN_NOT_CHECKED_OUT, post=shift.post.name, end=Moment(shift.ends_at, now)
        )
    # None open: the whole schedule says why (the rare way, so it may read more).
    candidates = await _assignments(session, member.id, MAY_CHECK_IN)
    today = _local_day(now, settings)
    upcoming = [
        a
        for a in candidates
        if a.shift.starts_at > now and window_opens(a.shift.starts_at, settings) > now
    ]
    following = upcoming[0] if upcoming else None
    if (
        following is not None
        and _local_day(window_opens(following.shift.starts_at, settings), settings) == today
    ):
        raise not_open(following.shift, now, settings)
    closed = await _closed_running(session, member.id, now, settings)
    if closed is not None:
        # A shift still running whose seat is closed already (left early, or recorded present
        # by a coordinator): nothing to check in to, and "no shift" would read as an error.
        # After the next shift's opening today, which is what is left to check in to (a live
        # location shared now is waited on for it).
        shift, record = closed
        times = {"start": Moment(shift.starts_at, now), "end": Moment(shift.ends_at, now)}
        if record.manual:
            raise DomainError(ErrorCode.CHECKIN_MARKED_PRESENT, post=shift.post.name, **times)
        assert record.checked_out_at is not None
        raise DomainError(
            ErrorCode.CHECKIN_CHECKED_OUT,
            post=shift.post.name,
            time=Moment(record.checked_out_at, now),
            **times,
        )
    ended_today = [
        a
        for a in candidates
        if a.shift.ends_at <= now and _local_day(a.shift.ends_at, settings) == today
    ]
    if ended_today:
        raise _over(ended_today[-1].shift, now)
    if following is not None:
        raise DomainError(
            ErrorCode.CHECKIN_NO_SHIFT,
            post=following.shift.post.name,
            start=following.shift.starts_at,
        )
    raise DomainError(ErrorCode.CHECKIN_NO_SHIFTS_AHEAD)


async def _closed_running(
    session: AsyncSession, member_id: int, now: dt.datetime, settings: Settings
) -> tuple[Shift, CheckIn] | None:
    """The shift open for check-in now whose seat this person has closed already, and its
    check-in: checked out of (early), or marked present by a coordinator (an attendance
    correction: a manual check-in, closed as it is made)."""
    row = (
        await session.execute(
            select(Shift, CheckIn)
            .join(Assignment, Assignment.shift_id == Shift.id)
            .join(CheckIn, CheckIn.assignment_id == Assignment.id)
            .where(
                Assignment.member_id == member_id,
                Assignment.status == AssignmentStatus.CHECKED_OUT,
                CheckIn.checked_out_at.is_not(None),
                Shift.status == ShiftStatus.SCHEDULED,
                Shift.starts_at <= now + dt.timedelta(minutes=settings.checkin_open_before_min),
                Shift.ends_at > now,
            )
            .order_by(Shift.starts_at)
            .limit(1)
        )
    ).first()
    return (row[0], row[1]) if row is not None else None


async def check_in_over(session: AsyncSession, dialogue: Dialogue, at: dt.datetime) -> bool:
    """Whether the check-in `dialogue` has nothing left to check in to at `at`, when no shift
    is open then: its seat's shift has ended (or the seat has gone), or the live location it
    waits on was for a shift that has ended; a pick among shifts, none of them open any more,
    has nothing left to pick."""
    data = dialogue.data
    assignment_id = data.get("assignment_id")
    if assignment_id is not None:
        assignment = await session.get(Assignment, int(assignment_id))
        return (
            assignment is None
            or assignment.status in GONE
            or assignment.shift.status is ShiftStatus.CANCELLED
            or assignment.shift.ends_at <= at
        )
    shift_end = data.get("shift_end")
    if shift_end is not None:
        return dt.datetime.fromisoformat(str(shift_end)) <= at
    return True


async def chosen(
    session: AsyncSession, member: Member, assignment_id: int, now: dt.datetime, settings: Settings
) -> tuple[AssignmentAtHand, CheckIn | None]:
    """The assignment the dialogue is about, re-checked: time moves on between the steps; and
    the check-in of a shift that ended and was not checked out of, closed by the new one."""
    chosen = await chosen_with_photo(session, member, assignment_id, now, settings, None)
    return chosen.assignment, chosen.ended


# A seat no longer the volunteer's: a check-in begun on it has nothing left to check in to.
GONE = (AssignmentStatus.CANCELLED, AssignmentStatus.REMOVED)
# What ends a check-in besides the refusals final everywhere (`DomainError.for_good`: its
# shift over, its seat gone), as no other location or photo can undo them: on post already
# (checked in meanwhile, by another turn), or the seat marked present by a coordinator or left
# early, which leaves it nothing to check in to (CHECKIN_MARKED_PRESENT, CHECKIN_CHECKED_OUT,
# CHECKIN_NO_SHIFTS_AHEAD).
CHECK_IN_ENDS = frozenset(
    {
        ErrorCode.CHECKIN_ALREADY,
        ErrorCode.CHECKIN_NO_SHIFTS_AHEAD,
        ErrorCode.CHECKIN_MARKED_PRESENT,
        ErrorCode.CHECKIN_CHECKED_OUT,
    }
)


def ends_check_in(error: DomainError) -> bool:
    """Whether a check-in refused with `error` ends there."""
    return error.for_good or error.code in CHECK_IN_ENDS


# Refusals of `shifts_at_hand` that speak of the day's schedule rather than of the person's
# own state (on post, not checked out): of a check-in for a chosen shift that is over, that
# shift's end is what to say.
_SCHEDULE_SAYS = frozenset(
    {
        ErrorCode.CHECKIN_SHIFT_OVER,
        ErrorCode.CHECKIN_NOT_OPEN,
        ErrorCode.CHECKIN_NO_SHIFT,
        ErrorCode.CHECKIN_NO_SHIFTS_AHEAD,
    }
)


@dataclass(frozen=True)
class Chosen:
    assignment: AssignmentAtHand
    photo_used: bool
    ended: CheckIn | None


async def chosen_with_photo(
    session: AsyncSession,
    member: Member,
    assignment_id: int,
    now: dt.datetime,
    settings: Settings,
    photo_unique_id: str | None,
) -> Chosen:
    """`chosen`, and whether the photo was used in a check-in before."""
    try:
        at_hand = await shifts_at_hand(session, member, now, settings, photo_unique_id)
    except DomainError as error:
        assignment = await _refuse_gone(session, member, assignment_id)
        if error.code in _SCHEDULE_SAYS and now >= assignment.shift.ends_at:
            # The day's schedule speaks of another shift (its last one over, or the next one,
            # not open yet); the one chosen is what ended here, and the check-in with it.
            raise _over(assignment.shift, now) from None
        raise
    for option in at_hand.open_now:
        if option.id == assignment_id:
            return Chosen(option, at_hand.photo_used, at_hand.current)
    assignment = await _refuse_gone(session, member, assignment_id)
    shift = assignment.shift
    if now >= shift.ends_at:
        raise _over(shift, now)
    raise not_open(shift, now, settings)


def not_open(shift: Shift, now: dt.datetime, settings: Settings) -> DomainError:
    """The shift's check-in opens later: when it starts and when it opens (`Moment`s, so the
    time alone on the reader's own day, as the other check-in refusals say it)."""
    return DomainError(
        ErrorCode.CHECKIN_NOT_OPEN,
        post=shift.post.name,
        start=Moment(shift.starts_at, now),
        opens=Moment(window_opens(shift.starts_at, settings), now),
        end=Moment(shift.ends_at, now),
    )


def _over(shift: Shift, now: dt.datetime) -> DomainError:
    return DomainError(
        ErrorCode.CHECKIN_SHIFT_OVER, post=shift.post.name, end=Moment(shift.ends_at, now)
    )


async def _refuse_gone(session: AsyncSession, member: Member, assignment_id: int) -> Assignment:
    """The member's assignment the dialogue chose, unless it is no longer theirs to check in
    to: taken off, cancelled or handed over since (saying that the check-in is not open yet,
    or that they have no shift at all, would mislead)."""
    assignment = await session.get(Assignment, assignment_id)
    if assignment is None or assignment.member_id != member.id:
        raise DomainError(ErrorCode.CHECKIN_NO_SHIFTS_AHEAD)
    shift = assignment.shift
    if shift.status is ShiftStatus.CANCELLED or assignment.status in GONE:
        raise DomainError(ErrorCode.CHECKIN_SEAT_GONE, post=shift.post.name)
    return assignment
