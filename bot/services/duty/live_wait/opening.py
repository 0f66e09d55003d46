"""The opening of a check-in waited on by a live location shared before it (the scheduler's
tick: `live_waits_open`): a phone standing still at the post sends no move, so the share's last
known position is judged as of the opening (`take_at_opening`), and the volunteer is told what
comes next in one message."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import attributes

from bot.buttons import CallbackData, CancelDialogue, CheckInPick
from bot.db.models import Dialogue, DialogueKind, Member
from bot.errors import DomainError
from bot.i18n import Translator
from bot.services.duty.checkin_dialogue import (
    STEP_LOCATION,
    CheckedIn,
    NeedLocation,
    NeedPhoto,
    NeedPick,
)
from bot.services.duty.checkin_location import receive_location
from bot.services.duty.checkin_text import confirmation, distance
from bot.services.duty.geofence import Position
from bot.services.duty.live_wait.waits import taken_as_of, waiting_on_location, waits_for_opening
from bot.services.platform import dialogues, outbox
from bot.services.platform.notify import Render, notify
from bot.services.schedule.shift_text import shift_label
from bot.settings import Settings


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
    at = taken_as_of(dialogue, now)
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
    for waiting in await waiting_on_location(session):
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
