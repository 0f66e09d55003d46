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

    def show_replies(self, person: SimUser, *, quiet: bool = False) -> None:
        """Print what the bot sent or edited since the last look (quiet: only take note)."""
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
            if not quiet:
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
    await _play_shifts(emulator, transcript, admin, code, volunteer)


SAMPLE_SCHEDULE = Path(__file__).resolve().parent.parent / "data" / "sample_schedule.csv"


async def _join(
    transcript: Transcript, person: SimUser, code: str, name: str, phone: str, *, show: bool
) -> None:
    steps: list[tuple[str, Callable[[], Awaitable[Any]]]] = [
        (f"/start {code}", lambda: person.send_command("start", code)),
        ("[📱]", lambda: person.send_contact(phone_number=phone)),
        (name, lambda: person.send_text(name)),
        ("[简体中文]", lambda: person.press("简体中文")),
    ]
    for label, action in steps:
        if show:
            await transcript.step(person, label, action)
        else:
            await action()
            await transcript.bot.settle()
    transcript.show_replies(person, quiet=not show)


async def _play_shifts(
    emulator: BotApiEmulator,
    transcript: Transcript,
    admin: SimUser,
    volunteer_code: str,
    volunteer: SimUser,
) -> None:
    transcript.say("\n== a coordinator imports the week's schedule and broadcasts it ==")
    await transcript.step(admin, "/invite", lambda: admin.send_command("invite"))
    await transcript.step(admin, "[协调员]", lambda: admin.press("协调员"))
    match = LINK.search(admin.last().text or "")
    if match is None:
        raise RuntimeError("the demo did not get a coordinator invite link")
    coordinator = emulator.user(user_id=20_100, first_name="王协调", language_code="zh-hans")
    await _join(transcript, coordinator, match.group(1), "王协调", "+8613800002000", show=False)
    transcript.say("(王协调 joined as the coordinator of 城管局)")
    await transcript.step(coordinator, "/template", lambda: coordinator.send_command("template"))
    await transcript.step(coordinator, "/import", lambda: coordinator.send_command("import"))
    data = SAMPLE_SCHEDULE.read_bytes()
    await transcript.step(
        coordinator,
        "(sends data/sample_schedule.csv)",
        lambda: coordinator.send_document("sample_schedule.csv", data, mime_type="text/csv"),
    )
    await transcript.step(coordinator, "[✅ 确认导入]", lambda: coordinator.press("✅ 确认导入"))
    others = [
        (emulator.user(user_id=20_002, first_name="王芳", language_code="zh-hans"), "王芳"),
        (emulator.user(user_id=20_003, first_name="张伟", language_code="zh-hans"), "张伟"),
    ]
    for number, (person, name) in enumerate(others):
        await _join(transcript, person, volunteer_code, name, f"+861380000300{number}", show=False)
    transcript.say("(王芳 and 张伟 joined as volunteers of 城管局)")
    await transcript.step(coordinator, "/broadcast", lambda: coordinator.send_command("broadcast"))
    await transcript.step(
        coordinator, "[📅 明天的班次]", lambda: coordinator.press("📅 明天的班次")
    )
    await transcript.step(coordinator, "[📤 发送]", lambda: coordinator.press("📤 发送"))

    transcript.say("\n== volunteers claim seats; the third finds the shift full and waits ==")
    second, third = others[0][0], others[1][0]
    for person in (volunteer, second, third):
        await transcript.step(person, "/shifts", _command(person, "shifts"))
    await transcript.step(volunteer, "[✋ 报名 1]", lambda: volunteer.press("✋ 报名 1"))
    await transcript.step(second, "[✋ 报名 1]", lambda: second.press("✋ 报名 1"))
    await transcript.step(third, "[✋ 报名 1]", lambda: third.press("✋ 报名 1"))
    await transcript.step(third, "[⏳ 加入候补]", lambda: third.press("⏳ 加入候补"))
    await transcript.step(volunteer, "/my", lambda: volunteer.send_command("my"))
    await transcript.step(
        coordinator, "/roster 12-02", lambda: coordinator.send_command("roster", "12-02")
    )
    await _play_swap(transcript, volunteer, third, coordinator)


async def _play_swap(
    transcript: Transcript, volunteer: SimUser, taker: SimUser, coordinator: SimUser
) -> None:
    transcript.say("\n== 李明 cannot make the morning shift: he gives it away, 张伟 takes it ==")
    # What the outbox still holds (the broadcast) goes first, so only the swap is shown below.
    await transcript.bot.deliver()
    for person in (volunteer, taker, coordinator):
        transcript.show_replies(person, quiet=True)
    await transcript.step(volunteer, "/my", lambda: volunteer.send_command("my"))
    await transcript.step(volunteer, "[🔁 换岗 1]", lambda: volunteer.press("🔁 换岗 1"))
    await transcript.step(
        volunteer,
        "[📢 转让（单位里谁都可以接）]",
        lambda: volunteer.press("📢 转让（单位里谁都可以接）"),
    )
    await transcript.bot.deliver()
    transcript.say("\n(the outbox delivers the offer to every member who may take the shift)")
    transcript.show_replies(taker)
    transcript.show_replies(coordinator, quiet=True)  # offered it too; not shown again
    await transcript.step(taker, "[🙋 我来接]", lambda: taker.press("🙋 我来接"))
    await transcript.bot.deliver()
    transcript.say("\n(李明 is told; the roster follows the new holder at once)")
    transcript.show_replies(volunteer)
    await transcript.step(
        coordinator, "/roster 12-02", lambda: coordinator.send_command("roster", "12-02")
    )


def _command(person: SimUser, name: str) -> Callable[[], Awaitable[Any]]:
    async def send() -> None:
        await person.send_command(name)

    return send
