"""`dutybot demo`: the real bot against the local emulator, a sample city, a simulated day.

No token and no network: the emulator listens on loopback and plays the people, and a manual
clock stands in for the day. The story is a list of acts (``ACTS``), each a function of the
shared ``Demo``; a new part of the story is one more function appended to that list.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from bot.clock import ManualClock
from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.emulator import BotApiEmulator, SimUser
from bot.geo import offset
from bot.localbot import LocalBot
from bot.runtime import Runtime
from bot.settings import load_settings

DEMO_ADMIN_ID = 10_000
LINK = re.compile(r"https://t\.me/\S+\?start=([A-Za-z0-9_-]+)")
# The sample schedule ships inside the package, so an installed dutybot (a wheel, the Docker
# image) plays the demo as a source checkout does.
SCHEDULE_NAME = "sample_schedule.csv"
CHART_NAME = "demo-tally.png"
# The posts of the sample schedule that the day's story happens on.
CROSSING = (30.6586, 104.0648)  # 黄河路-人民路口, 07:00–09:00
STREET = (30.6570, 104.0810)  # 春熙路步行街, 09:30–11:30


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

    def _unseen(self, person: SimUser) -> list[tuple[bool, str]]:
        """What the bot sent or edited in this chat since the last look: (edited, rendering)."""
        unseen = []
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
            unseen.append((before is not None, rendered))
        return unseen

    def show_replies(self, person: SimUser, *, quiet: bool = False) -> None:
        """Print what the bot sent or edited since the last look (quiet: only take note)."""
        for edited, rendered in self._unseen(person):
            if not quiet:
                self.say(("🤖✏️ " if edited else "🤖 ") + rendered)

    def show_news(self, people: Sequence[SimUser]) -> None:
        """Print what reached each person without them asking (the outbox at work)."""
        for person in people:
            unseen = self._unseen(person)
            if unseen:
                self.say(f"📨 → {person.first_name}")
            for edited, rendered in unseen:
                self.say(("   🤖✏️ " if edited else "   🤖 ") + rendered)


@dataclass
class Demo:
    """Everything the acts share: the bot, the emulator, the clock and the cast."""

    emulator: BotApiEmulator
    bot: LocalBot
    clock: ManualClock
    transcript: Transcript
    data_dir: Path
    people: dict[str, SimUser] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)

    def person(self, name: str) -> SimUser:
        return self.people[name]

    def say(self, line: str) -> None:
        self.transcript.say(line)

    async def step(self, name: str, label: str, action: Callable[[], Awaitable[Any]]) -> None:
        await self.transcript.step(self.person(name), label, action)

    def at(self, when: dt.datetime) -> None:
        """Move the clock on, and say so."""
        self.clock.set(when)
        self.say(f"\n🕐 {when:%m-%d %H:%M}")

    async def deliver(self) -> None:
        """The outbox sender sends what is due; print what reached whom."""
        await self.bot.deliver()
        await self.bot.settle()
        self.transcript.show_news(list(self.people.values()))

    async def tick(self) -> None:
        """One scheduler tick (every job of bot/due.py) and its delivery; print what arrived."""
        queued = await self.bot.tick()
        await self.bot.settle()
        self.say(f"⏰ scheduler tick: {queued} message(s) queued")
        self.transcript.show_news(list(self.people.values()))


Act = Callable[[Demo], Awaitable[None]]


def local(day: dt.date, hour: int, minute: int, zone: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone)


def sample_schedule() -> bytes:
    """The sample schedule the coordinator imports (package data of bot.samples)."""
    return (resources.files("bot.samples") / SCHEDULE_NAME).read_bytes()


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


# -- the acts --------------------------------------------------------------------------------


async def set_up_unit(demo: Demo) -> None:
    """An admin creates a unit and invites a volunteer, who joins."""
    admin = demo.emulator.user(user_id=DEMO_ADMIN_ID, first_name="管理员", language_code="zh-hans")
    demo.people["管理员"] = admin
    demo.say("== dutybot demo: an admin sets up a unit, a volunteer joins by invite link ==")
    await demo.step("管理员", "/start", lambda: admin.send_command("start"))
    await demo.step("管理员", "/units", lambda: admin.send_command("units"))
    await demo.step("管理员", "[➕ 新建单位]", lambda: admin.press("➕ 新建单位"))
    await demo.step("管理员", "城管局", lambda: admin.send_text("城管局"))
    await demo.step("管理员", "[🔗 邀请]", lambda: admin.press("🔗 邀请"))
    await demo.step("管理员", "[志愿者]", lambda: admin.press("志愿者"))
    code = _invite_code(admin)
    demo.codes["volunteer"] = code

    volunteer = demo.emulator.user(user_id=20_001, first_name="李明", language_code="zh-hans")
    demo.people["李明"] = volunteer
    await demo.step(
        "李明", f"(opens the link) /start {code}", lambda: volunteer.send_command("start", code)
    )
    await demo.step(
        "李明",
        "[📱 发送我的手机号]",
        lambda: volunteer.send_contact(phone_number="+8613800001234"),
    )
    await demo.step("李明", "李明", lambda: volunteer.send_text("李明"))
    await demo.step("李明", "[简体中文]", lambda: volunteer.press("简体中文"))
    await demo.step("李明", "/me", lambda: volunteer.send_command("me"))


async def publish_schedule(demo: Demo) -> None:
    """A coordinator imports the sample schedule and broadcasts tomorrow's shifts; the outbox
    sender delivers them and the progress message ends at the final count."""
    admin = demo.person("管理员")
    demo.say("\n== a coordinator imports the week's schedule and broadcasts it ==")
    await demo.step("管理员", "/invite", lambda: admin.send_command("invite"))
    await demo.step("管理员", "[协调员]", lambda: admin.press("协调员"))
    coordinator = await _join(demo, 20_100, "王协调", _invite_code(admin), "+8613800002000")
    demo.say("(王协调 joined as the coordinator of 城管局)")
    await demo.step("王协调", "/template", lambda: coordinator.send_command("template"))
    await demo.step("王协调", "/import", lambda: coordinator.send_command("import"))
    data = sample_schedule()
    await demo.step(
        "王协调",
        "(sends sample_schedule.csv)",
        lambda: coordinator.send_document("sample_schedule.csv", data, mime_type="text/csv"),
    )
    await demo.step("王协调", "[✅ 确认导入]", lambda: coordinator.press("✅ 确认导入"))
    for number, name in enumerate(("王芳", "张伟", "陈静", "刘强")):
        await _join(demo, 20_002 + number, name, demo.codes["volunteer"], f"+86138000030{number}")
    demo.say("(王芳, 张伟, 陈静 and 刘强 joined as volunteers of 城管局)")
    await demo.step("王协调", "/broadcast", lambda: coordinator.send_command("broadcast"))
    await demo.step("王协调", "[📅 明天的班次]", lambda: coordinator.press("📅 明天的班次"))
    await demo.step("王协调", "[📤 发送]", lambda: coordinator.press("📤 发送"))
    demo.say("\n(the outbox sender delivers the broadcast at Telegram's pace)")
    await demo.deliver()
    await demo.tick()


async def claim_seats(demo: Demo) -> None:
    """Volunteers sign up; one finds the morning shift full and joins its waitlist; others take
    the mid-morning shift on the pedestrian street."""
    demo.say("\n== volunteers claim seats; the third finds the shift full and waits ==")
    for name in ("李明", "王芳", "张伟"):
        await demo.step(name, "/shifts", _command(demo.person(name), "shifts"))
    for name in ("李明", "王芳", "张伟"):
        await demo.step(name, "[✋ 报名 1]", _press(demo.person(name), "✋ 报名 1"))
    await demo.step("张伟", "[⏳ 加入候补]", lambda: demo.person("张伟").press("⏳ 加入候补"))
    await demo.step("李明", "/my", lambda: demo.person("李明").send_command("my"))
    demo.say("\n== three volunteers take the 09:30 shift on 春熙路步行街 ==")
    for name in ("张伟", "陈静", "刘强"):
        person = demo.person(name)
        await person.send_command("shifts")
        await demo.bot.settle()
        demo.transcript.show_replies(person, quiet=True)
        label = f"✋ 报名 {_number_of(person.last().text or '', '春熙路步行街')}"
        await demo.step(name, f"/shifts, [{label}]", _press(person, label))
    coordinator = demo.person("王协调")
    await demo.step("王协调", "/roster 12-02", lambda: coordinator.send_command("roster", "12-02"))


async def shift_day(demo: Demo) -> None:
    """The evening before and the day of the shifts: reminders, check-ins (on time with a live
    location, too far then closer, late), a walk off the post and the bot's question, check-outs
    (on time, early with a reason, forgotten and closed automatically), a no-show."""
    zone = demo.bot.runtime.settings.zone
    eve, day = dt.date(2026, 12, 1), dt.date(2026, 12, 2)
    li, fang, wei, jing = (demo.person(n) for n in ("李明", "王芳", "张伟", "陈静"))
    demo.say("\n== the evening before: reminders ==")
    demo.at(local(eve, 19, 0, zone))
    await demo.tick()
    demo.at(local(eve, 21, 30, zone))
    await demo.tick()

    demo.say("\n== 12-02, the morning shift at 黄河路-人民路口 ==")
    demo.at(local(day, 6, 30, zone))
    await demo.tick()
    demo.at(local(day, 6, 50, zone))
    await demo.step("李明", "/checkin", lambda: li.send_command("checkin"))
    live = await li.send_location(*offset(*CROSSING, 20, 10), live_period=4 * 3600)
    await demo.bot.settle()
    demo.say("\n👤 李明: (shares a live location, 22 m from the post)")
    demo.transcript.show_replies(li)
    await demo.step("李明", "(photo on post)", lambda: li.send_photo())

    demo.at(local(day, 7, 2, zone))
    await demo.step("王芳", "/checkin", lambda: fang.send_command("checkin"))
    await demo.step(
        "王芳", "(location 600 m south)", lambda: fang.send_location(*offset(*CROSSING, -600, 0))
    )
    demo.at(local(day, 7, 4, zone))
    await demo.step(
        "王芳",
        "(walked closer: location 40 m south)",
        lambda: fang.send_location(*offset(*CROSSING, -40, 0)),
    )
    await demo.step("王芳", "(photo on post)", lambda: fang.send_photo())

    demo.at(local(day, 7, 40, zone))
    demo.say("(李明's live location drifts 400 m away from the post)")
    await li.update_live_location(live["message_id"], *offset(*CROSSING, 400, 0))
    await demo.bot.settle()
    demo.at(local(day, 7, 56, zone))
    await demo.tick()
    demo.at(local(day, 7, 58, zone))
    demo.say("(李明 walks back; the live location is inside the post's area again)")
    await li.update_live_location(live["message_id"], *offset(*CROSSING, 15, 0))
    await demo.bot.settle()

    demo.at(local(day, 9, 0, zone))
    await demo.step("李明", "/checkout", lambda: li.send_command("checkout"))
    await demo.tick()

    demo.say("\n== 12-02, the mid-morning shift at 春熙路步行街 ==")
    demo.at(local(day, 9, 25, zone))
    await demo.step("陈静", "/checkin", lambda: jing.send_command("checkin"))
    await demo.step(
        "陈静", "(location 30 m east)", lambda: jing.send_location(*offset(*STREET, 0, 30))
    )
    await demo.step("陈静", "(photo on post)", lambda: jing.send_photo())
    demo.at(local(day, 9, 36, zone))
    await demo.tick()
    demo.at(local(day, 9, 50, zone))
    await demo.step("张伟", "/checkin", lambda: wei.send_command("checkin"))
    await demo.step(
        "张伟", "(location 10 m north)", lambda: wei.send_location(*offset(*STREET, 10, 0))
    )
    await demo.step("张伟", "(photo on post)", lambda: wei.send_photo())
    demo.at(local(day, 10, 0, zone))
    await demo.tick()
    demo.at(local(day, 10, 40, zone))
    await demo.step("陈静", "/checkout", lambda: jing.send_command("checkout"))
    await demo.step("陈静", "家里有急事", lambda: jing.send_text("家里有急事"))
    demo.at(local(day, 11, 30, zone))
    await demo.step("张伟", "/checkout", lambda: wei.send_command("checkout"))
    demo.at(local(day, 11, 35, zone))
    coordinator = demo.person("王协调")
    await demo.step("王协调", "/roster", lambda: coordinator.send_command("roster"))
    await demo.step("李明", "/hours", lambda: li.send_command("hours"))


async def day_tally(demo: Demo) -> None:
    """The evening: the coordinator reads the day's tally; its chart is saved under data/."""
    zone = demo.bot.runtime.settings.zone
    demo.say("\n== the evening: the day's tally ==")
    demo.at(local(dt.date(2026, 12, 2), 20, 0, zone))
    coordinator = demo.person("王协调")
    await demo.step("王协调", "/today", lambda: coordinator.send_command("today"))
    chart = coordinator.last()
    if chart.kind != "photo" or chart.file_id is None:
        raise RuntimeError("the demo did not receive the tally's chart")
    path = demo.data_dir / CHART_NAME
    path.write_bytes(demo.emulator.file_bytes(chart.file_id))
    demo.say(f"\n📈 the tally's chart is saved at {path}")


