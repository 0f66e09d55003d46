"""🙋 待批请假 under /roster: each leave request still waiting for the decider is sent again, as
its card said it, with 批准 / 驳回. Each copy is a card (bot/services/platform/cards.py) under a
key of its own (bot/services/schedule/leave_cards.py), queued in the press's transaction, so a
decision or an end closes it in place like the request's first cards. A request shown again in
a chat closes its copies shown there before (not sent yet: dropped; sent: the request without
buttons, pointing below), so each press leaves one live copy of it per chat, not one more."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Translator
from bot.services.people.access import Actor
from bot.services.platform import cards, outbox
from bot.services.platform.notify import Render
from bot.services.rostering import leave_waiting, notices
from bot.services.schedule import leave_cards
from bot.settings import Settings


async def send_again(
    session: AsyncSession,
    actor: Actor,
    chat_id: int,
    t: Translator,
    now: dt.datetime,
    settings: Settings,
) -> int:
    """Queue to `chat_id` the first requests waiting for the actor's decision (soonest shift
    first), then a line saying how many more wait, if any; how many requests were queued."""
    # Under the lock a decision takes: a copy is never queued, live, of a request decided.
    waiting = await leave_waiting.locked_pending(session, actor, now, settings)
    if not waiting:
        return 0
    # Each press shows its own copies: a new token, and the keys stay unique.
    token = uuid.uuid4().hex[:12]
    # The copies shown in this chat before (one statement, on the chat's index), by request.
    shown = await cards.keys_under(session, leave_cards.COPIES, chat_id=chat_id)
    for request in waiting:
        earlier = leave_cards.copy_key(request.leave.id, chat_id, "")
        await cards.close(
            session,
            [key for key in shown if key.startswith(earlier)],
            _shown_again(request),
            now=now,
            settings=settings,
        )
        render = notices.leave_asked(
            request.leave, request.leaves_this_month, request.within_cutoff_hours
        )
        await outbox.enqueue(
            session,
            key=leave_cards.copy_key(request.leave.id, chat_id, token),
            chat_id=chat_id,
            body=render(t),
            now=now,
            urgent=True,
        )
    more = await leave_waiting.pending_count(session, actor, now) - len(waiting)
    if more > 0:
        await outbox.enqueue(
            session,
            key=f"leave-shown-more:{chat_id}:{token}",
            chat_id=chat_id,
            body=outbox.payload(t("rostering.leave.more_pending", count=more)),
            now=now,
            urgent=True,
        )
    return len(waiting)


def _shown_again(request: leave_waiting.Pending) -> Render:
    """An earlier copy of `request` in the chat, once it is sent again below: the request as it
    said it, without its buttons."""

    def render(t: Translator) -> outbox.Message:
        text, _ = notices.leave_request(
            t, request.leave, request.leaves_this_month, request.within_cutoff_hours
        )
        return outbox.payload(f"{text}\n{t('rostering.notice.leave_shown_again')}")

    return render
