"""How fast the board answers at 7:10 on a busy day, and what 50 open boards add to the 7:00
check-in burst.

Run:
  .venv/bin/python bench/board.py                                   # SQLite, temporary file
  .venv/bin/python bench/board.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/dutybot_bench_board

The city is bench/reports.py's (50,000 volunteers in 100 units, 2,000 posts, --days of history)
plus today, a busy day: every post has a 07:00-09:00 and a 17:00-19:00 shift, 2 or 3 seats each,
all taken; by 7:10 about four in five of the morning's volunteers have checked in (some late),
the others not yet.

1. The board's data request at 7:10, for the whole city (2,000 markers) and for one unit: the
   snapshot (map, today's figures and curve, ranking, orders) with a read of its own scope; the
   same through HTTP with nothing cached (credentials checked, the city's read, the scope's
   board, JSON of every marker); and the scope's board made from a read of the city already
   done, which is what the server does for every further scope within a refresh interval;
   beside /today's tally of the same scope, which it contains. Goal: under 200 ms.
2. bench/checkin.py's burst (--people volunteers checking in at once, --latency per Bot API call)
   on this database, alone and with 50 boards open in the same process (10 of the city, 40 of
   units; --unit-boards 0 for 50 boards of the city), each refreshing every 10 s: medians of
   alternating rounds and their ratio.
   Goal: under 5 % added.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
from benchdb import after_bulk_load, checkin_row, fresh_postgres, reset_id_sequences
from benchdb import bulk_insert as bulk
from checkin import LATITUDE, LONGITUDE, seed
from reports import City, build_city
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bot.board.auth import sign_init_data
from bot.board.data import read_scene
from bot.board.health import SenderStatus
from bot.board.server import BoardServer, SnapshotCache
from bot.board.standard import snapshot, standard_panels
from bot.clock import ManualClock
from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.db.models import (
    Assignment,
    CheckIn,
    Member,
    MemberRole,
    Shift,
)
from bot.emulator import BotApiEmulator
from bot.geo import offset
from bot.localbot import LocalBot
from bot.runtime import Runtime
from bot.services.reports import periods
from bot.services.reports.report_text import ReportKind, render
from bot.services.reports.tally import compute
from bot.settings import Settings

ZONE = ZoneInfo("Asia/Shanghai")
TOKEN = "100000:BENCH"
ADMIN_ID = 9_000_001
LEADER_BASE = 9_100_000  # + unit id
BOARDS = 50
UNIT_BOARDS = 40  # the default mix: 10 boards of the city, 40 of units
REFRESH_SECONDS = 10.0
REPEAT = 5


def _settings(url: str) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=url,
        bot_token=TOKEN,
        admin_ids=[ADMIN_ID],
        board_url="https://bench.example.org/board/",
        board_refresh_seconds=int(REFRESH_SECONDS),
    )


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ZONE)


async def build_today(
    database: Database, city: City, day: dt.date, late_after: int
) -> dict[str, int]:
    """Today's shifts, seats and the check-ins of 7:10 (late past `late_after` minutes, as
    checking in judges it), plus BOARDS leaders, one for each of the first units (their boards
    show their unit)."""
    rng = random.Random(20261201 + 1)
    async with database.session() as session:
        shift_id = int(await session.scalar(select(func.max(Shift.id))) or 0)
        assignment_id = int(await session.scalar(select(func.max(Assignment.id))) or 0)
        member_id = int(await session.scalar(select(func.max(Member.id))) or 0)
    shifts: list[dict[str, Any]] = []
    assignments: list[dict[str, Any]] = []
    checkins: list[dict[str, Any]] = []
    for post in range(1, city.posts + 1):
        pool = city.members_of_unit[(post - 1) % city.units + 1]
        for hour, checking_in in ((7, True), (17, False)):
            starts = _at(day, hour)
            capacity = 2 + post % 2
            shift_id += 1
            shifts.append(
                {
                    "id": shift_id,
                    "post_id": post,
                    "starts_at": starts,
                    "ends_at": starts + dt.timedelta(hours=2),
                    "capacity": capacity,
                    "required_tag": None,
                    "notes": None,
                    "status": "scheduled",
                    "series_id": None,
                    "created_at": city.created,
                }
            )
            for member in rng.sample(pool, capacity):
                assignment_id += 1
                arrived = checking_in and rng.random() < 0.8
                assignments.append(
                    {
                        "id": assignment_id,
                        "shift_id": shift_id,
                        "member_id": member,
                        "status": "checked_in" if arrived else "signed_up",
                        "created_at": city.created,
                        "updated_at": city.created,
                    }
                )
                if not arrived:
                    continue
                checked_in_at = _at(day, 6, 35) + dt.timedelta(minutes=rng.randint(0, 35))
                late = max(0, int((checked_in_at - starts).total_seconds() // 60))
                checkins.append(
                    checkin_row(
                        assignment_id,
                        checked_in_at,
                        minutes_late=late,
                        late=late > late_after,
                    )
                )
    leaders = [
        {
            "id": member_id + number,
            "telegram_id": LEADER_BASE + number,
            "display_name": f"领导{number:03d}",
            "phone": None,
            "language": "zh_Hans",
            "unit_id": (number - 1) % city.units + 1,
            "registered_at": city.created,
            "blocked_bot": False,
            "active": True,
        }
        for number in range(1, BOARDS + 1)
    ]
    async with database.engine.begin() as connection:
        await bulk(connection, Shift.__table__, shifts)
        await bulk(connection, Assignment.__table__, assignments)
        await bulk(connection, CheckIn.__table__, checkins)
        await bulk(connection, Member.__table__, leaders)
        await bulk(
            connection,
            MemberRole.__table__,
            [{"member_id": row["id"], "role": "leader"} for row in leaders],
        )
        await reset_id_sequences(connection, ("members", "shifts", "assignments", "checkins"))
    await after_bulk_load(database.engine)
    return {"shifts": len(shifts), "seats": len(assignments), "checkins": len(checkins)}


async def _times(action: Callable[[], Awaitable[object]], repeat: int = REPEAT) -> list[float]:
    await action()  # warm the connection pool and the statement caches
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        await action()
        times.append(time.perf_counter() - started)
    return times


def _ms(times: list[float]) -> str:
    return f"median {statistics.median(times) * 1000:6.0f} ms, best {min(times) * 1000:6.0f} ms"


def _credentials(clock: ManualClock, user_id: int) -> str:
    user = json.dumps({"id": user_id, "first_name": "Bench"}, separators=(",", ":"))
    fields = {"auth_date": str(int(clock.now().timestamp())), "user": user}
    return f"tma {sign_init_data(fields, TOKEN)}"


async def measure_scope(
    runtime: Runtime, server: BoardServer, label: str, unit_id: int | None, viewer: int
) -> None:
    settings, database, now = runtime.settings, runtime.db, runtime.clock.now()
    t = runtime.translator("zh_Hans")
    panels = standard_panels()
    today = periods.one_day(now.astimezone(ZONE).date())
    clock = runtime.clock
    assert isinstance(clock, ManualClock)
    authorization = _credentials(clock, viewer)
    sizes: list[int] = []

    async def board() -> None:
        async with database.read_session() as session:
            await snapshot(panels, session, unit_id=unit_id, now=now, settings=settings, t=t)

    async def http() -> None:
        # Every request reads the database: the city's read and the scope's board.
        server.scenes, server.cache = SnapshotCache(ttl=0), SnapshotCache(ttl=0)
        async with (
            aiohttp.ClientSession() as client,
            client.get(
                f"{server.local_url}/api/state", headers={"Authorization": authorization}
            ) as response,
        ):
            body = await response.read()
            assert response.status == 200, response.status
            sizes.append(len(body))

    async def tally() -> None:
        async with database.read_session() as session:
            result = await compute(
                session, unit_id=unit_id, period=today, now=now, settings=settings
            )
        render(t, result, ReportKind.DAILY)

    async with database.read_session() as session:
        city = await read_scene(session, None, now, settings)

    async def from_city() -> None:
        city._narrowed.clear()  # as at the start of an interval: the unit's view made anew
        async with database.read_session() as session:
            await snapshot(
                panels, session, unit_id=unit_id, now=now, settings=settings, t=t, scene=city
            )

    board_times = await _times(board)
    http_times = await _times(http)
    shared_times = await _times(from_city)
    tally_times = await _times(tally)
    print(f"   {label}:")
    print(f"     board snapshot (own read)  {_ms(board_times)}")
    print("     board over HTTP (city read, this scope's board, JSON)")
    print(f"                                {_ms(http_times)}  ({sizes[-1] / 1024:.0f} KiB JSON)")
    print(f"     board from the city's read {_ms(shared_times)}  (what each further scope costs)")
    print(f"     baseline: /today tally     {_ms(tally_times)}")


async def data_request(runtime: Runtime, server: BoardServer) -> None:
    now = runtime.clock.now().astimezone(ZONE)
    print(f"1. the board's data request at {now:%H:%M} (goal: under 200 ms)")
    await measure_scope(runtime, server, "the whole city", None, ADMIN_ID)
    await measure_scope(runtime, server, "one unit", 1, LEADER_BASE + 1)


async def burst(bot: LocalBot, clock: ManualClock, round_no: int, people: int) -> float:
    """bench/checkin.py's rush: `people` volunteers send a location and a photo at once."""
    first_id = 50_000_000 + round_no * 10_000
    database, emulator = bot.runtime.db, bot.emulator
    await seed(
        database, people, clock.now(), first_telegram_id=first_id, unit_name=f"突击队{round_no}"
    )
    users = [emulator.user(user_id=first_id + n, first_name=f"V{n}") for n in range(people)]
    started = time.perf_counter()
    for n, user in enumerate(users):
        await user.send_location(*offset(LATITUDE, LONGITUDE, n % 100, 0))
        photo = (round_no * 10_000 + n).to_bytes(4, "big")
        await user.send_photo(data=b"\xff\xd8" + photo + b"\xff\xd9")
    await bot.settle(timeout=900)
    elapsed = time.perf_counter() - started
    async with database.session() as session:
        stored = await session.scalar(
            select(func.count())
            .select_from(CheckIn)
            .join(Assignment, Assignment.id == CheckIn.assignment_id)
            .join(Member, Member.id == Assignment.member_id)
            .where(Member.telegram_id >= first_id, Member.telegram_id < first_id + people)
        )
    assert stored == people, f"round {round_no}: {stored} of {people} check-ins stored"
    return elapsed


