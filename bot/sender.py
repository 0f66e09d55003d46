"""The sender: drains the outbox to Telegram (DESIGN principle 4).

Each pass claims what is due, sends chat by chat (chats side by side, one chat's messages in
order) at Telegram's pace (bot/pacing.py), and records the outcomes: the messages that went out
together in one transaction at the end of the pass (a pass is at most a second's worth of
sending, so a crash between sending and recording repeats at most that), each failure in its
own:
- sent: done; an edit Telegram calls "not modified" counts as done;
- 429: that chat waits `retry_after`, the message is kept, nothing else stops;
- timeouts, network errors, 5xx: retried later with growing backoff, parked after
  MAX_ATTEMPTS; meanwhile what is queued after it for the chat waits behind it
  (bot/retry_order.py), other chats go on;
- 403: the person blocked the bot or is gone: never retried, the member is marked unreachable
  and their coordinators told once; in a group, the bot was removed: the group's binding goes,
  with what else is queued for it, and the admins and the unit's coordinators are told once
  (services/people/groups.lost); so too on a 400 "chat not found" (a group deleted, or the bot
  out of it; for a person, only once it lasted MAX_ATTEMPTS attempts, retried with backoff
  meanwhile: Telegram also answers it for a while to people who did write to the bot; what is
  queued after it for them, which waited behind it, is marked undeliverable with it), but for
  an id that is no member's, parked, with what waited behind it (nobody to mark or tell); the
  refused reports are not sent to anyone else instead;
- a group upgraded to a supergroup (400 with `migrate_to_chat_id`, PTB's ChatMigrated): its
  binding and messages move to the new id (groups.move) and the message goes there at once;
- 400 "message thread not found" or TOPIC_CLOSED (a group's forum topic was deleted, or its
  admins closed it to all but themselves): the group's reports go to General from now on, this
  one at once;
- 400 "not enough rights to send text messages" in a group (the bot was muted there; Telegram
  keeps it a member, so no 403): every report would be refused, so, as for a removal, the
  group's binding goes with what else is queued, and the admins and the unit's coordinators
  are told how to fix it (services/people/groups.muted); a photo or a document alone refused
  so is parked as any other 400, the group's text still goes;
- 400 "message can't be edited" or "message to edit not found" on an edit (the message is
  older than 48 hours, or was deleted): dropped, with Telegram's reason;
- any other 400: parked with Telegram's reason, visible to admins, never looping;
- a notice that names a kind to draw it again from (bot/redraw.py) is drawn again from the
  database when claimed, so that one the quiet hours held says what is true when it goes out (a
  pass claims only what its pacing lets go, so a notice is drawn again once each time it is
  sent, and again only after a 429 or a failure made it wait);
- past its `expires_at` (a reminder held back by quiet hours or retries until the shift began):
  dropped unsent.

On PostgreSQL several bot processes may share the database, but Telegram's limits are the bot
token's: only the process that leads (bot/db/leadership.py) runs passes, the others stand by
and try for the lead every STANDBY_RETRY_SECONDS. The row claims stay as a second guard.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import warnings
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import Bot, Message
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.warnings import PTBDeprecationWarning

from bot import metrics
from bot.db.engine import process_name
from bot.db.leadership import Leadership
from bot.db.models import OutboxMessage
from bot.delivery import counted_messages, deliver
from bot.pacing import GLOBAL_WINDOW, Pacer, Rates, is_group
from bot.redraw import REDRAWS
from bot.refusals import chat_gone, group_deleted, muted_in_group, topic_unusable, uneditable
from bot.retry_order import RetryHolds
from bot.runtime import Runtime
from bot.services.people import groups, reachability
from bot.services.platform import cards, chat_moves, outbox, outbox_claim, redraw
from bot.services.platform.outbox import Message as OutboxBody

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_BASE_SECONDS = 5.0
BACKOFF_CAP_SECONDS = 15 * 60.0
CHATS_AT_ONCE = 16
IDLE_POLL_SECONDS = 1.0
# How often a standby process tries for the lead: how long sending may pause when a leader dies.
STANDBY_RETRY_SECONDS = 2.0
# Once the overall limit is spent, a pass waits until this many messages may go together, and
# reads that many and a few more, of which it claims those the pacing lets go now (messages of
# chats that must wait stay unclaimed, and are not drawn again for nothing). Claiming all that
# is due on every pass, to send one message, would rewrite hundreds of rows 30 times a second
# during a broadcast.
SEND_AT_LEAST = 10
CLAIM_SLACK = 20
# The most one pass sends: a crash repeats at most what a pass sent and had not recorded.
PASS_MOST = 30
# What a sender waits before its first pass, at start or when it takes the lead: the sender
# before it may have sent a full second's worth a moment ago, and Telegram counts per token, not
# per process; after this pause the two together stay within what one pacer lets go.
START_PAUSE_SECONDS = GLOBAL_WINDOW


def backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(BACKOFF_BASE_SECONDS * 2**attempts, BACKOFF_CAP_SECONDS))


def retry_seconds(error: RetryAfter) -> float:
    """PTB 22 gives int seconds and warns that a later major version will give a timedelta."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


