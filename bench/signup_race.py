"""How the sign-up of many people pressing at the same moment goes, when every Bot API call
takes 100 ms: how long until all are answered, and that the seats hold.

Run: .venv/bin/python bench/signup_race.py [--people 200] [--seats 4] [--latency 0.1]
     [--database-url URL]

Everyone first opens /shifts, then all press Sign up on the same shift at once.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import secrets
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
from bot.localbot import LocalBot
from bot.runtime import Runtime
from bot.settings import Settings


async def _prepare(
    database: Database, people: int, seats: int, now: dt.datetime
) -> tuple[int, int]:
    """A unit, a post, a shift tomorrow and the volunteers; (shift id, first telegram id)."""
    first_id = 10_000_000 + secrets.randbelow(1_000_000) * 1000
    async with database.session() as session:
        unit = Unit(name=f"bench-{first_id}", created_at=now, require_swap_approval=False)
        session.add(unit)
        await session.flush()
        post = Post(
            unit_id=unit.id,
            name="黄河路-人民路口",
            type=PostType.TRAFFIC,
            latitude=30.66,
            longitude=104.06,
            radius_m=150,
            archived=False,
            created_at=now,
        )
        session.add(post)
        await session.flush()
        shift = Shift(
            post_id=post.id,
            starts_at=now + dt.timedelta(hours=23),
            ends_at=now + dt.timedelta(hours=25),
            capacity=seats,
            status=ShiftStatus.SCHEDULED,
            created_at=now,
        )
        session.add(shift)
        for n in range(people):
            member = Member(
                telegram_id=first_id + n,
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
        return shift.id, first_id


async def run(people: int, seats: int, latency: float, database_url: str) -> None:
    if database_url.startswith("postgresql"):
        await fresh_postgres(database_url)
    database = Database(database_url)
    await upgrade(database)
    settings = Settings(_env_file=None, bot_token="100000:BENCH")  # type: ignore[call-arg]
    clock = ManualClock(dt.datetime(2026, 12, 1, 8, 0, tzinfo=settings.zone))
    shift_id, first_id = await _prepare(database, people, seats, clock.now())
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
        users = [emulator.user(user_id=first_id + n, first_name=f"V{n}") for n in range(people)]
        for user in users:
            await user.send_command("shifts")
        await bot.settle(timeout=600)
        emulator.latency = latency
        emulator.peak_in_flight = 0
        started = time.perf_counter()
        for user in users:
            await user.press("✋ 报名 1")
        await bot.settle(timeout=600)
        elapsed = time.perf_counter() - started
        async with database.session() as session:
            seated = await session.scalar(
                select(func.count())
                .select_from(Assignment)
                .where(
                    Assignment.shift_id == shift_id,
                    Assignment.status == AssignmentStatus.SIGNED_UP,
                )
            )
        confirmed = sum(1 for user in users if "报名成功" in (user.last().text or ""))
        full = sum(1 for user in users if "已满" in (user.last().text or ""))
        print(f"people: {people}, seats: {seats}, API latency: {latency * 1000:.0f} ms")
        print(f"database: {database_url}")
        print(f"signed up: {seated} (told so: {confirmed}), told full: {full}")
        print(f"wall time from the first press to the last answer: {elapsed:.2f} s")
        print(f"presses answered per second: {people / elapsed:.0f}")
        print(f"most API calls in flight at once: {emulator.peak_in_flight}")
    finally:
        await bot.stop()
        await emulator.stop()
        await database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--seats", type=int, default=4)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(directory) / 'bench.db'}"
        asyncio.run(run(args.people, args.seats, args.latency, url))


if __name__ == "__main__":
    main()
