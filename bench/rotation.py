"""How long a fair rotation takes, and how fair it is.

Run:
  .venv/bin/python bench/rotation.py                                  # SQLite, temporary file
  .venv/bin/python bench/rotation.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/dutybot_bench_rotation

Two rotations, each beside the time to merely load its inputs from the database (the baseline),
medians of --runs runs:

- a city: one unit with 2,000 posts and 50,000 volunteers, next week's 3 shifts a day on every
  post with 3 seats each (42,000 shifts, 126,000 seats), after four weeks of history in which
  people served unevenly; a tenth of the posts need the tag 党员 that a fifth of the members
  have, one member in twenty declared a weekday morning unavailable, MIN_REST_HOURS 8 and a
  weekly cap of 3. Printed: the rule's time, the whole preview's, and the spread of hours (the
  last four weeks plus the plan) among members who may take every seat, beside one shift's
  length. Goal: under 10 s.
- a unit as a coordinator has it: 40 volunteers, 3 posts, mornings and evenings with 2 seats
  for a week: the preview as the coordinator receives it (plan, text and .xlsx). Goal: 0.5 s.

--members, --posts and --runs make smaller or longer runs.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from benchdb import after_bulk_load, bulk_insert, fresh_postgres, reset_id_sequences
from sqlalchemy.engine import make_url

from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.db.models import (
    Assignment,
    Member,
    MemberRole,
    MemberTag,
    Post,
    Role,
    Shift,
    Unavailability,
    Unit,
)
from bot.i18n import Translator
from bot.services.people.access import Actor
from bot.services.rostering import rotate, rotation, rotation_xlsx
from bot.services.rostering.rotation_data import Period, load
from bot.settings import Settings
from handlers.rotate import preview_lines

ZONE = ZoneInfo("Asia/Shanghai")
MONDAY = dt.date(2026, 12, 7)
NOW = dt.datetime(2026, 12, 4, 10, 0, tzinfo=ZONE)
CITY_HOURS = ((7, 9), (12, 14), (17, 19))
UNIT_HOURS = ((7, 9), (17, 19))
CREATED = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _settings(url: str) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None, database_url=url, min_rest_hours=8, weekly_shift_cap=3
    )


class Ids:
    def __init__(self) -> None:
        self.values: dict[str, int] = {}

    def next(self, table: str) -> int:
        self.values[table] = self.values.get(table, 0) + 1
        return self.values[table]


def _shift(
    ids: Ids, post_id: int, day: dt.date, hours: tuple[int, int], seats: int, tag: str | None
) -> dict[str, Any]:
    return {
        "id": ids.next("shifts"),
        "post_id": post_id,
        "starts_at": dt.datetime.combine(day, dt.time(hours[0]), tzinfo=ZONE),
        "ends_at": dt.datetime.combine(day, dt.time(hours[1]), tzinfo=ZONE),
        "capacity": seats,
        "required_tag": tag,
        "notes": None,
        "status": "scheduled",
        "series_id": None,
        "created_at": CREATED,
    }


def _member(ids: Ids, unit_id: int, name: str) -> dict[str, Any]:
    member_id = ids.next("members")
    return {
        "id": member_id,
        "telegram_id": 20_000_000 + member_id,
        "display_name": name,
        "phone": None,
        "language": "zh_Hans",
        "unit_id": unit_id,
        "registered_at": CREATED,
        "blocked_bot": False,
        "active": True,
    }


async def build(database: Database, members: int, posts: int) -> tuple[int, int]:
    """The city unit and the small unit; their ids."""
    rng = random.Random(20261207)
    ids = Ids()
    rows: dict[Any, list[dict[str, Any]]] = {
        table: []
        for table in (Unit, Member, MemberRole, MemberTag, Post, Shift, Assignment, Unavailability)
    }
    for unit_id, name in ((1, "城管局"), (2, "团结社区")):
        rows[Unit].append(
            {"id": unit_id, "name": name, "require_swap_approval": False, "created_at": CREATED}
        )
    city_members = [_member(ids, 1, f"志愿者{n:05d}") for n in range(members)]
    unit_members = [_member(ids, 2, f"队员{n:02d}") for n in range(40)]
    rows[Member] = city_members + unit_members
    rows[MemberRole] = [{"member_id": m["id"], "role": "volunteer"} for m in rows[Member]]
    tagged = [m["id"] for m in city_members if rng.random() < 0.2]
    rows[MemberTag] = [{"member_id": member_id, "tag": "党员"} for member_id in tagged]
    for member in city_members:
        if rng.random() < 0.05:
            rows[Unavailability].append(
                {
                    "id": ids.next("unavailability"),
                    "member_id": member["id"],
                    "first_day": MONDAY,
                    "last_day": MONDAY + dt.timedelta(days=6),
                    "weekdays": 1 << rng.randrange(7),
                    "start_time": dt.time(6, 0),
                    "end_time": dt.time(10, 0),
                    "created_at": CREATED,
                }
            )
    for unit_id, count in ((1, posts), (2, 3)):
        for n in range(count):
            rows[Post].append(
                {
                    "id": ids.next("posts"),
                    "unit_id": unit_id,
                    "name": f"岗位{n:04d}",
                    "type": "traffic",
                    "latitude": 30.6,
                    "longitude": 104.0,
                    "radius_m": 150,
                    "archived": False,
                    "created_at": CREATED,
                }
            )
    city_ids = [m["id"] for m in city_members]
    for post in rows[Post]:
        city = post["unit_id"] == 1
        tag = "党员" if city and post["id"] % 10 == 0 else None
        hours = CITY_HOURS if city else UNIT_HOURS
        for week in range(-4, 1):
            for offset in range(7):
                day = MONDAY + dt.timedelta(weeks=week, days=offset)
                for window in hours:
                    shift = _shift(ids, post["id"], day, window, 3 if city else 2, tag)
                    rows[Shift].append(shift)
                    if week == 0 or not city:
                        continue
                    # History: a third of the seats held, by whoever, unevenly.
                    if rng.random() < 0.33:
                        pool = tagged if tag else city_ids
                        rows[Assignment].append(
                            {
                                "id": ids.next("assignments"),
                                "shift_id": shift["id"],
                                "member_id": rng.choice(pool),
                                "status": "checked_out" if rng.random() < 0.95 else "absent",
                                "created_at": CREATED,
                                "updated_at": CREATED,
                            }
                        )
    async with database.engine.begin() as connection:
        for table, table_rows in rows.items():
            for start in range(0, len(table_rows), 50_000):
                await bulk_insert(connection, table.__table__, table_rows[start : start + 50_000])
        await reset_id_sequences(
            connection, ("units", "members", "posts", "shifts", "assignments", "unavailability")
        )
    await after_bulk_load(database.engine)
    print(
        f"built: {len(rows[Member]):,} members, {len(rows[Post]):,} posts, "
        f"{len(rows[Shift]):,} shifts, {len(rows[Assignment]):,} seats held in the four weeks "
        f"before, {len(rows[Unavailability]):,} declared unavailable"
    )
    return 1, 2


async def median(label: str, action: Callable[[], Awaitable[object]], runs: int) -> float:
    """Wall-clock seconds, median of `runs`; the CPU time of this process beside it, which other
    work on a shared machine disturbs less."""
    walls, cpus = [], []
    for _ in range(runs):
        started, cpu = time.perf_counter(), time.process_time()
        await action()
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    value = statistics.median(walls)
    print(f"  {label}: {value:.3f} s, CPU {statistics.median(cpus):.3f} s (medians of {runs})")
    return value


async def run(url: str, members: int, posts: int, runs: int) -> None:
    if url.startswith("postgresql"):
        await fresh_postgres(url)
    database = Database(url)
    await upgrade(database)
    settings = _settings(url)
    started = time.perf_counter()
    city, small = await build(database, members, posts)
    print(f"database: {database.engine.dialect.name} ({make_url(url).render_as_string()})")
    load_average = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"  (built in {time.perf_counter() - started:.1f} s; machine load {load_average})")
    week = Period(MONDAY, MONDAY + dt.timedelta(days=6))
    admin = Actor(telegram_id=1, member=None, roles=frozenset({Role.ADMIN}))
    t = Translator("zh_Hans", ZONE)

    async def inputs_of(unit_id: int) -> Any:
        async with database.session() as session:
            return await load(session, unit_id, week, NOW.astimezone(dt.UTC), settings)

    print(f"the city: {posts:,} posts x 7 days x 3 shifts, {members:,} members")
    loaded = await inputs_of(city)
    print(f"  ({len(loaded.open):,} shifts, {loaded.open_seats:,} open seats)")
    baseline = await median("baseline: load the inputs", lambda: inputs_of(city), runs)

    plans: list[rotation.Plan] = []

    async def rule() -> None:
        plans.append(rotation.plan(list(loaded.open.values()), loaded.candidates, loaded.rules))

    ruled = await median("the rotation rule", rule, runs)

    async def whole_preview() -> None:
        async with database.session() as session:
            await rotate.preview(
                session, admin, city, week, None, 0, NOW.astimezone(dt.UTC), settings
            )

    previewed = await median("load + rule + explanations (the preview)", whole_preview, runs)
    plan = plans[-1]
    minutes = plan.minutes_by_member(loaded.open)
    free = [
        c.member_id for c in loaded.candidates if not c.blocked and not c.away and "党员" in c.tags
    ]
    before = {c.member_id: c.recent_minutes + c.held_minutes for c in loaded.candidates}
    totals = {m: before[m] + minutes.get(m, 0) for m in before}
    given = [m for m in free if minutes.get(m, 0)]
    print(
        f"  seats filled {len(plan.seats):,} of {loaded.open_seats:,}; "
        f"open: {sum(u.missing for u in plan.unfilled):,}"
    )
    print(
        f"  fairness among the {len(free):,} members who may take every seat (one shift: 2 h):"
        f" the spread of their hours in the four weeks before was"
        f" {rotation.spread(before, free) / 60:g} h,"
        f" with this plan {rotation.spread(totals, free) / 60:g} h;"
        f" the {len(given):,} of them given seats end within"
        f" {rotation.spread(totals, given) / 60:g} h of each other"
    )
    goal = "met" if previewed < 10 else "NOT met"
    print(
        f"  the rule took {ruled / baseline:.2f}x the loading, the preview "
        f"{previewed / baseline:.2f}x (goal: under 10 s: {goal})"
    )

    print("a unit: 40 volunteers, 3 posts, mornings and evenings, a week")
    unit_baseline = await median("baseline: load the inputs", lambda: inputs_of(small), runs)

    async def coordinators_preview() -> None:
        async with database.session() as session:
            preview = await rotate.preview(
                session, admin, small, week, None, 0, NOW.astimezone(dt.UTC), settings
            )
        assert preview_lines(t, "团结社区", preview)
        rotation_xlsx.workbook_bytes(t, preview)

    unit_preview = await median(
        "the preview as the coordinator gets it (plan, text, .xlsx)", coordinators_preview, runs
    )
    print(
        f"  {unit_preview / unit_baseline:.1f}x the loading "
        f"(goal: under 0.5 s: {'met' if unit_preview < 0.5 else 'NOT met'})"
    )
    await database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    parser.add_argument("--members", type=int, default=50_000)
    parser.add_argument("--posts", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(directory) / 'bench.db'}"
        asyncio.run(run(url, args.members, args.posts, args.runs))


if __name__ == "__main__":
    main()
