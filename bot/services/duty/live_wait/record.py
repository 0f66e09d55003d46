"""What a check-in's dialogue keeps about a live location it waits on (`live_wait`).

The check-in's location judgement (`checkin_location.receive_location`) begins the wait when it
refuses a live location as too far or too early; the wait itself (its moves, the opening, its
end) is `live_wait`, which judges through `checkin_location` again. Both read and write this
record, so it lives below both of them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.db.models import Dialogue
from bot.services.duty.geofence import Position
from bot.services.duty.sent import judged_at

# A live location the check-in waits on (`moves.live_arrived`) is waited on until the
# earliest of: the end of its sharing, the end of the shift, and this long after the wait began
# (or the check-in opened, for one shared before): by then the share was likely left running on
# the way home, or its position drifts outside the range. The scheduler then tells the volunteer
# and ends the dialogue (`end.live_waits_over`), which would otherwise catch what they
# send next.
LIVE_WAIT = dt.timedelta(minutes=30)


def waiting(
    position: Position, post: str, since: dt.datetime, shift_end: dt.datetime
) -> dict[str, str]:
    """What the dialogue keeps about a live location it waits on: until when, for which post."""
    until = min(since + LIVE_WAIT, shift_end)
    if position.live_until is not None:
        until = min(until, max(position.live_until, since))
    return {"wait_until": until.isoformat(), "post": post, "shift_end": shift_end.isoformat()}


def last_known(position: Position, at: dt.datetime) -> dict[str, Any]:
    """The live location's last known position (with when its sharing ends) and when it was
    sent, as a check-in waiting for the opening keeps them."""
    return {"last_position": position.as_data(), "last_at": at.isoformat()}


def new_live(dialogue: Dialogue | None, position: Position) -> bool:
    """Whether `position` is a live location the check-in does not wait on yet."""
    return (
        position.live
        and position.message_id is not None
        and (dialogue is None or dialogue.data.get("live_message_id") != position.message_id)
    )


def judged_at_opening(
    position: Position, opens: dt.datetime, now: dt.datetime
) -> dt.datetime | None:
    """When a live location (or a move of it) sent before the check-in opens at `opens`, and
    handled `now`, is judged: as of the opening (`judged_at`, as the opening's tick judges the
    share's last known position: `opening.take_at_opening`) once the check-in has opened by
    `now` and the share was still shared then; None otherwise (before the opening: it waits
    for it). The opening's tick may have run before the bot read it, and passed it over."""
    if now < opens:
        return None
    at = judged_at(opens, now)
    if position.live_until is None or position.live_until <= at:
        return None
    return at


def awaited_move(dialogue: Dialogue | None, position: Position) -> bool:
    """Whether `position` is a move of the live share the check-in waits on (no location sent
    now: `live_wait.moves.live_arrived` answers nothing, and the wait's end tells)."""
    return (
        dialogue is not None
        and position.message_id is not None
        and dialogue.data.get("live_message_id") == position.message_id
    )
