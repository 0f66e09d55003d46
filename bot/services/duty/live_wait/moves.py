"""The moves of a live location a check-in waits on: each move of the share (`live_arrived`),
within the post's range with the check-in open, is the check-in's location; before the opening
it is kept as the share's last known position, for the opening (`opening`). And a move of the
share a check-in waiting for its photo (or the pick of its shift) holds (`live_moved`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import direct
from bot.db.models import Assignment, Dialogue, Member
from bot.errors import DomainError
from bot.services.duty.checkin_dialogue import DIALOGUE, STEP_LOCATION, STEP_PHOTO, STEP_PICK, Step
from bot.services.duty.checkin_location import DialogueGone, Hold, receive_location
from bot.services.duty.checkin_shifts import ends_check_in
from bot.services.duty.geofence import Position, judge
from bot.services.duty.live_wait.record import judged_at_opening, last_known
from bot.services.duty.sent import judged_at
from bot.services.platform import dialogues
from bot.settings import Settings


def _noted(dialogue: Dialogue, position: Position, at: dt.datetime) -> dict[str, Any]:
    """What a check-in waiting for the opening keeps of a move of its live location sent at
    `at`: its last known position from now on, unless a later move is known already (moves may
    arrive out of order: then nothing)."""
    stored_at = dialogue.data.get("last_at")
    if stored_at and at < dt.datetime.fromisoformat(stored_at):
        return {}
    return last_known(replace(position, sent_at=None), at)


def _stopped(dialogue: Dialogue, at: dt.datetime) -> dict[str, Any]:
    """What a check-in waiting on a live location keeps of its sharing stopped at `at`
    (Telegram's last edit of it, with no live_period): the wait ends then (`wait_over`, and
    `live_waits_over` says the sharing ended), and a share kept for the opening was shared
    until then. The stop is no move: the last known position and its time stay as they were,
    so an opening not judged yet still takes it as of the opening if it was shared then."""
    kept: dict[str, Any] = {"wait_until": at.isoformat(), "stopped": True}
    stored = dialogue.data.get("last_position")
    if stored:
        last = Position.from_data(stored)
        until = at if last.live_until is None else min(last.live_until, at)
        kept["last_position"] = replace(last, live_until=until).as_data()
    return kept


async def _still_waiting(
    session: AsyncSession, dialogue: Dialogue, now: dt.datetime, **kept: Any
) -> bool:
    """Whether the wait is still as this turn read it; if so, what it `kept` of the move is
    written (changed `now`), or with nothing to keep it is written as it is, and either way its
    row is held until the turn ends. The scheduler's tick, of this process or of another, may
    have ended the wait since (`live_waits_over`) or taken the share at the opening
    (`live_waits_open`): a move handled as if it still waited would write its copy over the
    tick's, or fail on the row deleted under it. The tick changes the row only if it is still
    as the tick read it, so once held here it waits for this turn, then finds it changed by
    the move or, when the move changed nothing, goes ahead. One statement: a move kept before
    the opening costs no more than the write it needs anyway; a move on the way, which keeps
    nothing, asks only once it is to write something (`checkin_location.Hold`): its refusals (out of
    range) write nothing, so the tick may end the wait under them unharmed."""
    values: dict[str, Any] = {"updated_at": dialogue.updated_at}
    if kept:
        values = {"data": {**dialogue.data, **kept}, "updated_at": now}
    return await direct.update_row_if(
        session,
        dialogue,
        (
            Dialogue.kind == DIALOGUE,
            Dialogue.step == STEP_LOCATION,
            Dialogue.updated_at == dialogue.updated_at,
        ),
        **values,
    )


async def live_arrived(
    session: AsyncSession,
    member: Member,
    dialogue: Dialogue | None,
    position: Position,
    now: dt.datetime,
    settings: Settings,
) -> Step | None:
    """A move of a live location refused as too far or too early, which the check-in waits on:
    within the post's range once the check-in is open it is the check-in's location (the next
    step, to show); anywhere else, before the check-in opens, or once it cannot go ahead, None
    and nothing to say (every move would repeat it), unless the check-in ended with the
    refusal (`ends_check_in`, the seat gone): that refusal is raised, to say once. A wait begun
    before the opening keeps each move as the share's last known position, for the opening
    (`take_at_opening`). A wait the scheduler ended or took at the opening since this turn
    read it (`_still_waiting`) is gone: None, as for a move after its end."""
    if (
        dialogue is None
        or dialogue.kind != DIALOGUE
        or dialogue.step != STEP_LOCATION
        or position.message_id is None
        or dialogue.data.get("live_message_id") != position.message_id
    ):
        return None
    if not position.live:
        # Its sharing stopped: nothing more will come, and where the phone was last is no
        # location sent now. Not judged; the wait ends at the next tick, which says so.
        await _still_waiting(
            session, dialogue, now, **_stopped(dialogue, judged_at(position.sent_at, now))
        )
        return None
    hold: Hold | None = None
    opens = dialogue.data.get("opens")
    if opens:
        opens_at = dt.datetime.fromisoformat(opens)
        at = judged_at(position.sent_at, now)
        kept = _noted(dialogue, position, at)
        judged: dt.datetime | None = at if at >= opens_at else None
        if judged is None and kept:
            # Sent before the opening, handled after it: the opening's tick may have run
            # before the bot read it (and judged an older position, or passed the wait over
            # as this turn changed it). Judged here, as of the opening, as the tick would.
            last = Position.from_data(kept["last_position"])
            judged = judged_at_opening(last, opens_at, now)
        if judged is not None:
            # Judged here and now: the opening need not take it again (`take_at_opening`).
            kept["tried"] = kept.get("last_at", dialogue.data.get("last_at"))
        if not kept or not await _still_waiting(session, dialogue, now, **kept):
            return None
        if judged is None:
            return None
        position = replace(position, sent_at=judged)
    else:
        held: list[bool] = []
        wait = dialogue

        async def hold_once() -> bool:
            # A move on the way writes only once it reaches the post: the wait is held then.
            if not held:
                held.append(await _still_waiting(session, wait, now))
            return held[0]

        hold = hold_once
    try:
        return await receive_location(session, member, dialogue, position, now, settings, hold=hold)
    except DialogueGone:
        return None
    except DomainError as error:
        if ends_check_in(error) and await dialogues.current(session, member.telegram_id) is None:
            # The check-in ended with it (its seat gone): said once, as no later move reaches
            # a check-in any more, nor does the wait's end.
            raise
        return None


async def live_moved(
    session: AsyncSession,
    dialogue: Dialogue | None,
    position: Position,
    now: dt.datetime,
    settings: Settings,
) -> bool:
    """A move of the live location a check-in waiting for its photo (or for the pick of its
    shift) holds: still within the post's range, it is the check-in's position from now on (so
    it stays fresh while shared); out of range, the share no longer keeps the position fresh
    until it is back; its sharing stopped (no live_period any more), it keeps it fresh no
    longer. With no shift picked yet, a move is the position the pick judges. Whether it was
    taken."""
    if (
        dialogue is None
        or dialogue.kind != DIALOGUE
        or dialogue.step not in (STEP_PHOTO, STEP_PICK)
        or position.message_id is None
    ):
        return False
    stored = dialogue.data.get("position") or {}
    if not stored.get("live") or stored.get("message_id") != position.message_id:
        return False
    at = judged_at(position.sent_at, now)
    held = Position.from_data(stored)
    if not position.live:
        # Sharing stopped: Telegram's last edit of it has no live_period. No fix, no presence:
        # the position stays as fresh as its last move (or its taking), shared until now.
        shared_until = at if held.live_until is None else min(held.live_until, at)
        kept = replace(held, live_until=shared_until)
        dialogues.advance(dialogue, dialogue.step, now, position=kept.as_data())
        return False
    if dialogue.step == STEP_PICK:
        # No shift to judge it against yet: where it is now, which the pick judges.
        moved = held.moved_to(position)
        dialogues.advance(
            dialogue, STEP_PICK, now, position=moved.as_data(), located_at=at.isoformat()
        )
        return True
    assignment = await session.get(Assignment, int(dialogue.data["assignment_id"]))
    if assignment is None:
        return False
    post = assignment.shift.post
    fix = judge(post, position.latitude, position.longitude, position.accuracy_m, settings)
    if not fix.accepted:
        if dialogue.data.get("out_of_range"):
            return False  # known already: nothing to write for each move away
        dialogues.advance(dialogue, STEP_PHOTO, now, out_of_range=True)
        return False
    moved = held.moved_to(position)
    dialogues.advance(
        dialogue,
        STEP_PHOTO,
        now,
        position=moved.as_data(),
        located_at=at.isoformat(),
        out_of_range=False,
    )
    return True
