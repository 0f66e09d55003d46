"""The rules of a live location shared before the check-in opens: when a share (or a move of it)
sent before the opening is judged as of the opening, and which seats' check-in-open notices
such a wait holds back."""

from __future__ import annotations

import datetime as dt

from bot.db.models import Dialogue, DialogueKind
from bot.services.duty.geofence import Position
from bot.services.duty.live_wait.record import judged_at_opening, last_known
from bot.services.duty.live_wait.waits import waits_for_opening

UTC = dt.UTC
OPENS = dt.datetime(2026, 12, 1, 7, 45, tzinfo=UTC)


def shared(until: dt.datetime | None) -> Position:
    return Position(30.0, 104.0, live=True, message_id=7, live_until=until)


def test_a_share_sent_before_the_opening_is_judged_as_of_it_once_it_has_come() -> None:
    eight_hours = shared(OPENS + dt.timedelta(hours=8))
    # Handled before the opening: it waits for it.
    assert judged_at_opening(eight_hours, OPENS, OPENS - dt.timedelta(seconds=1)) is None
    # Handled at it or after: as of the opening.
    assert judged_at_opening(eight_hours, OPENS, OPENS) == OPENS
    assert judged_at_opening(eight_hours, OPENS, OPENS + dt.timedelta(seconds=5)) == OPENS
    # Handled long after (the bot was down): as of an hour before it was handled, as any
    # message (`sent.judged_at`).
    late = OPENS + dt.timedelta(hours=3)
    assert judged_at_opening(eight_hours, OPENS, late) == late


def test_a_share_over_by_the_opening_is_not_judged_at_it() -> None:
    handled = OPENS + dt.timedelta(seconds=5)
    assert judged_at_opening(shared(OPENS), OPENS, handled) is None
    assert judged_at_opening(shared(OPENS - dt.timedelta(minutes=1)), OPENS, handled) is None
    # A move whose sharing stopped carries no end: nothing to judge.
    assert judged_at_opening(shared(None), OPENS, handled) is None
    assert judged_at_opening(shared(OPENS + dt.timedelta(seconds=1)), OPENS, handled) == OPENS


def waiting_since(sent: dt.datetime, *, tried: bool = False) -> Dialogue:
    """A check-in waiting on a share sent at `sent`, before the check-in opens at OPENS."""
    data = {
        "live_message_id": 7,
        "opens": OPENS.isoformat(),
        **last_known(shared(OPENS + dt.timedelta(hours=8)), sent),
    }
    if tried:
        data["tried"] = data["last_at"]
    return Dialogue(
        telegram_id=5001, kind=DialogueKind.CHECKIN, step="location", data=data, updated_at=sent
    )


def test_the_wait_holds_back_the_notices_of_the_seats_the_opening_takes_it_for() -> None:
    dialogue = waiting_since(OPENS - dt.timedelta(minutes=5))
    now = OPENS + dt.timedelta(minutes=5)
    assert waits_for_opening(dialogue, now)
    # A seat opening with it, or open before (the opening judges the share for either).
    assert waits_for_opening(dialogue, now, OPENS)
    assert waits_for_opening(dialogue, now, OPENS - dt.timedelta(minutes=10))
    # Another seat of hers, opening after the moment the share is judged as of: not its wait.
    assert not waits_for_opening(dialogue, now, OPENS + dt.timedelta(minutes=5))
    # Not before the opening; not once the opening judged the share.
    assert not waits_for_opening(dialogue, OPENS - dt.timedelta(seconds=1), OPENS)
    judged = waiting_since(OPENS - dt.timedelta(minutes=5), tried=True)
    assert not waits_for_opening(judged, now, OPENS)
