"""The end of a wait on a live location (the scheduler's tick: `live_waits_over`): once the
sharing or the shift ended, or it waited long enough, the check-in stops waiting and the
volunteer is told what to do instead."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Assignment, Dialogue, DialogueKind, Member
from bot.i18n import Translator
from bot.services.duty.checkin_dialogue import STEP_LOCATION
from bot.services.duty.checkin_text import location_button
from bot.services.duty.geofence import Position
from bot.services.duty.live_wait.waits import wait_over, waiting_on_location
from bot.services.platform import dialogues, outbox
from bot.services.platform.notify import Render, notify
from bot.settings import Settings


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


async def live_waits_over(session: AsyncSession, now: dt.datetime, settings: Settings) -> int:
    """A check-in waiting on a live location that has not reached the post (refused on the way,
    or shared before the check-in opened: `live_arrived`) ends once the wait is over
    (`wait_over`: the sharing or the shift ended, or it waited long enough): the
    volunteer is told, and what they send next is no longer taken as that check-in's."""
    queued = 0
    for dialogue in await waiting_on_location(session):
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
