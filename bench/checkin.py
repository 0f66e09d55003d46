"""How long the 7:00 rush takes: many volunteers check in on post at the same moment.

Run: .venv/bin/python bench/checkin.py [--people 200] [--latency 0.1] [--database-url URL]

Every volunteer is assigned to a shift starting now; each sends a location and a photo without
waiting (two updates, two answers, plus the check-in rows). Members, the post and the shift are
written straight into the database: joining is measured by bench/concurrency.py.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import tempfile
import time
from pathlib import Path

from benchdb import fresh_postgres
from sqlalchemy import func, select

from bot.clock import ManualClock
from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.db.models import (
    Assignment,
    AssignmentStatus,
    CheckIn,
    Member,
    MemberRole,
    Post,
    PostType,
    Role,
    Shift,
    ShiftStatus,
    Unit,
)
from bot.emulator import BotApiEmulator
from bot.geo import offset
from bot.localbot import LocalBot
from bot.runtime import Runtime
from bot.settings import Settings

LATITUDE, LONGITUDE = 30.6586, 104.0648


async def seed(
    database: Database,
    people: int,
    now: dt.datetime,
    *,
    first_telegram_id: int = 20_000,
    unit_name: str = "城管局",
) -> None:
    """A unit, a post and a shift starting `now` with `people` volunteers signed up (Telegram
    ids from `first_telegram_id`); bench/board.py seeds one burst per round with other ids."""
    async with database.session() as session:
        unit = Unit(name=unit_name, require_swap_approval=False, created_at=now)
        session.add(unit)
        await session.flush()
        post = Post(
            unit_id=unit.id,
            name="黄河路-人民路口",
            type=PostType.TRAFFIC,
            latitude=LATITUDE,
            longitude=LONGITUDE,
            radius_m=150,
            archived=False,
            created_at=now,
        )
        session.add(post)
        await session.flush()
        shift = Shift(
            post_id=post.id,
            starts_at=now,
            ends_at=now + dt.timedelta(hours=2),
            capacity=people,
            status=ShiftStatus.SCHEDULED,
            created_at=now,
        )
        session.add(shift)
        await session.flush()
        for n in range(people):
            member = Member(
                telegram_id=first_telegram_id + n,
                display_name=f"V{n}",
                language="zh_Hans",
                unit_id=unit.id,
                registered_at=now,
                blocked_bot=False,
                active=True,
            )
            member.role_rows = [MemberRole(role=Role.VOLUNTEER)]
            session.add(member)
            await session.flush()
            session.add(
                Assignment(
                    shift_id=shift.id,
                    member_id=member.id,
                    status=AssignmentStatus.SIGNED_UP,
                    created_at=now,
                    updated_at=now,
                )
            )
        await session.commit()


async def run(people: int, latency: float, database_url: str) -> None:
    if database_url.startswith("postgresql"):
        await fresh_postgres(database_url)
    database = Database(database_url)
    await upgrade(database)
    settings = Settings(_env_file=None, bot_token="100000:BENCH")  # type: ignore[call-arg]
    clock = ManualClock(dt.datetime(2026, 12, 1, 7, 0, tzinfo=settings.zone))
    await seed(database, people, clock.now())
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
        emulator.latency = latency
        emulator.peak_in_flight = 0
        users = [emulator.user(user_id=20_000 + n, first_name=f"V{n}") for n in range(people)]
        started = time.perf_counter()
        for n, user in enumerate(users):
            await user.send_location(*offset(LATITUDE, LONGITUDE, n % 100, 0))
            await user.send_photo(data=b"\xff\xd8" + n.to_bytes(4, "big") + b"\xff\xd9")
        await bot.settle(timeout=900)
        elapsed = time.perf_counter() - started
        async with database.session() as session:
            stored = await session.scalar(select(func.count()).select_from(CheckIn))
        confirmed = sum(1 for user in users if "签到成功" in (user.last().text or ""))
        serial = people * 2 * latency
        print(f"people: {people}, API latency: {latency * 1000:.0f} ms, database: {database_url}")
        print(f"check-ins stored: {stored}/{people}, confirmed in chat: {confirmed}/{people}")
        print(f"wall time: {elapsed:.2f} s (one chat after another: >= {serial:.1f} s)")
        print(f"check-ins per second: {people / elapsed:.1f}")
        print(f"most API calls in flight at once: {emulator.peak_in_flight}")
    finally:
        await bot.stop()
        await emulator.stop()
        await database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(directory) / 'bench.db'}"
        asyncio.run(run(args.people, args.latency, url))


if __name__ == "__main__":
    main()
