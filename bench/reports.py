"""How long a day's tally and a month's report take on a synthetic city.

Run:
  .venv/bin/python bench/reports.py                                   # SQLite, temporary file
  .venv/bin/python bench/reports.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/dutybot_bench_reports

The city: 50,000 volunteers in 100 units, 2,000 posts, one year of shifts (one a day per post,
2 to 3 seats each) with sign-ups, check-ins and check-outs in realistic proportions. It is
written with bulk inserts (one executemany per table and chunk; COPY on PostgreSQL). A PostgreSQL
URL names a database of the benchmark's own: it is dropped and created again on that server.
Smaller cities for a quick look: --volunteers 5000 --posts 200 --days 60.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
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
from sqlalchemy.engine import make_url

from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.db.models import Assignment, CheckIn, Member, MemberRole, Post, Shift, Unit
from bot.i18n import Translator
from bot.services.reports import periods
from bot.services.reports.chart import GradeBounds, render_chart
from bot.services.reports.report_text import ReportKind, render
from bot.services.reports.tally import compute
from bot.settings import Settings

ZONE = ZoneInfo("Asia/Shanghai")
CHUNK = 50_000


def _settings(url: str) -> Settings:
    return Settings(_env_file=None, database_url=url)  # type: ignore[call-arg]


class City:
    """Rows of the synthetic city, generated lazily in chunks."""

    def __init__(self, volunteers: int, posts: int, units: int, days: int, first: dt.date) -> None:
        self.rng = random.Random(20261201)
        self.volunteers, self.posts, self.units, self.days = volunteers, posts, units, days
        self.first = first
        self.created = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
        self.members_of_unit: dict[int, list[int]] = {u: [] for u in range(1, units + 1)}
        for member_id in range(1, volunteers + 1):
            self.members_of_unit[(member_id - 1) % units + 1].append(member_id)

    def unit_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "id": u,
                "name": f"单位{u:03d}",
                "require_swap_approval": False,
                "created_at": self.created,
            }
            for u in range(1, self.units + 1)
        ]

    def member_rows(self) -> Iterator[dict[str, Any]]:
        for member_id in range(1, self.volunteers + 1):
            yield {
                "id": member_id,
                "telegram_id": 10_000_000 + member_id,
                "display_name": f"志愿者{member_id:05d}",
                "phone": None,
                "language": "zh_Hans",
                "unit_id": (member_id - 1) % self.units + 1,
                "registered_at": self.created,
                "blocked_bot": False,
                "active": True,
            }

    def role_rows(self) -> Iterator[dict[str, Any]]:
        for member_id in range(1, self.volunteers + 1):
            yield {"member_id": member_id, "role": "volunteer"}

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

    def schedule(self) -> Iterator[tuple[list[dict[str, Any]], ...]]:
        """(shifts, assignments, checkins) per chunk of days."""
        rng = self.rng
        shift_id = assignment_id = 0
        shifts: list[dict[str, Any]] = []
        assignments: list[dict[str, Any]] = []
        checkins: list[dict[str, Any]] = []
        for offset in range(self.days):
            day = self.first + dt.timedelta(days=offset)
            for post in range(1, self.posts + 1):
                hour = 7 + (post % 12)
                starts = dt.datetime.combine(day, dt.time(hour), tzinfo=ZONE)
                ends = starts + dt.timedelta(hours=2)
                capacity = 2 + post % 2
                shift_id += 1
                shifts.append(
                    {
                        "id": shift_id,
                        "post_id": post,
                        "starts_at": starts,
                        "ends_at": ends,
                        "capacity": capacity,
                        "required_tag": None,
                        "notes": None,
                        "status": "scheduled" if rng.random() > 0.01 else "cancelled",
                        "series_id": None,
                        "created_at": self.created,
                    }
                )
                pool = self.members_of_unit[(post - 1) % self.units + 1]
                # Every seat is taken; one more person is waitlisted or cancelled.
                for seat, member in enumerate(rng.sample(pool, capacity + 1)):
                    assignment_id += 1
                    roll = rng.random()
                    if seat == capacity:
                        status = "waitlisted" if roll < 0.5 else "cancelled"
                    else:
                        status = (
                            "checked_out" if roll < 0.85
                            else "absent" if roll < 0.90
                            else "signed_up" if roll < 0.95
                            else "cancelled"
                        )  # fmt: skip
                    assignments.append(
                        {
                            "id": assignment_id,
                            "shift_id": shift_id,
                            "member_id": member,
                            "status": status,
                            "created_at": self.created,
                            "updated_at": self.created,
                        }
                    )
                    if status != "checked_out":
                        continue
                    late = rng.choice((0, 0, 0, 0, 1, 2, 3, 4, 8, 15))
                    early = rng.random() < 0.03
                    out = ends - dt.timedelta(minutes=45 if early else 0)
                    far = rng.random() < 0.03  # drawn in this order, as the city always was
                    flagged = rng.random() < 0.01
                    checkins.append(
                        checkin_row(
                            assignment_id,
                            starts + dt.timedelta(minutes=late),
                            distance_m=400.0 if far else 30.0,
                            photo_flagged=flagged,
                            minutes_late=late,
                            checked_out_at=out,
                            checkout_kind="early" if early else "normal",
                            presence_ratio=1.0,
                            credited_minutes=120 - late - (45 if early else 0),
                        )
                    )
            if len(assignments) >= CHUNK or offset == self.days - 1:
                yield shifts, assignments, checkins
                shifts, assignments, checkins = [], [], []


async def build_city(database: Database, city: City) -> dict[str, int]:
    counts = {"shifts": 0, "assignments": 0, "checkins": 0}
    async with database.engine.begin() as connection:
        await bulk_insert(connection, Unit.__table__, city.unit_rows())
        await bulk_insert(connection, Member.__table__, list(city.member_rows()))
        await bulk_insert(connection, MemberRole.__table__, list(city.role_rows()))
        await bulk_insert(connection, Post.__table__, city.post_rows())
        for shifts, assignments, checkins in city.schedule():
            await bulk_insert(connection, Shift.__table__, shifts)
            await bulk_insert(connection, Assignment.__table__, assignments)
            await bulk_insert(connection, CheckIn.__table__, checkins)
            counts["shifts"] += len(shifts)
            counts["assignments"] += len(assignments)
            counts["checkins"] += len(checkins)
        await reset_id_sequences(
            connection, ("units", "members", "posts", "shifts", "assignments", "checkins")
        )
    await after_bulk_load(database.engine)
    return counts


async def _timed(label: str, action: Callable[[], Awaitable[object]], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        await action()
        best = min(best, time.perf_counter() - started)
    print(f"  {label}: {best * 1000:.0f} ms (best of {repeat})")
    return best


async def run(url: str, volunteers: int, posts: int, days: int) -> None:
    if url.startswith("postgresql"):
        await fresh_postgres(url)
    database = Database(url)
    await upgrade(database)
    settings = _settings(url)
    first = dt.date(2026, 1, 1)
    city = City(volunteers, posts, max(1, posts // 20), days, first)
    started = time.perf_counter()
    counts = await build_city(database, city)
    print(f"database: {database.engine.dialect.name} ({make_url(url).render_as_string()})")
    print(
        f"city: {volunteers:,} volunteers, {posts:,} posts, {days} days: "
        f"{counts['shifts']:,} shifts, {counts['assignments']:,} assignments, "
        f"{counts['checkins']:,} check-ins, built in {time.perf_counter() - started:.1f} s"
    )
    last = first + dt.timedelta(days=days - 1)
    day = last - dt.timedelta(days=max(0, min(days - 1, 45)))
    month = periods.month_of(day)
    now = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(20), tzinfo=ZONE)
    t = Translator("zh_Hans", settings.zone)

    async def day_tally(unit_id: int | None) -> None:
        async with database.session() as session:
            tally = await compute(
                session, unit_id=unit_id, period=periods.one_day(day), now=now, settings=settings
            )
        render(t, tally, ReportKind.DAILY)

    async def month_report(unit_id: int | None) -> None:
        async with database.session() as session:
            tally = await compute(
                session,
                unit_id=unit_id,
                period=month,
                now=now,
                settings=settings,
                previous_period=periods.previous_of(month, monthly=True),
            )
        render(t, tally, ReportKind.MONTHLY)

    print(f"day {day.isoformat()}, month {month.first.isoformat()} to {month.last.isoformat()}:")
    await _timed(
        "one day's tally, all units (figures, ranking, lists, 7-day trend)", lambda: day_tally(None)
    )
    await _timed("one day's tally, one unit", lambda: day_tally(1))
    await _timed(
        "one month's report, all units (with the month before)", lambda: month_report(None)
    )
    await _timed("one month's report, one unit", lambda: month_report(1))
    async with database.session() as session:
        tally = await compute(
            session, unit_id=None, period=periods.one_day(day), now=now, settings=settings
        )
    totals = tally.totals
    print(
        f"  (that day: {totals.shifts:,} shifts, {totals.seats:,} seats, "
        f"{totals.checked_in:,} check-ins, {totals.absent:,} absent, {len(tally.rows)} units)"
    )
    bounds = GradeBounds(good=settings.grade_good_min, fair=settings.grade_fair_min)
    await _timed("the day's chart (PNG)", lambda: asyncio.to_thread(render_chart, t, tally, bounds))
    await database.dispose()


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
