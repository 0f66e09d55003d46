"""The coordinator's side of check-in: each assignment's attendance for the roster, the
check-in photo, and corrections (manual attendance, a rejected photo, an hours adjustment),
each with a mandatory reason kept in the audit trail and told to the volunteer."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Assignment,
    AssignmentStatus,
    CheckIn,
    CheckoutKind,
    Correction,
    DialogueKind,
    Role,
    Shift,
)
from bot.errors import DomainError, ErrorCode
from bot.services.duty.checkin_text import duration
from bot.services.duty.checkout import clean_reason, credited_minutes
from bot.services.people.access import Actor
from bot.services.platform import audit, outbox
from bot.services.platform.notify import notify
from bot.services.schedule.seats import SEATED
from bot.settings import Settings

DIALOGUE = DialogueKind.ATTENDANCE_FIX


class FixStep(StrEnum):
    """The steps of a correction, as stored in the dialogue."""

    HOURS = "hours"
    REASON = "reason"


HOURS_PATTERN = re.compile(r"^\s*(\d{1,2})(?:[:：](\d{1,2})|[.,](\d{1,2}))?\s*$")


class AttendanceState(StrEnum):
    NOT_YET = "not_yet"
    ON_POST = "on_post"
    LEFT_EARLY = "left_early"
    CHECKED_OUT = "checked_out"
    ABSENT = "absent"


@dataclass(frozen=True)
class Attendance:
    assignment_id: int
    state: AttendanceState
    checkin_id: int | None = None
    checked_in_at: dt.datetime | None = None
    checked_out_at: dt.datetime | None = None
    late: bool = False
    minutes_late: int = 0
    far: bool = False
    photo_flagged: bool = False
    photo_rejected: bool = False
    has_photo: bool = False
    manual: bool = False
    auto_checkout: bool = False
    presence_ratio: float | None = None
    credited_minutes: int | None = None
    correctable: bool = False  # a coordinator has a correction to offer now


def _possible(
    assignment: Assignment, checkin: CheckIn | None, now: dt.datetime
) -> list[Correction]:
    """The corrections that make sense for this record now."""
    possible: list[Correction] = []
    if checkin is None and now >= assignment.shift.starts_at:
        possible.append(Correction.MANUAL)
    if checkin is not None and checkin.photo_file_id and not checkin.photo_rejected:
        possible.append(Correction.REJECT_PHOTO)
    if checkin is not None and checkin.checked_out_at is not None:
        possible.append(Correction.HOURS)
    return possible


def _state(
    assignment: Assignment, checkin: CheckIn | None, now: dt.datetime, settings: Settings
) -> AttendanceState:
    if checkin is None:
        overdue = now >= assignment.shift.starts_at + dt.timedelta(
            minutes=settings.absent_after_min
        )
        if assignment.status == AssignmentStatus.ABSENT or overdue:
            return AttendanceState.ABSENT
        return AttendanceState.NOT_YET
    if checkin.checked_out_at is None:
        return AttendanceState.ON_POST
    if checkin.checkout_kind == CheckoutKind.EARLY:
        return AttendanceState.LEFT_EARLY
    return AttendanceState.CHECKED_OUT


def describe(
    assignment: Assignment,
    checkin: CheckIn | None,
    now: dt.datetime,
    settings: Settings,
    *,
    own: bool = False,
) -> Attendance:
    """The record as the roster shows it; `own`: the viewer's own seat, which they may not
    correct (`_assignment`)."""
    state = _state(assignment, checkin, now, settings)
    correctable = not own and bool(_possible(assignment, checkin, now))
    if checkin is None:
        return Attendance(assignment.id, state, correctable=correctable)
    return Attendance(
        assignment_id=assignment.id,
        state=state,
        checkin_id=checkin.id,
        checked_in_at=checkin.checked_in_at,
        checked_out_at=checkin.checked_out_at,
        late=checkin.late,
        minutes_late=checkin.minutes_late,
        far=checkin.far,
        photo_flagged=checkin.photo_flagged,
        photo_rejected=checkin.photo_rejected,
        has_photo=checkin.photo_file_id is not None,
        manual=checkin.manual,
        auto_checkout=checkin.checkout_kind == CheckoutKind.AUTO,
        presence_ratio=checkin.presence_ratio,
        credited_minutes=checkin.credited_minutes,
        correctable=correctable,
    )


async def attendance(
    session: AsyncSession,
    assignment_ids: Iterable[int],
    now: dt.datetime,
    settings: Settings,
    viewer: Actor | None = None,
) -> dict[int, Attendance]:
    """Each assignment's attendance, for the roster (cancelled and removed ones are left out);
    the `viewer`'s own seats are not correctable by them."""
    ids = list(assignment_ids)
    if not ids:
        return {}
    assignments = await session.scalars(
        select(Assignment).where(
            Assignment.id.in_(ids),
            Assignment.status.not_in((AssignmentStatus.CANCELLED, AssignmentStatus.REMOVED)),
        )
    )
    checkins = {
        checkin.assignment_id: checkin
        for checkin in await session.scalars(select(CheckIn).where(CheckIn.assignment_id.in_(ids)))
    }
    return {
        assignment.id: describe(
            assignment,
            checkins.get(assignment.id),
            now,
            settings,
            own=viewer is not None and _own(viewer, assignment),
        )
        for assignment in assignments
    }


