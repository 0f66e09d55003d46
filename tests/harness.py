"""The test side of an end-to-end conversation: the emulator plays users, the real
Application answers, the test reads replies and the database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import ManualClock
from bot.db.engine import Database
from bot.db.models import Member
from bot.emulator import BotApiEmulator, SimUser
from bot.localbot import LocalBot
from bot.runtime import Runtime
from bot.settings import Settings

ADMIN_ID = 900_001


@dataclass
class Harness:
    emulator: BotApiEmulator
    bot: LocalBot
    clock: ManualClock
    database: Database

    @classmethod
    @asynccontextmanager
    async def running(
        cls, settings: Settings, database: Database, clock: ManualClock
    ) -> AsyncIterator[Harness]:
        emulator = BotApiEmulator(token=settings.bot_token, bot_username="dutybot_test_bot")
        emulator.clock = lambda: clock.now().timestamp()
        await emulator.start()
        settings = settings.model_copy(
            update={
                "bot_api_base_url": emulator.base_url,
                "bot_api_file_url": emulator.base_file_url,
            }
        )
        runtime = Runtime(settings=settings, db=database, clock=clock)
        bot = LocalBot(emulator=emulator, runtime=runtime)
        await bot.start()
        try:
            yield cls(emulator=emulator, bot=bot, clock=clock, database=database)
        finally:
            await bot.stop()
            await emulator.stop()

    @property
    def runtime(self) -> Runtime:
        return self.bot.runtime

    @property
    def admin(self) -> SimUser:
        return self.emulator.user(user_id=ADMIN_ID, first_name="Admin", username="admin")

    def user(self, user_id: int, first_name: str, language_code: str = "zh-hans") -> SimUser:
        return self.emulator.user(
            user_id=user_id, first_name=first_name, language_code=language_code
        )

    async def settle(self) -> None:
        await self.bot.settle()

    async def handled(self, update_ids: Iterable[int], timeout: float = 30.0) -> None:
        """Wait until the bot has finished these updates (ones it took from the inbox, say,
        which ``settle`` does not know of: the emulator never delivered them)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        wanted = set(update_ids)
        while not wanted <= self.bot.completed:
            if loop.time() > deadline:
                raise TimeoutError(f"updates not handled: {sorted(wanted - self.bot.completed)}")
            await asyncio.sleep(0.002)
        await self.settle()

    def redeliver_last(self, chat_id: int) -> int:
        return self.bot.redeliver_last(chat_id)

    async def deliver(self) -> None:
        """Send what the outbox holds that is due now, then let the bot handle any answers."""
        await self.bot.deliver()
        await self.settle()

    async def tick(self) -> int:
        """One scheduler tick at the clock's now (every job of bot/due.py), then delivery of
        the due outbox through the emulator; returns how many messages the tick queued."""
        await self.settle()
        queued = await self.bot.tick()
        await self.settle()
        return queued

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self.database.session() as session:
            yield session

    async def member(self, telegram_id: int) -> Member | None:
        async with self.session() as session:
            member: Member | None = await session.scalar(
                select(Member).where(Member.telegram_id == telegram_id)
            )
            return member

    async def count(self, model: type[object]) -> int:
        async with self.session() as session:
            return int(await session.scalar(select(func.count()).select_from(model)) or 0)