async def swap_shift(demo: Demo) -> None:
    """The next morning 李明 signs up for Saturday's morning shift at 人民公园东门, then finds he
    cannot go: he gives it away, every member who may take it is offered it, 张伟 takes it, and
    the roster follows the new holder."""
    zone = demo.bot.runtime.settings.zone
    li, wei = demo.person("李明"), demo.person("张伟")
    demo.say("\n== 12-03: 李明 gives Saturday's morning shift away and 张伟 takes it ==")
    demo.at(local(dt.date(2026, 12, 3), 10, 0, zone))
    await li.send_command("shifts")
    await demo.bot.settle()
    demo.transcript.show_replies(li, quiet=True)
    label = f"✋ 报名 {_number_of(li.last().text or '', '人民公园东门')}"
    await demo.step("李明", f"/shifts, [{label}]", _press(li, label))
    await demo.step("李明", "/my", lambda: li.send_command("my"))
    await demo.step("李明", "[🔁 换岗 1]", lambda: li.press("🔁 换岗 1"))
    await demo.step(
        "李明", "[📢 转让（单位里谁都可以接）]", lambda: li.press("📢 转让（单位里谁都可以接）")
    )
    demo.say("\n(the outbox offers the shift to every member who may take it)")
    await demo.deliver()
    await demo.step("张伟", "[🙋 我来接]", lambda: wei.press("🙋 我来接"))
    await demo.deliver()
    coordinator = demo.person("王协调")
    await demo.step("王协调", "/roster 12-05", lambda: coordinator.send_command("roster", "12-05"))