def _own(actor: Actor, assignment: Assignment) -> bool:
    """The seat is the actor's own: nobody corrects their own attendance, as nobody decides
    their own leave; another coordinator of the unit, or an admin, does."""
    return actor.member is not None and assignment.member_id == actor.member.id


async def _assignment(session: AsyncSession, actor: Actor, assignment_id: int) -> Assignment:
    """The seat a correction is for, while it holds one of its shift's seats: one given up,
    taken off (➖ 移出, pressed on a roster sent before) or cancelled with its shift has no
    attendance to correct, and recording its holder present would put them back on it."""
    assignment = await session.get(Assignment, assignment_id)
    if assignment is None or assignment.status not in SEATED:
        raise DomainError(ErrorCode.ATTENDANCE_NOT_FOUND)
    actor.require_unit(assignment.shift.post.unit_id, Role.COORDINATOR)
    if _own(actor, assignment):
        raise DomainError(ErrorCode.CORRECTION_OWN_RECORD)
    return assignment


async def _checkin_of(session: AsyncSession, assignment_id: int) -> CheckIn | None:
    checkin: CheckIn | None = await session.scalar(
        select(CheckIn).where(CheckIn.assignment_id == assignment_id)
    )
    return checkin


@dataclass(frozen=True)
class PhotoView:
    checkin: CheckIn
    file_id: str
    own: bool  # the viewer's own check-in: no ✏️ under it, as on their roster line


async def photo_of(session: AsyncSession, actor: Actor, checkin_id: int) -> PhotoView:
    """A coordinator of the post's unit (or an admin) opens a check-in photo."""
    checkin = await session.get(CheckIn, checkin_id)
    if checkin is None:
        raise DomainError(ErrorCode.ATTENDANCE_NOT_FOUND)
    actor.require_unit(checkin.assignment.shift.post.unit_id, Role.COORDINATOR)
    if checkin.photo_file_id is None:
        raise DomainError(ErrorCode.CORRECTION_NO_PHOTO)
    return PhotoView(checkin, checkin.photo_file_id, _own(actor, checkin.assignment))


async def corrections_for(
    session: AsyncSession, actor: Actor, assignment_id: int, now: dt.datetime, settings: Settings
) -> tuple[Assignment, Attendance, list[Correction]]:
    """The corrections that make sense for this record now."""
    assignment = await _assignment(session, actor, assignment_id)
    checkin = await _checkin_of(session, assignment_id)
    return (
        assignment,
        describe(assignment, checkin, now, settings),
        _possible(assignment, checkin, now),
    )


def parse_hours(text: str, limit_minutes: int) -> int:
    """Credited time typed as hours: 2, 1.5, 1:30, also as a Chinese input method types them in
    full-width mode (１．５, １：３０), read in their ASCII forms, or in Chinese punctuation mode,
    where the point key types the ideographic full stop (1。5)."""
    plain = unicodedata.normalize("NFKC", text).replace("。", ".")
    match = HOURS_PATTERN.match(plain)
    minutes: int | None = None
    if match:
        hours, after_colon, decimal = match.groups()
        if after_colon is not None:
            minutes = int(hours) * 60 + int(after_colon) if int(after_colon) < 60 else None
        elif decimal is not None:
            minutes = round((int(hours) + int(decimal) / 10 ** len(decimal)) * 60)
        else:
            minutes = int(hours) * 60
    if minutes is None or not 0 <= minutes <= limit_minutes:
        raise DomainError(
            ErrorCode.CORRECTION_HOURS_INVALID, max=dt.timedelta(minutes=limit_minutes)
        )
    return minutes