def worker_name() -> str:
    return process_name()


def most_in_flight(rates: Rates) -> int:
    """The most messages one pass claims (what the overall limit lets go, and the slack), and
    so the most it can send before recording them at its end: what a process killed mid-pass
    can have sent unrecorded, to be sent again by the next sender."""
    return min(rates.global_per_second, PASS_MOST) + CLAIM_SLACK


@dataclass(frozen=True)
class PassResult:
    attempted: int
    # Seconds until a chat that had to wait may be written to again (None: nothing waits).
    wait: float | None


@dataclass(frozen=True)
class _ChatOutcome:
    tried: int
    wait: float | None
    unsent: list[OutboxMessage]


class Sender:
    def __init__(
        self,
        bot: Bot,
        runtime: Runtime,
        *,
        pacer: Pacer | None = None,
        leadership: Leadership | None = None,
        worker: str | None = None,
        sole_process: bool = False,
    ) -> None:
        self.bot = bot
        self.runtime = runtime
        # The process's pacer, which the direct answers count in too (bot/answers.py).
        self.pacer = pacer or runtime.pacer
        self.worker = worker or worker_name()
        # None: this process always sends (SQLite, tests driving pass_once).
        self.leadership = leadership
        # On SQLite the process holds the database's lock file: no other sender can be alive.
        self.sole_process = sole_process
        self._led = False
        self._semaphore = asyncio.Semaphore(CHATS_AT_ONCE)
        self.retry_holds = RetryHolds()

    @property
    def most_in_flight(self) -> int:
        return most_in_flight(self.pacer.rates)

    def _quiet(self, now: dt.datetime) -> bool:
        return self.runtime.settings.quiet_until(now) is not None

    async def pass_once(self) -> PassResult:
        now = self.runtime.clock.now()
        moment = now.timestamp()
        gather_wait = self.pacer.room_delay(moment, SEND_AT_LEAST)
        if gather_wait > 0:
            return PassResult(attempted=0, wait=gather_wait)
        limit = min(self.pacer.room(moment) + CLAIM_SLACK, self.most_in_flight)
        # Only what the pacing lets go in this pass is claimed, and so drawn again: a message of
        # a chat that must wait is left for a later pass, not drawn now as well.
        # Each chat left waiting, with the size of its first message that did not fit.
        held: dict[int, int] = {}

        def fits(due: Sequence[OutboxMessage]) -> list[bool]:
            sizes = [counted_messages(row) for row in due]
            fitting = self.pacer.fits([row.chat_id for row in due], moment, sizes)
            for row, size, fit in zip(due, sizes, fitting, strict=True):
                if not fit:
                    held.setdefault(row.chat_id, size)
            return fitting

        async with self.runtime.db.session() as session:
            # A chat held behind a message dropped meanwhile is held no more (a statement only
            # while a chat is held behind a retry).
            if held_behind := self.retry_holds.held_messages(moment):
                self.retry_holds.keep_only(await outbox.pending_among(session, held_behind))
            # A chat whose earliest message waits for its retry is not written to meanwhile; it
            # goes on with that message, due then, so the pass does not wait for it.
            rows = await outbox_claim.claim_due(
                session,
                now,
                self.worker,
                quiet=self._quiet(now),
                limit=limit,
                fits=fits,
                skip_chats=self.retry_holds.held_chats(moment),
            )
            # An edit of a closed card names the message its card went out as (or is dropped);
            # a card closed while its failed send was retried goes as its edit (first: as sent).
            rows = await cards.resolve(session, rows, now)
            # What may have turned stale while it waited is drawn again, in the claim's
            # transaction: stored as it will be sent, under its own key.
            rows = await redraw.redraw_claimed(session, rows, now, self.runtime.settings, REDRAWS)
        by_chat: dict[int, list[OutboxMessage]] = defaultdict(list)
        for row in rows:
            by_chat[row.chat_id].append(row)
        sent: list[int] = []
        # The cards sent in this pass, with the ids Telegram gave them (platform/cards.py).
        kept: dict[int, tuple[OutboxMessage, int]] = {}
        outcomes = await asyncio.gather(
            *(self._send_chat(chat, queue, sent, kept) for chat, queue in by_chat.items())
        )
        # What went out, and what had to wait and goes back, in one transaction.
        unsent = [row.id for outcome in outcomes for row in outcome.unsent]
        if sent or unsent:
            async with self.runtime.db.session() as session:
                await outbox.mark_sent(session, sent, self.runtime.clock.now())
                await cards.keep_sent(session, kept)
                await outbox.release(session, unsent, self.worker)
            metrics.messages_sent(len(sent))
        waits = [outcome.wait for outcome in outcomes if outcome.wait is not None]
        # The chats left unclaimed wait as those that had to stop in the pass do.
        after = self.runtime.clock.now().timestamp()
        waits.extend(self.pacer.delay(chat_id, after, size) for chat_id, size in held.items())
        self.pacer.forget_idle(after)
        self.retry_holds.forget_past(after)
        return PassResult(
            attempted=sum(outcome.tried for outcome in outcomes),
            wait=min(waits) if waits else None,
        )

    async def _send_chat(
        self,
        chat_id: int,
        queue: list[OutboxMessage],
        sent: list[int],
        kept: dict[int, tuple[OutboxMessage, int]],
    ) -> _ChatOutcome:
        """Send one chat's messages in order until the chat has to wait; the ids of those that
        went out are added to `sent`, the cards among them to `kept` with their message ids."""
        async with self._semaphore:
            for index, row in enumerate(queue):
                moment = self.runtime.clock.now().timestamp()
                size = counted_messages(row)
                wait = self.pacer.delay(chat_id, moment, size)
                if wait > 0:
                    return _ChatOutcome(index, wait, queue[index:])
                ticket = self.pacer.start(chat_id, moment, size)
                try:
                    went_on = await self._send_one(row, sent, kept)
                finally:
                    self.pacer.answered(ticket, self.runtime.clock.now().timestamp())
                if not went_on:
                    later = self.pacer.chat_delay(chat_id, self.runtime.clock.now().timestamp())
                    return _ChatOutcome(index + 1, later or None, queue[index + 1 :])
        return _ChatOutcome(len(queue), None, [])

    async def _send_one(
        self, row: OutboxMessage, sent: list[int], kept: dict[int, tuple[OutboxMessage, int]]
    ) -> bool:
        """Try one message; False when the chat should not be written to again in this pass."""
        settings = self.runtime.settings
        message = OutboxBody.from_json(row.payload)
        if message.expired(self.runtime.clock.now()):
            async with self.runtime.db.session() as session:
                await outbox.drop(session, row.id, "expired before it could be sent")
            return True
        try:
            delivered = await deliver(self.bot, row.chat_id, message)
        except RetryAfter as error:
            metrics.too_many_requests("outbox")
            seconds = retry_seconds(error)
            now = self.runtime.clock.now()
            self.pacer.pause(row.chat_id, now.timestamp() + seconds)
            async with self.runtime.db.session() as session:
                await outbox.retry_at(
                    session,
                    row.id,
                    now + dt.timedelta(seconds=seconds),
                    f"429 retry after {seconds}s",
                    attempt=False,
                )
            return False
        except Forbidden as error:
            return await self._gone(row, error.message, forbidden=True)
        except ChatMigrated as error:
            now = self.runtime.clock.now()
            log.info("chat %s moved to %s", row.chat_id, error.new_chat_id)
            async with self.runtime.db.session() as session:
                await groups.move(session, row.chat_id, error.new_chat_id, now)
                await outbox.retry_at(
                    session, row.id, now, f"moved to chat {error.new_chat_id}", attempt=False
                )
            # This chat's other messages of the pass moved too: the next pass sends them.
            return False
        except BadRequest as error:
            if "not modified" in error.message.lower():
                sent.append(row.id)
                return True
            if message.kind == "edit" and uneditable(error.message):
                # The message is gone or older than Telegram lets edit (48 hours): nothing
                # more can be done to it, and it is nothing for the admins to look into.
                async with self.runtime.db.session() as session:
                    await outbox.drop(session, row.id, f"edit refused: {error.message}")
                return True
            if topic_unusable(error.message) and message.thread_id is not None:
                # The group's topic was deleted or closed: this message and what follows go to
                # General, where they are read.
                async with self.runtime.db.session() as session:
                    await groups.leave_topic(session, row.chat_id, message.thread_id)
                    await chat_moves.to_general(session, row.chat_id, message.thread_id)
                    await outbox.retry_at(
                        session, row.id, self.runtime.clock.now(), error.message, attempt=False
                    )
                return False
            if chat_gone(error.message):
                if not is_group(row.chat_id) and row.attempts + 1 < MAX_ATTEMPTS:
                    # A person wrote to the bot to be written to, and a deleted account is a
                    # 403: Telegram not knowing their chat passes (tdlib/telegram-bot-api#219).
                    await self._retry_later(row, error.message)
                    return False
                return await self._gone(row, error.message, forbidden=False)
            if muted_in_group(row.chat_id, error.message):
                log.info("muted in group %s: %s", row.chat_id, error.message)
                async with self.runtime.db.session() as session:
                    await outbox.mark_blocked(session, row.id, error.message)
                    await groups.muted(
                        session, row.chat_id, now=self.runtime.clock.now(), settings=settings
                    )
                # The group's other messages were dropped: the rest of this pass's are not tried.
                return False
            log.warning("outbox message %s parked: %s", row.id, error.message)
            async with self.runtime.db.session() as session:
                await outbox.park(session, row.id, error.message)
            return True
        except (TimedOut, NetworkError) as error:
            await self._retry_later(row, f"{type(error).__name__}: {error.message}")
            return False
        except Exception as error:
            log.exception("outbox message %s could not be sent", row.id)
            async with self.runtime.db.session() as session:
                await outbox.park(session, row.id, f"{type(error).__name__}: {error}")
            return True
        sent.append(row.id)
        if message.keep_id and isinstance(delivered, Message):
            kept[row.id] = (row, delivered.message_id)
        return True

    async def _gone(self, row: OutboxMessage, reason: str, *, forbidden: bool) -> bool:
        """The chat cannot be written to (a 403, or a 400 "chat not found"): the message is
        never retried; a person is marked unreachable (their coordinators told once), a group's
        binding goes with what else is queued for it. A "chat not found" for an id that is no
        member's (ADMIN_IDS mistyped, an admin who never wrote to the bot) has nobody to mark
        or tell: it is parked with its reason, in the admins' sight (📮 发送队列). False when
        the chat's other messages of the pass are not to be tried."""
        now, settings = self.runtime.clock.now(), self.runtime.settings
        log.info("chat %s cannot be written to: %s", row.chat_id, reason)
        async with self.runtime.db.session() as session:
            # The message's row first, then the member's, as before (the order rows are locked).
            await outbox.mark_blocked(session, row.id, reason)
            if is_group(row.chat_id):
                await groups.lost(
                    session,
                    row.chat_id,
                    now=now,
                    settings=settings,
                    deleted=group_deleted(reason),
                )
            else:
                member = await reachability.mark_unreachable(session, row.chat_id, now, settings)
                if not forbidden:
                    # The messages queued after it waited behind its retries (retry_order):
                    # they would meet the same refusal, each through its own retries.
                    if member is None:
                        await outbox.park(session, row.id, reason)
                        await outbox.park_chat(session, row.chat_id, reason)
                    else:
                        await outbox.block_chat(session, row.chat_id, reason)
                    return False
        # A group's other messages were dropped: the rest of this pass's are not tried.
        return not is_group(row.chat_id)

    async def _retry_later(self, row: OutboxMessage, reason: str) -> None:
        async with self.runtime.db.session() as session:
            if row.attempts + 1 >= MAX_ATTEMPTS:
                log.warning(
                    "outbox message %s parked after %s attempts: %s", row.id, MAX_ATTEMPTS, reason
                )
                await outbox.park(
                    session, row.id, f"gave up after {MAX_ATTEMPTS} attempts: {reason}"
                )
                return
            when = self.runtime.clock.now() + backoff(row.attempts)
            await outbox.retry_at(session, row.id, when, reason, attempt=True)
        # What is queued after it for the chat waits behind it, not overtaking it.
        self.retry_holds.hold(row.chat_id, row.id, when.timestamp())

    async def lead(self) -> bool:
        """Whether this process may run a pass now: it leads (taking the lead when it is
        free), or it needs no leader."""
        if self.leadership is None:
            return True
        if not await self.leadership.hold():
            self._led = False
            return False
        if not self._led:
            await self._take_over()
            self._led = True
        return True

    @property
    def takeover_pause(self) -> float:
        """Seconds before the first pass, at start or when taking the lead (real time, as
        Telegram's windows are)."""
        return START_PAUSE_SECONDS

    async def _take_over(self) -> None:
        # The claims of other workers are freed now rather than when their two-minute lease
        # runs out. Safe, because only a leader claims and the lock says there is no other
        # leader: its session has ended. Usually its process died (crash, kill, machine lost):
        # it sends nothing more, and these are the rows the lease would hand over later, with
        # the same risk, the messages of its last pass that went out unrecorded (at most
        # `most_in_flight`). If instead it lives on and only its lock connection broke, it
        # checks the lead before every pass (Leadership.hold), so at most the pass it is in
        # overlaps with ours: the same bound. Its hand-back of untried rows touches only rows
        # it still claims (outbox.release), never ours.
        async with self.runtime.db.session() as session:
            freed = await outbox.release_others(session, self.worker)
        if freed:
            log.info("%s freed %s messages claimed by other workers", self.worker, freed)

    async def run_forever(self, stop: asyncio.Event) -> None:
        """The production loop: pass, then wait for pacing or the next poll; on standby, try
        for the lead every STANDBY_RETRY_SECONDS."""
        try:
            if self.leadership is None:
                if self.sole_process:
                    # After a crash the claims of the dead process would keep their lease for
                    # two minutes; alone on the database, this one frees them at once.
                    await self._take_over()
                await _wait(stop, self.takeover_pause)
            while not stop.is_set():
                try:
                    taking_over = self.leadership is not None and not self._led
                    if not await self.lead():
                        # The answers this process gives are counted in its pacer meanwhile.
                        self.pacer.forget_idle(self.runtime.clock.now().timestamp())
                        await _wait(stop, STANDBY_RETRY_SECONDS)
                        continue
                    if taking_over:
                        # Real time, as Telegram's windows are (not the injected clock).
                        await _wait(stop, self.takeover_pause)
                        continue
                    result = await self.pass_once()
                except Exception:
                    log.exception("sender pass failed")
                    result = PassResult(0, IDLE_POLL_SECONDS)
                if result.attempted and result.wait is None:
                    continue
                wait = min(
                    result.wait if result.wait is not None else IDLE_POLL_SECONDS,
                    IDLE_POLL_SECONDS,
                )
                await _wait(stop, wait)
        finally:
            if self.leadership is not None:
                await self.leadership.release()


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    """Sleep until `seconds` have passed or `stop` is set."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=max(seconds, 0.01))
