"""The wait on a live location (issue 4): a volunteer shares a live location on the way to
the post, or at it before the check-in opens, and the check-in waits for it to be within the
post's range with the check-in open, rather than ask for another location.

The wait begins where the location is judged (`checkin.receive_location`, which keeps its
record: `live_wait_record`). Here: each move of the share (`live_arrived`; `live_moved` for one
that a check-in waiting for its photo holds), the opening, which takes the share's last known
position (`take_at_opening`, run by the scheduler tick: `live_waits_open`), and the wait's end
(`wait_over`, `live_waits_over`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import attributes

from bot.buttons import CallbackData, CancelDialogue, CheckInPick
from bot.db import direct
from bot.db.models import Assignment, Dialogue, DialogueKind, Member
from bot.errors import DomainError
from bot.i18n import Translator
from bot.services.duty.checkin import (
    DIALOGUE,
    STEP_LOCATION,
    STEP_PHOTO,
    STEP_PICK,
    CheckedIn,
    DialogueGone,
    Hold,
    NeedLocation,
    NeedPhoto,
    NeedPick,
    Step,
    receive_location,
)
from bot.services.duty.checkin_text import confirmation, distance, location_button
from bot.services.duty.geofence import Position, judge
from bot.services.duty.live_wait_record import LIVE_WAIT, judged_at_opening, last_known
from bot.services.duty.sent import judged_at
from bot.services.platform import dialogues, outbox
from bot.services.platform.notify import Render, notify
from bot.services.schedule.shift_text import shift_label
from bot.settings import Settings

# -- the moves of the share ---------------------------------------------------------------------


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
    nothing, asks only once it is to write something (`checkin.Hold`): its refusals (out of
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
    and nothing to say (every move would repeat it). A wait begun before the opening keeps
    each move as the share's last known position, for the opening (`take_at_opening`). A wait
    the scheduler ended or took at the opening since this turn read it (`_still_waiting`) is
    gone: None, as for a move after its end."""
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
    except (DomainError, DialogueGone):
        return None


def _taken_at(dialogue: Dialogue, now: dt.datetime) -> dt.datetime:
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
        and (seat_opens is None or seat_opens <= _taken_at(dialogue, now))
    )


async def take_at_opening(
    session: AsyncSession,
    member: Member,
    dialogue: Dialogue,
    now: dt.datetime,
    settings: Settings,
) -> NeedPick | NeedPhoto | CheckedIn | None:
    """The check-in opened (or opened a while ago, the tick being late) while it waited on a
    live location shared before (`waits_for_opening`). A phone standing still sends no move
    (Telegram edits a live location only when it moves), so its last known position stands
    for where it is: within the post's range and still shared at the opening, it is the
    check-in's location as of the opening, exactly as a move there would be (`live_arrived`);
    anywhere else, or no longer shared, None, and the wait goes on (or ends, `wait_over`)."""
    data = dialogue.data
    at = _taken_at(dialogue, now)
    dialogues.advance(dialogue, STEP_LOCATION, now, tried=data["last_at"])
    last = Position.from_data(data["last_position"])
    if last.live_until is None or last.live_until <= at:
        return None
    try:
        step = await receive_location(
            session, member, dialogue, replace(last, sent_at=at), now, settings
        )
    except DomainError:
        return None
    # A location is never answered by asking for one.
    assert not isinstance(step, NeedLocation)
    return step


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


# -- the scheduler tick: the opening and the end of the wait ---------------------------------


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


def _live_wait_over(
    post: str,
    shift_end: dt.datetime | None,
    now: dt.datetime,
    settings: Settings,
    *,
    stopped: bool = False,
    opens: dt.datetime | None = None,
) -> Render:
    """The notice that the check-in stopped waiting: the shift is over, the share `stopped`
    (one shared before the opening, which may have been at the post all along: not told it
    never reached it), or it never reached the post. It takes away the Cancel button the
    waiting check-in left on the keyboard: with the check-in still open and a one-off location
    enough, the 📍 button that checks in from the post takes its place (as under the check-in-open
    notice or a late nudge of the same tick); otherwise the keyboard goes."""

    def render(t: Translator) -> outbox.Message:
        if shift_end is not None and shift_end <= now:
            text = t("checkin.live_wait_over_closed", post=post, end=t.time(shift_end))
            return outbox.payload(text, remove_keyboard=True)
        if stopped and opens is not None and now < opens:
            # Stopped before the check-in opens: /checkin now would only say it is not open.
            text = t("checkin.live_wait_stopped_before_open", post=post, opens=t.time(opens))
            return outbox.payload(text, remove_keyboard=True)
        text = t("checkin.live_wait_stopped" if stopped else "checkin.live_wait_over", post=post)
        button = location_button(t, settings)
        if button is None:
            return outbox.payload(text, remove_keyboard=True)
        return outbox.payload(text, location_button=button)

    return render


