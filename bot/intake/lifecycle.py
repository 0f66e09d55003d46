"""An update's way through the intake: in, to the inbox, to the Application; marked done and
answered after; what a previous process left taken up again (see the package's docstring)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TelegramError

from bot import answers
from bot.db.engine import process_name
from bot.db.models import InboxStatus, InboxUpdate
from bot.intake.backlog import Backlog
from bot.intake.coalesced import Coalesced
from bot.intake.polling import (
    FETCH_LIMIT,
    POLL_TIMEOUT_SECONDS,
    backoff,
    fetch_updates,
    wait_unless_stopped,
)
from bot.intake.received import Received
from bot.runtime import Runtime
from bot.sender import retry_seconds
from bot.services.platform import inbox

if TYPE_CHECKING:
    from telegram import Bot
    from telegram.ext import Application

log = logging.getLogger(__name__)

SWEEP_SECONDS = 30.0
SWEEP_BATCH = 500


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
        self._answered: Coalesced[int] = Coalesced(self._mark_answered)
        # Webhook requests arrive one update each, many at once: stored together.
        self._arriving: Coalesced[Received] = Coalesced(self.accept)
        self._backlog = Backlog(runtime)
        self._webhook = False
        # When the sweep next has done rows to prune (none before: no statement sent).
        self._pruning = inbox.Pruning()

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
        self._backlog.delivered_at = self.runtime.clock.now()

    async def set_aside_one(self, payload: dict[str, Any]) -> None:
        """`set_aside` for one update the webhook could not read: its delivery went through
        all the same, which the backlog counts as `accept_one` does."""
        await self.set_aside([payload])
        self._backlog.delivered_at = self.runtime.clock.now()

    async def _dispatch(self, update: Update) -> None:
        self._in_hand.add(update.update_id)
        await self.application.update_queue.put(update)

    def by_webhook(self) -> None:
        """Updates come by the webhook (set now): Telegram is asked what it still holds."""
        self._webhook = True

    @property
    def caught_up(self) -> bool:
        return self._backlog.received

    async def backlog_received(self) -> bool:
        """Whether the updates that waited in Telegram's queue while the bot was down, or could
        not reach Telegram, are all stored (and so, until handled, in the inbox). Before the
        first batch, or while Telegram cannot be asked, it is not known: False.

        By long polling the poll loop keeps it: true after a batch short of full, false after a
        failed fetch. With the webhook Telegram is asked at each call (once a tick), as
        `Backlog.ask_telegram` tells."""
        if not self._webhook:
            return self._backlog.received
        return await self._backlog.ask_telegram(self.bot)

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
            wait = timeout if self._backlog.received else 0
            fetch = asyncio.ensure_future(
                fetch_updates(self.bot, offset, wait, clear_webhook=not webhook_cleared)
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
                await self.set_aside(unreadable)
            except InvalidToken:
                raise
            except RetryAfter as error:
                # What was sent meanwhile waits in Telegram's queue, as while the bot was down.
                self._backlog.received = False
                log.warning("Telegram asks to wait %ss before polling again", error.retry_after)
                await wait_unless_stopped(stop, retry_seconds(error))
                continue
            except Exception as error:
                # Telegram unreachable (or the batch not stored): what volunteers send meanwhile
                # waits in Telegram's queue, as while the bot was down. The no-show waits again
                # until a batch short of full shows the queue emptied.
                self._backlog.received = False
                failures += 1
                pause = backoff(failures)
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
                await wait_unless_stopped(stop, pause)
                continue
            failures = 0
            if count < FETCH_LIMIT:
                self._backlog.received = True
            if last is not None:
                offset = last + 1
        if offset is not None:
            # Confirm the last batch now rather than receive it again at the next start.
            with contextlib.suppress(TelegramError):
                await fetch_updates(self.bot, offset, 0)

    async def set_aside(self, unreadable: Sequence[dict[str, Any]]) -> None:
        """Keep an update nothing can read, done, so that it is acknowledged and not fetched
        (or sent to the webhook) again and again."""
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
            return await inbox.live_workers(session)

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
        pruned = 0
        if self._pruning.due(now):
            async with self.runtime.db.session() as session:
                pruned = await self._pruning.prune(session, now)
        if pruned:
            log.info("pruned %s handled updates from the inbox", pruned)
        return len(unsent) + len(unhandled)

    async def run_sweeper(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await wait_unless_stopped(stop, SWEEP_SECONDS)
            if stop.is_set():
                return
            try:
                await self.sweep()
            except Exception:
                log.exception("inbox sweep failed")
