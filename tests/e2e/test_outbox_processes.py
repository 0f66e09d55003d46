"""Two bot processes on one PostgreSQL database drain one outbox of 1,000 messages between
them: each message is delivered exactly once (row claims with SKIP LOCKED)."""

from __future__ import annotations

import asyncio
import datetime as dt
import sys

import pytest
from sqlalchemy import func, select

from bot.db.models import OutboxMessage, OutboxStatus
from bot.services import outbox
from tests.harness import Harness

MESSAGES = 1000
FIRST_CHAT = 700_000


async def test_two_processes_share_one_outbox_without_sending_twice(harness: Harness) -> None:
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
                body=outbox.payload(f"通知 {person.user_id}"),
                now=due,
            )

    # Every call takes 20 ms, as on a real network, so the drain lasts seconds and both
    # processes are at it together however the machine schedules them.
    harness.emulator.latency = 0.02
    workers = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.e2e.outbox_worker",
            harness.database.url,
            harness.emulator.base_url,
            harness.runtime.settings.bot_token,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        for _ in range(2)
    ]
    for worker in workers:
        assert worker.stdout is not None
        assert (await worker.stdout.readline()).strip() == b"ready"
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.write(b"go\n")
        await worker.stdin.drain()
    outputs = [await worker.communicate() for worker in workers]
    sent = [int(out.decode().split()[-1]) for out, _ in outputs]

    assert all(worker.returncode == 0 for worker in workers)
    assert sum(sent) == MESSAGES
    assert all(count > 0 for count in sent), sent  # both took a share
    assert all(person.texts() == [f"通知 {person.user_id}"] for person in people)
    async with harness.session() as session:
        counts = dict(
            (
                await session.execute(
                    select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
                )
            ).all()
        )
    assert counts == {OutboxStatus.SENT: MESSAGES}
