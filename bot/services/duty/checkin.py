"""Check-in and check-out on post: the rules (issue 4).

A volunteer assigned to a shift checks in from ``CHECKIN_OPEN_BEFORE_MIN`` before its start
until its end, with a location inside the post's geofence (a capped allowance for the accuracy
the phone reports) and, when ``CHECKIN_REQUIRE_PHOTO``, a photo on post. The steps are kept in a
dialogue row so a restart resumes them. A shared live location keeps reporting (edited
messages); its samples give the share of the shift spent inside the geofence. Credited minutes
are the overlap of the checked-in time with the shift, unless a coordinator corrected them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import geo
from bot.db.models import (
    Assignment,
    AssignmentStatus,
    CheckIn,
    CheckoutKind,
    Dialogue,
    DialogueKind,
    LocationSample,
    Member,
    Post,
    Shift,
    ShiftStatus,
)
from bot.errors import DomainError, ErrorCode
from bot.services.platform import dialogues
from bot.settings import Settings

DIALOGUE = DialogueKind.CHECKIN
STEP_PICK = "pick"
STEP_LOCATION = "location"
STEP_PHOTO = "photo"
CHECKOUT_DIALOGUE = DialogueKind.CHECKOUT
STEP_REASON = "reason"

# Callback data of the buttons this feature sends, also from the outbox (left-post alert).
BUTTON_PICK = "ci.pick"
BUTTON_CHECKOUT = "ci.out"
BUTTON_ON_POST = "ci.here"

# A phone that reports a poor fix gets the benefit of the doubt, but never more than this.
ACCURACY_ALLOWANCE_CAP_M = 100.0
REASON_MIN = 2
REASON_MAX = 200
# Assignments that may still check in: signed up, or already counted absent but turning up.
MAY_CHECK_IN = (AssignmentStatus.SIGNED_UP, AssignmentStatus.ABSENT)


@dataclass(frozen=True)
class Position:
    """A location message as the handler read it; the flags are judged here, not there."""

    latitude: float
    longitude: float
    accuracy_m: float | None = None
    live: bool = False
    message_id: int | None = None
    forwarded: bool = False
    venue: bool = False

    def as_data(self) -> dict[str, Any]:
        return {
            "latitude": self.latitude,
            "longitude": self.longitude,
            "accuracy_m": self.accuracy_m,
            "live": self.live,
            "message_id": self.message_id,
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Position:
        return cls(
            latitude=float(data["latitude"]),
            longitude=float(data["longitude"]),
            accuracy_m=data.get("accuracy_m"),
            live=bool(data.get("live")),
            message_id=data.get("message_id"),
        )


@dataclass(frozen=True)
class Photo:
    file_id: str
    file_unique_id: str
    forwarded: bool = False


@dataclass(frozen=True)
class Fix:
    """A position judged against a post's geofence."""

    distance_m: float
    radius_m: int
    direction: geo.Compass
    accepted: bool  # within the radius, or within it once the accuracy allowance is granted

    @property
    def far(self) -> bool:
        return self.accepted and self.distance_m > self.radius_m


def radius_of(post: Post, settings: Settings) -> int:
    return post.radius_m if post.radius_m > 0 else settings.default_post_radius_m


def judge(
    post: Post, latitude: float, longitude: float, accuracy_m: float | None, settings: Settings
) -> Fix:
    distance = geo.distance_m(post.latitude, post.longitude, latitude, longitude)
    radius = radius_of(post, settings)
    allowance = min(max(accuracy_m or 0.0, 0.0), ACCURACY_ALLOWANCE_CAP_M)
    return Fix(
        distance_m=distance,
        radius_m=radius,
        direction=geo.direction(post.latitude, post.longitude, latitude, longitude),
        accepted=distance <= radius + allowance,
    )


def window_opens(shift: Shift, settings: Settings) -> dt.datetime:
    return shift.starts_at - dt.timedelta(minutes=settings.checkin_open_before_min)


def _local_day(instant: dt.datetime, settings: Settings) -> dt.date:
    return instant.astimezone(settings.zone).date()


# -- finding the shift ------------------------------------------------------------------------


async def open_checkin(session: AsyncSession, member_id: int) -> CheckIn | None:
    """The check-in this person has not checked out of yet (the latest, should there be two)."""
    checkin: CheckIn | None = await session.scalar(
        select(CheckIn)
        .join(Assignment, CheckIn.assignment_id == Assignment.id)
        .where(Assignment.member_id == member_id, CheckIn.checked_out_at.is_(None))
        .order_by(CheckIn.checked_in_at.desc())
        .limit(1)
    )
    return checkin


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


