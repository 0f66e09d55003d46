"""The check-in row written: the seat checked in under its shift's lock (or refused if it went
meanwhile), a shift handed over from closed at the new check-in, and the row with its first
position sample when the location is live."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import bindparam, or_
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import direct
from bot.db.models import Assignment, AssignmentStatus, CheckIn, CheckoutKind, LocationSample
from bot.db.types import UtcDateTime
from bot.errors import DomainError, ErrorCode
from bot.services.duty.at_hand import MAY_CHECK_IN, AssignmentAtHand
from bot.services.duty.checkout import close
from bot.services.duty.geofence import Fix, Position
from bot.services.duty.photo_rules import Photo
from bot.services.schedule.seats import held_while_scheduled
from bot.settings import Settings

# What a seat must still be when it is checked in (see write_checkin); bound by name, so the
# statement is built and compiled once.
_SEAT_MAY_CHECK_IN = (
    or_(*(Assignment.status == status for status in MAY_CHECK_IN)),
    # The start it was read at: a move since (shifts.edit, refused once someone checked in)
    # leaves this check-in made for a start the shift no longer has.
    held_while_scheduled(bindparam("seat_shift"), bindparam("seat_starts", type_=UtcDateTime)),
)


async def write_checkin(
    session: AsyncSession,
    assignment: AssignmentAtHand,
    position: Position,
    fix: Fix,
    photo: Photo | None,
    photo_flagged: bool,
    ended: CheckIn | None,
    now: dt.datetime,
    at: dt.datetime,
    settings: Settings,
) -> CheckIn:
    """The check-in, made `now` as of `at` (when its last message was sent)."""
    shift = assignment.shift
    # What was read about the seat may be stale by now: another chat may have cancelled the
    # shift, moved its start, taken the volunteer off it or given the seat away since. Under
    # the shift's share lock (those writers lock it, so they come wholly before or after this
    # check-in), the seat is checked in only if it may still be, and nothing is written
    # otherwise.
    seat_held = await direct.update_where(
        session,
        Assignment,
        (assignment.id,),
        _SEAT_MAY_CHECK_IN,
        {"seat_shift": shift.id, "seat_starts": shift.starts_at},
        status=AssignmentStatus.CHECKED_IN,
        updated_at=now,
    )
    if not seat_held:
        raise DomainError(ErrorCode.CHECKIN_SEAT_GONE, post=shift.post.name)
    if ended is not None:
        # Straight on from a shift not checked out of: it counts up to its end (unless the
        # automatic check-out closed it meanwhile, which is as good).
        # Up to the new check-in when handed over before its end, not an early leave.
        until = min(at, ended.assignment.shift.ends_at)
        await close(session, ended, until, CheckoutKind.NORMAL, now)
    minutes_late = max(0, int((at - shift.starts_at).total_seconds() // 60))
    checkin = CheckIn(
        assignment_id=assignment.id,
        checked_in_at=at,
        latitude=position.latitude,
        longitude=position.longitude,
        distance_m=round(fix.distance_m, 1),
        accuracy_m=position.accuracy_m,
        live=position.live,
        live_message_id=position.message_id if position.live else None,
        photo_file_id=photo.file_id if photo else None,
        photo_file_unique_id=photo.file_unique_id if photo else None,
        photo_flagged=photo_flagged,
        minutes_late=minutes_late,
        late=minutes_late > settings.late_after_min,
        far=fix.far,
        manual=False,
        photo_rejected=False,
    )
    # Written at once (bot/db/direct.py), as the seat's status above: the unit of work's flush
    # of these two rows cost more than reading everything the check-in needed.
    await direct.insert_row(session, checkin)
    if position.live:
        session.add(
            LocationSample(
                checkin_id=checkin.id,
                recorded_at=at,
                latitude=position.latitude,
                longitude=position.longitude,
                accuracy_m=position.accuracy_m,
                distance_m=round(fix.distance_m, 1),
                inside=True,
            )
        )
        checkin.presence_ratio = 1.0 if at >= shift.starts_at else None
    return checkin