def shift_minutes(shift: Shift) -> int:
    return int((shift.ends_at - shift.starts_at).total_seconds() // 60)


# What ends a correction besides the refusals final everywhere (`DomainError.for_good`: the
# record gone): what no reason or hours typed next can undo, the record changed meanwhile (a
# colleague made the same correction, say) or the coordinator no longer managing its unit.
CORRECTION_ENDS = frozenset(
    {
        ErrorCode.FORBIDDEN,
        ErrorCode.CORRECTION_ALREADY_PRESENT,
        ErrorCode.CORRECTION_NO_PHOTO,
    }
)


async def check_correction(
    session: AsyncSession,
    actor: Actor,
    assignment_id: int,
    correction: Correction,
    now: dt.datetime,
) -> Assignment:
    """Refuse a correction that does not apply, before asking for its reason."""
    assignment = await _assignment(session, actor, assignment_id)
    checkin = await _checkin_of(session, assignment_id)
    if correction is Correction.MANUAL:
        if checkin is not None:
            raise DomainError(ErrorCode.CORRECTION_ALREADY_PRESENT)
        if now < assignment.shift.starts_at:
            raise DomainError(ErrorCode.CORRECTION_SHIFT_NOT_STARTED)
    elif checkin is None:
        raise DomainError(ErrorCode.CORRECTION_NO_CHECKIN)
    elif correction is Correction.REJECT_PHOTO and (
        checkin.photo_file_id is None or checkin.photo_rejected
    ):
        raise DomainError(ErrorCode.CORRECTION_NO_PHOTO)
    elif correction is Correction.HOURS and checkin.checked_out_at is None:
        raise DomainError(ErrorCode.CORRECTION_STILL_OPEN)
    return assignment


async def _lock(session: AsyncSession, assignment_id: int) -> None:
    """The seat's row, locked for this transaction before its record is checked: two
    coordinators' reasons typed at once (or a check-in sent then, which writes the seat too)
    take their turns, and the second checks the record as the first left it, rather than add a
    second check-in row (an error) or a second rejection (told twice). SQLite already holds its
    single write lock and ignores the clause."""
    await session.execute(
        select(Assignment.id).where(Assignment.id == assignment_id).with_for_update(of=Assignment)
    )


def _snapshot(assignment: Assignment, checkin: CheckIn | None) -> dict[str, Any]:
    snapshot: dict[str, Any] = {"status": assignment.status.value}
    if checkin is not None:
        snapshot.update(
            {
                "credited_minutes": checkin.credited_minutes,
                "photo_rejected": checkin.photo_rejected,
                "manual": checkin.manual,
            }
        )
    return snapshot


async def apply(
    session: AsyncSession,
    actor: Actor,
    assignment_id: int,
    correction: Correction,
    reason_text: str,
    now: dt.datetime,
    settings: Settings,
    minutes: int | None = None,
) -> CheckIn:
    reason = clean_reason(reason_text, ErrorCode.CORRECTION_REASON_INVALID)
    await _lock(session, assignment_id)
    assignment = await check_correction(session, actor, assignment_id, correction, now)
    checkin = await _checkin_of(session, assignment_id)
    before = _snapshot(assignment, checkin)
    shift = assignment.shift
    if correction is Correction.MANUAL:
        post = shift.post
        # Present for the whole shift as far as it has run; hours can be adjusted afterwards.
        checkin = CheckIn(
            assignment_id=assignment.id,
            checked_in_at=shift.starts_at,
            latitude=post.latitude,
            longitude=post.longitude,
            distance_m=0.0,
            live=False,
            photo_flagged=False,
            minutes_late=0,
            late=False,
            far=False,
            manual=True,
            photo_rejected=False,
            checked_out_at=min(now, shift.ends_at),
            checkout_kind=CheckoutKind.MANUAL,
        )
        checkin.assignment = assignment
        session.add(checkin)
        assignment.status = AssignmentStatus.CHECKED_OUT
        assignment.updated_at = now
    else:
        assert checkin is not None
        if correction is Correction.REJECT_PHOTO:
            checkin.photo_rejected = True
        else:
            if minutes is None:
                raise DomainError(
                    ErrorCode.CORRECTION_HOURS_INVALID,
                    max=dt.timedelta(minutes=shift_minutes(shift)),
                )
            checkin.credited_override = minutes
    checkin.credited_minutes = credited_minutes(checkin)
    await session.flush()
    entry = audit.record(
        session,
        actor_id=actor.member.id if actor.member is not None else None,
        action=f"attendance.{correction.value}",
        object_type="assignment",
        object_id=assignment.id,
        now=now,
        before=before,
        after=_snapshot(assignment, checkin),
        reason=reason,
    )
    await session.flush()
    credited = checkin.credited_minutes or 0
    await notify(
        session,
        assignment.member,
        lambda t: outbox.payload(
            t(
                f"attendance.notice.{correction.value}",
                post=shift.post.name,
                day=t.weekday_date(shift.starts_at),
                start=t.time(shift.starts_at),
                hours=duration(t, credited),
                reason=reason,
            )
        ),
        key=f"attendance:{entry.id}",
        now=now,
        settings=settings,
    )
    return checkin
