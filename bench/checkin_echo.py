"""A check-in burst against python-telegram-bot's echo bot, on the same emulator, in one run.

Run: .venv/bin/python bench/checkin_echo.py [--people 150] [--runs 3] [--latencies 0,0.1]
        [--warm-up 0] [--database-url postgresql+asyncpg://postgres@127.0.0.1:5432/dutybot_bench_checkin]

Both bots get the same load: `--people` volunteers each send a location, then a photo, without
waiting (bench/checkin.py's burst). The echo bot is a plain PTB Application (its default
updater, one update at a time unless `--echo-concurrency`) whose MessageHandler answers every
message with a text; it needs no database. The check-in bot is the real bot (LocalBot), which
answers each update too (asks for the photo, confirms the check-in), its start-up heap frozen
as `dutybot run` freezes it. Each trial runs in a fresh process, so that its peak RSS is its
own; echo and check-in trials alternate, and the figures are medians of `--runs` trials.

`--warm-up N` first has each bot handle, unmeasured and at 0 ms, the same burst from N other
people: what a process pays once (SQLAlchemy compiling each statement, each pooled PostgreSQL
connection preparing it, PTB's and aiohttp's first requests) is then out of the figures, as it
is for a bot that has been running for a day. Without it the burst meets a cold process, as the
issue that set the ratio's goal measured it.

Printed per latency: updates/s of each bot and their ratio, replies/s (messages the bot sent),
SQL statements and transactions per update of the check-in bot (every statement sent to the
database during the burst and every transaction begun, counted with SQLAlchemy event listeners),
the peak RSS of each process, and the CPU time each trial's process spent per update during the
burst (user plus system, the system part in brackets per run; the emulator runs in the same
process for both bots). At 0 ms both bots keep one core busy, so their ratio of updates/s is
about the inverse of the ratio of their CPU per update, and the split says where the time goes:
on PostgreSQL the system part is mostly the kernel's work on the round trips to the server's
processes, which a SQLite bot does not make. The kernel splits a process's time between user and
system by sampling it at its clock tick, so for a burst of a fraction of a second that split is
rough (the total is not): read the medians, or give more `--people`.

`--instructions` also counts the instructions each bot executes per update, under valgrind's
callgrind, at 0 ms: a figure the load of a shared machine does not change, where updates/s of
the same bot vary by half from one minute to the next. Each bot handles a burst of a third of
`--people` and one of `--people` (the check-in bot seeded with all of them both times), and the
difference of the two counts, divided by the difference of updates, is its cost per update with
start-up and shutdown taken out. Instructions are not time: the check-in bot runs fewer of them
per second than the echo bot (the README's benchmark notes say what was measured of that).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import multiprocessing
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

LATITUDE, LONGITUDE = 30.6586, 104.0648
# Telegram ids of the measured burst, and of the warm-up's people (another unit's, when seeded).
FIRST_ID, WARM_UP_FIRST_ID = 20_000, 40_000
SETTLE_TIMEOUT = 900.0


@dataclass(frozen=True)
class Figures:
    kind: str
    updates: int
    elapsed: float
    replies: int
    statements: int = 0
    transactions: int = 0
    confirmed: int = 0
    peak_rss_mb: float = 0.0
    # CPU time of the trial's process (the bot and the emulator) during the measured burst.
    cpu_user_s: float = 0.0
    cpu_system_s: float = 0.0

    @property
    def updates_per_s(self) -> float:
        return self.updates / self.elapsed

    @property
    def replies_per_s(self) -> float:
        return self.replies / self.elapsed

    @property
    def cpu_ms_per_update(self) -> float:
        return (self.cpu_user_s + self.cpu_system_s) * 1000 / self.updates

    @property
    def system_ms_per_update(self) -> float:
        return self.cpu_system_s * 1000 / self.updates


def _cpu_seconds() -> tuple[float, float]:
    """User and system CPU time of this process so far (to the microsecond, where os.times()
    counts clock ticks of 10 ms)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime, usage.ru_stime


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _photo(n: int) -> bytes:
    return b"\xff\xd8" + n.to_bytes(4, "big") + b"\xff\xd9"


async def _burst(emulator: Any, people: int, first_id: int) -> list[Any]:
    from bot.geo import offset

    users = [emulator.user(user_id=first_id + n, first_name=f"V{n}") for n in range(people)]
    for n, user in enumerate(users):
        await user.send_location(*offset(LATITUDE, LONGITUDE, n % 100, 0))
        await user.send_photo(data=_photo(n))
    return users


# -- the echo bot -----------------------------------------------------------------------------


