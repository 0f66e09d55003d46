"""kill -9 at the worst moment loses nothing (DESIGN principles 1 and 6).

The bot runs as a process of its own, as `dutybot run` serves it (tests/e2e/bot_process.py),
against the test's emulator, by long polling or through a webhook the emulator POSTs to. It is
killed with SIGKILL in the middle of a check-in burst (volunteers send a location, then a photo)
and in the middle of a broadcast, and started again: every update is answered, every check-in
recorded once, every message delivered. What may be repeated is bounded: the answers of the
updates in hand at the kill (their answer went out, the record that it did had not), and the
sender's last pass.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.concurrency import MAX_CONCURRENT_UPDATES
from bot.db.models import (
    Assignment,
    AssignmentStatus,
    CheckIn,
    InboxStatus,
    Member,
    OutboxMessage,
    OutboxStatus,
    Role,
    Shift,
    ShiftStatus,
    Unit,
)
from bot.emulator import SimUser
from bot.pacing import Rates
from bot.sender import most_in_flight
from bot.services.platform import inbox
from tests.conftest import START
from tests.e2e.checkin_fixtures import near, post
from tests.e2e.schedule import person, unit
from tests.harness import Harness

pytestmark = pytest.mark.slow

VOLUNTEERS = 60
KILL_AFTER_CHECKINS = 20
READERS = 150
TIMEOUT_SECONDS = 120.0
LOCATION_ANSWER = "位置已确认"
CHECKIN_ANSWER = "签到成功"
VIA = ["polling", "webhook"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class BotProcess:
    """Starts the bot process, again and again on the same database, emulator and port."""

    def __init__(self, harness: Harness, logs: Path, via: str) -> None:
        self.harness = harness
        self.logs = logs
        self.args = [
            harness.database.url,
            harness.emulator.base_url,
            harness.emulator.base_file_url,
            harness.runtime.settings.bot_token,
            START.isoformat(),
        ]
        if via == "webhook":
            self.args += ["0", f"secret-{os.getpid()}"]
            self.args[5] = str(free_port())
        self.runs = 0

    @asynccontextmanager
    async def running(self) -> AsyncIterator[asyncio.subprocess.Process]:
        self.runs += 1
        with (self.logs / f"bot{self.runs}.log").open("wb") as log:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "tests.e2e.bot_process",
                *self.args,
                stdout=asyncio.subprocess.PIPE,
                stderr=log,
            )
        try:
            assert process.stdout is not None
            line = await asyncio.wait_for(process.stdout.readline(), TIMEOUT_SECONDS)
            assert line.strip() == b"ready", self.log_text()
            yield process
        finally:
            if process.returncode is None:
                process.terminate()
                try:
                    await asyncio.wait_for(process.wait(), 30)
                except TimeoutError:
                    process.kill()
                    await process.wait()

    def log_text(self) -> str:
        return "\n".join(path.read_text() for path in sorted(self.logs.glob("bot*.log")))


async def until(condition: Callable[[], Any], what: str, bot: BotProcess) -> None:
    """Poll `condition` (a function or coroutine function) until it is true."""
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        value = condition()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}\n{bot.log_text()[-5000:]}")


async def count(harness: Harness, model: type[Any]) -> int:
    return await harness.count(model)


async def inbox_settled(harness: Harness) -> bool:
    """Every update sent so far was received (acknowledged) and handled, its answer sent."""
    if harness.emulator.pending_updates():
        return False
    async with harness.session() as session:
        counts = await inbox.counts(session)
    return set(counts) <= {InboxStatus.DONE}


async def kill(process: asyncio.subprocess.Process) -> None:
    process.send_signal(signal.SIGKILL)
    assert await process.wait() == -signal.SIGKILL


def answers(people: Sequence[SimUser], text: str) -> list[int]:
    return [sum(1 for said in person.texts() if text in said) for person in people]


async def volunteers_on_duty(harness: Harness) -> list[SimUser]:
    """VOLUNTEERS volunteers, each with a seat on a shift that starts now."""
    unit_id = await unit(harness)
    async with harness.session() as session:
        unit_row = await session.get(Unit, unit_id)
    assert unit_row is not None
    post_row = await post(harness, unit_row)
    people = [await person(harness, 6000 + n, unit_id, f"志愿者{n}") for n in range(VOLUNTEERS)]
    async with harness.session() as session:
        duty = Shift(
            post_id=post_row.id,
            starts_at=START,
            ends_at=START.replace(hour=10),
            capacity=VOLUNTEERS,
            status=ShiftStatus.SCHEDULED,
            created_at=START,
        )
        session.add(duty)
        await session.flush()
        for member_id in await session.scalars(select(Member.id)):
            session.add(
                Assignment(
                    shift_id=duty.id,
                    member_id=member_id,
                    status=AssignmentStatus.SIGNED_UP,
                    created_at=START,
                    updated_at=START,
                )
            )
    return people


@pytest.mark.parametrize("via", VIA)
async def test_a_bot_killed_in_a_check_in_burst_loses_no_check_in(
    harness: Harness, tmp_path: Path, via: str
) -> None:
    await harness.bot.stop()  # the bot of this test is a process of its own
    people = await volunteers_on_duty(harness)
    # Every Bot API call takes 20 ms, as on a real network: the burst lasts a few seconds.
    harness.emulator.latency = 0.02
    bot = BotProcess(harness, tmp_path, via)

    async with bot.running() as process:
        for volunteer in people:
            await volunteer.send_location(*near(20))
            await volunteer.send_photo()
        await until(lambda: _at_least(harness, CheckIn, KILL_AFTER_CHECKINS), "20 check-ins", bot)
        await kill(process)
    recorded_at_kill = await count(harness, CheckIn)
    assert recorded_at_kill < VOLUNTEERS, "the burst was over before the kill"

    async with bot.running():
        await until(lambda: all(answers(people, CHECKIN_ANSWER)), "every check-in answered", bot)
        await until(lambda: inbox_settled(harness), "the inbox handled", bot)

    # Every check-in recorded once, every volunteer checked in.
    async with harness.session() as session:
        per_seat = (
            await session.execute(
                select(CheckIn.assignment_id, func.count()).group_by(CheckIn.assignment_id)
            )
        ).all()
        statuses = set(await session.scalars(select(Assignment.status)))
    assert len(per_seat) == VOLUNTEERS and {n for _, n in per_seat} == {1}
    assert statuses == {AssignmentStatus.CHECKED_IN}
    # Every update answered; again only what was in hand at the kill.
    located, confirmed = answers(people, LOCATION_ANSWER), answers(people, CHECKIN_ANSWER)
    assert min(located) >= 1 and min(confirmed) >= 1
    repeated = sum(located) + sum(confirmed) - 2 * VOLUNTEERS
    assert repeated <= MAX_CONCURRENT_UPDATES, repeated
    print(f"[{via}] killed at {recorded_at_kill} check-ins; answers repeated: {repeated}")


async def _at_least(harness: Harness, model: type[Any], wanted: int) -> bool:
    return await harness.count(model) >= wanted


@pytest.mark.parametrize("via", VIA)
async def test_a_bot_killed_in_a_broadcast_delivers_every_message(
    harness: Harness, tmp_path: Path, via: str
) -> None:
    await harness.bot.stop()
    unit_id = await unit(harness)
    coordinator = await person(harness, 7000, unit_id, "王协调", role=Role.COORDINATOR)
    readers = [await person(harness, 7001 + n, unit_id, f"志愿者{n}") for n in range(READERS)]
    for reader in readers:
        reader.started = True
    bot = BotProcess(harness, tmp_path, via)
    announcement = "📢 王协调 通知：\n明早 7 点全员到岗，穿红马甲。"

    async def step(action: Callable[[], Any], what: str) -> None:
        await action()
        await until(lambda: inbox_settled(harness), what, bot)

    async with bot.running() as process:
        await step(lambda: coordinator.send_command("broadcast"), "the broadcast menu")
        await step(lambda: coordinator.press("📢 发一条通知"), "the question for the text")
        await step(lambda: coordinator.send_text("明早 7 点全员到岗，穿红马甲。"), "the preview")
        await step(lambda: coordinator.press("📤 发送"), "the broadcast queued")
        await until(
            lambda: sum(1 for r in readers if r.texts()) >= READERS // 3, "a third delivered", bot
        )
        await kill(process)
    delivered_at_kill = sum(1 for r in readers if r.texts())
    assert delivered_at_kill < READERS, "the broadcast was over before the kill"

    async with bot.running():
        await until(lambda: all(announcement in r.texts() for r in readers), "every reader", bot)
        await until(lambda: _all_sent(harness), "the outbox sent", bot)

    again = sum(len(r.texts()) - 1 for r in readers)
    assert all(set(r.texts()) == {announcement} for r in readers)
    assert again <= most_in_flight(Rates()), again
    print(f"[{via}] killed at {delivered_at_kill} delivered; sent twice: {again}")


async def _all_sent(harness: Harness) -> bool:
    async with harness.session() as session:
        pending = await session.scalar(
            select(func.count()).where(OutboxMessage.status == OutboxStatus.PENDING)
        )
    return not pending