async def oversight(demo: Demo) -> None:
    """12-03: an inspector joins; 李明 reports overflowing litter (随手拍), the inspector turns it
    into a rectification order, the coordinator acknowledges it and replies with an "after" photo,
    the inspector accepts it and 李明 hears it was fixed. At the evening rush hour the inspector
    makes a covert check of the empty crossing; its order reaches the unit with the tally."""
    zone = demo.bot.runtime.settings.zone
    day = dt.date(2026, 12, 3)
    admin, li, coordinator = demo.person("管理员"), demo.person("李明"), demo.person("王协调")
    demo.say("\n== 12-03: a street report becomes a rectification order, fixed and accepted ==")
    demo.at(local(day, 10, 30, zone))
    await demo.step("管理员", "/invite", lambda: admin.send_command("invite"))
    await demo.step("管理员", "[督查员]", lambda: admin.press("督查员"))
    inspector = await _join(demo, 20_200, "赵督查", _invite_code(admin), "+8613800004000")
    demo.say("(赵督查 joined as an inspector)")
    demo.at(local(day, 11, 0, zone))
    await demo.step("李明", "/report", lambda: li.send_command("report"))
    await demo.step("李明", "(photo of the overflowing bin)", lambda: li.send_photo())
    await demo.step(
        "李明",
        "(location 60 m north of 黄河路-人民路口)",
        lambda: li.send_location(*offset(*CROSSING, 60, 0)),
    )
    await demo.step("李明", "[乱扔垃圾]", lambda: li.press("乱扔垃圾"))
    await demo.step("李明", "路口垃圾桶满溢", lambda: li.send_text("路口垃圾桶满溢"))
    await demo.deliver()
    demo.at(local(day, 11, 10, zone))
    await demo.step("赵督查", "/orders", lambda: inspector.send_command("orders"))
    await demo.step("赵督查", "[📷 待处理随手拍（1）]", _press(inspector, "📷 待处理随手拍（1）"))
    await demo.step("赵督查", "[随手拍 #1]", _press(inspector, "随手拍 #1"))
    await demo.step("赵督查", "[📝 下整改令]", _press(inspector, "📝 下整改令"))
    await demo.step("赵督查", "[✅ 下发]", _press(inspector, "✅ 下发"))
    await demo.deliver()
    demo.at(local(day, 11, 20, zone))
    await demo.step("王协调", "[✍️ 签收]", _press(coordinator, "✍️ 签收"))
    demo.at(local(day, 14, 0, zone))
    await demo.step("王协调", "[📤 回复整改]", _press(coordinator, "📤 回复整改"))
    await demo.step("王协调", "(photo after the fix)", lambda: coordinator.send_photo())
    await demo.step(
        "王协调", "已清运，垃圾桶已更换", lambda: coordinator.send_text("已清运，垃圾桶已更换")
    )
    await demo.step("王协调", "[✅ 提交回复]", _press(coordinator, "✅ 提交回复"))
    await demo.deliver()
    demo.at(local(day, 14, 30, zone))
    await demo.step("赵督查", "[✅ 验收办结]", _press(inspector, "✅ 验收办结"))
    await demo.step("赵督查", "[7 天后回头看]", _press(inspector, "7 天后回头看"))
    await demo.deliver()

    demo.say("\n== 12-03 17:30: a covert check of the evening shift at 黄河路-人民路口 ==")
    demo.at(local(day, 17, 30, zone))
    await demo.step("赵督查", "/inspect", lambda: inspector.send_command("inspect"))
    await demo.step(
        "赵督查",
        "(location 40 m from 黄河路-人民路口)",
        lambda: inspector.send_location(*offset(*CROSSING, 0, 40)),
    )
    post_button = next(b for b in inspector.last().buttons() if "黄河路-人民路口" in b)
    await demo.step("赵督查", f"[{post_button}]", _press(inspector, post_button))
    await demo.step("赵督查", "[抽查 · 暗访]", _press(inspector, "抽查 · 暗访"))
    await demo.step("赵督查", "[0]", _press(inspector, "0"))
    await demo.step("赵督查", "[⬜ 周边乱停车 −5]", _press(inspector, "⬜ 周边乱停车 −5"))
    await demo.step("赵督查", "[下一步：拍照 ▶️]", _press(inspector, "下一步：拍照 ▶️"))
    await demo.step("赵督查", "(photo of the empty crossing)", lambda: inspector.send_photo())
    await demo.step("赵督查", "[✅ 提交督查]", _press(inspector, "✅ 提交督查"))
    await demo.step("赵督查", "[📝 下整改令]", _press(inspector, "📝 下整改令"))
    await demo.step("赵督查", "[✅ 下发]", _press(inspector, "✅ 下发"))
    await demo.deliver()
    demo.say("(nothing reaches the unit yet: the check was covert)")
    demo.at(local(day, 20, 0, zone))
    # The evening tally's tick publishes the check; its order reaches the unit with it.
    await demo.tick()
    await demo.step("王协调", "/orders", lambda: coordinator.send_command("orders"))
    await demo.step("管理员", "/today", lambda: admin.send_command("today"))


