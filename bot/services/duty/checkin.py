"""Checking in on post: the check-in begun, its shift picked, and the photo that completes it.

A volunteer assigned to a shift checks in from ``CHECKIN_OPEN_BEFORE_MIN`` before its start
until its end, with a location inside the post's geofence (`checkin_location`) and, when
``CHECKIN_REQUIRE_PHOTO``, a photo on post. A check-in still open when the next shift's begins
is closed at the end of its shift first.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Dialogue, Member
from bot.errors import DomainError, ErrorCode
from bot.services.duty import photo_rules
from bot.services.duty.checkin_dialogue import (
    DIALOGUE,
    STEP_LOCATION,
    STEP_PICK,
    CheckedIn,
    NeedLocation,
    NeedPick,
    Step,
    fresh,
    located_at,
)
from bot.services.duty.checkin_location import with_position
from bot.services.duty.checkin_shifts import (
    check_in_over,
    choices,
    chosen,
    chosen_with_photo,
    ends_check_in,
    shifts_at_hand,
)
from bot.services.duty.checkin_text import Moment
from bot.services.duty.checkin_write import write_checkin
from bot.services.duty.checkout import leave_as_asked
from bot.services.duty.geofence import Position, judge
from bot.services.duty.photo_rules import Photo
from bot.services.duty.sent import judged_at
from bot.services.platform import dialogues
from bot.settings import Settings


async def begin(
    session: AsyncSession,
    member: Member,
    now: dt.datetime,
    settings: Settings,
    *,
    album: str | None = None,
    sent_at: dt.datetime | None = None,
) -> NeedPick | NeedLocation:
    """/checkin: pick the shift (when there are several), then ask for the location. Begun by
    a photo of an `album` (sent before the location, at `sent_at`), the dialogue keeps which."""
    at = judged_at(sent_at, now)
    try:
        options = await choices(session, member, at, settings)
    except DomainError as error:
        if ends_check_in(error):
            # A check-in still open (its shift over, say) would be refused the same way at its
            # next location or photo: it ends with this refusal.
            await _end_check_in(session, member)
        elif error.code is ErrorCode.CHECKIN_NOT_OPEN:
            # Not open yet for the next shift: a check-in still open for one that is over
            # ends too (a live location waiting for the next one's opening stays).
            await _end_check_in(session, member, over_at=at)
        raise
    left = await leave_as_asked(session, member, now)
    held = {dialogues.ALBUM: album} if album is not None else {}
    if len(options) > 1:
        await dialogues.begin(session, member.telegram_id, DIALOGUE, STEP_PICK, now, held)
        return NeedPick(options, left)
    await dialogues.begin(
        session,
        member.telegram_id,
        DIALOGUE,
        STEP_LOCATION,
        now,
        {"assignment_id": options[0].id, **held},
    )
    return NeedLocation(options[0], left)


async def _end_check_in(
    session: AsyncSession, member: Member, *, over_at: dt.datetime | None = None
) -> None:
    """End the check-in left open; with `over_at`, only if nothing is left for it then."""
    dialogue = await dialogues.current(session, member.telegram_id)
    if dialogue is None or dialogue.kind != DIALOGUE:
        return
    if over_at is None or await check_in_over(session, dialogue, over_at):
        await dialogues.end(session, member.telegram_id)


async def pick(
    session: AsyncSession,
    member: Member,
    dialogue: Dialogue,
    assignment_id: int,
    now: dt.datetime,
    settings: Settings,
) -> Step:
    try:
        assignment, ended = await chosen(session, member, assignment_id, now, settings)
    except DomainError as error:
        if ends_check_in(error) and not await _any_open(session, member, now, settings):
            # Nothing is left to pick: every other press would be refused too.
            await dialogues.end(session, member.telegram_id)
        raise
    stored = dialogue.data.get("position")
    if stored and fresh(dialogue, now):
        # Still as old as when it was sent: the pick does not make it fresher.
        return await with_position(
            session,
            member,
            assignment,
            Position.from_data(stored),
            ended,
            now,
            now,
            settings,
            located_at=located_at(dialogue),
        )
    # No location yet, or one sent too long ago (the pick came late): a fresh one is asked for.
    dialogues.advance(dialogue, STEP_LOCATION, now, assignment_id=assignment.id, position=None)
    return NeedLocation(assignment)


async def _any_open(
    session: AsyncSession, member: Member, now: dt.datetime, settings: Settings
) -> bool:
    """Whether a shift of the member's is open to check in to now."""
    try:
        await shifts_at_hand(session, member, now, settings)
    except DomainError:
        return False
    return True


async def receive_photo(
    session: AsyncSession,
    member: Member,
    dialogue: Dialogue,
    photo: Photo,
    now: dt.datetime,
    settings: Settings,
) -> CheckedIn:
    photo_rules.refuse_forwarded(photo)
    # The check-in happens when its photo is sent (`judged_at`).
    at = judged_at(photo.sent_at, now)
    try:
        chosen = await chosen_with_photo(
            session, member, int(dialogue.data["assignment_id"]), at, settings, photo.file_unique_id
        )
    except DomainError as error:
        if ends_check_in(error):
            # The next photo would be refused the same way: nothing is left to resume.
            await dialogues.end(session, member.telegram_id)
        raise
    assignment = chosen.assignment
    if not fresh(dialogue, at):
        # Sent long ago, the location proves nothing about where the photo is taken: the
        # dialogue goes back to asking for it (the photo is asked for again after it).
        location_sent = located_at(dialogue)
        dialogues.advance(dialogue, STEP_LOCATION, now, position=None, located_at=None)
        raise DomainError(ErrorCode.CHECKIN_LOCATION_STALE, at=Moment(location_sent, now))
    reused = photo_rules.judge_reuse(chosen.photo_used, settings)
    position = Position.from_data(dialogue.data["position"])
    post = assignment.shift.post
    fix = judge(post, position.latitude, position.longitude, position.accuracy_m, settings)
    # Ended first: a seat gone meanwhile (write_checkin refuses) leaves nothing to resume.
    await dialogues.end(session, member.telegram_id)
    checkin = await write_checkin(
        session, assignment, position, fix, photo, reused, chosen.ended, now, at, settings
    )
    return CheckedIn(checkin, assignment, fix, photo_reused=reused)
