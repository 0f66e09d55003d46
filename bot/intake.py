"""Receiving updates: durable before acknowledged (DESIGN principle 6).

PTB's Updater puts a fetched batch in the Application's queue and moves the getUpdates offset
past it before the batch is handled, so a process killed meanwhile loses it: Telegram was told
it was received and never sends it again (its webhook server likewise answers 200 before
anything is stored). The intake takes the Updater's place. A batch is committed to the inbox
(bot/services/inbox.py) first, and only then does the next getUpdates move the offset past it;
the webhook (bot/webhook.py) answers 200 only after the commit. The updates then go to the
Application, which handles different chats concurrently and one chat in order
(bot/concurrency.py); `run_turn` marks each handled in its own transaction together with its
answer (bot/answers.py), and the intake marks the answer sent once it went out. An update no
handler took is marked done after it was processed.

At start-up `recover()` sends the answers that were kept but not marked sent (a crash between a
commit and its answer: at most those answers are repeated) and hands the updates that were
stored but not handled to the Application, before any new one. A sweep repeats this every
SWEEP_SECONDS for answers that met a network failure and prunes old done rows.

`backlog_received()` says when the updates that waited while the bot was down, or while it and
Telegram could not reach each other, are all in the inbox: by long polling, once a getUpdates
brought fewer than a full batch (Telegram's queue was empty then), and no longer once a fetch
failed; with the webhook, once Telegram reports no update pending or every update it held at an
earlier tick has been stored since (see the method), and no longer while it holds updates and
reports a failed delivery since the last one that went through. Until then the no-show job waits
(bot/scheduler.py); after it, it skips whoever has updates in the inbox not yet handled.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import warnings
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from sqlalchemy import text
from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TelegramError

from bot import answers
from bot.db.engine import process_name
from bot.db.models import InboxStatus, InboxUpdate
from bot.runtime import Runtime
from bot.sender import retry_seconds
from bot.services.platform import inbox

if TYPE_CHECKING:
    from telegram import Bot
    from telegram.ext import Application

log = logging.getLogger(__name__)

POLL_TIMEOUT_SECONDS = 30
# A long poll may take this much longer than its timeout to answer.
READ_TIMEOUT_SLACK_SECONDS = 5
BACKOFF_FIRST_SECONDS = 1.0
BACKOFF_CAP_SECONDS = 30.0
SWEEP_SECONDS = 30.0
SWEEP_BATCH = 500
# The most updates one getUpdates brings (Telegram's maximum).
FETCH_LIMIT = 100

T = TypeVar("T")


@dataclass(frozen=True)
class Received:
    """An update as PTB reads it, and as Telegram sent it (what the inbox keeps: building it
    again with `to_dict` cost more than storing it)."""

    update: Update
    payload: dict[str, Any]


@dataclass(frozen=True)
class _HeldBound:
    """Taken at a tick: no update Telegram held then had an update_id above `update_id`, and
    none created since the moment `at` (read before asking Telegram) has one at or below it."""

    update_id: int
    at: dt.datetime


class _Coalesced(Generic[T]):
    """Runs `flush` for many items at once: who arrives while a flush runs is served by the
    next one, together with everyone else who waited meanwhile (one transaction for many)."""

    def __init__(self, flush: Callable[[list[T]], Awaitable[None]]) -> None:
        self._flush = flush
        self._waiting: list[tuple[T, asyncio.Future[None]]] = []
        self._lock = asyncio.Lock()

    async def add(self, item: T) -> None:
        """Returns once `item` was flushed; raises what its flush raised."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        async with self._lock:
            if not future.done():
                # One turn of the loop first, so that whoever gets here in the same turn goes
                # in this flush: a flush that never waits (SQLite's write connection runs on
                # the loop's thread) would otherwise serve each caller alone.
                await asyncio.sleep(0)
                batch, self._waiting = self._waiting, []
                try:
                    await self._flush([waiting for waiting, _ in batch])
                except Exception as error:
                    for _, done in batch:
                        done.set_exception(error)
                except BaseException:
                    # This caller was cancelled halfway: the others of its batch hear of it
                    # rather than wait for ever (their items may or may not have gone in).
                    cancelled = RuntimeError("the flush of this batch was cancelled")
                    for _, done in batch:
                        if done is not future:
                            done.set_exception(cancelled)
                    raise
                else:
                    for _, done in batch:
                        done.set_result(None)
        await future


