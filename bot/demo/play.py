"""Plays the demo: a fresh database, the emulator on loopback, the real bot, then the acts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.clock import ManualClock
from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.demo.duty_day import day_tally, shift_day
from bot.demo.handovers import rotate_next_week, swap_shift
from bot.demo.oversight_loop import oversight
from bot.demo.stage import DEMO_ADMIN_ID, Act, Demo
from bot.demo.transcript import Transcript
from bot.demo.unit_setup import claim_seats, publish_schedule, set_up_unit
from bot.emulator import BotApiEmulator
from bot.localbot import LocalBot
from bot.runtime import Runtime
from bot.settings import load_settings

ACTS: tuple[Act, ...] = (
    set_up_unit,
    publish_schedule,
    claim_seats,
    shift_day,
    day_tally,
    swap_shift,
    oversight,
    rotate_next_week,
)


async def _fresh_database(url: str) -> Database:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        # A one-off at start-up, before anything else runs on the loop.
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(parsed.database + suffix).unlink(missing_ok=True)  # noqa: ASYNC240
    database = Database(url)
    await upgrade(database)
    return database


async def run_demo(
    database_url: str | None = None,
    data_dir: Path = Path("data"),
    acts: Sequence[Act] | None = None,
) -> list[str]:
    """Play the acts (default ``ACTS``) with files under ``data_dir``: the database (unless
    ``database_url`` names another), archived check-in photos and the tally's chart."""
    database_url = database_url or f"sqlite+aiosqlite:///{data_dir / 'demo.db'}"
    database = await _fresh_database(database_url)
    emulator = BotApiEmulator(token="100000:DEMO", bot_username="dutybot_demo_bot")
    zone_settings = load_settings(_env_file=None)
    start = dt.datetime.combine(dt.date(2026, 12, 1), dt.time(8, 0), tzinfo=zone_settings.zone)
    clock = ManualClock(start)
    emulator.clock = lambda: clock.now().timestamp()
    await emulator.start()
    settings = zone_settings.model_copy(
        update={
            "bot_token": emulator.token,
            "bot_api_base_url": emulator.base_url,
            "bot_api_file_url": emulator.base_file_url,
            "database_url": database_url,
            "admin_ids": [DEMO_ADMIN_ID],
            "photo_archive_dir": str(data_dir / "photos"),
            "reports_dir": str(data_dir / "reports"),
        }
    )
    bot = LocalBot(emulator=emulator, runtime=Runtime(settings=settings, db=database, clock=clock))
    await bot.start()
    demo = Demo(emulator, bot, clock, Transcript(bot), data_dir)
    try:
        for act in ACTS if acts is None else acts:
            await act(demo)
    finally:
        await bot.stop()
        await emulator.stop()
        await database.dispose()
    return demo.transcript.lines
