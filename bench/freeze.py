"""How long an unrelated chat waits while a city's month report is built.

Run:
  .venv/bin/python bench/freeze.py            # SQLite, the full city (4 to 15 minutes to build)
  .venv/bin/python bench/freeze.py --volunteers 5000 --posts 200 --days 60   # a quick look
  .venv/bin/python bench/freeze.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/dutybot_bench_freeze
  .venv/bin/python bench/freeze.py --database-url sqlite+aiosqlite:////tmp/c.db --reuse --blockers

The city of bench/reports.py is built once; the real bot (LocalBot: the Application polling the
emulator) then answers. While an admin's /month is built, and while the scheduled monthly
report for the city's group is built by a scheduler tick, another person sends /help again and
again; the figure is the longest wait for its answer. Each is measured in the same run in the
--modes asked for (default: thread,worker):

- "locked" reads every report in a write transaction as the bot did first (on SQLite that
  holds the write lock for the whole report; at the full city's size /help then fails with
  "database is locked");
- "thread" reads it on a read-only snapshot (Database.read_session) and draws the chart in a
  thread of the bot's process, as it did next: matplotlib holds the GIL, and the event loop
  gets it back only every few milliseconds;
- "worker" draws the chart in the worker process (bot/services/platform/offload.py), as now.

Beside the wait, the longest single step of the event loop while the report is built is shown
in CPU time of the loop's thread, a figure the machine's load does not inflate. The baseline is
/help with nothing else going on: 100 asks at the start, and 30 just before each report, shown
beside the figures of that report (during | alone), since on a shared machine the load changes
from minute to minute. An answer is awaited on the emulator's word (wait_sent), not by polling,
which would take the loop's CPU from the bot it measures; the bot keeps its start-up objects out
of the garbage collector's full passes, as `dutybot run` does (bot/heap.py).

--reuse keeps a city already built at --database-url (built there the first time), so that
repeated runs skip the minutes of building it. --blockers also lists the longest loop steps and,
whenever the loop has not come round for 20 ms, where its thread is and what the other threads
run (the heartbeat that tells runs every 2 ms, so only then). The peak RSS of the process is
printed after building and after measuring (the worker process's own is printed beside it).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import resource
import statistics
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchdb import fresh_postgres
from reports import ZONE, City, build_city
from sqlalchemy import delete, func, select

from bot import scheduler
from bot.clock import ManualClock
from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.db.models import Assignment, BoundGroup, Dialogue, InboxUpdate, OutboxMessage
from bot.due import DUE_JOBS
from bot.emulator import BotApiEmulator, SimUser
from bot.localbot import LocalBot
from bot.runtime import Runtime
from bot.services.platform import offload
from bot.settings import Settings

ADMIN_ID = 90_000_001
ASKER_ID = 90_000_002
GROUP_ID = -100_900
PING_GAP_SECONDS = 0.02
# /help alone just before each report: the baseline of that run.
ALONE_ASKS = 30


class Blockers:
    """What keeps the event loop from coming round.

    Every step of the loop (one callback, such as a task running to its next await) is timed in
    CPU time of the loop's thread, which the machine's load does not inflate: the longest steps
    are what the report itself blocks the loop with. And whenever the loop has not come round
    for `threshold` of wall time, a sampler thread notes where the loop's thread is (in
    ``select``: it waits for the GIL or for a CPU) and what the other threads run meanwhile.
    """

    def __init__(self, threshold: float = 0.02, interval: float = 0.005) -> None:
        self.threshold, self.interval = threshold, interval
        self.beat = time.perf_counter()
        self.samples: Counter[str] = Counter()
        self.others: Counter[str] = Counter()
        self.stalls = 0
        self.steps: list[tuple[float, float, str]] = []  # (cpu, wall, what)
        self.step_cpu: defaultdict[str, float] = defaultdict(float)  # CPU seconds by step
        self.longest = 0.0  # the longest step's CPU time since it was last reset
        self._stop = threading.Event()
        self._loop_thread = threading.get_ident()
        self._run = asyncio.events.Handle._run

    async def heartbeat(self) -> None:
        while not self._stop.is_set():
            self.beat = time.perf_counter()
            await asyncio.sleep(0.002)

    def start(self, *, sample: bool) -> asyncio.Task[None] | None:
        """Time every step; with `sample`, also beat every 2 ms and sample the stalls (the beat
        costs the loop CPU, so it runs only then)."""
        run, steps, step_cpu = self._run, self.steps, self.step_cpu

        def timed(handle: asyncio.Handle) -> None:
            cpu, wall = time.thread_time(), time.perf_counter()
            run(handle)
            cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
            self.longest = max(self.longest, cpu)
            if cpu > 0.001:
                what = _step_name(handle)
                step_cpu[what] += cpu
                if cpu > 0.005:
                    steps.append((cpu, wall, what))

        asyncio.events.Handle._run = timed  # type: ignore[method-assign,assignment]
        if not sample:
            return None
        threading.Thread(target=self._sample, daemon=True).start()
        return asyncio.ensure_future(self.heartbeat())

    def stop(self) -> None:
        self._stop.set()
        asyncio.events.Handle._run = self._run  # type: ignore[method-assign]

    @staticmethod
    def _where(frame: object) -> str:
        stack = traceback.extract_stack(frame)  # type: ignore[arg-type]
        ours = [f for f in stack if "/bot/" in f.filename or "/handlers/" in f.filename]
        last = stack[-3:]
        parts = [f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in ours[-2:]]
        parts += ["| " + " < ".join(f"{Path(f.filename).name}:{f.name}" for f in reversed(last))]
        return " ".join(parts)

    def _sample(self) -> None:
        idle = ("_connection_worker_thread <", "| thread.py:_worker <")
        while not self._stop.wait(self.interval):
            if time.perf_counter() - self.beat < self.threshold:
                continue
            self.stalls += 1
            frames = sys._current_frames()
            loop_frame = frames.get(self._loop_thread)
            if loop_frame is not None:
                self.samples[self._where(loop_frame)] += 1
            for ident, frame in frames.items():
                if ident not in (self._loop_thread, threading.get_ident()):
                    where = self._where(frame)
                    if not any(mark in where for mark in idle) and "wait" not in where:
                        self.others[where] += 1

    def report(self) -> None:
        steps = sorted(self.steps, reverse=True)
        print(
            f"event loop steps over 5 ms of CPU: {len(steps)}; longest (CPU ms / wall ms):",
        )
        for cpu, wall, what in steps[:12]:
            print(f"    {cpu * 1000:7.1f} / {wall * 1000:7.1f}  {what}")
        print("  loop CPU by task (steps over 1 ms, ms in all):")
        for what, cpu in sorted(self.step_cpu.items(), key=lambda item: -item[1])[:12]:
            print(f"    {cpu * 1000:7.0f}  {what}")
        ms = self.interval * 1000
        print(
            f"loop stalled over {self.threshold * 1000:.0f} ms of wall time: {self.stalls} samples"
        )
        print(f"  where the loop's thread was (samples of ~{ms:.0f} ms):")
        for where, count in self.samples.most_common(15):
            print(f"    {count:5d}  {where}")
        print("  what other threads were running meanwhile:")
        for where, count in self.others.most_common(10):
            print(f"    {count:5d}  {where}")


def _step_name(handle: asyncio.Handle) -> str:
    callback = getattr(handle, "_callback", None)
    task = getattr(callback, "__self__", None)
    if isinstance(task, asyncio.Task):
        coro = task.get_coro()
        name = getattr(coro, "__qualname__", repr(coro))
        frame = getattr(coro, "cr_frame", None)
        # Where it is now suspended: the innermost coroutine of the await chain.
        inner: Any = coro
        while getattr(inner, "cr_await", None) is not None and hasattr(inner.cr_await, "cr_frame"):
            inner = inner.cr_await
        inner_frame = getattr(inner, "cr_frame", None)
        if inner_frame is not None and inner_frame is not frame:
            where = f"{Path(inner_frame.f_code.co_filename).name}:{inner_frame.f_lineno}"
            return f"task {name} (now at {where} {inner_frame.f_code.co_name})"
        return f"task {name}"
    return getattr(callback, "__qualname__", repr(callback))


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker_peak_rss_mb() -> float:
    """The drawing worker's high-water mark (Linux), 0 without one."""
    process = offload._worker._process
    if process is None:
        return 0.0
    try:
        status = Path(f"/proc/{process.pid}/status").read_text()
    except OSError:
        return 0.0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def ask_help(asker: SimUser) -> float:
    """One /help, timed from its sending to its answer reaching the emulator. The answer is
    awaited on the emulator's word, not by polling, which would take CPU from the bot."""
    before = asker.sent_count
    started = time.perf_counter()
    await asker.send_command("help")
    await asker.wait_sent(before + 1)
    return time.perf_counter() - started


