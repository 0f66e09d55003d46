"""Thousands of hostile or careless updates through the real Application (hypothesis, seeded and
derandomized): every kind of message, edits, forged and replayed button presses, broken files,
from strangers, volunteers, a coordinator, a leader and the admin, in private and in a group.

After every round: no update failed (no handler exception reached the error handler), none met
silence (each private update got an answer, in its chat or on its button; only group chatter
and live-location edits are meant to pass quietly), and the database keeps its invariants: no
shift holds more people than its capacity, nobody holds two seats on one shift or two
check-ins on one seat, and every update in the inbox is done.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.clock import ManualClock
from bot.commands import REGISTRY
from bot.db.engine import Database
from bot.db.models import (
    Assignment,
    AssignmentStatus,
    BoundGroup,
    CheckIn,
    InboxStatus,
    MemberRole,
    Role,
    Shift,
)
from bot.emulator import BotApiEmulator, SimUser
from bot.localbot import LocalBot
from bot.runtime import Runtime
from bot.services.platform import inbox
from tests import databases
from tests.conftest import START, make_settings
from tests.e2e.checkin_fixtures import near
from tests.e2e.import_fixtures import broken_content_types
from tests.e2e.schedule import person, post, shift, unit
from tests.harness import ADMIN_ID, Harness

pytestmark = pytest.mark.slow

EXAMPLES = 16
ROUNDS = (10, 14)
# A scheduler tick after every few rounds, the clock moved on.
TICK_EVERY = 3
GROUP_ID = -100_777
HELD = (AssignmentStatus.SIGNED_UP, AssignmentStatus.CHECKED_IN, AssignmentStatus.CHECKED_OUT)
ANSWERS = {"sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup", "editMessageText"}

COMMANDS = [command.name for command in REGISTRY.commands] + ["nosuch", "start"]
PREFIXES = [button.data.prefix for button in REGISTRY.buttons]
PEOPLE = ("stranger", "volunteer", "volunteer2", "coordinator", "leader", "admin")

texts = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["取消", "1", "4", "07:00-09:00", "12-02", "mon-fri 12-07 12-18", "黄河路口"]),
    st.sampled_from(["2026-12-02", "0", "-3", "1:30", "1.5", "x" * 5000, "/", "@dutybot"]),
)
args = st.one_of(
    st.none(), st.text(max_size=20), st.sampled_from(["12-02", "2026-12-01 2026-12-31"])
)
files = st.sampled_from(
    ["broken.xlsx", "garbage.xlsx", "bad.csv", "gbk.csv", "notes.txt", "empty.csv"]
)
# (A poll that this PTB cannot read is tests/e2e/test_inbox.py's.)
raw_kinds = st.sampled_from(["voice", "video", "animation", "audio", "video_note", "dice"])

action = st.one_of(
    st.tuples(st.just("text"), texts),
    st.tuples(st.just("command"), st.tuples(st.sampled_from(COMMANDS), args)),
    st.tuples(
        st.just("location"),
        st.tuples(st.integers(-3000, 3000), st.booleans(), st.booleans()),
    ),
    st.tuples(st.just("venue"), st.none()),
    st.tuples(st.just("contact"), st.booleans()),
    st.tuples(st.just("photo"), st.sampled_from(["fresh", "forwarded", "again"])),
    st.tuples(st.just("document"), files),
    st.tuples(st.just("sticker"), st.none()),
    st.tuples(st.just("raw"), raw_kinds),
    st.tuples(st.just("edit"), texts),
    st.tuples(st.just("press"), st.integers(0, 30)),
    st.tuples(st.just("replay"), st.integers(0, 30)),
    st.tuples(
        st.just("forge"),
        st.tuples(st.sampled_from(PREFIXES), st.text(max_size=12), st.integers(-5, 10**6)),
    ),
    st.tuples(st.just("junk_button"), st.text(max_size=64)),
    st.tuples(
        st.just("group"), st.tuples(st.sampled_from(["today", "setgroup", "help", "chat"]), texts)
    ),
)
rounds = st.lists(
    st.lists(st.tuples(st.sampled_from(PEOPLE), action), min_size=6, max_size=14),
    min_size=ROUNDS[0],
    max_size=ROUNDS[1],
)


def document_bytes(name: str) -> tuple[bytes, str]:
    if name == "broken.xlsx":
        return broken_content_types(), "application/vnd.ms-excel"
    if name == "garbage.xlsx":
        return b"PK\x03\x04" + bytes(range(256)) * 4, "application/vnd.ms-excel"
    if name == "bad.csv":
        return b"post,type\n\xff\xfe\x00,,,\n" * 3, "text/csv"
    if name == "gbk.csv":
        return "岗位,类型,单位\n黄河路,traffic,城管局\n".encode("gbk"), "text/csv"
    if name == "empty.csv":
        return b"", "text/csv"
    return b"hello", "text/plain"


@dataclass
class World:
    harness: Harness
    people: dict[str, SimUser]
    group_id: int
    pressed: list[tuple[str, str, int]]


class Failures(logging.Handler):
    """Collects what reached the error handler or was logged as an error."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


