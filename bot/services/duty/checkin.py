"""Check-in on post: the rules (issue 4).

A volunteer assigned to a shift checks in from ``CHECKIN_OPEN_BEFORE_MIN`` before its start
until its end, with a location inside the post's geofence and, when ``CHECKIN_REQUIRE_PHOTO``,
a photo on post. The steps are kept in a dialogue row so a restart resumes them. A check-in
still open when the next shift's begins is closed at the end of its shift first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import CheckIn, Dialogue, DialogueKind, Member
from bot.errors import DomainError, ErrorCode
from bot.services.duty import photo_rules
from bot.services.duty.at_hand import AssignmentAtHand
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
from bot.services.duty.geofence import Fix, Position, judge
from bot.services.duty.live_wait.record import (
    awaited_move,
    judged_at_opening,
    last_known,
    new_live,
    waiting,
)
from bot.services.duty.photo_rules import Photo
from bot.services.duty.sent import judged_at
from bot.services.platform import dialogues
from bot.settings import Settings

DIALOGUE = DialogueKind.CHECKIN
STEP_PICK = "pick"
STEP_LOCATION = "location"
STEP_PHOTO = "photo"


# The photos of one album arrive as separate messages within moments of each other: those
# after the one that completed a check-in come this soon after it.
ALBUM_SPREAD = dt.timedelta(minutes=1)


def rest_of_album(error: DomainError, in_album: bool, at: dt.datetime) -> bool:
    """Whether a photo refused by `error` is one more photo of the album whose first photo
    checked in just now: nothing to answer (the check-in was confirmed). `at`: when the photo
    counts (`judged_at`), as the check-in's time is when its photo does."""
    if not in_album or error.code is not ErrorCode.CHECKIN_ALREADY:
        return False
    since = error.params.get("since")
    return isinstance(since, Moment) and at - since.at < ALBUM_SPREAD


# -- the dialogue -----------------------------------------------------------------------------

# A location says where the volunteer was when they sent it: one older than this when the photo
# comes (or the shift is picked) is asked for again. A shared live location is as fresh as its
# latest move inside the post's range (`live_wait.moves.live_moved`), and stays fresh while it is
# still shared (Telegram's live_period not over) with no move out of range since: a phone
# standing still on post sends no moves, yet would report one that left.
POSITION_FRESH = dt.timedelta(minutes=30)


def _located_at(dialogue: Dialogue) -> dt.datetime:
    stored = dialogue.data.get("located_at")
    return dt.datetime.fromisoformat(stored) if stored else dialogue.updated_at


def _fresh(dialogue: Dialogue, at: dt.datetime) -> bool:
    if at - _located_at(dialogue) <= POSITION_FRESH:
        return True
    stored = dialogue.data.get("position") or {}
    shared_until = stored.get("live_until")
    return (
        bool(stored.get("live"))
        and shared_until is not None
        and not dialogue.data.get("out_of_range")
        and at < dt.datetime.fromisoformat(shared_until)
    )


# The shift whose early check-out still waited for its reason when this check-in replaced the
# question, checked out as it was asked (`checkout.leave_as_asked`): the volunteer is told.
Left = CheckIn | None


@dataclass(frozen=True)
class NeedPick:
    """Several shifts are open: the person picks one."""

    options: list[AssignmentAtHand]
    left: Left = None


@dataclass(frozen=True)
class NeedLocation:
    assignment: AssignmentAtHand
    left: Left = None


@dataclass(frozen=True)
class NeedPhoto:
    assignment: AssignmentAtHand
    fix: Fix
    left: Left = None


@dataclass(frozen=True)
class CheckedIn:
    # The new check-in; its `assignment` is not loaded: the one checked in to is `assignment`.
    checkin: CheckIn
    assignment: AssignmentAtHand
    fix: Fix
    photo_reused: bool = False
    left: Left = None


Step = NeedPick | NeedLocation | NeedPhoto | CheckedIn

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


def rest_of_first_album(dialogue: Dialogue, album: str | None) -> bool:
    """Whether a photo of `album` is one more of the album whose first photo began this
    check-in before the location: that photo was answered, the rest need no answer of their
    own (each would ask for the location again)."""
    return dialogue.step in (STEP_PICK, STEP_LOCATION) and dialogues.rest_of_album(dialogue, album)


def has_location(dialogue: Dialogue, assignment_id: int, opens: dt.datetime) -> bool:
    """Whether this check-in has its location already (taken from a live location shared
    before the opening, say) for the seat `assignment_id`, whose check-in opens at `opens`: it
    asks for the seat's photo, or which shift the location is for, sent with the seat open
    (so the seat is one to pick). A notice asking for the location would ask for what was
    sent."""
    if dialogue.kind != DIALOGUE:
        return False
    if dialogue.step == STEP_PHOTO:
        return dialogue.data.get("assignment_id") == assignment_id
    located_at = dialogue.data.get("located_at")
    return (
        dialogue.step == STEP_PICK
        and bool(dialogue.data.get("position"))
        and located_at is not None
        and dt.datetime.fromisoformat(located_at) >= opens
    )


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
            data = {
                "live_message_id": position.message_id,
                "opens": opens.isoformat(),
                **waiting(position, str(error.params["post"]), max(at, opens), end),
                # Where it was last: a phone standing still sends no move, so the opening
                # takes this (`live_wait.opening.take_at_opening`).
                **last_known(position, at),
            }
            await _held(hold)
            await dialogues.begin(session, member.telegram_id, DIALOGUE, STEP_LOCATION, now, data)
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
        return await _with_position(
            session, member, assignment, position, ended, now, at, settings, hold=hold
        )
    except DomainError as error:
        if error.code is ErrorCode.CHECKIN_TOO_FAR and new_live(dialogue, position):
            # Shared on the way: the check-in waits for it to reach the post.
            shift = assignment.shift
            data = {
                "assignment_id": assignment.id,
                "live_message_id": position.message_id,
                **waiting(position, shift.post.name, at, shift.ends_at),
            }
            await _held(hold)
            await dialogues.begin(session, member.telegram_id, DIALOGUE, STEP_LOCATION, now, data)
        raise


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
    if stored and _fresh(dialogue, now):
        # Still as old as when it was sent: the pick does not make it fresher.
        return await _with_position(
            session,
            member,
            assignment,
            Position.from_data(stored),
            ended,
            now,
            now,
            settings,
            located_at=_located_at(dialogue),
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


async def _with_position(
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
    if not _fresh(dialogue, at):
        # Sent long ago, the location proves nothing about where the photo is taken: the
        # dialogue goes back to asking for it (the photo is asked for again after it).
        located_at = _located_at(dialogue)
        dialogues.advance(dialogue, STEP_LOCATION, now, position=None, located_at=None)
        raise DomainError(ErrorCode.CHECKIN_LOCATION_STALE, at=Moment(located_at, now))
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