async def _until_sent(emulator: Any, count: int) -> None:
    deadline = time.perf_counter() + SETTLE_TIMEOUT
    while emulator.sent_count() < count:
        if time.perf_counter() > deadline:
            raise TimeoutError("the echo bot did not answer everything")
        await asyncio.sleep(0.002)


async def _echo(people: int, latency: float, concurrency: int, warm_up: int = 0) -> Figures:
    from telegram import Update
    from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

    from bot.emulator import BotApiEmulator

    async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None
        await message.reply_text(message.text or "echo")

    emulator = BotApiEmulator(token="100001:ECHO", bot_username="echo_bench_bot")
    await emulator.start()
    builder = (
        ApplicationBuilder()
        .token(emulator.token)
        .base_url(emulator.base_url)
        .base_file_url(emulator.base_file_url)
    )
    if concurrency > 1:
        builder = builder.concurrent_updates(concurrency).connection_pool_size(concurrency + 16)
    application = builder.build()
    application.add_handler(MessageHandler(filters.ALL, echo))
    await application.initialize()
    await application.start()
    updater = application.updater
    assert updater is not None
    await updater.start_polling(poll_interval=0.0, timeout=5)
    try:
        await _burst(emulator, warm_up, WARM_UP_FIRST_ID)
        await _until_sent(emulator, warm_up * 2)
        sent_before = emulator.sent_count()
        emulator.latency = latency
        expected = people * 2
        started, cpu_before = time.perf_counter(), _cpu_seconds()
        await _burst(emulator, people, FIRST_ID)
        await _until_sent(emulator, sent_before + expected)
        elapsed, cpu_after = time.perf_counter() - started, _cpu_seconds()
        replies = emulator.sent_count() - sent_before
    finally:
        emulator.latency = 0.0
        await updater.stop()
        await application.stop()
        await application.shutdown()
        await emulator.stop()
    return Figures(
        "echo",
        expected,
        elapsed,
        replies,
        peak_rss_mb=_peak_rss_mb(),
        cpu_user_s=cpu_after[0] - cpu_before[0],
        cpu_system_s=cpu_after[1] - cpu_before[1],
    )


# -- the check-in bot -------------------------------------------------------------------------


async def _checkin(
    people: int, latency: float, database_url: str, seeded: int | None = None, warm_up: int = 0
) -> Figures:
    from checkin import seed
    from sqlalchemy import event, func, select

    from bot.clock import ManualClock
    from bot.db.engine import Database
    from bot.db.migrate import upgrade
    from bot.db.models import CheckIn
    from bot.emulator import BotApiEmulator
    from bot.localbot import LocalBot
    from bot.runtime import Runtime
    from bot.settings import Settings

    database = Database(database_url)
    await upgrade(database)
    settings = Settings(_env_file=None, bot_token="100000:BENCH")  # type: ignore[call-arg]
    clock = ManualClock(dt.datetime(2026, 12, 1, 7, 0, tzinfo=settings.zone))
    await seed(database, max(people, seeded or 0), clock.now(), first_telegram_id=FIRST_ID)
    if warm_up:
        await seed(
            database, warm_up, clock.now(), first_telegram_id=WARM_UP_FIRST_ID, unit_name="交警队"
        )
    emulator = BotApiEmulator(token=settings.bot_token, bot_username="dutybot_bench_bot")
    await emulator.start()
    settings = settings.model_copy(
        update={
            "bot_api_base_url": emulator.base_url,
            "bot_api_file_url": emulator.base_file_url,
            "database_url": database_url,
        }
    )
    # As `dutybot run` does: what start-up built is kept out of the collector's passes.
    bot = LocalBot(
        emulator=emulator,
        runtime=Runtime(settings=settings, db=database, clock=clock),
        freeze_heap=True,
    )
    await bot.start()
    counts = {"statements": 0, "transactions": 0, "on": False}

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if counts["on"]:
            counts["statements"] += 1

    def begin(_conn: Any) -> None:
        if counts["on"]:
            counts["transactions"] += 1

    engines = {id(e.sync_engine): e.sync_engine for e in (database.engine, database.read_engine)}
    for engine in engines.values():
        event.listen(engine, "before_cursor_execute", count)
        event.listen(engine, "begin", begin)
    try:
        await _burst(emulator, warm_up, WARM_UP_FIRST_ID)
        await bot.settle(timeout=SETTLE_TIMEOUT)
        emulator.latency = latency
        sent_before = emulator.sent_count()
        counts["on"] = True
        started, cpu_before = time.perf_counter(), _cpu_seconds()
        users = await _burst(emulator, people, FIRST_ID)
        await bot.settle(timeout=SETTLE_TIMEOUT)
        elapsed, cpu_after = time.perf_counter() - started, _cpu_seconds()
        counts["on"] = False
        replies = emulator.sent_count() - sent_before
        emulator.latency = 0.0
        async with database.session() as session:
            stored = await session.scalar(select(func.count()).select_from(CheckIn))
        confirmed = sum(1 for user in users if "签到成功" in (user.last().text or ""))
        if stored != people + warm_up or confirmed != people:
            raise RuntimeError(
                f"check-ins stored {stored} (with {warm_up} of the warm-up), "
                f"confirmed {confirmed} of {people}"
            )
    finally:
        for engine in engines.values():
            event.remove(engine, "before_cursor_execute", count)
            event.remove(engine, "begin", begin)
        await bot.stop()
        await emulator.stop()
        await database.dispose()
    return Figures(
        "checkin",
        people * 2,
        elapsed,
        replies,
        statements=int(counts["statements"]),
        transactions=int(counts["transactions"]),
        confirmed=confirmed,
        peak_rss_mb=_peak_rss_mb(),
        cpu_user_s=cpu_after[0] - cpu_before[0],
        cpu_system_s=cpu_after[1] - cpu_before[1],
    )