async def choices(
    session: AsyncSession, member: Member, now: dt.datetime, settings: Settings
) -> list[Assignment]:
    """The shifts this person may check in to now, or the refusal that says why there is none."""
    current = await open_checkin(session, member.id)
    if current is not None:
        shift = current.assignment.shift
        if now < shift.ends_at:
            raise DomainError(
                ErrorCode.CHECKIN_ALREADY, post=shift.post.name, since=current.checked_in_at
            )
        # Straight on to the next shift: the one that ended counts up to its end.
        await close(session, current, shift.ends_at, CheckoutKind.NORMAL, now)
    candidates = await _assignments(session, member.id, MAY_CHECK_IN)
    open_now = [a for a in candidates if window_opens(a.shift, settings) <= now < a.shift.ends_at]
    if open_now:
        return open_now
    today = _local_day(now, settings)
    upcoming = [
        a for a in candidates if a.shift.starts_at > now and window_opens(a.shift, settings) > now
    ]
    following = upcoming[0] if upcoming else None
    if (
        following is not None
        and _local_day(window_opens(following.shift, settings), settings) == today
    ):
        raise DomainError(
            ErrorCode.CHECKIN_NOT_OPEN,
            post=following.shift.post.name,
            start=following.shift.starts_at,
            opens=window_opens(following.shift, settings),
        )
    ended_today = [
        a
        for a in candidates
        if a.shift.ends_at <= now and _local_day(a.shift.ends_at, settings) == today
    ]
    if ended_today:
        shift = ended_today[-1].shift
        raise DomainError(ErrorCode.CHECKIN_SHIFT_OVER, post=shift.post.name, end=shift.ends_at)
    if following is not None:
        raise DomainError(
            ErrorCode.CHECKIN_NO_SHIFT,
            post=following.shift.post.name,
            start=following.shift.starts_at,
        )
    raise DomainError(ErrorCode.CHECKIN_NO_SHIFTS_AHEAD)


async def _chosen(
    session: AsyncSession, member: Member, assignment_id: int, now: dt.datetime, settings: Settings
) -> Assignment:
    """The assignment the dialogue is about, re-checked: time moves on between the steps."""
    options = await choices(session, member, now, settings)
    for option in options:
        if option.id == assignment_id:
            return option
    assignment = await session.get(Assignment, assignment_id)
    if assignment is None or assignment.member_id != member.id:
        raise DomainError(ErrorCode.CHECKIN_NO_SHIFTS_AHEAD)
    shift = assignment.shift
    if now >= shift.ends_at:
        raise DomainError(ErrorCode.CHECKIN_SHIFT_OVER, post=shift.post.name, end=shift.ends_at)
    raise DomainError(
        ErrorCode.CHECKIN_NOT_OPEN,
        post=shift.post.name,
        start=shift.starts_at,
        opens=window_opens(shift, settings),
    )


# -- the dialogue -----------------------------------------------------------------------------


@dataclass(frozen=True)
class NeedPick:
    """Several shifts are open: the person picks one."""

    options: list[Assignment]


@dataclass(frozen=True)
class NeedLocation:
    assignment: Assignment


@dataclass(frozen=True)
class NeedPhoto:
    assignment: Assignment
    fix: Fix


@dataclass(frozen=True)
class CheckedIn:
    checkin: CheckIn
    fix: Fix
    photo_reused: bool = False


Step = NeedPick | NeedLocation | NeedPhoto | CheckedIn


async def begin(
    session: AsyncSession, member: Member, now: dt.datetime, settings: Settings
) -> NeedPick | NeedLocation:
    """/checkin: pick the shift (when there are several), then ask for the location."""
    options = await choices(session, member, now, settings)
    if len(options) > 1:
        await dialogues.begin(session, member.telegram_id, DIALOGUE, STEP_PICK, now)
        return NeedPick(options)
    await dialogues.begin(
        session,
        member.telegram_id,
        DIALOGUE,
        STEP_LOCATION,
        now,
        {"assignment_id": options[0].id},
    )
    return NeedLocation(options[0])


