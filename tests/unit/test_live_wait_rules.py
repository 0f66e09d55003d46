"""The rules of a live location shared before the check-in opens: when a share (or a move of it)
sent before the opening is judged as of the opening."""

from __future__ import annotations

import datetime as dt

from bot.services.duty.geofence import Position
from bot.services.duty.live_wait_record import judged_at_opening

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