def _taken_at_opening(
    step: NeedPick | NeedPhoto | CheckedIn,
    mark: int | None,
) -> Render:
    """The check-in opened on a live location shared at the post before: what comes next, as
    a move of it there would be answered (handlers/checkin.py `_show`), in the one message of
    the opening (the "check-in is open" notice is not sent: `reminders.checkin_open`)."""

    def render(t: Translator) -> outbox.Message:
        if isinstance(step, CheckedIn):
            # Checked in at once: the confirmation alone, which says how it came about. It
            # takes away the keyboard a refusal before the opening left (Cancel, 📍), which
            # leaves no room for the check-out button (one reply markup a message): /checkout.
            done = confirmation(t, step.checkin, step.assignment.shift, step.photo_reused)
            taken = t("checkin.live_checked_in_at_open")
            return outbox.payload(f"{done}\n{taken}", remove_keyboard=True)
        opened = t("checkin.live_taken_at_open")
        if isinstance(step, NeedPhoto):
            post = step.assignment.shift.post.name
            asked = t("checkin.ask_photo", post=post, distance=distance(t, step.fix.distance_m))
            return outbox.payload(f"{opened}\n{asked}", remove_keyboard=True)
        rows: list[list[tuple[str, CallbackData]]] = [
            [(shift_label(t, option.shift, "checkin.shift_label"), CheckInPick(option.id))]
            for option in step.options
        ]
        rows.append([(t("common.button.cancel"), CancelDialogue(mark))])
        return outbox.payload(f"{opened}\n{t('checkin.pick')}", buttons=rows)

    return render


async def _waiting_on_location(session: AsyncSession) -> list[Dialogue]:
    """The check-ins waiting at their location step, which the opening and the end of a live
    wait both go through (each keeps those it concerns)."""
    found = await session.scalars(
        select(Dialogue).where(
            Dialogue.kind == DialogueKind.CHECKIN, Dialogue.step == STEP_LOCATION
        )
    )
    return list(found)


# How many times the opening claims a wait that moves keep changing under it (each claim that
# fails reads it again): a move handled during the opening is judged by itself once the
# check-in is open (`live_arrived`), so a second failure needs a phone whose clock, or a
# process's, runs behind.
_CLAIMS = 3