async def build_world(harness: Harness) -> World:
    unit_id = await unit(harness)
    people = {
        "stranger": harness.user(8_800_001, "路人"),
        "volunteer": await person(harness, 8_800_002, unit_id, "王芳"),
        "volunteer2": await person(harness, 8_800_003, unit_id, "Bob", language="en"),
        "coordinator": await person(harness, 8_800_004, unit_id, "王协调", role=Role.COORDINATOR),
        "leader": await person(harness, 8_800_005, unit_id, "李领导", role=Role.LEADER),
        "admin": harness.admin,
    }
    post_id = await post(harness, unit_id)
    await shift(harness, post_id, START.date(), 8, 10, capacity=1)
    await shift(harness, post_id, START.date() + dt.timedelta(days=1), 7, 9, capacity=2)
    async with harness.session() as session:
        session.add(
            BoundGroup(
                chat_id=GROUP_ID,
                title="群",
                unit_id=None,
                language="zh_Hans",
                bound_by=ADMIN_ID,
                bound_at=START,
            )
        )
    harness.emulator.group(GROUP_ID, "群")
    return World(harness, people, GROUP_ID, [])


async def perform(world: World, who: str, act: tuple[str, Any]) -> tuple[int, str | None] | None:
    """Send one update; (the chat that must be answered, the callback query id if a button), or
    None where silence is fine."""
    kind, value = act
    user = world.people[who]
    chat = user.user_id
    if kind == "text":
        await user.send_text(value or ".")
    elif kind == "command":
        name, arguments = value
        await user.send_command(name, arguments)
    elif kind == "location":
        north, live, forwarded = value
        await user.send_location(
            *near(north), live_period=900 if live else None, forwarded=forwarded
        )
    elif kind == "venue":
        await user.send_venue(*near(10), "黄河路", "人民路 1 号")
    elif kind == "contact":
        await user.send_contact(user_id=None if value else 12345)
    elif kind == "photo":
        sent = await user.send_photo(forwarded=value == "forwarded")
        if value == "again":
            await world.harness.settle()
            await user.send_photo_again(sent["photo"][-1]["file_unique_id"])
    elif kind == "document":
        data, mime = document_bytes(value)
        await user.send_document(value, data, mime_type=mime)
    elif kind == "sticker":
        await user.send_sticker()
    elif kind == "raw":
        await user.send_raw(raw_message(value))
    elif kind == "edit":
        own = world.harness.emulator.world.chats[chat].messages
        candidates = [
            message_id
            for message_id, message in own.items()
            if message.get("from", {}).get("id") == chat and "text" in message
        ]
        if not candidates:
            return None
        await user.edit_text(candidates[-1], value or "改了")
    elif kind in ("press", "replay"):
        buttons = [
            (message.message_id, data)
            for message in user.messages()
            for row in (message.reply_markup or {}).get("inline_keyboard", [])
            for data in [button.get("callback_data") for button in row]
            if data
        ]
        if kind == "replay" and world.pressed:
            owner, data, message_id = world.pressed[value % len(world.pressed)]
            user, chat = world.people[owner], world.people[owner].user_id
        elif buttons:
            message_id, data = buttons[-1 - value % len(buttons)]
            world.pressed.append((who, data, message_id))
        else:
            return None
        query = await user.press_data(data, message_id)
        return chat, query["id"]
    elif kind == "forge" or kind == "junk_button":
        anchor = user.messages()[-1].message_id if user.messages() else None
        if anchor is None:
            return None
        data = f"{value[0]}:{value[1]}:{value[2]}" if kind == "forge" else (value or "x")
        query = await user.press_data(data[:64], anchor)
        return chat, query["id"]
    elif kind == "group":
        what, text = value
        group = world.harness.emulator.group(world.group_id, "群")
        if what == "chat":
            await group.send_text(user, text or "大家好")
            return None
        await group.send_command(user, what)
        return None
    return chat, None