async def _boards(
    url: str, credentials: list[str], stop: asyncio.Event, latencies: list[float]
) -> None:
    """Open boards refreshing every REFRESH_SECONDS, spread evenly over the interval."""
    async with aiohttp.ClientSession() as client:

        async def one(authorization: str, delay: float) -> None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)
            while not stop.is_set():
                started = time.perf_counter()
                async with client.get(url, headers={"Authorization": authorization}) as response:
                    await response.read()
                    assert response.status == 200, response.status
                latencies.append(time.perf_counter() - started)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), REFRESH_SECONDS)

        step = REFRESH_SECONDS / len(credentials)
        await asyncio.gather(*(one(auth, i * step) for i, auth in enumerate(credentials)))


async def burst_with_boards(
    runtime: Runtime,
    server: BoardServer,
    people: int,
    latency: float,
    rounds: int,
    unit_boards: int,
) -> None:
    clock = runtime.clock
    assert isinstance(clock, ManualClock)
    city_boards = BOARDS - unit_boards
    credentials = [_credentials(clock, ADMIN_ID)] * city_boards + [
        _credentials(clock, LEADER_BASE + number) for number in range(1, unit_boards + 1)
    ]
    print(
        f"2. check-in burst: {people} volunteers at once, {latency * 1000:.0f} ms per API call; "
        f"{len(credentials)} boards ({city_boards} of the city, {unit_boards} of units) "
        f"refreshing every "
        f"{REFRESH_SECONDS:.0f} s (goal: under 5 % added)"
    )
    alone: list[float] = []
    loaded: list[float] = []
    latencies: list[float] = []
    # One bot for every round, as in production (update ids go on from round to round).
    emulator = BotApiEmulator(token=TOKEN, bot_username="dutybot_bench_bot")
    await emulator.start()
    settings = runtime.settings.model_copy(
        update={"bot_api_base_url": emulator.base_url, "bot_api_file_url": emulator.base_file_url}
    )
    bot = LocalBot(
        emulator=emulator, runtime=Runtime(settings=settings, db=runtime.db, clock=clock)
    )
    await bot.start()
    emulator.latency = latency
    round_no = 0
    try:
        for pair in range(rounds):
            for with_boards in (False, True) if pair % 2 == 0 else (True, False):
                round_no += 1
                stop = asyncio.Event()
                load = None
                if with_boards:
                    server.scenes = SnapshotCache(REFRESH_SECONDS, stale_for=REFRESH_SECONDS)
                    server.cache = SnapshotCache(ttl=REFRESH_SECONDS)
                    load = asyncio.create_task(
                        _boards(f"{server.local_url}/api/state", credentials, stop, latencies)
                    )
                    await asyncio.sleep(REFRESH_SECONDS)  # every board open and refreshing
                try:
                    elapsed = await burst(bot, clock, round_no, people)
                finally:
                    stop.set()
                    if load is not None:
                        await load
                (loaded if with_boards else alone).append(elapsed)
                what = "with boards" if with_boards else "alone      "
                print(f"   round {round_no}: {what} {elapsed:6.2f} s")
    finally:
        await bot.stop()
        await emulator.stop()
    base, busy = statistics.median(alone), statistics.median(loaded)
    print(f"   burst alone (median of {len(alone)}):        {base:6.2f} s")
    print(f"   burst with 50 boards (median of {len(loaded)}): {busy:6.2f} s")
    print(f"   ratio {busy / base:.3f} ({(busy / base - 1) * 100:+.1f} %)")
    if latencies:
        middle, slowest = statistics.median(latencies) * 1000, max(latencies) * 1000
        print(
            f"   board refreshes served: {len(latencies)}, median {middle:.0f} ms, "
            f"slowest {slowest:.0f} ms"
        )


