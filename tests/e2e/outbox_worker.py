"""A bot process for the multi-process outbox tests: it runs the production sender loop
(`Sender.run_forever`, leading or standing by) on the shared outbox until nothing is pending,
and prints how many messages it sent. Run as
``python -m tests.e2e.outbox_worker DATABASE_URL BOT_API_BASE_URL TOKEN``; it says "ready" and
waits for a line on its standard input, so that the test starts all of them at once."""

from __future__ import annotations

import asyncio
import logging
import sys

from sqlalchemy import func, select
from telegram import Bot

from bot.clock import SystemClock
from bot.db.engine import Database
from bot.db.leadership import sender_leadership
from bot.db.models import OutboxMessage, OutboxStatus
from bot.pacing import Pacer, Rates
from bot.runtime import Runtime
from bot.sender import PassResult, Sender, worker_name
from bot.settings import Settings

# A faster overall pace than Telegram's keeps the test short; the test's emulator enforces the
# same rate, so one sender at this pace earns no 429 and two would earn many. Each pass still
# claims a few dozen messages at most (bot/sender.py PASS_MOST), as in production.
FAST = Rates(global_per_second=200)
POLL_SECONDS = 0.02


class CountingSender(Sender):
    """The production sender, counting the messages its passes tried."""

    sent = 0

    async def pass_once(self) -> PassResult:
        result = await super().pass_once()
        self.sent += result.attempted
        return result


async def pending(database: Database) -> int:
    async with database.session() as session:
        count = await session.scalar(
            select(func.count()).where(OutboxMessage.status == OutboxStatus.PENDING)
        )
    return int(count or 0)


async def drain(database_url: str, base_url: str, token: str) -> int:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, bot_token=token, database_url=database_url, quiet_hours=""
    )
    database = Database(database_url)
    runtime = Runtime(settings=settings, db=database, clock=SystemClock())
    worker = worker_name()
    async with Bot(token, base_url=base_url) as bot:
        sender = CountingSender(
            bot,
            runtime,
            pacer=Pacer(FAST),
            leadership=sender_leadership(database, worker),
            worker=worker,
        )
        print("ready", flush=True)
        await asyncio.to_thread(sys.stdin.readline)
        stop = asyncio.Event()
        loop = asyncio.create_task(sender.run_forever(stop))
        while True:
            if not await pending(database):
                break
            await asyncio.sleep(POLL_SECONDS)
        stop.set()
        await loop
    await database.dispose()
    return sender.sent


if __name__ == "__main__":
    # Leadership changes (INFO) go to standard error, which the test keeps in a file.
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    logging.getLogger("bot").setLevel(logging.INFO)
    url, api, bot_token = sys.argv[1:4]
    print(f"sent {asyncio.run(drain(url, api, bot_token))}", flush=True)