# -- one trial per process --------------------------------------------------------------------


def _trial(
    kind: str,
    people: int,
    latency: float,
    database_url: str,
    concurrency: int,
    seeded: int | None = None,
    warm_up: int = 0,
) -> Figures:
    if kind == "echo":
        return asyncio.run(_echo(people, latency, concurrency, warm_up))

    async def fresh_and_run() -> Figures:
        from benchdb import fresh_postgres

        if database_url.startswith("postgresql"):
            await fresh_postgres(database_url)
        return await _checkin(people, latency, database_url, seeded, warm_up)

    return asyncio.run(fresh_and_run())


def _in_child(kind: str, *args: Any) -> Figures:
    with ProcessPoolExecutor(
        max_workers=1, mp_context=multiprocessing.get_context("spawn"), max_tasks_per_child=1
    ) as pool:
        return pool.submit(_trial, kind, *args).result()


def _median(values: list[float]) -> float:
    return statistics.median(values)


# -- instructions per update, under callgrind -------------------------------------------------

_TOTAL = re.compile(r"I\s+refs:\s+([\d,]+)")


def instructions_in(report: str) -> int:
    """The total callgrind prints when its process exits (`==pid== I   refs:  1,234`)."""
    found = _TOTAL.findall(report)
    if not found:
        raise RuntimeError(f"callgrind printed no instruction count: {report[-500:]!r}")
    return int(found[-1].replace(",", ""))


def _counted_trial(kind: str, people: int, seeded: int, database_url: str, concurrency: int) -> int:
    command = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        __file__,
        "--counted-trial",
        kind,
        "--people",
        str(people),
        "--seeded",
        str(seeded),
        "--database-url",
        database_url,
        "--echo-concurrency",
        str(concurrency),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the {kind} trial under callgrind failed: {done.stderr[-2000:]}")
    return instructions_in(done.stderr)


def _own_database(url: str, suffix: str, directory: str) -> str:
    if url.startswith("postgresql"):
        from sqlalchemy.engine import make_url

        parsed = make_url(url)
        return parsed.set(database=f"{parsed.database}_{suffix}").render_as_string(
            hide_password=False
        )
    return f"sqlite+aiosqlite:///{Path(directory) / f'counted-{suffix}.db'}"