def _check_message(position: Position, settings: Settings) -> None:
    if position.forwarded:
        raise DomainError(ErrorCode.CHECKIN_FORWARDED_LOCATION)
    if position.venue:
        raise DomainError(ErrorCode.CHECKIN_VENUE)
    if settings.checkin_require_live_location and not position.live:
        raise DomainError(ErrorCode.CHECKIN_LIVE_REQUIRED)


async def receive_location(
    session: AsyncSession,
    member: Member,
    dialogue: Dialogue | None,
    position: Position,
    now: dt.datetime,
    settings: Settings,
) -> Step:
    """A location, inside the check-in dialogue or sent on its own. Every check runs before any
    change, so a refusal leaves the dialogue where it was and the person simply tries again."""
    _check_message(position, settings)
    assignment_id = dialogue.data.get("assignment_id") if dialogue is not None else None
    if assignment_id is None:
        options = await choices(session, member, now, settings)
        if len(options) > 1:
            await dialogues.begin(
                session,
                member.telegram_id,
                DIALOGUE,
                STEP_PICK,
                now,
                {"position": position.as_data()},
            )
            return NeedPick(options)
        assignment = options[0]
    else:
        assignment = await _chosen(session, member, int(assignment_id), now, settings)
    return await _with_position(session, member, assignment, position, now, settings)


async def pick(
    session: AsyncSession,
    member: Member,
    dialogue: Dialogue,
    assignment_id: int,
    now: dt.datetime,
    settings: Settings,
) -> Step:
    assignment = await _chosen(session, member, assignment_id, now, settings)
    stored = dialogue.data.get("position")
    if stored:
        return await _with_position(
            session, member, assignment, Position.from_data(stored), now, settings
        )
    dialogues.advance(dialogue, STEP_LOCATION, now, assignment_id=assignment.id)
    return NeedLocation(assignment)


async def _with_position(
    session: AsyncSession,
    member: Member,
    assignment: Assignment,
    position: Position,
    now: dt.datetime,
    settings: Settings,
) -> NeedPhoto | CheckedIn:
    post = assignment.shift.post
    fix = judge(post, position.latitude, position.longitude, position.accuracy_m, settings)
    if not fix.accepted:
        raise DomainError(
            ErrorCode.CHECKIN_TOO_FAR,
            post=post.name,
            distance=fix.distance_m,
            direction=fix.direction,
            radius=fix.radius_m,
        )
    if settings.checkin_require_photo:
        await dialogues.begin(
            session,
            member.telegram_id,
            DIALOGUE,
            STEP_PHOTO,
            now,
            {"assignment_id": assignment.id, "position": position.as_data()},
        )
        return NeedPhoto(assignment, fix)
    checkin = await _create(session, assignment, position, fix, None, False, now, settings)
    await dialogues.end(session, member.telegram_id)
    return CheckedIn(checkin, fix)


async def receive_photo(
    session: AsyncSession,
    member: Member,
    dialogue: Dialogue,
    photo: Photo,
    now: dt.datetime,
    settings: Settings,
) -> CheckedIn:
    if photo.forwarded:
        raise DomainError(ErrorCode.CHECKIN_FORWARDED_PHOTO)
    assignment = await _chosen(session, member, int(dialogue.data["assignment_id"]), now, settings)
    used_before = await session.scalar(
        select(CheckIn.id).where(CheckIn.photo_file_unique_id == photo.file_unique_id).limit(1)
    )
    reused = used_before is not None
    if reused and settings.checkin_duplicate_photo == "refuse":
        raise DomainError(ErrorCode.CHECKIN_PHOTO_REUSED)
    position = Position.from_data(dialogue.data["position"])
    post = assignment.shift.post
    fix = judge(post, position.latitude, position.longitude, position.accuracy_m, settings)
    checkin = await _create(session, assignment, position, fix, photo, reused, now, settings)
    await dialogues.end(session, member.telegram_id)
    return CheckedIn(checkin, fix, photo_reused=reused)


