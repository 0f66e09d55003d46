"""Which check-ins wait on a live location, and where each stands: those at their location
step (`waiting_on_location`, which the opening and the end both read), whether the check-in
has opened on one shared before (`waits_for_opening`), and whether it has waited long enough
(`wait_over`)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Dialogue, DialogueKind
from bot.services.duty.checkin_dialogue import DIALOGUE, STEP_LOCATION
from bot.services.duty.live_wait.record import LIVE_WAIT
from bot.services.duty.sent import judged_at


async def waiting_on_location(session: AsyncSession) -> list[Dialogue]:
    """The check-ins waiting at their location step, which the opening and the end of a live
    wait both go through (each keeps those it concerns)."""
    found = await session.scalars(
        select(Dialogue).where(
            Dialogue.kind == DialogueKind.CHECKIN, Dialogue.step == STEP_LOCATION
        )
    )
    return list(found)


def taken_as_of(dialogue: Dialogue, now: dt.datetime) -> dt.datetime:
    """When the opening judges the last known position of a share sent before it: as of the
    opening (or of the position's move, should it be later), as a move there would be."""
    data = dialogue.data
    opens = dt.datetime.fromisoformat(str(data["opens"]))
    last_at = dt.datetime.fromisoformat(str(data["last_at"]))
    return judged_at(max(opens, last_at), now)


def waits_for_opening(
    dialogue: Dialogue, now: dt.datetime, seat_opens: dt.datetime | None = None
) -> bool:
    """Whether this check-in waits on a live location shared before the check-in opened, the
    check-in is open by `now`, and the share's last known position has not been judged since
    it opened (`take_at_opening`). With `seat_opens`, for the seat whose check-in opens then:
    only if the opening judges it for that seat too, its check-in being open by the moment
    the opening judges the share as of (another seat of the volunteer's, whose check-in opens
    later, is not what the share waits for)."""
    data = dialogue.data
    opens = data.get("opens")
    return (
        dialogue.kind == DIALOGUE
        and dialogue.step == STEP_LOCATION
        and bool(data.get("live_message_id"))
        and bool(opens)
        and bool(data.get("last_position"))
        and now >= dt.datetime.fromisoformat(str(opens))
        and data.get("tried") != data.get("last_at")
        and (seat_opens is None or seat_opens <= taken_as_of(dialogue, now))
    )


def wait_over(dialogue: Dialogue, now: dt.datetime) -> bool:
    """Whether this check-in waits on a live location, and has waited long enough. One begun
    before the wait had an end (no `wait_until`) ends `LIVE_WAIT` after it was last changed."""
    if (
        dialogue.kind != DIALOGUE
        or dialogue.step != STEP_LOCATION
        or not dialogue.data.get("live_message_id")
    ):
        return False
    stored = dialogue.data.get("wait_until")
    until = dt.datetime.fromisoformat(stored) if stored else dialogue.updated_at + LIVE_WAIT
    return now >= until
