"""`dutybot demo`: the real bot against the local emulator, a sample city, a simulated day.

No token and no network: the emulator listens on loopback and plays the people.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from bot.clock import ManualClock
from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.emulator import BotApiEmulator, SimUser
from bot.localbot import LocalBot
from bot.runtime import Runtime
from bot.settings import load_settings

DEMO_ADMIN_ID = 10_000
LINK = re.compile(r"https://t\.me/\S+\?start=([A-Za-z0-9_-]+)")


@dataclass
class Transcript:
    """Prints each person's turn and what the bot answered them, edits included."""

    bot: LocalBot
    shown: dict[tuple[int, int], str] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)

    def say(self, line: str) -> None:
        self.lines.append(line)
        print(line)

    async def step(self, person: SimUser, label: str, action: Callable[[], Awaitable[Any]]) -> None:
        self.say(f"\n👤 {person.first_name}: {label}")
        await action()
        await self.bot.settle()
        self.show_replies(person)

    def show_replies(self, person: SimUser) -> None:
        for message in person.messages():
            body = message.text or message.caption or f"[{message.kind}]"
            rendered = "\n   ".join(body.splitlines())
            buttons = message.buttons()
            if buttons:
                rendered += "\n   " + " ".join(f"[{text}]" for text in buttons)
            key = (person.user_id, message.message_id)
            before = self.shown.get(key)
            if before == rendered:
                continue
            self.shown[key] = rendered
            self.say(("🤖 " if before is None else "🤖✏️ ") + rendered)


async def _fresh_database(url: str) -> Database:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        for suffix in ("", "-wal", "-shm"):
            # A one-off at start-up, before anything else runs on the loop.
            Path(parsed.database + suffix).unlink(missing_ok=True)  # noqa: ASYNC240
    database = Database(url)
    await upgrade(database)
    return database


async def run_demo(database_url: str) -> list[str]:
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
        }
    )
    bot = LocalBot(emulator=emulator, runtime=Runtime(settings=settings, db=database, clock=clock))
    await bot.start()
    transcript = Transcript(bot)
    try:
        await _play(emulator, transcript)
    finally:
        await bot.stop()
        await emulator.stop()
        await database.dispose()
    return transcript.lines


async def _play(emulator: BotApiEmulator, transcript: Transcript) -> None:
    admin = emulator.user(user_id=DEMO_ADMIN_ID, first_name="管理员", language_code="zh-hans")
    transcript.say("== dutybot demo: an admin sets up a unit, a volunteer joins by invite link ==")
    await transcript.step(admin, "/start", lambda: admin.send_command("start"))
    await transcript.step(admin, "/units", lambda: admin.send_command("units"))
    await transcript.step(admin, "[➕ 新建单位]", lambda: admin.press("➕ 新建单位"))
    await transcript.step(admin, "城管局", lambda: admin.send_text("城管局"))
    await transcript.step(admin, "[🔗 邀请]", lambda: admin.press("🔗 邀请"))
    await transcript.step(admin, "[志愿者]", lambda: admin.press("志愿者"))
    match = LINK.search(admin.last().text or "")
    if match is None:
        raise RuntimeError("the demo did not get an invite link")
    code = match.group(1)

    volunteer = emulator.user(user_id=20_001, first_name="李明", language_code="zh-hans")
    await transcript.step(
        volunteer, f"(opens the link) /start {code}", lambda: volunteer.send_command("start", code)
    )
    await transcript.step(
        volunteer,
        "[📱 发送我的手机号]",
        lambda: volunteer.send_contact(phone_number="+8613800001234"),
    )
    await transcript.step(volunteer, "李明", lambda: volunteer.send_text("李明"))
    await transcript.step(volunteer, "[简体中文]", lambda: volunteer.press("简体中文"))
    await transcript.step(volunteer, "/me", lambda: volunteer.send_command("me"))
