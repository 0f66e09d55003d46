"""Two bot processes on one PostgreSQL database and one outbox of 1,000 messages. Telegram's
limits are the bot token's, so one process leads and sends while the other stands by (an
advisory lock, bot/db/leadership.py): each message is delivered once and the emulator, which
enforces the limits, answers no 429. When the leader is killed mid-drain, the standby takes the
lead and sends the rest at once, without waiting for the dead one's claims to expire."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import sys
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.db.leadership import Leadership, current_leader
from bot.db.models import OutboxMessage, OutboxStatus
from bot.emulator import FloodLimits, SimUser
from bot.sender import most_in_flight
from bot.services.platform import outbox, outbox_claim
from tests.e2e.outbox_worker import FAST
from tests.e2e.schedule import command
from tests.harness import Harness

MESSAGES = 1000
FIRST_CHAT = 700_000
# The workers' overall pace, with room for requests that bunch up on the way; two senders at
# that pace would be twice over it.
LIMITS = FloodLimits(global_per_second=FAST.global_per_second + FAST.global_per_second // 10)
TIMEOUT_SECONDS = 60.0


def text_for(person: SimUser) -> str:
    return f"通知 {person.user_id}"


async def fill_outbox(harness: Harness) -> list[SimUser]:
    if harness.database.is_sqlite:
        pytest.skip("several processes share an outbox only on PostgreSQL; SQLite runs one")
    people = [harness.user(FIRST_CHAT + n, f"人{n}") for n in range(MESSAGES)]
    for person in people:
        person.started = True
    # The workers run on the real clock, so the messages are due by the real clock.
    due = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    async with harness.session() as session:
        for person in people:
            await outbox.enqueue(
                session,
                key=f"bulk:{person.user_id}",
                chat_id=person.user_id,
                body=outbox.payload(text_for(person)),
                now=due,
            )
    harness.emulator.flood_limits = LIMITS
    # The emulator's clock is the test's, which stands still: the workers send by real time.
    harness.emulator.flood.clock = time.monotonic
    # Every call takes 20 ms, as on a real network, so the drain lasts seconds.
    harness.emulator.latency = 0.02
    return people


@asynccontextmanager
async def workers(
    harness: Harness, logs: Path, count: int = 2
) -> AsyncIterator[list[asyncio.subprocess.Process]]:
    """`count` bot processes, started together; killed if the test leaves them running."""
    processes = []
    for n in range(count):
        with (logs / f"worker{n}.log").open("wb") as log:
            processes.append(
                await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-m",
                    "tests.e2e.outbox_worker",
                    harness.database.url,
                    harness.emulator.base_url,
                    harness.runtime.settings.bot_token,
                    stdin=asyncio.subprocess.PIPE,
                    stdout=asyncio.subprocess.PIPE,
                    stderr=log,
                )
            )
    try:
        for process in processes:
            assert process.stdout is not None
            assert (await process.stdout.readline()).strip() == b"ready"
        for process in processes:
            assert process.stdin is not None
            process.stdin.write(b"go\n")
            await process.stdin.drain()
        yield processes
    finally:
        for process in processes:
            if process.returncode is None:
                process.kill()
                await process.wait()


async def finish(process: asyncio.subprocess.Process) -> int:
    """Wait for a worker to drain the outbox; how many messages it sent."""
    out, _ = await asyncio.wait_for(process.communicate(), TIMEOUT_SECONDS)
    assert process.returncode == 0
    return int(out.decode().split()[-1])


async def until(condition: Callable[[], Any], what: str) -> Any:
    """Poll `condition` (a function or coroutine function) until it gives a true value."""
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        value = condition()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        await asyncio.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


async def statuses(harness: Harness) -> dict[OutboxStatus, int]:
    async with harness.session() as session:
        rows = await session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        )
    return {OutboxStatus(status): int(count) for status, count in rows.all()}


def logs_of(directory: Path) -> str:
    return "\n".join(path.read_text() for path in sorted(directory.glob("*.log")))


def delivered(people: Sequence[SimUser]) -> int:
    return sum(1 for person in people if person.texts())


async def test_one_process_sends_the_other_stands_by(harness: Harness, tmp_path: Path) -> None:
    people = await fill_outbox(harness)
    async with workers(harness, tmp_path) as processes:
        sent = [await finish(process) for process in processes]

    assert sorted(sent) == [0, MESSAGES], logs_of(tmp_path)
    assert all(person.texts() == [text_for(person)] for person in people)
    assert harness.emulator.rejected_429 == 0
    assert await statuses(harness) == {OutboxStatus.SENT: MESSAGES}


async def test_the_standby_takes_over_from_a_killed_leader(
    harness: Harness, tmp_path: Path
) -> None:
    people = await fill_outbox(harness)

    async def leader() -> str | None:
        async with harness.session() as session:
            return await current_leader(session)

    async with workers(harness, tmp_path) as processes:
        name = await until(leader, "a leader")
        pid = int(name.rsplit(":", 1)[1])
        first = next(process for process in processes if process.pid == pid)
        standby = next(process for process in processes if process.pid != pid)
        await until(lambda: delivered(people) >= MESSAGES // 3, "a third delivered")
        # Besides the pass in flight, the leader holds claims that the standby must not wait
        # two minutes for: some more rows, claimed in its name.
        async with harness.session() as session:
            held = await outbox_claim.claim_due(session, dt.datetime.now(dt.UTC), name, limit=25)
        assert held
        os.kill(pid, signal.SIGKILL)
        killed = time.monotonic()
        assert await first.wait() == -signal.SIGKILL
        sent_by_standby = await finish(standby)
        takeover = time.monotonic() - killed

    assert sent_by_standby > 0
    # Well before the dead leader's two-minute lease would have freed its claims.
    assert takeover < outbox_claim.CLAIM_LEASE.total_seconds() / 4, takeover
    assert "freed" in logs_of(tmp_path)
    assert await statuses(harness) == {OutboxStatus.SENT: MESSAGES}
    # Nothing lost; sent again at most what the killed leader's last pass had claimed (a pass
    # records what went out at its end).
    assert all(person.texts() and set(person.texts()) == {text_for(person)} for person in people)
    again = sum(len(person.texts()) - 1 for person in people)
    assert again <= most_in_flight(FAST), again
    # The new leader pauses for the burst the old one may have just sent.
    assert harness.emulator.rejected_429 == 0


async def test_an_admin_sees_which_process_sends(harness: Harness) -> None:
    if harness.database.is_sqlite:
        pytest.skip("on SQLite the one process sends")
    text = await command(harness, harness.admin, "outbox")
    assert "发送进程" not in text  # nobody leads yet
    leadership = Leadership(harness.database.url, "host-a:4242")
    try:
        assert await leadership.hold()
        text = await command(harness, harness.admin, "outbox")
    finally:
        await leadership.release()
    assert "发送进程：host-a:4242（其他进程待命）" in text
