"""What drawing shift reminders again at send time costs the outbox sender.

Run:
  .venv/bin/python bench/redraw.py [--messages 3000] [--runs 3] [--latency 0.05]
  .venv/bin/python bench/redraw.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/dutybot_bench_redraw
(a PostgreSQL URL names a database the benchmark drops and creates for itself)

The city: `--messages` volunteers in units of 100, one seat each on shifts of three seats at
posts of their unit, the shifts starting from 2 to 12 hours from now (languages mixed as in
bench/tick.py). Each round deletes the outbox and runs the real reminder job
(reminders.shift_reminders, through the scheduler tick) at the present moment: it queues the
12-hour reminder of every seat, each carrying its Redraw (bot/redraw.py: reminders.REMINDER).
The production sender (`run_forever`, taking the lead first on PostgreSQL, on the system clock)
then drains the outbox into the emulator, which enforces Telegram's limits and takes
`--latency` per API call, as in bench/sender.py.

Two variants, alternating, `--runs` of each: the sender as it is, and the sender with the table
of redraws empty (bot.sender.REDRAWS = {}), where the claimed rows are sent as stored. Printed,
medians: the CPU time of the process per message (the emulator runs in it too: the same in both),
the time spent in redraw_claimed per message, and the rate achieved from the first claim to
the last message sent (the limit is 30 a second), side by side with their ratio.
"Drawn again" counts the messages each redraw was asked for: as many as were sent, as a pass
claims only what its pacing lets go (more only where a 429 or a failure made one wait).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from benchdb import after_bulk_load, bulk_insert, fresh_postgres, reset_id_sequences
from sqlalchemy import delete, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot

import bot.sender as sender_module
from bot import scheduler
from bot.clock import ManualClock, SystemClock
from bot.db.engine import Database
from bot.db.leadership import sender_leadership
from bot.db.migrate import upgrade
from bot.db.models import (
    Assignment,
    Member,
    MemberRole,
    OutboxMessage,
    OutboxStatus,
    Post,
    Shift,
    Unit,
)
from bot.due import DUE_JOBS
from bot.emulator import BotApiEmulator, FloodLimits
from bot.i18n import Translator
from bot.redraw import REDRAWS
from bot.runtime import Runtime
from bot.sender import Sender, worker_name
from bot.services.platform import redraw
from bot.services.platform.outbox import Message
from bot.services.platform.redraw import RedrawFunction, Subject
from bot.settings import Settings

FIRST_CHAT = 10_000_000
UNIT_SIZE = 100
SEATS = 3  # a shift's seats: everyone on it reads the same reminder (rendered once a language)
REMINDER_JOB = next(job for job in DUE_JOBS if job.name == "reminders.shift")
VARIANTS: dict[str, Mapping[str, RedrawFunction]] = {"redrawn": REDRAWS, "empty table": {}}


class City:
    """`volunteers` in units of UNIT_SIZE, each holding one seat of a shift of their unit's."""

    def __init__(self, volunteers: int, now: dt.datetime) -> None:
        self.volunteers = volunteers
        self.units = max(1, -(-volunteers // UNIT_SIZE))
        self.shifts = -(-volunteers // SEATS)
        self.now = now
        self.created = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)

    def unit_of(self, member: int) -> int:
        return (member - 1) // UNIT_SIZE + 1

    def rows(self) -> Iterator[tuple[Any, list[dict[str, Any]]]]:
        created = self.created
        members = range(1, self.volunteers + 1)
        yield Unit.__table__, [
            {"id": u, "name": f"单位{u:03d}", "require_swap_approval": False,
             "created_at": created, "archived": False}
            for u in range(1, self.units + 1)
        ]  # fmt: skip
        yield (
            Member.__table__,
            [
                {
                    "id": m,
                    "telegram_id": FIRST_CHAT + m,
                    "display_name": f"志愿者{m:05d}",
                    "phone": None,
                    "language": ("zh_Hans", "en", None)[m % 3],
                    "unit_id": self.unit_of(m),
                    "registered_at": created,
                    "blocked_bot": False,
                    "active": True,
                }
                for m in members
            ],
        )
        yield MemberRole.__table__, [{"member_id": m, "role": "volunteer"} for m in members]
        # Shift s holds the members SEATS * (s - 1) + 1 ... : a post of the first one's unit.
        first = [SEATS * (s - 1) + 1 for s in range(1, self.shifts + 1)]
        yield (
            Post.__table__,
            [
                {
                    "id": s,
                    "unit_id": self.unit_of(m),
                    "name": f"岗位{s:04d}",
                    "type": "traffic",
                    "latitude": 30.6 + s / 10_000,
                    "longitude": 104.0 + s / 10_000,
                    "radius_m": 150,
                    "archived": False,
                    "created_at": created,
                }
                for s, m in enumerate(first, start=1)
            ],
        )
        # Starting from 2 to 12 hours from now, on the quarter hour: inside the 12-hour
        # reminder's window, and after the last message is sent.
        yield (
            Shift.__table__,
            [
                {
                    "id": s,
                    "post_id": s,
                    "starts_at": self.starts(s),
                    "ends_at": self.starts(s) + dt.timedelta(hours=2),
                    "capacity": SEATS,
                    "required_tag": None,
                    "notes": None,
                    "status": "scheduled",
                    "series_id": None,
                    "created_at": created,
                }
                for s in range(1, self.shifts + 1)
            ],
        )
        yield (
            Assignment.__table__,
            [
                {
                    "id": m,
                    "shift_id": (m - 1) // SEATS + 1,
                    "member_id": m,
                    "status": "signed_up",
                    "created_at": created,
                    "updated_at": created,
                    "rota_id": None,
                    "acknowledged_at": None,
                }
                for m in members
            ],
        )

    def starts(self, shift: int) -> dt.datetime:
        quarter = self.now.replace(second=0, microsecond=0) - dt.timedelta(
            minutes=self.now.minute % 15
        )
        return quarter + dt.timedelta(hours=2, minutes=15 * (shift % 40))


async def build_city(database: Database, city: City) -> None:
    async with database.engine.begin() as connection:
        for table, rows in city.rows():
            await bulk_insert(connection, table, rows)
        await reset_id_sequences(connection, ("units", "members", "posts", "shifts", "assignments"))
    await after_bulk_load(database.engine)


@dataclass
class Figures:
    cpu: float  # seconds of the process's CPU while the sender drained the outbox
    in_redraw: float  # seconds (wall) inside redraw_claimed
    drawn: int  # messages drawn again
    sending: float  # seconds from the first claim to the last message sent
    sent: int
    statuses: dict[str, int]


@dataclass
class Tally:
    seconds: float = 0.0
    drawn: int = 0
    first_claim: dt.datetime | None = None  # on the system clock, as the sender's sent_at


def _counted(function: RedrawFunction, tally: Tally) -> RedrawFunction:
    async def counted(
        session: AsyncSession, subjects: Sequence[Subject], now: dt.datetime, settings: Settings
    ) -> Sequence[Message | None]:
        tally.drawn += len(subjects)
        return await function(session, subjects, now, settings)

    return counted


@contextmanager
def redraws(kinds: Mapping[str, RedrawFunction], tally: Tally) -> Iterator[None]:
    """The sender with `kinds` as its table of redraws (the module global it passes to
    redraw_claimed), the time spent in redraw_claimed and the messages drawn again added to
    `tally`."""
    # The sender passes its module's REDRAWS (imported from bot/redraw.py) at each claim.
    table = vars(sender_module)
    assert "REDRAWS" in table, "bot/sender.py no longer reads the table as REDRAWS"
    original_kinds, original_claimed = table["REDRAWS"], redraw.redraw_claimed

    async def timed(
        session: AsyncSession,
        rows: Sequence[OutboxMessage],
        now: dt.datetime,
        settings: Settings,
        kinds: Mapping[str, RedrawFunction],
    ) -> list[OutboxMessage]:
        started = time.perf_counter()
        if tally.first_claim is None:
            tally.first_claim = dt.datetime.now(dt.UTC)
        try:
            return await original_claimed(session, rows, now, settings, kinds)
        finally:
            tally.seconds += time.perf_counter() - started

    table["REDRAWS"] = {kind: _counted(function, tally) for kind, function in kinds.items()}
    redraw.redraw_claimed = timed
    try:
        yield
    finally:
        table["REDRAWS"] = original_kinds
        redraw.redraw_claimed = original_claimed


async def queue_reminders(database: Database, settings: Settings) -> int:
    """An empty outbox, then the reminder job at the present moment, as the scheduler runs it."""
    async with database.session() as session:
        await session.execute(delete(OutboxMessage))
    clock = ManualClock(dt.datetime.now(dt.UTC))
    return await scheduler.tick(
        Runtime(settings=settings, db=database, clock=clock), (REMINDER_JOB,)
    )


async def drain(
    database: Database,
    settings: Settings,
    bot: Bot,
    queued: int,
    kinds: Mapping[str, RedrawFunction],
) -> Figures:
    runtime = Runtime(settings=settings, db=database, clock=SystemClock())
    worker = worker_name()
    sender = Sender(bot, runtime, leadership=sender_leadership(database, worker), worker=worker)
    stop = asyncio.Event()
    tally = Tally()
    with redraws(kinds, tally):
        cpu_started = time.process_time()
        task = asyncio.create_task(sender.run_forever(stop))
        while True:
            await asyncio.sleep(0.2)
            async with database.session() as session:
                pending = await session.scalar(
                    select(func.count())
                    .select_from(OutboxMessage)
                    .where(OutboxMessage.status == OutboxStatus.PENDING)
                )
            if not pending:
                break
        cpu = time.process_time() - cpu_started
        stop.set()
        await task
    async with database.session() as session:
        last = await session.scalar(select(func.max(OutboxMessage.sent_at)))

        statuses = {
            str(status): int(count)
            for status, count in await session.execute(
                select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
            )
        }
    sent = statuses.get(str(OutboxStatus.SENT), 0)
    # From the first claim to the end of the pass that sent the last message (its sent_at).
    first = tally.first_claim
    sending = (last - first).total_seconds() if first is not None and last is not None else 0.0
    assert sum(statuses.values()) == queued, statuses
    return Figures(cpu, tally.seconds, tally.drawn, sending, sent, statuses)


def _ms(seconds: float, messages: int) -> str:
    return f"{seconds / max(messages, 1) * 1000:.3f} ms"


async def run(messages: int, latency: float, runs: int, database_url: str) -> None:
    if database_url.startswith("postgresql"):
        await fresh_postgres(database_url)
    database = Database(database_url)
    await upgrade(database)
    Translator(
        "zh_Hans", ZoneInfo("Asia/Shanghai")
    )  # the catalogs, loaded once as in a running bot
    emulator = BotApiEmulator(token="100000:BENCH", flood_limits=FloodLimits.telegram())
    await emulator.start()
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        bot_token="100000:BENCH",
        database_url=database_url,
        bot_api_base_url=emulator.base_url,
        quiet_hours="",
    )
    city = City(messages, dt.datetime.now(dt.UTC))
    await build_city(database, city)
    for m in range(1, messages + 1):
        emulator.user(user_id=FIRST_CHAT + m, first_name=f"V{m}").started = True
    emulator.latency = latency
    results: dict[str, list[Figures]] = {name: [] for name in VARIANTS}
    try:
        async with Bot(settings.bot_token, base_url=emulator.base_url) as bot:
            for _ in range(runs):
                for name, kinds in VARIANTS.items():
                    queued = await queue_reminders(database, settings)
                    assert queued == messages, f"the reminder job queued {queued}, not {messages}"
                    results[name].append(await drain(database, settings, bot, queued, kinds))
    finally:
        await emulator.stop()
        await database.dispose()
    parsed = make_url(database_url)
    print(f"database: {parsed.get_backend_name()} ({parsed.render_as_string()})")
    print(
        f"{messages:,} shift reminders on {city.shifts:,} shifts of {city.units} units, "
        f"API latency {latency * 1000:.0f} ms, {runs} runs of each variant alternating, medians"
    )
    for name, figures in results.items():
        sent = "/".join(str(f.sent) for f in figures)
        drawn = "/".join(str(f.drawn) for f in figures)
        statuses = ", ".join(f"{status}: {count}" for status, count in figures[-1].statuses.items())
        print(f"{name}: sent {sent} of {messages}, drawn again {drawn}; last outbox: {statuses}")
    print(f"429 answers from the emulator: {emulator.rejected_429}")

    def median(name: str, key: str) -> float:
        return statistics.median(float(getattr(figures, key)) for figures in results[name])

    base, redrawn = "empty table", "redrawn"
    print(f"{'':34}{'empty table':>14}{'redrawn':>14}{'ratio':>9}")
    for label, key in (
        ("sender CPU per message", "cpu"),
        ("in redraw_claimed per message", "in_redraw"),
    ):
        b, r = median(base, key), median(redrawn, key)
        ratio = f"{r / b:.2f}x" if b else "-"
        print(f"{label:34}{_ms(b, messages):>14}{_ms(r, messages):>14}{ratio:>9}")
    rates = {
        name: statistics.median(f.sent / f.sending if f.sending else 0.0 for f in results[name])
        for name in VARIANTS
    }
    ratio = f"{rates[redrawn] / rates[base]:.2f}x" if rates[base] else "-"
    print(f"{'achieved rate (messages/s)':34}{rates[base]:>14.1f}{rates[redrawn]:>14.1f}{ratio:>9}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(directory) / 'bench.db'}"
        asyncio.run(run(args.messages, args.latency, args.runs, url))


if __name__ == "__main__":
    main()
