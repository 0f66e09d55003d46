"""How long 50 people wait for the bot when every Bot API call takes 100 ms.

Run: .venv/bin/python bench/concurrency.py [--people 50] [--latency 0.1] [--database-url URL]

Each person sends /start with an invite code, shares a contact and types a name without waiting
(three updates, three answers). Handled one chat after another this would take at least
people x 3 x latency; the figures show how far concurrent chats bring that down.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import re
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from benchdb import fresh_postgres

from bot.clock import ManualClock
from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.emulator import BotApiEmulator
from bot.localbot import LocalBot
from bot.runtime import Runtime
from bot.settings import Settings

ADMIN_ID = 10_000
LINK = re.compile(r"\?start=([A-Za-z0-9_-]+)")


async def run(people: int, latency: float, database_url: str) -> None:
    if database_url.startswith("postgresql"):
        await fresh_postgres(database_url)
    database = Database(database_url)
    await upgrade(database)
    settings = Settings(_env_file=None, bot_token="100000:BENCH", admin_ids=[ADMIN_ID])  # type: ignore[call-arg]
    clock = ManualClock(dt.datetime(2026, 12, 1, 8, 0, tzinfo=settings.zone))
    emulator = BotApiEmulator(token=settings.bot_token, bot_username="dutybot_bench_bot")
    await emulator.start()
    settings = settings.model_copy(
        update={
            "bot_api_base_url": emulator.base_url,
            "bot_api_file_url": emulator.base_file_url,
            "database_url": database_url,
        }
    )
    bot = LocalBot(emulator=emulator, runtime=Runtime(settings=settings, db=database, clock=clock))
    await bot.start()
    try:
        admin = emulator.user(user_id=ADMIN_ID, first_name="Admin", language_code="zh-hans")
        steps: tuple[Callable[[], Awaitable[object]], ...] = (
            lambda: admin.send_command("units"),
            lambda: admin.press("➕ 新建单位"),
            lambda: admin.send_text("城管局"),
            lambda: admin.press("🔗 邀请"),
            lambda: admin.press("志愿者"),
        )
        for step in steps:
            await step()
            await bot.settle()
        match = LINK.search(admin.last().text or "")
        assert match is not None, admin.last().text
        code = match.group(1)

        emulator.latency = latency
        emulator.peak_in_flight = 0
        users = [emulator.user(user_id=20_000 + n, first_name=f"V{n}") for n in range(people)]
        started = time.perf_counter()
        for user in users:
            await user.send_command("start", code)
            await user.send_contact(phone_number=f"+86138{user.user_id:08d}")
            await user.send_text(f"V{user.user_id}")
        await bot.settle(timeout=600)
        elapsed = time.perf_counter() - started
        answered = sum(1 for user in users if len(user.texts()) == 4)
        serial = people * 3 * latency
        print(f"people: {people}, API latency: {latency * 1000:.0f} ms, database: {database_url}")
        print(f"answered completely: {answered}/{people}")
        print(f"wall time: {elapsed:.2f} s (one chat after another: >= {serial:.1f} s)")
        if serial > 0:
            print(f"speed-up over serial: {serial / elapsed:.1f}x")
        print(f"most API calls in flight at once: {emulator.peak_in_flight}")
    finally:
        await bot.stop()
        await emulator.stop()
        await database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(directory) / 'bench.db'}"
        asyncio.run(run(args.people, args.latency, url))


if __name__ == "__main__":
    main()