def _backoff(failures: int) -> float:
    return float(min(BACKOFF_FIRST_SECONDS * 2 ** max(failures - 1, 0), BACKOFF_CAP_SECONDS))


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=max(seconds, 0.0))


class Intake:
    """The way in for updates: long polling (`poll`) or the webhook (`accept`), then the inbox,
    then the Application. One per process (`worker` names it in the inbox)."""

    def __init__(
        self,
        runtime: Runtime,
        *,
        worker: str | None = None,
        on_skipped: Callable[[object], None] | None = None,
    ) -> None:
        self.runtime = runtime
        self.worker = worker or process_name()
        # Told of an update that was not handed on: the inbox had it (a redelivery), or it
        # could not be read (then told its update_id).
        self.on_skipped = on_skipped
        self._application: Application[Any, Any, Any, Any, Any, Any] | None = None
        # Updates of this process between their storing and their answer going out: the sweep
        # leaves them alone.
        self._in_hand: set[int] = set()
        # Updates handled (or refused, or failed) with their outcome recorded by run_turn.
        self._settled: set[int] = set()
        self._answered: _Coalesced[int] = _Coalesced(self._mark_answered)
        # Webhook requests arrive one update each, many at once: stored together.
        self._arriving: _Coalesced[Received] = _Coalesced(self.accept)
        # The updates that waited while the bot was down are in the inbox (polling: a batch
        # short of full was stored, and no fetch failed since; webhook: Telegram had none
        # pending, and has not failed to deliver one since).
        self._backlog_received = False
        self._webhook = False
        # Webhook: when Telegram was last seen delivering (an update stored, or none pending).
        self._delivered_at: dt.datetime | None = None
        # Webhook: every update_id up to this one is stored or no longer held by Telegram; at
        # start looked for once among the updates received longer ago than Telegram keeps one.
        self._received_through: int | None = None
        self._looked_back = False
        # Webhook: at a tick Telegram held updates; none of them had an id above this bound.
        self._held_bound: _HeldBound | None = None

    def attach(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        self._application = application

    @property
    def application(self) -> Application[Any, Any, Any, Any, Any, Any]:
        assert self._application is not None, "attach() the Application first"
        return self._application

    @property
    def bot(self) -> Bot:
        bot: Bot = self.application.bot
        return bot

    # -- receiving ---------------------------------------------------------------------------

    async def accept(self, received: Sequence[Received]) -> None:
        """Commit the updates to the inbox, then hand the new ones to the Application. Raises
        when they could not be stored: the caller must not acknowledge them then."""
        if not received:
            return
        rows = [(one.update.update_id, one.payload) for one in received]
        async with self.runtime.db.session() as session:
            fresh = await inbox.store(session, rows, self.runtime.clock.now(), self.worker)
        for update in (one.update for one in received):
            if update.update_id in fresh:
                fresh.discard(update.update_id)  # the same update twice in one batch: once
                await self._dispatch(update)
            elif self.on_skipped is not None:
                self.on_skipped(update)

    async def accept_one(self, received: Received) -> None:
        """`accept` for one update of many arriving at once (webhook requests): they are
        committed together."""
        await self._arriving.add(received)
        self._delivered_at = self.runtime.clock.now()

    async def _dispatch(self, update: Update) -> None:
        self._in_hand.add(update.update_id)
        await self.application.update_queue.put(update)

    def by_webhook(self) -> None:
        """Updates come by the webhook (set now): Telegram is asked what it still holds."""
        self._webhook = True

    @property
    def caught_up(self) -> bool:
        return self._backlog_received

    async def backlog_received(self) -> bool:
        """Whether the updates that waited in Telegram's queue while the bot was down, or could
        not reach Telegram, are all stored (and so, until handled, in the inbox). Before the
        first batch, or while Telegram cannot be asked, it is not known: False.

        By long polling the poll loop keeps it: true after a batch short of full, false after a
        failed fetch. With the webhook Telegram is asked at each call (once a tick). An update
        counts as pending until its POST was answered 200, after its commit: none pending, the
        backlog is in. Some pending is the ordinary traffic under way, unless Telegram reports a
        failed delivery since the last one seen to go through (it cannot reach the bot): then
        what volunteers send waits in its queue, and the backlog is not in. Compared to the
        second, a failure in the second of a delivery counts as after it: the no-show rather
        waits a tick than judges without what Telegram holds.

        The backlog is in again once none is pending, or, since traffic that never stops may
        never leave Telegram's queue empty at a tick, once every update Telegram held at an
        earlier tick is stored. Telegram says only how many it holds, not which; but it numbers
        updates one after another, so at a tick none it holds has an id above the highest one
        stored plus the number pending (`_HeldBound`), and every id up to that bound stored
        means all of them are in. That is not enough while deliveries fail: an update that
        failed after the bound was taken may be newer and held still, waiting for Telegram to
        try it again. So it also takes that Telegram reports no failure since then (to the
        second). The ids are counted from one below which all are known to be in: the highest
        stored when Telegram last held none, or when such a bound was last reached, or, at
        start, the highest one received longer ago than Telegram keeps an update. An id that
        never comes (a gap in Telegram's numbering) leaves the old rule: none pending. Each
        tick takes a new bound, as the last one may count an update twice (one Telegram sends
        again) or one held below the highest stored: it is reached a tick later then."""
        if not self._webhook:
            return self._backlog_received
        asked_at = self.runtime.clock.now()
        async with self.runtime.db.read_session() as session:
            # Read before asking: if Telegram then holds nothing, every id up to it is in.
            highest = await inbox.highest_id(session)
            if self._received_through is None and not self._looked_back:
                self._looked_back = True
                self._received_through = await inbox.highest_id(
                    session, received_before=asked_at - inbox.TELEGRAM_KEEPS
                )
        try:
            info = await self.bot.get_webhook_info()
        except TelegramError as error:
            log.warning("cannot ask Telegram for the updates it holds (%s)", error)
            return False
        if info.pending_update_count == 0:
            self._backlog_received = True
            self._delivered_at = self.runtime.clock.now()
            if highest is not None:
                self._received_through = max(highest, self._received_through or highest)
            self._held_bound = None
            return True
        if await self._held_updates_received(info.last_error_date):
            if not self._backlog_received:
                log.info("the updates Telegram held are in, though it holds newer ones")
            self._backlog_received = True
        elif self._backlog_received and self._webhook_failing(info.last_error_date):
            log.warning(
                "Telegram holds %s updates and cannot deliver them (%s); no one is marked absent "
                "until they are in",
                info.pending_update_count,
                info.last_error_message,
            )
            self._backlog_received = False
        async with self.runtime.db.read_session() as session:
            # Read after asking: any update stored meanwhile only raises the bound.
            highest = await inbox.highest_id(session)
        if highest is not None:
            self._held_bound = _HeldBound(highest + info.pending_update_count, asked_at)
        return self._backlog_received

    async def _held_updates_received(self, last_error: dt.datetime | None) -> bool:
        """Every update Telegram held when the last bound was taken is stored, and none failed
        since (then it may hold a newer one)."""
        bound, complete = self._held_bound, self._received_through
        if bound is None or complete is None:
            return False
        if last_error is not None and last_error + dt.timedelta(seconds=1) > bound.at:
            return False
        async with self.runtime.db.read_session() as session:
            if not await inbox.holds_every_id(session, complete, bound.update_id):
                return False
        self._received_through = max(complete, bound.update_id)
        return True

    def _webhook_failing(self, last_error: dt.datetime | None) -> bool:
        if last_error is None:
            return False
        if self._delivered_at is None:
            return True
        return last_error >= self._delivered_at.replace(microsecond=0)

    async def poll(
        self,
        stop: asyncio.Event,
        *,
        timeout: int = POLL_TIMEOUT_SECONDS,
        on_failure: Callable[[BaseException, int], None] | None = None,
    ) -> None:
        """Long polling until `stop` is set. The offset that tells Telegram a batch was received
        goes with the getUpdates after the batch was committed; a batch that could not be stored
        is fetched again. Failures are retried with growing pauses, one log line each."""
        offset: int | None = None
        failures = 0
        webhook_cleared = False
        while not stop.is_set():
            # The backlog is fetched at once, without waiting in a long poll.
            wait = timeout if self._backlog_received else 0
            fetch = asyncio.ensure_future(
                self._fetch(offset, wait, clear_webhook=not webhook_cleared)
            )
            stopping = asyncio.ensure_future(stop.wait())
            await asyncio.wait({fetch, stopping}, return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
            if not fetch.done():
                # Stopped during a long poll: what it would bring is fetched again next time.
                fetch.cancel()
                with contextlib.suppress(asyncio.CancelledError, TelegramError):
                    await fetch
                break
            try:
                updates, unreadable, last = fetch.result()
                webhook_cleared = True
                count = len(updates) + len(unreadable)
                await self.accept(updates)
                await self._set_aside(unreadable)
            except InvalidToken:
                raise
            except RetryAfter as error:
                # What was sent meanwhile waits in Telegram's queue, as while the bot was down.
                self._backlog_received = False
                log.warning("Telegram asks to wait %ss before polling again", error.retry_after)
                await _wait(stop, retry_seconds(error))
                continue
            except Exception as error:
                # Telegram unreachable (or the batch not stored): what volunteers send meanwhile
                # waits in Telegram's queue, as while the bot was down. The no-show waits again
                # until a batch short of full shows the queue emptied.
                self._backlog_received = False
                failures += 1
                pause = _backoff(failures)
                if isinstance(error, Conflict):
                    log.warning(
                        "another process polls with this token (%s); retrying in %.0fs",
                        error.message,
                        pause,
                    )
                elif isinstance(error, NetworkError):
                    log.warning("cannot reach Telegram (%s); retrying in %.0fs", error, pause)
                else:
                    log.exception("received updates could not be stored; fetching them again")
                if on_failure is not None:
                    on_failure(error, failures)
                await _wait(stop, pause)
                continue
            failures = 0
            if count < FETCH_LIMIT:
                self._backlog_received = True
            if last is not None:
                offset = last + 1
        if offset is not None:
            # Confirm the last batch now rather than receive it again at the next start.
            with contextlib.suppress(TelegramError):
                await self._fetch(offset, 0)

    async def _fetch(
        self, offset: int | None, timeout: int, *, clear_webhook: bool = False
    ) -> tuple[list[Received], list[dict[str, Any]], int | None]:
        """One getUpdates: (the updates, those PTB cannot read, the last update_id). Read one by
        one, so that a single update this PTB cannot read (a newer Bot API field, say) is set
        aside instead of stopping every update behind it. `clear_webhook` first turns off
        webhook delivery (Telegram refuses getUpdates while a webhook is set): in the fetch, so
        that its failure is retried like the fetch's own rather than ending the polling."""
        bot = self.bot
        if clear_webhook:
            await bot.delete_webhook(drop_pending_updates=False)
        with warnings.catch_warnings():
            # PTB would rather have get_updates(), which reads the whole batch or nothing.
            warnings.simplefilter("ignore")
            raw = await bot.do_api_request(
                "getUpdates",
                api_kwargs={
                    "offset": offset,
                    "limit": FETCH_LIMIT,
                    "timeout": timeout,
                    "allowed_updates": list(Update.ALL_TYPES),
                },
                read_timeout=timeout + READ_TIMEOUT_SLACK_SECONDS,
            )
        updates: list[Received] = []
        unreadable: list[dict[str, Any]] = []
        for data in raw or []:
            try:
                update = Update.de_json(data, bot)
            except Exception as error:
                log.error("update %s cannot be read (%s); set aside", data.get("update_id"), error)
                unreadable.append(data)
                continue
            if update is not None:
                updates.append(Received(update, data))
        last = max((int(data["update_id"]) for data in raw or []), default=None)
        return updates, unreadable, last

    async def _set_aside(self, unreadable: Sequence[dict[str, Any]]) -> None:
        """Keep an update nothing can read, done, so that it is acknowledged and not fetched
        again and again."""
        if not unreadable:
            return
        now = self.runtime.clock.now()
        rows = [(int(data["update_id"]), dict(data)) for data in unreadable]
        async with self.runtime.db.session() as session:
            for update_id in await inbox.store(session, rows, now, self.worker):
                await inbox.handled(session, update_id, now)
        if self.on_skipped is not None:
            for update_id, _ in rows:
                self.on_skipped(update_id)

    # -- after handling ------------------------------------------------------------------------

    def settled(self, update_id: int) -> None:
        """run_turn recorded the outcome of this update (handled, refused, or a redelivery)."""
        self._settled.add(update_id)

    async def after(self, update: object) -> None:
        """Processor hook, in the chat's turn: an update nobody took is done now."""
        if not isinstance(update, Update):
            return
        update_id = update.update_id
        try:
            if update_id in self._settled:
                self._settled.discard(update_id)
                return
            async with self.runtime.db.session() as session:
                await inbox.handled(session, update_id, self.runtime.clock.now())
        except Exception:
            log.exception("could not mark update %s done; it is handled again later", update_id)
        finally:
            self._in_hand.discard(update_id)

    async def answer(self, update_id: int, rows: Sequence[answers.Row]) -> answers.Outcome:
        """Send the answer of a handled update and mark it sent. After a network failure the
        rest is kept and the sweep tries again."""
        outcome = await answers.send(self.bot, rows, self.runtime)
        try:
            if outcome.unsent:
                async with self.runtime.db.session() as session:
                    await inbox.keep_unsent(session, update_id, outcome.unsent)
            else:
                await self._answered.add(update_id)
        except Exception:
            log.exception("could not record the answer of update %s as sent", update_id)
        return outcome

    async def finish(self, update: Update, rows: Sequence[answers.Row]) -> bool:
        """An update whose handling changed nothing (refused, or failed and rolled back): mark it
        done with `rows` as its answer, then send them. False when it had been handled before."""
        async with self.runtime.db.session() as session:
            taken = await inbox.handled(
                session, update.update_id, self.runtime.clock.now(), list(rows)
            )
        self.settled(update.update_id)
        if taken and rows:
            await self.answer(update.update_id, rows)
        return taken

    async def _mark_answered(self, update_ids: list[int]) -> None:
        async with self.runtime.db.session() as session:
            await inbox.answered(session, update_ids)

    # -- recovery ------------------------------------------------------------------------------

    async def recover(self) -> int:
        """At start-up: what a previous process left. Returns how many rows it took up."""
        taken = await self.sweep()
        if taken:
            log.info("took up %s updates and answers left by a previous run", taken)
        return taken

    async def _live_workers(self) -> set[str] | None:
        """Processes connected to the database now (PostgreSQL); None on SQLite, where one
        process is the rule (the lock file proves it), so whatever another left is orphaned."""
        if self.runtime.db.is_sqlite:
            return None
        async with self.runtime.db.read_session() as session:
            names = await session.scalars(
                text(
                    "SELECT DISTINCT application_name FROM pg_stat_activity"
                    " WHERE datname = current_database()"
                )
            )
            return set(names)

    def _orphaned(self, row: InboxUpdate, live: set[str] | None) -> bool:
        if row.update_id in self._in_hand:
            return False
        return row.worker == self.worker or live is None or row.worker not in live

    async def sweep(self) -> int:
        """Send the answers kept after a failure or a crash, hand over the updates stored and
        not handled, and prune done rows."""
        now = self.runtime.clock.now()
        live = await self._live_workers()
        async with self.runtime.db.read_session() as session:
            unsent = await inbox.left_over(session, InboxStatus.ANSWERING, limit=SWEEP_BATCH)
            unhandled = await inbox.left_over(session, InboxStatus.RECEIVED, limit=SWEEP_BATCH)
        unsent = [row for row in unsent if self._orphaned(row, live)]
        unhandled = [row for row in unhandled if self._orphaned(row, live)]
        for row in unsent:
            self._in_hand.add(row.update_id)
            try:
                await self.answer(row.update_id, row.answer or [])
            finally:
                self._in_hand.discard(row.update_id)
        for row in unhandled:
            if row.payload is None:
                continue
            await self._dispatch(Update.de_json(row.payload, self.bot))
        async with self.runtime.db.session() as session:
            pruned = await inbox.prune(session, now - inbox.KEEP)
        if pruned:
            log.info("pruned %s handled updates from the inbox", pruned)
        return len(unsent) + len(unhandled)

    async def run_sweeper(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await _wait(stop, SWEEP_SECONDS)
            if stop.is_set():
                return
            try:
                await self.sweep()
            except Exception:
                log.exception("inbox sweep failed")
