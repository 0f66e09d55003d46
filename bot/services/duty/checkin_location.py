"""A check-in's location judged: refused, waited on while shared live, or taken a step on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import CheckIn, Dialogue, Member
from bot.errors import DomainError, ErrorCode
from bot.services.duty.at_hand import AssignmentAtHand
from bot.services.duty.checkin_dialogue import (
    DIALOGUE,
    STEP_LOCATION,
    STEP_PHOTO,
    STEP_PICK,
    CheckedIn,
    NeedPhoto,
    NeedPick,
    Step,
)
from bot.services.duty.checkin_shifts import choices, chosen, ends_check_in, shifts_at_hand
from bot.services.duty.checkin_text import Moment
from bot.services.duty.checkin_write import write_checkin
from bot.services.duty.checkout import leave_as_asked
from bot.services.duty.geofence import Position, judge
from bot.services.duty.live_wait.record import (
    awaited_move,
    judged_at_opening,
    last_known,
    new_live,
    waiting,
)
from bot.services.duty.sent import judged_at
from bot.services.platform import dialogues
from bot.settings import Settings

# Asked just before a location judged for a dialogue read at the start of the turn is written
# (the next step, a wait, the check-in): whether that dialogue is still as read, now held until
# the turn ends (`live_wait.moves.live_arrived`: the scheduler's tick may have ended it meanwhile).
Hold = Callable[[], Awaitable[bool]]


class DialogueGone(Exception):
    """The dialogue a location was judged for changed under the turn (its `Hold` said so):
    nothing was written."""


async def _held(hold: Hold | None) -> None:
    if hold is not None and not await hold():
        raise DialogueGone


async def _wait_on(
    session: AsyncSession,
    member: Member,
    position: Position,
    now: dt.datetime,
    hold: Hold | None,
    post: str,
    since: dt.datetime,
    shift_end: dt.datetime,
    kept: dict[str, Any],
) -> None:
    """The check-in waits on the live location (`live_wait`) from `since`: the dialogue keeps
    the share, until when and for which post (`waiting`), and what the caller `kept`. Written
    only if `hold` says the dialogue is still as read."""
    data = {
        "live_message_id": position.message_id,
        **waiting(position, post, since, shift_end),
        **kept,
    }
    await _held(hold)
    await dialogues.begin(session, member.telegram_id, DIALOGUE, STEP_LOCATION, now, data)


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
    *,
    hold: Hold | None = None,
) -> Step:
    """A location, inside the check-in dialogue or sent on its own. Every check runs before any
    change, so a refusal leaves the dialogue where it was and the person simply tries again;
    a live location refused as too far or too early is then waited on (`live_wait`) for a
    while (`live_wait.record.LIVE_WAIT`). The location counts when it was sent (`judged_at`).
    With `hold`, nothing is written unless it says the dialogue is still as read (else
    `DialogueGone`)."""
    try:
        _check_message(position, settings)
    except DomainError as refused:
        if dialogue is None:
            # Nothing due (on post already, or no shift now): that is the answer, not how to
            # send a location, which would only be refused that way in turn. Not open yet,
            # how to send it is worth knowing (a live location shared then is waited on).
            try:
                await choices(session, member, judged_at(position.sent_at, now), settings)
            except DomainError as state:
                if state.code is not ErrorCode.CHECKIN_NOT_OPEN:
                    raise state from refused
        raise
    # Sent past an early check-out's question (the next shift's check-in): it was left then,
    # whatever becomes of this location, and the person is told either way.
    left = await leave_as_asked(session, member, now) if dialogue is None else None
    try:
        step = await _received(session, member, dialogue, position, now, settings, hold)
    except DomainError as error:
        if left is None:
            raise
        raise RefusedAfterLeaving(error, left) from error
    return replace(step, left=left) if left is not None else step


class RefusedAfterLeaving(DomainError):
    """A location refused after it closed the shift whose early check-out waited for its reason
    (`left`): the refusal as it was, and that check-out to tell of."""

    def __init__(self, error: DomainError, left: CheckIn) -> None:
        super().__init__(error.code, **error.params)
        self.left = left


async def _received(
    session: AsyncSession,
    member: Member,
    dialogue: Dialogue | None,
    position: Position,
    now: dt.datetime,
    settings: Settings,
    hold: Hold | None,
) -> Step:
    at = judged_at(position.sent_at, now)
    try:
        return await _located(session, member, dialogue, position, now, at, settings, hold)
    except DomainError as error:
        if error.code is ErrorCode.CHECKIN_NOT_OPEN and new_live(dialogue, position):
            # A live location shared at the post (or on the way) before the check-in opens: the
            # check-in waits for it to be within range once open
            # (`live_wait.moves.live_arrived`), as the person keeps sharing it rather than sends
            # another. Its shift is found again then; moves before `opens` are kept as its last
            # known position without a statement, which the opening takes
            # (`live_wait.opening.take_at_opening`) if it is within range.
            opening, ending = error.params["opens"], error.params["end"]
            assert isinstance(opening, Moment) and isinstance(ending, Moment)
            opens, end = opening.at, ending.at
            opened = judged_at_opening(position, opens, now)
            if opened is not None:
                # Sent before the opening and handled after it: the opening's tick did not know
                # of it. Judged here as the opening would have judged it, as of the opening: one
                # answer, the outcome (out of range, it is waited on as one on the way).
                taken = replace(position, sent_at=opened)
                return await _located(session, member, dialogue, taken, now, opened, settings, hold)
            ends = position.live_until
            if ends is not None and ends <= max(opens, judged_at(opens, now)):
                # Its sharing ends before the opening (or ended before it, read only after):
                # the opening could never take it, so it is not waited on. One answer, now:
                # not "keep sharing" followed by "the share ended" when the wait ends.
                code = (
                    ErrorCode.CHECKIN_LIVE_ENDED_BEFORE_OPEN
                    if now >= opens
                    else ErrorCode.CHECKIN_LIVE_ENDS_BEFORE_OPEN
                )
                raise DomainError(code, **error.params, ends=Moment(ends, now)) from None
            post = str(error.params["post"])
            # Where it was last: a phone standing still sends no move, so the opening takes
            # this (`live_wait.opening.take_at_opening`).
            kept = {"opens": opens.isoformat(), **last_known(position, at)}
            await _wait_on(session, member, position, now, hold, post, max(at, opens), end, kept)
        raise


async def _located(
    session: AsyncSession,
    member: Member,
    dialogue: Dialogue | None,
    position: Position,
    now: dt.datetime,
    at: dt.datetime,
    settings: Settings,
    hold: Hold | None,
) -> Step:
    assignment_id = dialogue.data.get("assignment_id") if dialogue is not None else None
    if assignment_id is None:
        at_hand = await shifts_at_hand(session, member, at, settings)
        options, ended = at_hand.open_now, at_hand.current
        if len(options) > 1:
            await _held(hold)
            await dialogues.begin(
                session,
                member.telegram_id,
                DIALOGUE,
                STEP_PICK,
                now,
                {"position": position.as_data(), "located_at": at.isoformat()},
            )
            return NeedPick(options)
        assignment = options[0]
    else:
        try:
            assignment, ended = await chosen(session, member, int(assignment_id), at, settings)
        except DomainError as over:
            if not ends_check_in(over):
                raise
            # The dialogue's shift is over (a check-in begun and left, a live location that
            # never reached the post), its seat gone or the volunteer on post already: a shift
            # open now takes the location.
            try:
                await shifts_at_hand(session, member, at, settings)
            except DomainError:
                shift_over = over.code is ErrorCode.CHECKIN_SHIFT_OVER
                if not shift_over or not awaited_move(dialogue, position):
                    # Nothing is left to check in to: the next location would be refused too.
                    # (A move of the share a wait is on is answered by the wait's end instead.)
                    await dialogues.end(session, member.telegram_id)
                raise over from None
            return await receive_location(session, member, None, position, now, settings, hold=hold)
    try:
        return await with_position(
            session, member, assignment, position, ended, now, at, settings, hold=hold
        )
    except DomainError as error:
        if error.code is ErrorCode.CHECKIN_TOO_FAR and new_live(dialogue, position):
            # Shared on the way: the check-in waits for it to reach the post.
            shift, kept = assignment.shift, {"assignment_id": assignment.id}
            await _wait_on(
                session, member, position, now, hold, shift.post.name, at, shift.ends_at, kept
            )
        raise


async def with_position(
    session: AsyncSession,
    member: Member,
    assignment: AssignmentAtHand,
    position: Position,
    ended: CheckIn | None,
    now: dt.datetime,
    at: dt.datetime,
    settings: Settings,
    *,
    located_at: dt.datetime | None = None,
    hold: Hold | None = None,
) -> NeedPhoto | CheckedIn:
    """The check-in's location (sent at `located_at`, else `at`) judged: the photo is asked
    for next, or the check-in is made as of `at`."""
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
    await _held(hold)
    if settings.checkin_require_photo:
        await dialogues.begin(
            session,
            member.telegram_id,
            DIALOGUE,
            STEP_PHOTO,
            now,
            {
                "assignment_id": assignment.id,
                "position": position.as_data(),
                "located_at": (located_at or at).isoformat(),
            },
        )
        return NeedPhoto(assignment, fix)
    # Ended first: a seat gone meanwhile (write_checkin refuses) leaves nothing to resume.
    await dialogues.end(session, member.telegram_id)
    checkin = await write_checkin(
        session, assignment, position, fix, None, False, ended, now, at, settings
    )
    return CheckedIn(checkin, assignment, fix)