async def rotate_next_week(demo: Demo) -> None:
    """The coordinator fills next week's open seats fairly with /rotate and confirms; everyone
    is told with ✅ 收到 and 🙋 请假. 王芳 asks leave from her first shift, the coordinator
    approves, the seat is offered to the unit, and the first to tap takes it."""
    coordinator, fang = demo.person("王协调"), demo.person("王芳")
    demo.say(
        "\n== 12-03: the coordinator rotates next week; 王芳 asks leave, someone takes her seat =="
    )
    await demo.step("王协调", "/rotate", lambda: coordinator.send_command("rotate"))
    week = next(label for label in coordinator.last().buttons() if label.startswith("下周"))
    await demo.step("王协调", f"[{week}]", _press(coordinator, week))
    every = next(label for label in coordinator.last().buttons() if label.startswith("✅ 全部岗位"))
    await demo.step("王协调", f"[{every}]", _press(coordinator, every))
    await demo.step("王协调", "[✅ 确认排班]", _press(coordinator, "✅ 确认排班"))
    demo.say("\n(the outbox tells each person their shifts)")
    await demo.deliver()
    leave = next(label for label in fang.last().buttons() if label.startswith("🙋 请假"))
    await demo.step("王芳", f"[{leave}]", _press(fang, leave))
    await demo.step("王芳", "出差去省里培训", lambda: fang.send_text("出差去省里培训"))
    await demo.deliver()
    await demo.step("王协调", "[✅ 批准]", _press(coordinator, "✅ 批准"))
    await demo.deliver()
    taker = next(
        name
        for name, person in demo.people.items()
        if name != "王芳" and person.messages() and "🙋 我来接" in person.last().buttons()
    )
    await demo.step(taker, "[🙋 我来接]", _press(demo.person(taker), "🙋 我来接"))
    await demo.deliver()


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


