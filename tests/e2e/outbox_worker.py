"""A second (and third) bot process for the multi-process outbox test: it drains the shared
outbox with the production sender until a pass finds nothing left, and prints how many messages
it sent. Run as ``python -m tests.e2e.outbox_worker DATABASE_URL BOT_API_BASE_URL TOKEN``; it
says "ready" and waits for a line on its standard input, so that the test starts all of them at
once."""

from __future__ import annotations

import asyncio
import sys

from telegram import Bot

from bot.clock import SystemClock
from bot.db.engine import Database
from bot.pacing import Pacer, Rates
from bot.runtime import Runtime
from bot.sender import Sender
from bot.settings import Settings

# The emulator in this test enforces no flood limits, so a faster overall pace than Telegram's
# keeps the test short; the burst stays small, so each pass claims a few dozen messages, as in
# production, and the processes take turns at the outbox.
FAST = Rates(global_per_second=400, global_burst=20)


async def drain(database_url: str, base_url: str, token: str) -> int:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, bot_token=token, database_url=database_url, quiet_hours=""
    )
    database = Database(database_url)
    runtime = Runtime(settings=settings, db=database, clock=SystemClock())
    bot = Bot(token, base_url=base_url)
    sent = 0
    async with bot:
        sender = Sender(bot, runtime, pacer=Pacer(FAST))
        print("ready", flush=True)
        await asyncio.to_thread(sys.stdin.readline)
        while True:
            result = await sender.pass_once()
            sent += result.attempted
            if result.attempted == 0 and result.wait is None:
                break
    await database.dispose()
    return sent


if __name__ == "__main__":
    url, api, bot_token = sys.argv[1:4]
    print(f"sent {asyncio.run(drain(url, api, bot_token))}", flush=True)
