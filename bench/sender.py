"""The outbox sender against Telegram's flood limits: a broadcast of 3,000 messages.

Run: .venv/bin/python bench/sender.py [--messages 3000] [--latency 0.05] [--database-url URL]
(a PostgreSQL URL names a database the benchmark drops and creates for itself)

The emulator enforces Telegram's limits (about 30 messages a second overall, one a second per
private chat with a short burst) on the real clock and answers 429 to anything faster; every
API call takes `--latency`. The production sender drains the outbox in its production loop
(`run_forever`, taking the lead first on PostgreSQL) on the system clock. Printed: the achieved
rate, the 429s received (the goal is none), and the CPU time the sender spent per message.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import tempfile
import time
from pathlib import Path

from benchdb import fresh_postgres
from telegram import Bot

from bot.buttons import SignUp
from bot.clock import SystemClock
from bot.db.engine import Database
from bot.db.leadership import sender_leadership
from bot.db.migrate import upgrade
from bot.db.models import OutboxStatus
from bot.emulator import BotApiEmulator, FloodLimits
from bot.runtime import Runtime
from bot.sender import Sender, worker_name
from bot.services.platform import outbox
from bot.settings import Settings

FIRST_CHAT = 100_000


async def run(messages: int, latency: float, database_url: str) -> None:
    if database_url.startswith("postgresql"):
        await fresh_postgres(database_url)
    database = Database(database_url)
    await upgrade(database)
    emulator = BotApiEmulator(token="100000:BENCH", flood_limits=FloodLimits.telegram())
    await emulator.start()
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        bot_token="100000:BENCH",
        database_url=database_url,
        bot_api_base_url=emulator.base_url,
        quiet_hours="",
    )
    for n in range(messages):
        emulator.user(user_id=FIRST_CHAT + n, first_name=f"V{n}").started = True
    now = dt.datetime.now(dt.UTC)
    async with database.session() as session:
        for n in range(messages):
            await outbox.enqueue(
                session,
                key=f"bench:{n}",
                chat_id=FIRST_CHAT + n,
                body=outbox.payload(
                    "本周岗位已发布，点按钮报名。", buttons=[[("✋ 报名", SignUp(1))]]
                ),
                now=now,
                batch="bench",
            )
    emulator.latency = latency
    runtime = Runtime(settings=settings, db=database, clock=SystemClock())
    stop = asyncio.Event()
    try:
        async with Bot(settings.bot_token, base_url=emulator.base_url) as bot:
            # As `dutybot run` does: on PostgreSQL the sender leads before it sends.
            worker = worker_name()
            sender = Sender(
                bot, runtime, leadership=sender_leadership(database, worker), worker=worker
            )
            started, cpu_started = time.perf_counter(), time.process_time()
            task = asyncio.create_task(sender.run_forever(stop))
            while True:
                async with database.session() as session:
                    counts = await outbox.batch_counts(session, "bench")
                if sum(counts.values()) - counts.get(OutboxStatus.PENDING, 0) >= messages:
                    break
                await asyncio.sleep(0.5)
            elapsed = time.perf_counter() - started
            cpu = time.process_time() - cpu_started
            stop.set()
            await task
        delivered = sum(1 for n in range(messages) if emulator.user(FIRST_CHAT + n).texts())
        print(
            f"messages: {messages}, API latency: {latency * 1000:.0f} ms, database: {database_url}"
        )
        statuses = ", ".join(f"{status.value}: {count}" for status, count in counts.items())
        print(f"delivered: {delivered}, outbox statuses: {statuses}")
        rate = messages / elapsed
        print(f"wall time: {elapsed:.1f} s, achieved rate: {rate:.1f} messages/s (limit 30)")
        print(f"429 answers from the emulator: {emulator.rejected_429}")
        print(f"CPU time of this process: {cpu:.1f} s, {cpu / messages * 1000:.2f} ms per message")
    finally:
        await emulator.stop()
        await database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(directory) / 'bench.db'}"
        asyncio.run(run(args.messages, args.latency, url))


if __name__ == "__main__":
    main()
