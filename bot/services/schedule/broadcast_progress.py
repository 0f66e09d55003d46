"""A broadcast's progress message: the counts of its batch (each outbox row has one status, so
no message is counted twice), the text and its ⏹ 停止发送 button while it runs, and the due job
that edits it as the counts move until the final count (or the count of a broadcast stopped
midway) ends the broadcast."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.buttons import BroadcastStop
from bot.db.models import Broadcast, Member, OutboxMessage, OutboxStatus
from bot.i18n import Translator
from bot.services.platform import outbox
from bot.services.schedule.broadcast import batch_of
from bot.settings import Settings

# What a message of a stopped broadcast keeps as its last error: the stop dropped it (those a
# sender held then are in flight until it lets go of them).
STOPPED_REASON = "stopped: the broadcast was stopped midway"
# What an edit of the progress message keeps as its last error when a newer count replaced it.
SUPERSEDED_REASON = "superseded: a newer count was queued"
# How the last error of a message drawn again to nothing begins (outbox.redrawn).
MOOT_REASON = "redrawn:"


@dataclass(frozen=True)
class Counts:
    """A broadcast's messages by what became of them. The dropped ones are `unsent`, not
    failed: the broadcast was stopped (`stopped`), or, while it ran, their volunteer left the
    unit. `in_flight` are those the sender held when the stop came and has not finished with
    yet: each still ends sent, blocked or unsent."""

    total: int
    sent: int
    blocked: int
    failed: int
    unsent: int = 0
    stopped: bool = False
    in_flight: int = 0
    # Not sent while it ran: every shift of the list had begun or was cancelled by the time it
    # went out (held by the quiet hours, say).
    moot: int = 0

    @property
    def done(self) -> bool:
        settled = self.sent + self.blocked + self.failed + self.unsent + self.moot
        return settled >= self.total and (not self.stopped or self.in_flight == 0)


def opening(total: int) -> Counts:
    """The counts the progress message shows when it is posted, before anything went out."""
    return Counts(total, 0, 0, 0)


def _shown(current: Counts) -> str:
    """The counts a progress message shows, as ``Broadcast.reported`` keeps them."""
    shown = f"{current.sent}/{current.blocked}/{current.failed}"
    if current.unsent and not current.stopped:
        shown += f"/{current.unsent}"
    if current.moot:
        shown += f"/moot:{current.moot}"
    if current.stopped:
        # Stopping, or stopped for good: another text than the running count's.
        return f"stop{'ped' if current.done else ''}:{shown}/{current.unsent}/{current.in_flight}"
    return shown


# How long after its broadcast the progress message may still be on its way: past it, a
# broadcast without one had it refused by Telegram.
PROGRESS_MESSAGE_GRACE = dt.timedelta(minutes=1)


async def set_progress_message(
    session: AsyncSession, broadcast_id: int, message_id: int, now: dt.datetime, settings: Settings
) -> bool:
    """The progress message is posted showing the opening counts: an edit that shows them
    again would change nothing, and Telegram refuses it. It may come late: stopped meanwhile
    (from another chat's /broadcast list), its stopped count is queued at once rather than at
    the next tick, so it does not show a running count with ⏹ after the stop. False: it comes
    too late to be the progress message (the broadcast ended with a count of its own, or a
    listed message took its place), and is to be taken away. The row is read again, locked,
    as ``report_one`` reads it: on PostgreSQL a stop or a tick that ends the broadcast may
    commit between a plain read and this write, which would then put the progress message in
    the place of the message that shows the final count."""
    broadcast = await session.scalar(
        select(Broadcast)
        .where(Broadcast.id == broadcast_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if broadcast is None:
        return False
    if broadcast.finished_at is not None or broadcast.progress_message_id is not None:
        return False
    broadcast.progress_message_id = message_id
    broadcast.reported = _shown(opening(broadcast.total))
    if broadcast.stopped_at is not None:
        await report_one(session, broadcast, now, settings)
    return True


def mark_shown(broadcast: Broadcast, current: Counts) -> None:
    """The progress message shows `current` already (edited in the answer to a press)."""
    broadcast.reported = _shown(current)


async def counts(session: AsyncSession, broadcast: Broadcast, now: dt.datetime) -> Counts:
    """What became of the broadcast's messages, from their rows alone: each row has one status,
    so no message is ever counted twice. A stopped broadcast's rows that a sender claimed and
    holds still at `now` are in flight (their status may yet change to sent)."""
    rows = await session.execute(
        select(OutboxMessage.status, func.count())
        .where(OutboxMessage.batch == batch_of(broadcast.id))
        .group_by(OutboxMessage.status)
    )
    by_status = {status: int(n) for status, n in rows.all()}
    dropped = by_status.get(OutboxStatus.DROPPED, 0)
    parked = by_status.get(OutboxStatus.PARKED, 0)
    sent = by_status.get(OutboxStatus.SENT, 0)
    blocked = by_status.get(OutboxStatus.BLOCKED, 0)
    if broadcast.stopped_at is None:
        # Dropped while it runs: the volunteer left the unit (what waited for them goes), or
        # nothing the list offered was still open when it went out (drawn again: `moot`).
        moot = 0
        if dropped:
            moot = int(
                await session.scalar(
                    select(func.count()).where(
                        OutboxMessage.batch == batch_of(broadcast.id),
                        OutboxMessage.status == OutboxStatus.DROPPED,
                        OutboxMessage.last_error.like(f"{MOOT_REASON}%"),
                    )
                )
                or 0
            )
        return Counts(broadcast.total, sent, blocked, parked, dropped - moot, moot=moot)
    in_flight = await session.scalar(
        select(func.count()).where(
            OutboxMessage.batch == batch_of(broadcast.id),
            OutboxMessage.status == OutboxStatus.DROPPED,
            OutboxMessage.last_error == STOPPED_REASON,
            OutboxMessage.claimed_until >= now,
        )
    )
    return Counts(
        broadcast.total, sent, blocked, parked, dropped, stopped=True, in_flight=int(in_flight or 0)
    )


def progress_text(t: Translator, current: Counts, stopped_by: str | None = None) -> str:
    """The progress message: the running count, the final one, or the count of a broadcast
    stopped midway (`stopped_by`: who stopped it), while the sender finishes what it held and
    once it has."""
    if current.stopped:
        if not current.done:
            return t(
                "broadcast.progress_stopping",
                sent=current.sent,
                total=current.total,
                count=current.in_flight,
            )
        return t(
            "broadcast.progress_stopped",
            name=stopped_by or t("role.admin"),
            sent=current.sent,
            total=current.total,
            count=current.unsent,
            blocked=current.blocked,
            failed=current.failed,
        )
    key = "broadcast.progress_done" if current.done else "broadcast.progress"
    text = t(
        f"{key}_unsent" if current.unsent else key,
        sent=current.sent,
        total=current.total,
        count=current.total,
        blocked=current.blocked,
        failed=current.failed,
        unsent=current.unsent,
    )
    if current.moot:
        text += t("broadcast.progress_moot", count=current.moot)
    return text


def progress_body(
    t: Translator,
    broadcast: Broadcast,
    current: Counts,
    stopped_by: str | None = None,
    *,
    edit_message_id: int | None = None,
) -> outbox.Message:
    """The progress message with ⏹ 停止发送 while the broadcast runs, without once it ends or
    is stopped."""
    running = not current.done and not current.stopped
    buttons = [[(t("broadcast.button.stop"), BroadcastStop(broadcast.id))]] if running else None
    return outbox.payload(
        progress_text(t, current, stopped_by), buttons=buttons, edit_message_id=edit_message_id
    )


async def stopper_name(session: AsyncSession, broadcast: Broadcast) -> str | None:
    """Who stopped the broadcast, by name (None: not stopped, or an admin with no member
    record, whom the text calls an admin)."""
    if broadcast.stopped_by_id is None:
        return None
    member = await session.get(Member, broadcast.stopped_by_id)
    return member.display_name if member is not None else None


async def shown_now(
    session: AsyncSession, broadcast_id: int, now: dt.datetime
) -> tuple[Counts, str | None] | None:
    """The counts of a broadcast and who stopped it, as its progress message shows them now
    (None: no such broadcast)."""
    broadcast = await session.get(Broadcast, broadcast_id)
    if broadcast is None:
        return None
    return await counts(session, broadcast, now), await stopper_name(session, broadcast)


async def report_progress(session: AsyncSession, now: dt.datetime, settings: Settings) -> int:
    """DueJob: edit each running broadcast's progress message when its counts moved since it
    last showed them (never to the text it already shows); the last edit is the final count and
    ends the broadcast. A broadcast whose progress message Telegram refused to post gets the
    final count as a message of its own."""
    running = list(
        (await session.scalars(select(Broadcast).where(Broadcast.finished_at.is_(None)))).all()
    )
    queued = 0
    for broadcast in running:
        queued += await report_one(session, broadcast, now, settings)
    return queued


async def report_one(
    session: AsyncSession, broadcast: Broadcast, now: dt.datetime, settings: Settings
) -> int:
    """One running broadcast's turn of ``report_progress`` (also right after it is stopped)."""
    # Read the row again, locked: on PostgreSQL a stop committed by another process since the
    # tick listed the running broadcasts must be seen, or its dropped messages would be
    # counted as failed and a final count would overwrite the stopped one (a stop coming after
    # this waits for the tick, then finds the broadcast finished or its count current).
    fresh = await session.scalar(
        select(Broadcast)
        .where(Broadcast.id == broadcast.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if fresh is None or fresh.finished_at is not None:
        return 0
    broadcast = fresh
    if broadcast.progress_message_id is None:
        return await _report_without_progress_message(session, broadcast, now, settings)
    current = await counts(session, broadcast, now)
    reported = _shown(current)
    if reported == broadcast.reported and not current.done:
        return 0
    queued = 0
    if reported != broadcast.reported:
        queued += await queue_edit(session, broadcast, current, now, settings)
    broadcast.reported = reported
    if current.done:
        broadcast.finished_at = now
    return queued


def edit_key_prefix(broadcast_id: int) -> str:
    """What the keys of a broadcast's progress edits begin with."""
    return f"{batch_of(broadcast_id)}:progress:"


async def queue_edit(
    session: AsyncSession,
    broadcast: Broadcast,
    current: Counts,
    now: dt.datetime,
    settings: Settings,
) -> int:
    """Queue an edit of the progress message to `current` (one per text shown: its key names
    the counts); how many were queued (0: this text was queued before). The earlier edits not
    sent yet are dropped: one waiting for a retry (a 5xx, a 429) would otherwise go out after
    this one and show an older count over it. One a sender holds still counts as sent if it
    goes out (it goes before this one, queued after it); handed back, it is not tried again."""
    assert broadcast.progress_message_id is not None
    await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.chat_id == broadcast.chat_id,
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.idempotency_key.like(f"{edit_key_prefix(broadcast.id)}%"),
        )
        .values(status=OutboxStatus.DROPPED, last_error=SUPERSEDED_REASON)
        .execution_options(synchronize_session=False)
    )
    t = Translator(broadcast.language, settings.zone)
    body = progress_body(
        t,
        broadcast,
        current,
        await stopper_name(session, broadcast),
        edit_message_id=broadcast.progress_message_id,
    )
    queued = await outbox.enqueue(
        session,
        key=f"{edit_key_prefix(broadcast.id)}{_shown(current)}",
        chat_id=broadcast.chat_id,
        body=body,
        now=now,
        urgent=True,
    )
    return int(queued)


async def _report_without_progress_message(
    session: AsyncSession, broadcast: Broadcast, now: dt.datetime, settings: Settings
) -> int:
    if now - broadcast.created_at < PROGRESS_MESSAGE_GRACE:
        return 0  # posted right after the answer: still on its way
    current = await counts(session, broadcast, now)
    if not current.done:
        return 0
    t = Translator(broadcast.language, settings.zone)
    queued = await outbox.enqueue(
        session,
        key=f"{batch_of(broadcast.id)}:final",
        chat_id=broadcast.chat_id,
        body=progress_body(t, broadcast, current, await stopper_name(session, broadcast)),
        now=now,
        urgent=True,
    )
    broadcast.reported = _shown(current)
    broadcast.finished_at = now
    return queued