async def run(
    url: str,
    volunteers: int,
    posts: int,
    days: int,
    people: int,
    latency: float,
    rounds: int,
    unit_boards: int,
) -> None:
    if url.startswith("postgresql"):
        await fresh_postgres(url)
    database = Database(url)
    await upgrade(database)
    settings = _settings(url)
    first = dt.date(2026, 1, 1)
    city = City(volunteers, posts, max(1, posts // 20), days, first)
    started = time.perf_counter()
    counts = await build_city(database, city)
    today = first + dt.timedelta(days=days)
    busy = await build_today(database, city, today, settings.late_after_min)
    print(f"database: {database.engine.dialect.name} ({make_url(url).render_as_string()})")
    print(
        f"city: {volunteers:,} volunteers, {posts:,} posts, {days} days of history "
        f"({counts['shifts']:,} shifts, {counts['checkins']:,} check-ins); today "
        f"{today.isoformat()}: {busy['shifts']:,} shifts, {busy['seats']:,} seats, "
        f"{busy['checkins']:,} checked in by 7:10; built in {time.perf_counter() - started:.0f} s"
    )
    clock = ManualClock(_at(today, 7, 10))
    runtime = Runtime(settings=settings, db=database, clock=clock)
    server = BoardServer(runtime, sender=lambda: SenderStatus(running=True, leading=True))
    await server.start(listen="127.0.0.1", port=0)
    try:
        await data_request(runtime, server)
        await burst_with_boards(runtime, server, people, latency, rounds, unit_boards)
    finally:
        await server.stop()
        await database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    parser.add_argument("--volunteers", type=int, default=50_000)
    parser.add_argument("--posts", type=int, default=2_000)
    parser.add_argument("--days", type=int, default=365, help="days of history before today")
    parser.add_argument("--people", type=int, default=200, help="volunteers of the burst")
    parser.add_argument("--latency", type=float, default=0.1, help="seconds per Bot API call")
    parser.add_argument("--rounds", type=int, default=3, help="pairs of bursts, alone and loaded")
    parser.add_argument(
        "--unit-boards",
        type=int,
        default=UNIT_BOARDS,
        choices=range(BOARDS + 1),
        metavar=f"0-{BOARDS}",
        help=f"how many of the {BOARDS} boards show a unit (the rest the whole city)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(directory) / 'bench.db'}"
        asyncio.run(
            run(
                url,
                args.volunteers,
                args.posts,
                args.days,
                args.people,
                args.latency,
                args.rounds,
                args.unit_boards,
            )
        )


if __name__ == "__main__":
    main()