async def waits_during(
    asker: SimUser, work: Callable[[], Awaitable[object]]
) -> tuple[list[float], float]:
    """(the /help waits while `work` runs, how long `work` took)."""
    started = time.perf_counter()
    task = asyncio.ensure_future(work())
    waits: list[float] = []
    while not task.done():
        waits.append(await ask_help(asker))
        await asyncio.sleep(PING_GAP_SECONDS)
    await task
    return waits or [0.0], time.perf_counter() - started


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


MODES = {
    "locked": "reads in a write transaction, chart drawn in a thread",
    "thread": "reads on a snapshot, chart drawn in a thread",
    "worker": "reads on a snapshot, chart drawn in the worker process",
}


def use_mode(database: Database, mode: str) -> None:
    """locked: every read in a write transaction (BEGIN IMMEDIATE on SQLite), as it was first;
    thread: the chart drawn in a thread of the bot's process, as it was next; worker: now."""
    if mode == "locked":
        database.read_session = database.session  # type: ignore[method-assign]
    else:
        vars(database).pop("read_session", None)
    offload._worker.failed = mode != "worker"


async def _built(database: Database) -> int:
    try:
        async with database.session() as session:
            return int(await session.scalar(select(func.count()).select_from(Assignment)) or 0)
    except Exception:
        return 0