# -- helpers ---------------------------------------------------------------------------------


def _invite_code(inviter: SimUser) -> str:
    match = LINK.search(inviter.last().text or "")
    if match is None:
        raise RuntimeError("the demo did not get an invite link")
    return match.group(1)


def _number_of(listing: str, post: str) -> int:
    """The number the /shifts list gives the first shift on this post."""
    match = re.search(rf"^\s*(\d+)\. [^\n]*{re.escape(post)}", listing, re.MULTILINE)
    if match is None:
        raise RuntimeError(f"the demo did not find {post} in /shifts")
    return int(match.group(1))


async def _join(demo: Demo, user_id: int, name: str, code: str, phone: str) -> SimUser:
    """Someone joins with an invite code (not printed: the first volunteer showed how)."""
    person = demo.emulator.user(user_id=user_id, first_name=name, language_code="zh-hans")
    demo.people[name] = person
    await person.send_command("start", code)
    await demo.bot.settle()
    await person.send_contact(phone_number=phone)
    await demo.bot.settle()
    await person.send_text(name)
    await demo.bot.settle()
    await person.press("简体中文")
    await demo.bot.settle()
    demo.transcript.show_replies(person, quiet=True)
    return person


def _command(person: SimUser, name: str) -> Callable[[], Awaitable[Any]]:
    async def send() -> None:
        await person.send_command(name)

    return send


def _press(person: SimUser, label: str) -> Callable[[], Awaitable[Any]]:
    async def press() -> None:
        await person.press(label)

    return press
