"""The real bot, long-polling the local Bot API emulator: shared by `dutybot demo` and the tests.

``settle()`` waits until every update the emulator has handed out went through the update
processor, which is a fact the processor reports, not a guess about timing.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from telegram import Update

from bot import scheduler
from bot.app import build_application, scheduled_tick
from bot.clock import ManualClock
from bot.emulator import BotApiEmulator
from bot.heap import freeze_start_up, thaw
from bot.intake import Intake
from bot.runtime import Runtime
from bot.sender import Sender
from handlers.turn import BotApplication

POLL_TIMEOUT_SECONDS = 5
MAX_SENDER_PASSES = 10_000


@dataclass
class LocalBot:
    emulator: BotApiEmulator
    runtime: Runtime
    application: BotApplication | None = None
    sender: Sender | None = None
    completed: set[int] = field(default_factory=set)
    # As `dutybot run` does, keep what start-up built out of the collector's full passes
    # (bot/heap.py); the tests, which start hundreds of bots in one process, leave it off.
    freeze_heap: bool = False
    _polling: asyncio.Task[None] | None = None
    _stop_polling: asyncio.Event = field(default_factory=asyncio.Event)

    def _done(self, update: object) -> None:
        if isinstance(update, Update):
            self.completed.add(update.update_id)
        elif isinstance(update, int):
            self.completed.add(update)

    async def start(self) -> None:
        application = build_application(self.runtime, on_update_done=self._done)
        await application.initialize()
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        # As `dutybot run` does: first what a previous run left in the inbox, then polling.
        intake = application.bot_data["intake"]
        assert isinstance(intake, Intake)
        await intake.recover()
        self._stop_polling = asyncio.Event()
        self._polling = asyncio.create_task(
            intake.poll(self._stop_polling, timeout=POLL_TIMEOUT_SECONDS), name="polling"
        )
        self.application = application
        if self.freeze_heap:
            freeze_start_up()
        # The sender's pacing state lives as long as the process, like in production.
        if self.sender is None:
            self.sender = Sender(application.bot, self.runtime)
        else:
            self.sender.bot = application.bot

    def _intake_caught_up(self) -> bool:
        assert self.application is not None
        intake = self.application.bot_data["intake"]
        return isinstance(intake, Intake) and intake.caught_up

    async def stop(self) -> None:
        """Stop like a process that is shut down: updates already fetched are finished."""
        application = self.application
        if application is None:
            return
        self.application = None
        if self._polling is not None:
            self._stop_polling.set()
            await self._polling
            self._polling = None
        if application.running:
            await application.stop()
        await application.shutdown()
        if self.freeze_heap:
            thaw()

    async def deliver(self) -> int:
        """Send everything the outbox holds that is due now. Where Telegram's pace makes a chat
        wait, a manual clock is moved on by that wait, as time would pass in production."""
        assert self.sender is not None, "start() the bot first"
        attempted = 0
        for _ in range(MAX_SENDER_PASSES):
            result = await self.sender.pass_once()
            attempted += result.attempted
            clock = self.runtime.clock
            if result.wait is not None and isinstance(clock, ManualClock):
                clock.advance(seconds=result.wait)
                continue
            if result.attempted == 0:
                return attempted
        raise RuntimeError("the outbox did not drain")

    async def tick(self) -> int:
        """One scheduler tick at the clock's now, as the running bot's job queue runs it
        (bot/app.py `scheduled_tick`), then delivery; returns messages queued. With the bot
        stopped, every job runs (a test driving the database alone)."""
        if self.application is None:
            queued = await scheduler.tick(self.runtime)
        else:
            queued = await scheduled_tick(self.application)
        await self.deliver()
        return queued

    def redeliver_last(self, chat_id: int) -> int:
        """Have Telegram deliver the last update of a chat again; settle() then waits for the
        second delivery to be handled too."""
        update_id = self.emulator.redeliver_last(chat_id)
        self.completed.discard(update_id)
        return update_id

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    async def settle(self, timeout: float = 30.0) -> None:
        """Wait until the bot has fetched and finished every update sent so far (and, after a
        start, knows it has: its first fetch came back)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if (
                self.emulator.pending_updates() == 0
                and self.emulator.delivered_update_ids <= self.completed
                and (self.application is None or self._intake_caught_up())
            ):
                return
            if loop.time() > deadline:
                missing = sorted(self.emulator.delivered_update_ids - self.completed)
                raise TimeoutError(
                    f"bot did not settle: {self.emulator.pending_updates()} undelivered, "
                    f"unfinished {missing[:10]}"
                )
            await asyncio.sleep(0.002)