async def run(
    url: str,
    volunteers: int,
    posts: int,
    days: int,
    *,
    reuse: bool,
    blockers: bool,
    modes: list[str],
    repeat: int,
) -> None:
    existing = 0
    if reuse:
        existing = await _built(Database(url))
    if url.startswith("postgresql") and not existing:
        await fresh_postgres(url)
    database = Database(url)
    await upgrade(database)
    first = dt.date(2026, 1, 1)
    print(f"database: {database.engine.dialect.name}")
    if existing:
        print(f"city: reused, {existing:,} assignments ({days} days assumed)")
    else:
        city = City(volunteers, posts, max(1, posts // 20), days, first)
        started = time.perf_counter()
        counts = await build_city(database, city)
        print(
            f"city: {volunteers:,} volunteers, {posts:,} posts, {days} days: "
            f"{counts['assignments']:,} assignments, built in "
            f"{time.perf_counter() - started:.0f} s"
        )
    print(f"peak RSS after building: {peak_rss_mb():,.0f} MB")
    last = first + dt.timedelta(days=days - 1)
    async with database.session() as session:
        # What an earlier run on a reused city left behind: the emulator numbers updates afresh.
        for table in (BoundGroup, InboxUpdate, OutboxMessage, Dialogue):
            await session.execute(delete(table))
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
        # As `dutybot run` does, start-up's objects out of the collector's full passes.
        bot = LocalBot(emulator=emulator, runtime=runtime, freeze_heap=True)
        await bot.start()
        watch = Blockers()
        beating = watch.start(sample=blockers)
        try:
            await measure(bot, emulator, clock, database, last, modes, watch, repeat)
            print(
                f"peak RSS after measuring: {peak_rss_mb():,.0f} MB (the bot's process), "
                f"{worker_peak_rss_mb():,.0f} MB (the worker process)"
            )
            if blockers:
                watch.report()
        finally:
            watch.stop()
            if beating is not None:
                await beating
            offload.shutdown()
            await bot.stop()
            await emulator.stop()
    await database.dispose()


async def measure(
    bot: LocalBot,
    emulator: BotApiEmulator,
    clock: ManualClock,
    database: Database,
    last: dt.date,
    modes: list[str],
    steps: Blockers,
    repeat: int,
) -> None:
    admin = emulator.user(ADMIN_ID, "Admin")
    asker = emulator.user(ASKER_ID, "路人")
    emulator.group(GROUP_ID, "创城指挥部")
    idle = [await ask_help(asker) for _ in range(100)]
    print(
        f"/help alone (baseline, 100 asks): median {statistics.median(idle) * 1000:.0f} ms, "
        f"p95 {p95(idle) * 1000:.0f} ms, longest {max(idle) * 1000:.0f} ms"
    )
    monthly = tuple(job for job in DUE_JOBS if job.name == "monthly_reports")
    # The 1st of the city's last month: the report of the whole month before is due.
    report_day = last.replace(day=1)

    async def month_command() -> None:
        before, count = len(admin.messages()), admin.sent_count
        await admin.send_command("month")
        while not any(m.kind == "photo" for m in admin.messages()[before:]):
            count += 1
            await admin.wait_sent(count, timeout=3600)

    async def scheduled_month() -> None:
        await scheduler.tick(bot.runtime, monthly)

    # Warm up once (caches, the worker process, fonts), unmeasured.
    use_mode(database, "worker")
    clock.set(dt.datetime.combine(last, dt.time(19), tzinfo=ZONE))
    await month_command()

    rows: list[tuple[str, dict[str, list[Run]]]] = []
    for label, work, moment in (
        ("an admin's /month (whole city)", month_command, dt.time(19)),
        ("the scheduled monthly report", scheduled_month, dt.time(8, 5)),
    ):
        results: dict[str, list[Run]] = {mode: [] for mode in modes}
        for attempt in range(repeat):
            for mode in modes:
                use_mode(database, mode)
                day = last if work is month_command else report_day
                # A month later each time, so the scheduled report is due again.
                clock.set(dt.datetime.combine(day, moment, tzinfo=ZONE))
                if work is scheduled_month:
                    async with database.session() as session:
                        await session.execute(delete(OutboxMessage))
                # The baseline of this run: /help alone just before, on the machine as it is now.
                alone = [await ask_help(asker) for _ in range(ALONE_ASKS)]
                steps.longest = 0.0
                waits, took = await waits_during(asker, work)
                results[mode].append(Run(waits, alone, took, steps.longest))
            del attempt
        use_mode(database, "worker")
        rows.append((label, results))
    print(f"/help waits in ms while ... is built | alone, {ALONE_ASKS} asks just before each run:")
    print("the longest (median of the runs' longest; worst), median and p95 of all asks, and")
    print("the longest step of the event loop meanwhile in CPU time of the loop's thread:")
    for label, results in rows:
        cells = [side_by_side(mode, results[mode]) for mode in modes]
        print(f"  {label}:\n    " + "\n    ".join(cells))
    print("  (" + "; ".join(f"{mode}: {MODES[mode]}" for mode in modes) + ")")


@dataclass(frozen=True)
class Run:
    """One report built while /help was asked again and again, and /help alone just before."""

    waits: list[float]
    alone: list[float]
    took: float
    loop_step: float


def side_by_side(mode: str, runs: list[Run]) -> str:
    def ms(value: float) -> str:
        return f"{value * 1000:,.0f}"

    longest = [max(run.waits) for run in runs]
    longest_alone = [max(run.alone) for run in runs]
    every = [wait for run in runs for wait in run.waits]
    every_alone = [wait for run in runs for wait in run.alone]
    took = statistics.median(run.took for run in runs)
    step = statistics.median(run.loop_step for run in runs)
    return (
        f"{mode}: longest {ms(statistics.median(longest))} | {ms(statistics.median(longest_alone))}"
        f" (worst {ms(max(longest))} | {ms(max(longest_alone))}), "
        f"median {ms(statistics.median(every))} | {ms(statistics.median(every_alone))}, "
        f"p95 {ms(p95(every))} | {ms(p95(every_alone))} of {len(every)} | {len(every_alone)} "
        f"asks; loop step {ms(step)} ms CPU; report {took:.1f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    parser.add_argument("--volunteers", type=int, default=50_000)
    parser.add_argument("--posts", type=int, default=2_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument(
        "--reuse", action="store_true", help="keep a city already built at --database-url"
    )
    parser.add_argument(
        "--blockers", action="store_true", help="sample where the event loop is blocked"
    )
    parser.add_argument(
        "--modes",
        default="thread,worker",
        help="comma-separated, of: " + "; ".join(f"{k}: {v}" for k, v in MODES.items()),
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs of each report and mode")
    args = parser.parse_args()
    modes = [mode for mode in args.modes.split(",") if mode]
    if not modes or any(mode not in MODES for mode in modes):
        parser.error(f"--modes: of {', '.join(MODES)}")
    with tempfile.TemporaryDirectory() as directory:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(directory) / 'bench.db'}"
        asyncio.run(
            run(
                url,
                args.volunteers,
                args.posts,
                args.days,
                reuse=args.reuse,
                blockers=args.blockers,
                modes=modes,
                repeat=args.repeat,
            )
        )


if __name__ == "__main__":
    main()
