"""Stopping a broadcast midway (⏹ 停止发送): every message of it not sent yet is dropped, the
broadcast keeps who stopped it and when, the audit trail too, and its progress message ends with
a count that says it was stopped.

Who may: the coordinator who sent it (while still a coordinator), a coordinator of its unit, or
an admin; a broadcast to every unit only its sender and admins.

Against the sender: the stop drops the rows still pending, those a sender has claimed included,
and leaves their claim. A claimed row the sender delivers is then marked sent by it (the
message went out: it counts as sent, not as stopped); one it hands back (a 429, a time-out, the
chat's pace) keeps the status the stop gave it and is never claimed again. One UPDATE on the
rows' status: on PostgreSQL it waits for a sender's transaction on the same rows and reads them
again, on SQLite the database lock serialises the two. Each row has one status, and the counts
are read from it, so no message is counted both as sent and as not sent; the final count waits
until the sender has let go of every row it held."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Broadcast, BroadcastKind, OutboxMessage, OutboxStatus, Role
from bot.errors import DomainError, ErrorCode
from bot.services.people.access import Actor
from bot.services.platform import audit
from bot.services.schedule import broadcast as broadcasts
from bot.services.schedule import broadcast_progress
from bot.settings import Settings

STOPPED_REASON = broadcast_progress.STOPPED_REASON
ACTION = "broadcast.stop"


@dataclass(frozen=True)
class Stopped:
    """A stopped broadcast: how many of its messages were dropped that no sender held
    (`dropped`), how many a sender held and may still send (`in_flight`), its counts now, and
    who stopped it by name (None: an admin without a member record)."""

    broadcast: Broadcast
    dropped: int
    in_flight: int
    counts: broadcast_progress.Counts
    stopped_by: str | None


def may_stop(actor: Actor, broadcast: Broadcast) -> bool:
    if actor.is_admin:
        return True
    if Role.COORDINATOR not in actor.roles or actor.member is None:
        return False
    if broadcast.created_by_id == actor.member.id:
        return True
    return broadcast.unit_id is not None and broadcast.unit_id == actor.unit_id


async def stoppable(
    session: AsyncSession, actor: Actor, now: dt.datetime, *only: ColumnElement[bool]
) -> list[tuple[Broadcast, broadcast_progress.Counts]]:
    """The running broadcasts this person may stop, oldest first, each with its counts now;
    `only`: conditions they must meet besides. Running: not stopped, and not finished, its
    final count written by the tick or every message of it gone out already (the tick has
    yet to say so: nothing is left to stop)."""
    if not actor.is_admin and (Role.COORDINATOR not in actor.roles or actor.member is None):
        return []  # nobody else may stop one (`may_stop`): spared the query
    running = await session.scalars(
        select(Broadcast)
        .where(Broadcast.finished_at.is_(None), Broadcast.stopped_at.is_(None), *only)
        .order_by(Broadcast.id)
    )
    found = [(b, await broadcast_progress.counts(session, b, now)) for b in running]
    return [(b, current) for b, current in found if may_stop(actor, b) and not current.done]


async def announcements_going_out(
    session: AsyncSession, actor: Actor, since: dt.datetime, now: dt.datetime
) -> list[tuple[Broadcast, broadcast_progress.Counts]]:
    """The person's own announcements queued at or after `since` that they may stop (still
    going out), oldest first, with their counts now: what an edit of a text typed before then
    may have meant to correct."""
    if actor.member is None:
        return []
    return await stoppable(
        session,
        actor,
        now,
        Broadcast.created_by_id == actor.member.id,
        Broadcast.kind == BroadcastKind.ANNOUNCEMENT,
        Broadcast.created_at >= since,
    )


async def stop(
    session: AsyncSession,
    actor: Actor,
    broadcast_id: int,
    *,
    now: dt.datetime,
    settings: Settings,
    pressed: tuple[int, int] | None,
) -> Stopped:
    """Stop the broadcast; `pressed`: the chat and message whose ⏹ was pressed, which the
    answer edits to the stopped count (when it is the progress message, the tick need not; one
    pressed in the sender's chat when the progress message could not be posted becomes it)."""
    found = await session.get(Broadcast, broadcast_id)
    if found is None:
        raise DomainError(ErrorCode.BROADCAST_NOT_FOUND)
    if not may_stop(actor, found):
        raise DomainError(ErrorCode.BROADCAST_STOP_FORBIDDEN)
    if found.stopped_at is None and (await broadcast_progress.counts(session, found, now)).done:
        # Every message has gone out, and the tick has yet to write the final count: over.
        raise DomainError(ErrorCode.BROADCAST_FINISHED)
    stopper_id = actor.member.id if actor.member is not None else None
    # Only one stop wins, and none after the final count.
    claimed = await session.execute(
        update(Broadcast)
        .where(
            Broadcast.id == broadcast_id,
            Broadcast.stopped_at.is_(None),
            Broadcast.finished_at.is_(None),
        )
        .values(stopped_at=now, stopped_by_id=stopper_id)
        .execution_options(synchronize_session=False)
    )
    if not getattr(claimed, "rowcount", 0):
        await session.refresh(found)
        if found.stopped_at is not None:
            raise DomainError(ErrorCode.BROADCAST_ALREADY_STOPPED)
        raise DomainError(ErrorCode.BROADCAST_FINISHED)
    await session.refresh(found)
    batch = broadcasts.batch_of(broadcast_id)
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.batch == batch, OutboxMessage.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.DROPPED, last_error=STOPPED_REASON)
        .execution_options(synchronize_session=False)
    )
    dropped = int(getattr(result, "rowcount", 0) or 0)
    # A running count queued by an earlier tick and not sent yet would arrive after the stopped
    # count and show ⏹ again on a broadcast that can no longer be stopped. One the sender holds
    # already may still reach Telegram after the answer to this press: the stopped count is then
    # queued behind it as well, so that it is the last thing the progress message shows.
    edits = broadcast_progress.edit_key_prefix(broadcast_id)
    progress_edits = (
        OutboxMessage.chat_id == found.chat_id,
        OutboxMessage.status == OutboxStatus.PENDING,
        OutboxMessage.idempotency_key.like(f"{edits}%"),
    )
    edit_in_flight = bool(
        await session.scalar(
            select(func.count()).where(*progress_edits, OutboxMessage.claimed_until >= now)
        )
    )
    await session.execute(
        update(OutboxMessage)
        .where(*progress_edits)
        .values(status=OutboxStatus.DROPPED, last_error=STOPPED_REASON)
        .execution_options(synchronize_session=False)
    )
    in_flight = int(
        await session.scalar(
            select(func.count()).where(
                OutboxMessage.batch == batch,
                OutboxMessage.status == OutboxStatus.DROPPED,
                OutboxMessage.last_error == STOPPED_REASON,
                OutboxMessage.claimed_until >= now,
            )
        )
        or 0
    )
    audit.record(
        session,
        actor_id=stopper_id,
        action=ACTION,
        object_type="broadcast",
        object_id=broadcast_id,
        now=now,
        after={"dropped": dropped - in_flight, "in_flight": in_flight},
        reason=None if stopper_id is not None else f"telegram:{actor.telegram_id}",
    )
    current = await broadcast_progress.counts(session, found, now)
    if pressed is not None and pressed[0] == found.chat_id and found.progress_message_id is None:
        # Telegram refused to post the progress message, and its sender stops it from the list
        # of /broadcast: the message pressed takes its place, and ends with the count, instead
        # of a final count of its own coming after the stopped count the answer shows already.
        found.progress_message_id = pressed[1]
    if pressed is not None and pressed == (found.chat_id, found.progress_message_id):
        broadcast_progress.mark_shown(found, current)
        if edit_in_flight:
            await broadcast_progress.queue_edit(session, found, current, now, settings)
        if current.done:
            found.finished_at = now
    else:
        await broadcast_progress.report_one(session, found, now, settings)
    name = await broadcast_progress.stopper_name(session, found)
    return Stopped(found, dropped - in_flight, in_flight, current, name)