def raw_message(kind: str) -> dict[str, Any]:
    media = {"file_id": f"F{kind}", "file_unique_id": f"U{kind}"}
    if kind == "dice":
        return {"dice": {"emoji": "🎲", "value": 3}}
    if kind in ("voice", "audio"):
        return {kind: {**media, "duration": 3}}
    if kind == "video_note":
        return {kind: {**media, "length": 240, "duration": 3}}
    return {kind: {**media, "width": 320, "height": 240, "duration": 3}}


def answered(calls: Sequence[tuple[str, dict[str, Any]]], chat: int, query: str | None) -> bool:
    for method, params in calls:
        if query is not None and method == "answerCallbackQuery":
            if params.get("callback_query_id") == query:
                return True
        elif method in ANSWERS and str(params.get("chat_id")) == str(chat):
            return True
    return False


async def check_invariants(harness: Harness) -> None:
    async with harness.session() as session:
        over = await session.execute(
            select(Shift.id, Shift.capacity, func.count(Assignment.id))
            .join(Assignment, Assignment.shift_id == Shift.id)
            .where(Assignment.status.in_(HELD))
            .group_by(Shift.id, Shift.capacity)
        )
        assert all(held <= capacity for _, capacity, held in over.all())
        twice = await session.execute(
            select(Assignment.shift_id, Assignment.member_id, func.count())
            .where(Assignment.status.in_(HELD))
            .group_by(Assignment.shift_id, Assignment.member_id)
            .having(func.count() > 1)
        )
        assert twice.all() == []
        checkins = await session.execute(
            select(CheckIn.assignment_id, func.count())
            .group_by(CheckIn.assignment_id)
            .having(func.count() > 1)
        )
        assert checkins.all() == []
        assert set(await inbox.counts(session)) <= {InboxStatus.DONE}
        # Roles are never handed out by a forged button.
        roles = await session.scalars(select(MemberRole.role))
        assert Role.ADMIN not in set(roles)


async def play(url: str, plan: list[list[tuple[str, tuple[str, Any]]]]) -> int:
    database = Database(url)
    if not database.is_sqlite:
        await databases.empty_postgres(database)
    clock = ManualClock(START)
    settings_ = make_settings(url, quiet_hours="")
    emulator = BotApiEmulator(token=settings_.bot_token, bot_username="dutybot_test_bot")
    emulator.clock = lambda: clock.now().timestamp()
    await emulator.start()
    settings_ = settings_.model_copy(
        update={"bot_api_base_url": emulator.base_url, "bot_api_file_url": emulator.base_file_url}
    )
    bot = LocalBot(emulator=emulator, runtime=Runtime(settings=settings_, db=database, clock=clock))
    harness = Harness(emulator=emulator, bot=bot, clock=clock, database=database)
    failures = Failures()
    logging.getLogger().addHandler(failures)
    sent = 0
    await bot.start()
    try:
        world = await build_world(harness)
        for number, batch in enumerate(plan, start=1):
            seen = len(emulator.calls)
            expected = []
            for who, act in batch:
                wanted = await perform(world, who, act)
                sent += 1
                if wanted is not None:
                    expected.append((who, act, wanted))
            await harness.settle()
            calls = emulator.calls[seen:]
            for who, act, (chat, query) in expected:
                assert answered(calls, chat, query), f"silence: {who} {act}"
            assert not failures.records, [r.getMessage() for r in failures.records][:3]
            await check_invariants(harness)
            if number % TICK_EVERY == 0:
                # Time moves on: check-ins open, shifts start, reminders come due.
                clock.advance(minutes=20)
                await harness.tick()
    finally:
        logging.getLogger().removeHandler(failures)
        await bot.stop()
        await emulator.stop()
        await database.dispose()
    return sent


def test_hostile_updates_meet_no_failure_no_silence_and_break_no_rule(
    database_template: Path | None, postgres_run_url: str | None, tmp_path: Path
) -> None:
    counted: list[int] = []
    examples = itertools.count()

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(plan=rounds)
    def example(plan: list[list[tuple[str, tuple[str, Any]]]]) -> None:
        if postgres_run_url is not None:
            url = postgres_run_url
        else:
            assert database_template is not None
            url = databases.fresh_sqlite(database_template, tmp_path / f"fuzz-{next(examples)}.db")
        counted.append(asyncio.run(play(url, plan)))

    example()
    # A few thousand updates in all.
    assert sum(counted) >= 1500, sum(counted)