async def _create(
    session: AsyncSession,
    assignment: Assignment,
    position: Position,
    fix: Fix,
    photo: Photo | None,
    photo_flagged: bool,
    now: dt.datetime,
    settings: Settings,
) -> CheckIn:
    shift = assignment.shift
    minutes_late = max(0, int((now - shift.starts_at).total_seconds() // 60))
    checkin = CheckIn(
        assignment_id=assignment.id,
        checked_in_at=now,
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
    checkin.assignment = assignment
    session.add(checkin)
    assignment.status = AssignmentStatus.CHECKED_IN
    assignment.updated_at = now
    await session.flush()
    if position.live:
        session.add(
            LocationSample(
                checkin_id=checkin.id,
                recorded_at=now,
                latitude=position.latitude,
                longitude=position.longitude,
                accuracy_m=position.accuracy_m,
                distance_m=round(fix.distance_m, 1),
                inside=True,
            )
        )
        checkin.presence_ratio = 1.0 if now >= shift.starts_at else None
    return checkin


# -- presence ---------------------------------------------------------------------------------


def presence_share(
    samples: Sequence[tuple[dt.datetime, bool]],
    checked_in_at: dt.datetime,
    until: dt.datetime,
    shift_start: dt.datetime,
    shift_end: dt.datetime,
) -> float | None:
    """The share of the checked-in part of the shift spent inside the geofence.

    Each sample holds until the next one; the last holds until ``until``. None when no part of
    the shift has passed yet.
    """
    window_start = max(checked_in_at, shift_start)
    window_end = min(until, shift_end)
    if window_end <= window_start:
        return None
    ordered = sorted(samples)
    inside = dt.timedelta()
    for index, (at, is_inside) in enumerate(ordered):
        if not is_inside:
            continue
        end = ordered[index + 1][0] if index + 1 < len(ordered) else until
        start, stop = max(at, window_start), min(end, window_end)
        if stop > start:
            inside += stop - start
    return round(inside / (window_end - window_start), 4)


async def _presence(session: AsyncSession, checkin: CheckIn, until: dt.datetime) -> float | None:
    if not checkin.live:
        return None
    rows = await session.execute(
        select(LocationSample.recorded_at, LocationSample.inside).where(
            LocationSample.checkin_id == checkin.id
        )
    )
    shift = checkin.assignment.shift
    samples = [(at, inside) for at, inside in rows.all()]
    return presence_share(samples, checkin.checked_in_at, until, shift.starts_at, shift.ends_at)


def note_left_post(checkin: CheckIn, now: dt.datetime, settings: Settings) -> bool:
    """Outside the geofence for LEFT_POST_ALERT_MIN means the volunteer left their post: the
    first such absence is kept (``left_post_at``) for the tallies. True when it counts."""
    away_since = checkin.outside_since
    if away_since is None or now - away_since < dt.timedelta(minutes=settings.left_post_alert_min):
        return False
    if checkin.left_post_at is None:
        checkin.left_post_at = away_since
    return True


@dataclass(frozen=True)
class Sample:
    checkin: CheckIn
    fix: Fix
    left: bool  # this sample is the first outside the geofence
    returned: bool  # this sample is back inside after being out


async def record_live_position(
    session: AsyncSession, member: Member, position: Position, now: dt.datetime, settings: Settings
) -> Sample | None:
    """An update of the live location shared at check-in. Positions of other messages, or
    after check-out, are not evidence of anything and are ignored (None)."""
    if position.message_id is None:
        return None
    checkin: CheckIn | None = await session.scalar(
        select(CheckIn)
        .join(Assignment, CheckIn.assignment_id == Assignment.id)
        .where(
            Assignment.member_id == member.id,
            CheckIn.live_message_id == position.message_id,
            CheckIn.checked_out_at.is_(None),
        )
    )
    if checkin is None:
        return None
    post = checkin.assignment.shift.post
    fix = judge(post, position.latitude, position.longitude, position.accuracy_m, settings)
    session.add(
        LocationSample(
            checkin_id=checkin.id,
            recorded_at=now,
            latitude=position.latitude,
            longitude=position.longitude,
            accuracy_m=position.accuracy_m,
            distance_m=round(fix.distance_m, 1),
            inside=fix.accepted,
        )
    )
    was_outside = checkin.outside_since is not None
    if fix.accepted:
        # Back before the tick asked them, but away long enough: they still left their post.
        note_left_post(checkin, now, settings)
        checkin.outside_since = None
    elif not was_outside:
        checkin.outside_since = now
    await session.flush()
    checkin.presence_ratio = await _presence(session, checkin, now)
    return Sample(
        checkin=checkin,
        fix=fix,
        left=not fix.accepted and not was_outside,
        returned=fix.accepted and was_outside,
    )


# -- check-out and hours ----------------------------------------------------------------------


def credited_minutes(checkin: CheckIn) -> int | None:
    """The overlap of the checked-in time with the shift, unless a coordinator said otherwise."""
    if checkin.credited_override is not None:
        return checkin.credited_override
    if checkin.checked_out_at is None:
        return None
    if checkin.photo_rejected:
        return 0
    shift = checkin.assignment.shift
    start = max(checkin.checked_in_at, shift.starts_at)
    end = min(checkin.checked_out_at, shift.ends_at)
    return max(0, int((end - start).total_seconds() // 60))


async def close(
    session: AsyncSession,
    checkin: CheckIn,
    at: dt.datetime,
    kind: CheckoutKind,
    now: dt.datetime,
    reason: str | None = None,
) -> CheckIn:
    checkin.checked_out_at = at
    checkin.checkout_kind = kind
    checkin.early_reason = reason
    checkin.outside_since = None
    checkin.presence_ratio = await _presence(session, checkin, at)
    checkin.credited_minutes = credited_minutes(checkin)
    assignment = checkin.assignment
    assignment.status = AssignmentStatus.CHECKED_OUT
    assignment.updated_at = now
    return checkin


@dataclass(frozen=True)
class NeedReason:
    checkin: CheckIn


@dataclass(frozen=True)
class CheckedOut:
    checkin: CheckIn


async def _own_open_checkin(
    session: AsyncSession, member: Member, checkin_id: int | None
) -> CheckIn:
    checkin = await open_checkin(session, member.id)
    if checkin is None or (checkin_id is not None and checkin.id != checkin_id):
        raise DomainError(ErrorCode.CHECKIN_NOT_CHECKED_IN)
    return checkin


async def request_checkout(
    session: AsyncSession, member: Member, checkin_id: int | None, now: dt.datetime
) -> NeedReason | CheckedOut:
    """/checkout or its button: before the end a short reason is asked first."""
    checkin = await _own_open_checkin(session, member, checkin_id)
    if now < checkin.assignment.shift.ends_at:
        await dialogues.begin(
            session,
            member.telegram_id,
            CHECKOUT_DIALOGUE,
            STEP_REASON,
            now,
            {"checkin_id": checkin.id},
        )
        return NeedReason(checkin)
    await close(session, checkin, now, CheckoutKind.NORMAL, now)
    return CheckedOut(checkin)


def clean_reason(text: str, code: ErrorCode) -> str:
    reason = " ".join(text.split())
    if not REASON_MIN <= len(reason) <= REASON_MAX:
        raise DomainError(code, min=REASON_MIN, max=REASON_MAX)
    return reason


async def checkout_with_reason(
    session: AsyncSession, member: Member, dialogue: Dialogue, text: str, now: dt.datetime
) -> CheckIn:
    reason = clean_reason(text, ErrorCode.CHECKOUT_REASON_INVALID)
    checkin = await _own_open_checkin(session, member, int(dialogue.data["checkin_id"]))
    await dialogues.end(session, member.telegram_id)
    ends_at = checkin.assignment.shift.ends_at
    if now >= ends_at:
        return await close(session, checkin, now, CheckoutKind.NORMAL, now)
    return await close(session, checkin, now, CheckoutKind.EARLY, now, reason)


@dataclass(frozen=True)
class Hours:
    month_minutes: int
    month_shifts: int
    total_minutes: int
    total_shifts: int
    on_post: CheckIn | None


async def hours(
    session: AsyncSession, member: Member, now: dt.datetime, settings: Settings
) -> Hours:
    """Credited time this calendar month (local) and in total, by the day the shift began."""
    rows = await session.execute(
        select(CheckIn.credited_minutes, Shift.starts_at)
        .join(Assignment, CheckIn.assignment_id == Assignment.id)
        .join(Shift, Assignment.shift_id == Shift.id)
        .where(Assignment.member_id == member.id, CheckIn.credited_minutes.is_not(None))
    )
    local_now = now.astimezone(settings.zone)
    month = (local_now.year, local_now.month)
    month_minutes = month_shifts = total_minutes = total_shifts = 0
    for minutes, starts_at in rows.all():
        if not minutes:
            continue
        total_minutes += minutes
        total_shifts += 1
        local = starts_at.astimezone(settings.zone)
        if (local.year, local.month) == month:
            month_minutes += minutes
            month_shifts += 1
    return Hours(
        month_minutes=month_minutes,
        month_shifts=month_shifts,
        total_minutes=total_minutes,
        total_shifts=total_shifts,
        on_post=await open_checkin(session, member.id),
    )
