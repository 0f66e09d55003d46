"""When a message counts: when Telegram says it was sent, within bounds. A check-in's location
and photo (bot/services/duty/checkin_location.py and checkin.py) and the location that checks in
past another dialogue (checkin_shifts.checks_in_instead) are judged so (`judged_at`); each move of
the live location shared on post (presence.record_live_position) takes its place in the track by
it (`placed_at`)."""

from __future__ import annotations

import datetime as dt

# A location or a photo counts when Telegram says it was sent (the message's `date`; a move of a
# live location, its `edit_date`), not when the bot handles it: after a crash or an outage the
# updates wait in Telegram's queue or the inbox, and a volunteer who sent their location on time
# stays on time however late the bot reads it. That time is Telegram's, not the phone's; a
# forwarded message carries when it was forwarded (and is refused anyway), an edit when it was
# edited. It is believed only so far back: Telegram keeps an update for a day, and neither may a
# check-in reach a window that closed long before the bot saw it, nor a location hours old stand
# for where someone is. Older than this, a message is judged as if sent when handled (as it always
# was): its shift is then over, or it is late, and the person is told so; a move of a live
# location stands in its track as if sent this long before it was handled (`placed_at`). A time
# after the handling (clocks apart) is not believed either.
SENT_BELIEVED_FOR = dt.timedelta(hours=1)


def judged_at(sent_at: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    """When a message sent at `sent_at` (None: unknown) and handled `now` counts."""
    if sent_at is None or sent_at > now or now - sent_at > SENT_BELIEVED_FOR:
        return now
    return sent_at


def placed_at(sent_at: dt.datetime | None, now: dt.datetime, since: dt.datetime) -> dt.datetime:
    """Where a move of a live location sent at `sent_at` (None: unknown) and handled `now` stands
    in a track begun at `since`: when it was sent, but no further back than SENT_BELIEVED_FOR
    before its handling (nor before the track began), and not after it.

    Unlike `judged_at`, an older move is not put at its handling: a move sent later and handled
    right after it would then come first, and the stale one stand as where the person is now.
    Held to the hour before its handling, a move never passes one sent after it and handled no
    earlier, and yet says nothing of where someone was more than an hour before the bot saw it."""
    if sent_at is None:
        return now
    return min(max(sent_at, now - SENT_BELIEVED_FOR, since), now)
