"""Check-in on post: the rules (issue 4).

A volunteer assigned to a shift checks in from ``CHECKIN_OPEN_BEFORE_MIN`` before its start
until its end, with a location inside the post's geofence and, when ``CHECKIN_REQUIRE_PHOTO``,
a photo on post. The steps are kept in a dialogue row so a restart resumes them. A check-in
still open when the next shift's begins is closed at the end of its shift first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, bindparam, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, contains_eager, lazyload

from bot.db import direct
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
from bot.services.duty import photo_rules
from bot.services.duty.checkout import close
from bot.services.duty.geofence import Fix, Position, judge
from bot.services.duty.photo_rules import Photo
from bot.services.platform import dialogues
from bot.settings import Settings

DIALOGUE = DialogueKind.CHECKIN
STEP_PICK = "pick"
STEP_LOCATION = "location"
STEP_PHOTO = "photo"

# Assignments that may still check in: signed up, or already counted absent but turning up.
MAY_CHECK_IN = (AssignmentStatus.SIGNED_UP, AssignmentStatus.ABSENT)


def window_opens(shift: Shift, settings: Settings) -> dt.datetime:
    return shift.starts_at - dt.timedelta(minutes=settings.checkin_open_before_min)


def _local_day(instant: dt.datetime, settings: Settings) -> dt.date:
    return instant.astimezone(settings.zone).date()


# -- finding the shift ------------------------------------------------------------------------


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


def _open_now(assignment: Assignment, now: dt.datetime, settings: Settings) -> bool:
    shift = assignment.shift
    return (
        assignment.status in MAY_CHECK_IN
        and shift.status == ShiftStatus.SCHEDULED
        and window_opens(shift, settings) <= now < shift.ends_at
    )


_Reused = aliased(CheckIn)
# Built once: the check-in path runs it twice per check-in, in a burst of a thousand.
_AT_HAND = (
    select(
        Assignment,
        CheckIn,
        exists(
            select(_Reused.id).where(_Reused.photo_file_unique_id == bindparam("photo", None))
        ).label("photo_used"),
    )
    .join(Assignment.shift)
    .join(Shift.post)
    .outerjoin(
        CheckIn,
        and_(CheckIn.assignment_id == Assignment.id, CheckIn.checked_out_at.is_(None)),
    )
    .where(
        Assignment.member_id == bindparam("member_id"),
        or_(
            CheckIn.id.is_not(None),
            and_(
                Assignment.status.in_(MAY_CHECK_IN),
                Shift.status == ShiftStatus.SCHEDULED,
                Shift.starts_at <= bindparam("opens_until"),
                Shift.ends_at > bindparam("now"),
            ),
        ),
    )
    .options(
        # The shift and post as joined here, on both paths; the member is the one asking
        # (already in the session), the post's unit is not needed.
        contains_eager(Assignment.shift).contains_eager(Shift.post).lazyload(Post.unit),
        lazyload(Assignment.member),
        contains_eager(CheckIn.assignment).options(
            contains_eager(Assignment.shift).contains_eager(Shift.post).lazyload(Post.unit),
            lazyload(Assignment.member),
        ),
    )
    .order_by(Shift.starts_at, Assignment.id)
)


@dataclass(frozen=True)
class _AtHand:
    open_now: list[Assignment]
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
    shift and post), the open check-in (as checkout.open_checkin finds it) and whether a photo
    was used before. Only shifts around now are read, however long the person's schedule is."""
    rows = await session.execute(
        _AT_HAND,
        {
            "member_id": member_id,
            "now": now,
            "opens_until": now + dt.timedelta(minutes=settings.checkin_open_before_min),
            "photo": photo_unique_id,
        },
    )
    assignments: list[Assignment] = []
    current: CheckIn | None = None
    photo_used = False
    for assignment, checkin, used in rows.unique().all():
        assignments.append(assignment)
        photo_used = photo_used or bool(used)
        if checkin is None:
            continue
        if current is None or checkin.checked_in_at > current.checked_in_at:
            current = checkin
    open_now = [a for a in assignments if _open_now(a, now, settings)]
    return _AtHand(open_now, current, photo_used)


async def choices(
    session: AsyncSession, member: Member, now: dt.datetime, settings: Settings
) -> list[Assignment]:
    """The shifts this person may check in to now, or the refusal that says why there is none."""
    return (await _choices(session, member, now, settings)).open_now


async def _choices(
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
            raise DomainError(
                ErrorCode.CHECKIN_ALREADY, post=shift.post.name, since=current.checked_in_at
            )
        # Straight on to the next shift: the one that ended counts up to its end.
        await close(session, current, shift.ends_at, CheckoutKind.NORMAL, now)
    if at_hand.open_now:
        return at_hand
    # None open: the whole schedule says why (the rare way, so it may read more).
    candidates = await _assignments(session, member.id, MAY_CHECK_IN)
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
    return (await _chosen_with_photo(session, member, assignment_id, now, settings, None))[0]


async def _chosen_with_photo(
    session: AsyncSession,
    member: Member,
    assignment_id: int,
    now: dt.datetime,
    settings: Settings,
    photo_unique_id: str | None,
) -> tuple[Assignment, bool]:
    """`_chosen`, and whether the photo was used in a check-in before."""
    at_hand = await _choices(session, member, now, settings, photo_unique_id)
    for option in at_hand.open_now:
        if option.id == assignment_id:
            return option, at_hand.photo_used
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
    photo_rules.refuse_forwarded(photo)
    assignment, used_before = await _chosen_with_photo(
        session, member, int(dialogue.data["assignment_id"]), now, settings, photo.file_unique_id
    )
    reused = photo_rules.judge_reuse(used_before, settings)
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
    # Written at once (bot/db/direct.py): the unit of work's flush of these two rows cost more
    # than reading everything the check-in needed.
    await direct.update_row(session, assignment, status=AssignmentStatus.CHECKED_IN, updated_at=now)
    await direct.insert_row(session, checkin)
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
