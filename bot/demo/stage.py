"""The stage every act plays on: the shared ``Demo`` (bot, emulator, clock, cast) and the
small moves the acts repeat (someone joins, presses a button, reads an invite link)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.clock import ManualClock
from bot.demo.transcript import Transcript
from bot.emulator import BotApiEmulator, SimUser
from bot.localbot import LocalBot

DEMO_ADMIN_ID = 10_000
LINK = re.compile(r"https://t\.me/\S+\?start=([A-Za-z0-9_-]+)")
# The posts of the sample schedule that the day's story happens on.
CROSSING = (30.6586, 104.0648)  # 黄河路-人民路口, 07:00–09:00
STREET = (30.6570, 104.0810)  # 春熙路步行街, 09:30–11:30


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


def invite_code(inviter: SimUser) -> str:
    match = LINK.search(inviter.last().text or "")
    if match is None:
        raise RuntimeError("the demo did not get an invite link")
    return match.group(1)


def number_of(listing: str, post: str) -> int:
    """The number the /shifts list gives the first shift on this post."""
    match = re.search(rf"^\s*(\d+)\. [^\n]*{re.escape(post)}", listing, re.MULTILINE)
    if match is None:
        raise RuntimeError(f"the demo did not find {post} in /shifts")
    return int(match.group(1))


async def join(demo: Demo, user_id: int, name: str, code: str, phone: str) -> SimUser:
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


def command(person: SimUser, name: str) -> Callable[[], Awaitable[Any]]:
    """A step's action: `person` sends /`name`; bound when built, so a loop may build one."""

    async def send() -> None:
        await person.send_command(name)

    return send


def press(person: SimUser, label: str) -> Callable[[], Awaitable[Any]]:
    """A step's action: `person` presses the button `label`."""

    async def tap() -> None:
        await person.press(label)

    return tap