async def _claimed(
    session: AsyncSession, dialogue: Dialogue, now: dt.datetime
) -> tuple[Dialogue, int] | None:
    """The waiting check-in, claimed for the opening if it is still as read: a move handled
    meanwhile (another chat's transaction) changed it. If so it is read again: judged by the
    move itself, it no longer waits for the opening; kept as the last known position (sent
    before the opening, handled before it), it is claimed again and taken in this tick, not
    the next. Another process's opening that got here first holds the row until it commits,
    and has changed it by then (judged: it no longer waits). With it, the dialogue's mark (for
    one begun before dialogues had marks: when it was changed as read)."""
    for _ in range(_CLAIMS):
        claimed = await session.execute(
            update(Dialogue)
            .where(
                Dialogue.telegram_id == dialogue.telegram_id,
                Dialogue.kind == DialogueKind.CHECKIN,
                Dialogue.step == STEP_LOCATION,
                Dialogue.updated_at == dialogue.updated_at,
            )
            .values(updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if getattr(claimed, "rowcount", 0):
            mark = dialogues.mark(dialogue) or int(dialogue.updated_at.timestamp())
            attributes.set_committed_value(dialogue, "updated_at", now)
            return dialogue, mark
        again = await session.scalar(
            select(Dialogue)
            .where(Dialogue.telegram_id == dialogue.telegram_id)
            .execution_options(populate_existing=True)
        )
        if again is None or not waits_for_opening(again, now):
            return None
        dialogue = again
    return None


async def live_waits_open(session: AsyncSession, now: dt.datetime, settings: Settings) -> int:
    """A check-in waiting on a live location shared before it opened, now open: the share's
    last known position is judged (`take_at_opening`), as a phone standing still at
    the post sends no move that would be. Within the post's range and still shared, it is the
    check-in's location, and the volunteer is told what comes next (the photo, or the check-in
    made); otherwise the wait goes on, for a move into range or its end (`live_waits_over`)."""
    queued = 0
    for waiting in await _waiting_on_location(session):
        if not waits_for_opening(waiting, now):
            continue
        # Taken only if still as read, or as read again (`_claimed`); the "check-in is open"
        # notice waits for that (`reminders.checkin_open`).
        claimed = await _claimed(session, waiting, now)
        if claimed is None:
            continue
        dialogue, mark = claimed
        member = await session.scalar(
            select(Member).where(Member.telegram_id == dialogue.telegram_id)
        )
        if member is None or not member.active:
            dialogues.advance(dialogue, STEP_LOCATION, now, tried=dialogue.data.get("last_at"))
            continue
        step = await take_at_opening(session, member, dialogue, now, settings)
        if step is None:
            continue
        cancel_mark = dialogues.mark(dialogue) if isinstance(step, NeedPick) else None
        queued += await notify(
            session,
            member,
            _taken_at_opening(step, cancel_mark),
            key=f"checkin:{dialogue.telegram_id}:live-open:{mark}",
            now=now,
            settings=settings,
            # At the post, whatever the hour.
            urgent=True,
        )
    return queued


async def live_waits_over(session: AsyncSession, now: dt.datetime, settings: Settings) -> int:
    """A check-in waiting on a live location that has not reached the post (refused on the way,
    or shared before the check-in opened: `live_arrived`) ends once the wait is over
    (`wait_over`: the sharing or the shift ended, or it waited long enough): the
    volunteer is told, and what they send next is no longer taken as that check-in's."""
    queued = 0
    for dialogue in await _waiting_on_location(session):
        if not wait_over(dialogue, now):
            continue
        data = dict(dialogue.data)
        # Ended only if still as read: a move that reached the post meanwhile (another chat's
        # transaction) changed it, and wins.
        ended = await session.execute(
            delete(Dialogue)
            .where(
                Dialogue.telegram_id == dialogue.telegram_id,
                Dialogue.kind == DialogueKind.CHECKIN,
                Dialogue.step == STEP_LOCATION,
                Dialogue.updated_at == dialogue.updated_at,
            )
            .execution_options(synchronize_session=False)
        )
        if not getattr(ended, "rowcount", 0):
            continue
        session.expunge(dialogue)
        post, shift_end = data.get("post"), data.get("shift_end")
        if post is None and data.get("assignment_id") is not None:
            # Begun before the wait had an end: its shift tells.
            assignment = await session.get(Assignment, int(data["assignment_id"]))
            if assignment is not None:
                post = assignment.shift.post.name
                shift_end = assignment.shift.ends_at.isoformat()
        member = await session.scalar(
            select(Member).where(Member.telegram_id == dialogue.telegram_id)
        )
        if member is None or not member.active or post is None:
            continue
        mark = dialogues.mark(dialogue) or int(dialogue.updated_at.timestamp())
        ends = dt.datetime.fromisoformat(shift_end) if shift_end else None
        # A share begun before the opening keeps its last known position, and when its sharing
        # ends: over by now, the sharing ended the wait, wherever it was.
        last = data.get("last_position")
        shared_until = Position.from_data(last).live_until if last else None
        stopped = bool(data.get("stopped")) or (shared_until is not None and shared_until <= now)
        queued += await notify(
            session,
            member,
            _live_wait_over(
                str(post),
                ends,
                now,
                settings,
                stopped=stopped,
                opens=dt.datetime.fromisoformat(data["opens"]) if data.get("opens") else None,
            ),
            key=f"checkin:{dialogue.telegram_id}:live-wait:{mark}",
            now=now,
            settings=settings,
            # On the way to a post or at it, whatever the hour.
            urgent=True,
        )
    return queued
