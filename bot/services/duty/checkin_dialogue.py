"""The check-in dialogue: its steps, what each answers, and what its row says (album, location).

The steps are kept in a dialogue row so a restart resumes them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.db.models import CheckIn, Dialogue, DialogueKind
from bot.errors import DomainError, ErrorCode
from bot.services.duty.at_hand import AssignmentAtHand
from bot.services.duty.checkin_text import Moment
from bot.services.duty.geofence import Fix
from bot.services.platform import dialogues

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


# -- the location it holds -------------------------------------------------------------------

# A location says where the volunteer was when they sent it: one older than this when the photo
# comes (or the shift is picked) is asked for again. A shared live location is as fresh as its
# latest move inside the post's range (`live_wait.moves.live_moved`), and stays fresh while it is
# still shared (Telegram's live_period not over) with no move out of range since: a phone
# standing still on post sends no moves, yet would report one that left.
POSITION_FRESH = dt.timedelta(minutes=30)


def located_at(dialogue: Dialogue) -> dt.datetime:
    """When the dialogue's location was sent (else when the dialogue last changed)."""
    stored = dialogue.data.get("located_at")
    return dt.datetime.fromisoformat(stored) if stored else dialogue.updated_at


def fresh(dialogue: Dialogue, at: dt.datetime) -> bool:
    """Whether the dialogue's location still says where the volunteer is at `at`."""
    if at - located_at(dialogue) <= POSITION_FRESH:
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
