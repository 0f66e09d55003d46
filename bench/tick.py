"""How long the scheduler tick takes on a city with 10,000 upcoming shifts.

Run:
  .venv/bin/python bench/tick.py                                      # SQLite, temporary file
  .venv/bin/python bench/tick.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/dutybot_bench_tick

The city: 4,000 volunteers in 40 units of 100, 2,000 posts (50 a unit), one shift a day per post
for 5 days starting this morning (10,000 shifts, 2 or 3 seats each). Most seats are taken; about
one shift in 28 is two people short, so the understaffed alert fires for the shifts of the
next UNDERSTAFFED_ALERT_HOURS. Everything is written with bulk inserts (COPY on PostgreSQL).

With --rota-weeks W the seats come from assigned duty instead: each unit's seats of a week
(Monday to Sunday) were given by one weekly rota, made the Friday before, for the current week
and the W weeks before it, whose past shifts are built too (W=52: a year of rotas, 732,000 past
shifts, their seats served and checked out or, one in twenty, absent). One seat in ten was never
acknowledged, so the first tick reminds the people of this week's (rostering.ack_reminders),
and a long history shows which jobs' queries grow with it.

Measured, as the scheduler runs it (bot/scheduler.py: every job of bot/due.py, each in its own
transaction):
- the first tick: everything is due at once (the reminders of the day's seats, the understaffed
  alerts with their offers); its outbox rows are deleted before each repetition;
- a steady tick: 30 s later, when nothing new is due.
The baseline is the same two ticks on an empty database, measured in the same run. Medians of
--runs repetitions; peak RSS of the process (which includes building the city).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from benchdb import (
    after_bulk_load,
    bulk_insert,
    checkin_row,
    fresh_postgres,
    reset_id_sequences,
)
from sqlalchemy import delete, func, select
from sqlalchemy.engine import make_url

from bot import scheduler
from bot.clock import ManualClock
from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.db.models import (
    Assignment,
    CheckIn,
    Member,
    MemberRole,
    MemberTag,
    OutboxMessage,
    Post,
    Rota,
    Shift,
    Unit,
)
from bot.due import DUE_JOBS
from bot.i18n import Translator
from bot.runtime import Runtime
from bot.settings import Settings

ZONE = ZoneInfo("Asia/Shanghai")
# A Wednesday in the middle of a month: no weekly or monthly report is due; 06:00 local, before
# the first shift of the day (07:00) and before the daily tally (SUMMARY_TIME).
NOW = dt.datetime(2026, 12, 16, 6, 0, tzinfo=ZONE)
GOAL_FIRST_S = 3.0
GOAL_STEADY_S = 0.100
SHORT_EVERY = 28  # one post in 28 has shifts two people short


def _settings(url: str) -> Settings:
    return Settings(_env_file=None, bot_token="100000:BENCH", database_url=url)  # type: ignore[call-arg]


def served(assignment_id: int, starts: dt.datetime) -> dict[str, Any]:
    """The check-in of a seat served from start to end (a past one)."""
    return checkin_row(
        assignment_id,
        starts,
        checked_out_at=starts + dt.timedelta(hours=2),
        checkout_kind="normal",
        presence_ratio=1.0,
        credited_minutes=120,
    )


class City:
    def __init__(
        self, posts: int, days: int, unit_size: int, posts_per_unit: int, rota_weeks: int = 0
    ) -> None:
        self.rng = random.Random(20261216)
        self.posts, self.days, self.rota_weeks = posts, days, rota_weeks
        # The Monday of the first week of rotas; its past days are built as history.
        this_monday = NOW.date() - dt.timedelta(days=NOW.weekday())
        self.first_monday = this_monday - dt.timedelta(weeks=rota_weeks)
        self.history_days = (NOW.date() - self.first_monday).days if rota_weeks else 0
        self.units = max(1, posts // posts_per_unit)
        self.volunteers = self.units * unit_size
        self.created = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
        self.members_of_unit: dict[int, list[int]] = {u: [] for u in range(1, self.units + 1)}
        for member_id in range(1, self.volunteers + 1):
            self.members_of_unit[(member_id - 1) % self.units + 1].append(member_id)

    def unit_rows(self) -> list[dict[str, Any]]:
        return [
            {"id": u, "name": f"单位{u:03d}", "require_swap_approval": False,
             "created_at": self.created, "archived": False}
            for u in range(1, self.units + 1)
        ]  # fmt: skip

    def member_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "id": m,
                "telegram_id": 10_000_000 + m,
                "display_name": f"志愿者{m:05d}",
                "phone": None,
                "language": ("zh_Hans", "en", None)[m % 3],
                "unit_id": (m - 1) % self.units + 1,
                "registered_at": self.created,
                "blocked_bot": m % 97 == 0,
                "active": m % 89 != 0,
            }
            for m in range(1, self.volunteers + 1)
        ]

    def role_rows(self) -> list[dict[str, Any]]:
        rows = [{"member_id": m, "role": "volunteer"} for m in range(1, self.volunteers + 1)]
        # The first two members of each unit coordinate it as well.
        rows += [
            {"member_id": m, "role": "coordinator"}
            for members in self.members_of_unit.values()
            for m in members[:2]
        ]
        return rows

    def tag_rows(self) -> list[dict[str, Any]]:
        return [
            {"member_id": m, "tag": "急救"} for m in range(1, self.volunteers + 1) if m % 4 == 0
        ]

    def post_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "id": p,
                "unit_id": (p - 1) % self.units + 1,
                "name": f"岗位{p:04d}",
                "type": "traffic",
                "latitude": 30.6 + p / 10_000,
                "longitude": 104.0 + p / 10_000,
                "radius_m": 150,
                "archived": False,
                "created_at": self.created,
            }
            for p in range(1, self.posts + 1)
        ]

    def rota_id(self, unit: int, day: dt.date) -> int:
        return (day - self.first_monday).days // 7 * self.units + unit

    def rota_rows(self) -> list[dict[str, Any]]:
        if not self.rota_weeks:
            return []
        rows = []
        last_day = NOW.date() + dt.timedelta(days=self.days - 1)
        for week in range((last_day - self.first_monday).days // 7 + 1):
            monday = self.first_monday + dt.timedelta(weeks=week)
            made = dt.datetime.combine(monday - dt.timedelta(days=3), dt.time(10), tzinfo=ZONE)
            for unit in range(1, self.units + 1):
                rows.append(
                    {
                        "id": self.rota_id(unit, monday),
                        "unit_id": unit,
                        "source": "rotation",
                        "created_by_id": self.members_of_unit[unit][0],
                        "first_day": monday,
                        "last_day": monday + dt.timedelta(days=6),
                        "seats": 0,
                        "created_at": made,
                    }
                )
        return rows

    def schedule(self) -> Iterator[tuple[list[dict[str, Any]], ...]]:
        """(shifts, assignments, checkins) a day at a time."""
        rng = self.rng
        shift_id = assignment_id = 0
        for offset in range(-self.history_days, self.days):
            day = NOW.date() + dt.timedelta(days=offset)
            shifts: list[dict[str, Any]] = []
            assignments: list[dict[str, Any]] = []
            checkins: list[dict[str, Any]] = []
            for post in range(1, self.posts + 1):
                starts = dt.datetime.combine(day, dt.time(7 + post % 12), tzinfo=ZONE)
                capacity = 2 + post % 2 + (2 if post % SHORT_EVERY == 0 else 0)
                shift_id += 1
                shifts.append(
                    {
                        "id": shift_id,
                        "post_id": post,
                        "starts_at": starts,
                        "ends_at": starts + dt.timedelta(hours=2),
                        "capacity": capacity,
                        "required_tag": "急救" if post % 50 == 0 else None,
                        "notes": None,
                        "status": "scheduled",
                        "series_id": None,
                        "created_at": self.created,
                    }
                )
                taken = capacity - (2 if post % SHORT_EVERY == 0 else 0)
                pool = self.members_of_unit[(post - 1) % self.units + 1]
                rota = self.rota_id((post - 1) % self.units + 1, day) if self.rota_weeks else None
                for seat, member in enumerate(rng.sample(pool, taken + 1)):
                    assignment_id += 1
                    status = "signed_up" if seat < taken else "cancelled"
                    if status == "signed_up" and offset < 0:
                        # History as the bot leaves it: served and checked out, or absent.
                        status = "absent" if assignment_id % 20 == 0 else "checked_out"
                    acknowledged = None
                    if rota is not None and assignment_id % 10:
                        acknowledged = starts - dt.timedelta(days=2)
                    assignments.append(
                        {
                            "id": assignment_id,
                            "shift_id": shift_id,
                            "member_id": member,
                            "status": status,
                            "created_at": self.created,
                            "updated_at": self.created,
                            "rota_id": rota,
                            "acknowledged_at": acknowledged,
                        }
                    )
                    if status == "checked_out":
                        checkins.append(served(assignment_id, starts))
            yield shifts, assignments, checkins


async def build_city(database: Database, city: City) -> dict[str, int]:
    counts = {"shifts": 0, "assignments": 0, "past shifts": 0}
    async with database.engine.begin() as connection:
        await bulk_insert(connection, Unit.__table__, city.unit_rows())
        await bulk_insert(connection, Member.__table__, city.member_rows())
        await bulk_insert(connection, MemberRole.__table__, city.role_rows())
        await bulk_insert(connection, MemberTag.__table__, city.tag_rows())
        await bulk_insert(connection, Post.__table__, city.post_rows())
        await bulk_insert(connection, Rota.__table__, city.rota_rows())
        for shifts, assignments, checkins in city.schedule():
            await bulk_insert(connection, Shift.__table__, shifts)
            await bulk_insert(connection, Assignment.__table__, assignments)
            await bulk_insert(connection, CheckIn.__table__, checkins)
            past = sum(1 for shift in shifts if shift["starts_at"] < NOW)
            counts["shifts"] += len(shifts) - past
            counts["past shifts"] += past
            counts["assignments"] += len(assignments)
        await reset_id_sequences(
            connection,
            ("units", "members", "posts", "rotas", "shifts", "assignments", "checkins"),
        )
    await after_bulk_load(database.engine)
    return counts


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


async def _clear_outbox(database: Database) -> None:
    async with database.session() as session:
        await session.execute(delete(OutboxMessage))


async def measure(database: Database, settings: Settings, runs: int) -> dict[str, Any]:
    """Medians of the first and the steady tick, and how many messages the first one queued."""
    clock = ManualClock(NOW)
    runtime = Runtime(settings=settings, db=database, clock=clock)
    first: list[float] = []
    steady: list[float] = []
    queued = later = 0
    for _ in range(runs):
        await _clear_outbox(database)
        clock.set(NOW)
        started = time.perf_counter()
        queued = await scheduler.tick(runtime)
        first.append(time.perf_counter() - started)
        for step in range(1, 4):
            clock.set(NOW + dt.timedelta(seconds=30 * step))
            started = time.perf_counter()
            later += await scheduler.tick(runtime)
            steady.append(time.perf_counter() - started)
    async with database.session() as session:
        rows = int(await session.scalar(select(func.count()).select_from(OutboxMessage)) or 0)
    # Where the time goes: each job of the first and of a steady tick on its own, once.
    await _clear_outbox(database)
    jobs: dict[str, tuple[float, float]] = {}
    for moment in (NOW, NOW + dt.timedelta(seconds=30)):
        clock.set(moment)
        for job in DUE_JOBS:
            started = time.perf_counter()
            await scheduler.tick(runtime, (job,))
            took = time.perf_counter() - started
            before = jobs.get(job.name, (0.0, 0.0))
            jobs[job.name] = (took, before[1]) if moment == NOW else (before[0], took)
    return {
        "jobs": jobs,
        "first": statistics.median(first),
        "steady": statistics.median(steady),
        "queued": queued,
        "later": later,
        "rows": rows,
    }


async def _database(url: str) -> Database:
    if url.startswith("postgresql"):
        await fresh_postgres(url)
    database = Database(url)
    await upgrade(database)
    return database


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds < 10 else f"{seconds:,.1f} s"


async def run(url: str, empty_url: str, posts: int, days: int, runs: int, rota_weeks: int) -> None:
    settings = _settings(url)
    Translator("zh_Hans", ZONE)  # the catalogs, loaded once as in a running bot
    empty = await _database(empty_url)
    baseline = await measure(empty, _settings(empty_url), runs)
    await empty.dispose()

    database = await _database(url)
    city = City(posts, days, unit_size=100, posts_per_unit=50, rota_weeks=rota_weeks)
    started = time.perf_counter()
    counts = await build_city(database, city)
    built = time.perf_counter() - started
    rss_built = _peak_rss_mb()
    print(f"database: {database.engine.dialect.name} ({make_url(url).render_as_string()})")
    print(
        f"city: {city.volunteers:,} volunteers in {city.units} units, {posts:,} posts, "
        f"{days} days: {counts['shifts']:,} upcoming shifts, {counts['assignments']:,} "
        f"assignments, built in {built:.1f} s"
        + (
            f"; seats given by weekly rotas for {rota_weeks} weeks before this one "
            f"({counts['past shifts']:,} past shifts)"
            if rota_weeks
            else ""
        )
    )
    figures = await measure(database, settings, runs)
    await database.dispose()
    print(
        f"first tick queued {figures['queued']:,} messages; steady ticks queued "
        f"{figures['later']} (expected 0); {runs} runs, medians"
    )
    print(f"{'':14}{'empty db':>12}{'city':>12}{'goal':>10}{'city/goal':>11}")
    for label, key, goal in (
        ("first tick", "first", GOAL_FIRST_S),
        ("steady tick", "steady", GOAL_STEADY_S),
    ):
        print(
            f"{label:14}{_ms(baseline[key]):>12}{_ms(figures[key]):>12}{_ms(goal):>10}"
            f"{figures[key] / goal:>10.2f}x"
        )
    print(f"peak RSS: {rss_built:,.0f} MB after building the city, {_peak_rss_mb():,.0f} MB at end")
    slowest = sorted(figures["jobs"].items(), key=lambda item: -item[1][0] - 30 * item[1][1])[:6]
    print("the costliest jobs on the city (one run each; first tick, steady tick):")
    for name, (first, steady) in slowest:
        print(f"  {name:28}{_ms(first):>10}{_ms(steady):>10}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    parser.add_argument("--posts", type=int, default=2_000)
    parser.add_argument("--days", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--rota-weeks", type=int, default=0, help="weeks of assigned duty before this one"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        if args.database_url:
            url = args.database_url
            empty_url = make_url(url).set(database=f"{make_url(url).database}_empty")
            empty = empty_url.render_as_string(hide_password=False)
        else:
            url = f"sqlite+aiosqlite:///{Path(directory) / 'bench.db'}"
            empty = f"sqlite+aiosqlite:///{Path(directory) / 'empty.db'}"
        asyncio.run(run(url, empty, args.posts, args.days, args.runs, args.rota_weeks))


if __name__ == "__main__":
    main()