def _instructions_per_update(
    people: int, database_url: str | None, concurrency: int, directory: str
) -> tuple[float, float, int]:
    """Instructions per update of the echo bot and of the check-in bot, and the smaller burst."""
    small = max(1, people // 3)
    trials = [
        (kind, size, _own_database(database_url or "", f"{kind}_{size}", directory))
        for kind in ("echo", "checkin")
        for size in (small, people)
    ]
    # Two at a time: the counts do not depend on what else the machine runs.
    with ThreadPoolExecutor(max_workers=2) as pool:
        counts = list(
            pool.map(
                lambda trial: _counted_trial(trial[0], trial[1], people, trial[2], concurrency),
                trials,
            )
        )
    updates = (people - small) * 2
    echo = (counts[1] - counts[0]) / updates
    checkin = (counts[3] - counts[2]) / updates
    return echo, checkin, small


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=150)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--latencies", default="0,0.1", help="seconds, comma-separated")
    parser.add_argument("--echo-concurrency", type=int, default=1, help="1: PTB's default")
    parser.add_argument(
        "--warm-up",
        type=int,
        default=0,
        help="people in an unmeasured burst each bot handles first (0: a cold process)",
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="default: a temporary SQLite file; a PostgreSQL database must be named "
        "dutybot_bench* (it is dropped and created for each trial)",
    )
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="also count instructions per update under valgrind's callgrind (a few minutes)",
    )
    parser.add_argument("--counted-trial", choices=("echo", "checkin"), help=argparse.SUPPRESS)
    parser.add_argument("--seeded", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.counted_trial:
        # One trial in this process, for callgrind to count (see _counted_trial).
        _trial(
            args.counted_trial,
            args.people,
            0.0,
            args.database_url,
            args.echo_concurrency,
            args.seeded,
        )
        return
    if args.instructions and shutil.which("valgrind") is None:
        parser.error("--instructions needs valgrind (Debian's package valgrind)")
    if args.instructions and args.people < 3:
        parser.error("--instructions compares a burst of a third of --people with one of all")
    latencies = [float(value) for value in args.latencies.split(",") if value.strip()]
    with tempfile.TemporaryDirectory() as directory:
        print(
            f"people: {args.people} (updates: {args.people * 2}), runs: {args.runs}, "
            f"database: {args.database_url or 'SQLite (temporary file)'}, "
            f"echo concurrency: {args.echo_concurrency}, warm-up: {args.warm_up} people"
        )
        header = (
            f"{'latency':>8} {'echo upd/s':>11} {'checkin upd/s':>14} {'ratio':>6} "
            f"{'echo rep/s':>11} {'checkin rep/s':>14} {'SQL/upd':>8} {'tx/upd':>7} "
            f"{'echo RSS':>9} {'checkin RSS':>12} {'echo CPU/upd':>13} {'checkin CPU/upd':>16}"
            f" {'(system)':>9}"
        )
        lines = []
        for latency in latencies:
            echoes: list[Figures] = []
            checkins: list[Figures] = []
            for run in range(args.runs):
                url = args.database_url or (
                    f"sqlite+aiosqlite:///{Path(directory) / f'bench-{latency}-{run}.db'}"
                )
                trial = (args.people, latency, url, args.echo_concurrency, None, args.warm_up)
                echoes.append(_in_child("echo", *trial))
                checkins.append(_in_child("checkin", *trial))
                e, c = echoes[-1], checkins[-1]
                print(
                    f"  latency {latency * 1000:.0f} ms run {run + 1}: echo "
                    f"{e.updates_per_s:.1f} upd/s, check-in {c.updates_per_s:.1f} upd/s "
                    f"(ratio {c.updates_per_s / e.updates_per_s:.2f}), "
                    f"{c.statements / c.updates:.1f} SQL/update, CPU/update: echo "
                    f"{e.cpu_ms_per_update:.2f} ms (system {e.system_ms_per_update:.2f}), "
                    f"check-in {c.cpu_ms_per_update:.2f} ms (system {c.system_ms_per_update:.2f})",
                    flush=True,
                )
            echo_rate = _median([f.updates_per_s for f in echoes])
            checkin_rate = _median([f.updates_per_s for f in checkins])
            ratio = _median(
                [c.updates_per_s / e.updates_per_s for e, c in zip(echoes, checkins, strict=True)]
            )
            lines.append(
                f"{latency * 1000:>6.0f}ms {echo_rate:>11.1f} {checkin_rate:>14.1f} "
                f"{ratio:>6.2f} {_median([f.replies_per_s for f in echoes]):>11.1f} "
                f"{_median([f.replies_per_s for f in checkins]):>14.1f} "
                f"{_median([f.statements / f.updates for f in checkins]):>8.1f} "
                f"{_median([f.transactions / f.updates for f in checkins]):>7.1f} "
                f"{_median([f.peak_rss_mb for f in echoes]):>7.0f}MB "
                f"{_median([f.peak_rss_mb for f in checkins]):>10.0f}MB "
                f"{_median([f.cpu_ms_per_update for f in echoes]):>10.2f} ms "
                f"{_median([f.cpu_ms_per_update for f in checkins]):>13.2f} ms "
                f"{_median([f.system_ms_per_update for f in checkins]):>6.2f} ms"
            )
        print("medians:")
        print(header)
        for line in lines:
            print(line)
        if args.instructions:
            echo, checkin, small = _instructions_per_update(
                args.people, args.database_url, args.echo_concurrency, directory
            )
            print(
                f"instructions per update (callgrind, 0 ms, bursts of {small} and "
                f"{args.people} people, start-up taken out):"
            )
            print(f"{'echo':>12} {'checkin':>12} {'ratio':>6}")
            print(f"{echo / 1e6:>11.2f}M {checkin / 1e6:>11.2f}M {echo / checkin:>6.2f}")


if __name__ == "__main__":
    main()
