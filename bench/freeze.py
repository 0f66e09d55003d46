"""How long an unrelated chat waits while a city's month report is built.

Run:
  .venv/bin/python bench/freeze.py            # SQLite, the full city (4 minutes to build)
  .venv/bin/python bench/freeze.py --volunteers 5000 --posts 200 --days 60   # a quick look
  .venv/bin/python bench/freeze.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/dutybot_bench_freeze

The city of bench/reports.py is built once; the real bot (LocalBot: the Application polling the
emulator) then answers. While an admin's /month is built, and while the scheduled monthly
report for the city's group is built by a scheduler tick, another person sends /help again and
again; the figure is the longest wait for its answer. Each is measured twice in the same run:
"locked" reads every report in a write transaction as the bot did before (on SQLite that holds
the write lock for the whole report), "snapshot" reads it on a read-only snapshot
(Database.read_session). The baseline is /help with nothing else going on.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from benchdb import fresh_postgres
from reports import ZONE, City, build_city
from sqlalchemy import delete

from bot import scheduler
from bot.clock import ManualClock
from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.db.models import BoundGroup, OutboxMessage
from bot.due import DUE_JOBS
from bot.emulator import BotApiEmulator, SimUser
from bot.localbot import LocalBot
from bot.runtime import Runtime
from bot.settings import Settings

ADMIN_ID = 90_000_001
ASKER_ID = 90_000_002
GROUP_ID = -100_900
PING_GAP_SECONDS = 0.02
REPEAT = 3


async def answered(person: SimUser, before: int) -> None:
    while len(person.messages()) <= before:  # noqa: ASYNC110 - polls the emulator
        await asyncio.sleep(0.001)


async def ask_help(asker: SimUser) -> float:
    before = len(asker.messages())
    started = time.perf_counter()
    await asker.send_command("help")
    await answered(asker, before)
    return time.perf_counter() - started


async def waits_during(
    asker: SimUser, work: Callable[[], Awaitable[object]]
) -> tuple[float, float]:
    """(the longest /help wait while `work` runs, how long `work` took)."""
    started = time.perf_counter()
    task = asyncio.ensure_future(work())
    waits = [0.0]
    while not task.done():
        waits.append(await ask_help(asker))
        await asyncio.sleep(PING_GAP_SECONDS)
    await task
    return max(waits), time.perf_counter() - started


def use_locked_reads(database: Database, locked: bool) -> None:
    """Before: every read in a write transaction (BEGIN IMMEDIATE on SQLite), as it was."""
    if locked:
        database.read_session = database.session  # type: ignore[method-assign]
    else:
        vars(database).pop("read_session", None)


async def run(url: str, volunteers: int, posts: int, days: int) -> None:
    if url.startswith("postgresql"):
        await fresh_postgres(url)
    database = Database(url)
    await upgrade(database)
    first = dt.date(2026, 1, 1)
    city = City(volunteers, posts, max(1, posts // 20), days, first)
    started = time.perf_counter()
    counts = await build_city(database, city)
    print(f"database: {database.engine.dialect.name}")
    print(
        f"city: {volunteers:,} volunteers, {posts:,} posts, {days} days: "
        f"{counts['assignments']:,} assignments, built in {time.perf_counter() - started:.0f} s"
    )
    last = first + dt.timedelta(days=days - 1)
    async with database.session() as session:
        session.add(
            BoundGroup(
                chat_id=GROUP_ID,
                title="创城指挥部",
                unit_id=None,
                language="zh_Hans",
                bound_by=ADMIN_ID,
                bound_at=dt.datetime.combine(first, dt.time(8), tzinfo=ZONE),
            )
        )
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, bot_token="100000:BENCH", admin_ids=[ADMIN_ID], database_url=url
    )
    clock = ManualClock(dt.datetime.combine(last, dt.time(19), tzinfo=ZONE))
    emulator = BotApiEmulator(token=settings.bot_token, bot_username="dutybot_bench_bot")
    await emulator.start()
    with tempfile.TemporaryDirectory() as reports_dir:
        settings = settings.model_copy(
            update={
                "bot_api_base_url": emulator.base_url,
                "bot_api_file_url": emulator.base_file_url,
                "reports_dir": reports_dir,
            }
        )
        runtime = Runtime(settings=settings, db=database, clock=clock)
        bot = LocalBot(emulator=emulator, runtime=runtime)
        await bot.start()
        try:
            await measure(bot, emulator, clock, database, last)
        finally:
            await bot.stop()
            await emulator.stop()
    await database.dispose()


async def measure(
    bot: LocalBot, emulator: BotApiEmulator, clock: ManualClock, database: Database, last: dt.date
) -> None:
    admin = emulator.user(ADMIN_ID, "Admin")
    asker = emulator.user(ASKER_ID, "路人")
    emulator.group(GROUP_ID, "创城指挥部")
    idle = [await ask_help(asker) for _ in range(20)]
    print(
        f"/help alone (baseline): median {statistics.median(idle) * 1000:.0f} ms, "
        f"longest {max(idle) * 1000:.0f} ms"
    )
    monthly = tuple(job for job in DUE_JOBS if job.name == "monthly_reports")
    # The 1st of the city's last month: the report of the whole month before is due.
    report_day = last.replace(day=1)

    async def month_command() -> None:
        before = len(admin.messages())
        await admin.send_command("month")
        while not any(m.kind == "photo" for m in admin.messages()[before:]):  # noqa: ASYNC110
            await asyncio.sleep(0.005)

    async def scheduled_month() -> None:
        await scheduler.tick(bot.runtime, monthly)

    rows: list[tuple[str, dict[str, list[tuple[float, float]]]]] = []
    for label, work, moment in (
        ("an admin's /month (whole city)", month_command, dt.time(19)),
        ("the scheduled monthly report", scheduled_month, dt.time(8, 5)),
    ):
        results: dict[str, list[tuple[float, float]]] = {"locked": [], "snapshot": []}
        for attempt in range(REPEAT):
            for mode in ("locked", "snapshot"):
                use_locked_reads(database, mode == "locked")
                day = last if work is month_command else report_day
                # A month later each time, so the scheduled report is due again.
                clock.set(dt.datetime.combine(day, moment, tzinfo=ZONE))
                if work is scheduled_month:
                    async with database.session() as session:
                        await session.execute(delete(OutboxMessage))
                results[mode].append(await waits_during(asker, work))
            del attempt
        use_locked_reads(database, False)
        rows.append((label, results))
    print("longest /help wait while ... is built (median of the longest of each run; worst):")
    for label, results in rows:
        cells = []
        for mode in ("locked", "snapshot"):
            longest = [wait for wait, _ in results[mode]]
            took = statistics.median(duration for _, duration in results[mode])
            cells.append(
                f"{mode}: {statistics.median(longest) * 1000:,.0f} ms "
                f"(worst {max(longest) * 1000:,.0f} ms; report {took:.1f} s)"
            )
        print(f"  {label}:\n    " + "\n    ".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    parser.add_argument("--volunteers", type=int, default=50_000)
    parser.add_argument("--posts", type=int, default=2_000)
    parser.add_argument("--days", type=int, default=365)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(directory) / 'bench.db'}"
        asyncio.run(run(url, args.volunteers, args.posts, args.days))


if __name__ == "__main__":
    main()
