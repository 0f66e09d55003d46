"""/healthz and /metrics on the board's server, for operators."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select
from telegram import Bot

from bot import metrics
from bot.board.health import SenderStatus, sender_status, tick_grace
from bot.db.engine import Database
from bot.db.leadership import Leadership
from bot.db.models import OutboxMessage, OutboxStatus
from bot.emulator import Fault
from bot.sender import Sender
from bot.services.platform import outbox
from tests.e2e.board_fixtures import BOARD_SETTINGS, get, running_board
from tests.harness import ADMIN_ID, Harness


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return dict(BOARD_SETTINGS)


@pytest.fixture(autouse=True)
def fresh_heartbeat() -> Any:
    """The scheduler's heartbeat is the process's; each test starts without one."""
    saved = metrics.SCHEDULER.last
    metrics.SCHEDULER.last = None
    yield
    metrics.SCHEDULER.last = saved


async def _health(harness: Harness, sender: SenderStatus | None = None) -> tuple[int, Any]:
    async with running_board(harness, sender=sender) as board:
        status, body, _ = await get(board, "/healthz")
    return status, body


async def test_healthy_after_a_tick_with_the_sender_leading(harness: Harness) -> None:
    await harness.tick()
    status, body = await _health(harness)
    assert status == 200
    assert body["status"] == "ok"
    checks = body["checks"]
    assert checks["database"]["ok"] is True
    assert checks["scheduler"]["ok"] is True
    assert checks["scheduler"]["last_tick_seconds_ago"] < 60
    assert checks["sender"] == {"ok": True, "role": "leader"}


async def test_a_standby_sender_is_healthy_too(harness: Harness) -> None:
    await harness.tick()
    status, body = await _health(harness, SenderStatus(running=True, leading=False))
    assert status == 200
    assert body["checks"]["sender"] == {"ok": True, "role": "standby"}


async def test_a_stopped_sender_is_unhealthy(harness: Harness) -> None:
    await harness.tick()
    status, body = await _health(harness, SenderStatus(running=False, leading=False))
    assert status == 503
    assert body["status"] == "unhealthy"
    assert body["checks"]["sender"] == {"ok": False, "role": "stopped"}


async def test_a_scheduler_that_stopped_ticking_is_unhealthy(harness: Harness) -> None:
    await harness.tick()
    assert metrics.SCHEDULER.last is not None
    metrics.SCHEDULER.last -= tick_grace(harness.runtime) + 1
    status, body = await _health(harness)
    assert status == 503
    assert body["checks"]["scheduler"]["ok"] is False


async def test_before_the_first_tick_the_scheduler_has_a_grace_period(harness: Harness) -> None:
    async with running_board(harness) as board:
        fresh = await get(board, "/healthz")
        board.started_at = time.monotonic() - tick_grace(harness.runtime) - 1
        late = await get(board, "/healthz")
    assert fresh[0] == 200
    assert fresh[1]["checks"]["scheduler"] == {"ok": True, "last_tick_seconds_ago": None}
    assert late[0] == 503


async def test_an_unreachable_database_is_unhealthy(harness: Harness) -> None:
    await harness.tick()
    nowhere = Database("postgresql+asyncpg://nobody@127.0.0.1:1/nothing")
    runtime = harness.runtime
    original, runtime.db = runtime.db, nowhere
    try:
        status, body = await _health(harness)
    finally:
        runtime.db = original
        await nowhere.dispose()
    assert status == 503
    assert body["checks"]["database"]["ok"] is False
    assert body["checks"]["scheduler"]["ok"] is True


async def test_sender_status_reads_the_running_sender(harness: Harness) -> None:
    assert sender_status(None, None) == SenderStatus(running=False, leading=False)
    bot = Bot(harness.runtime.settings.bot_token, base_url=harness.emulator.base_url)
    sole = Sender(bot, harness.runtime)
    standby = Sender(bot, harness.runtime, leadership=Leadership(harness.database.url, "b:1"))
    task = asyncio.create_task(asyncio.Event().wait())
    try:
        # A sender of its own (SQLite) leads; one waiting for PostgreSQL's lock stands by.
        assert sender_status(sole, task) == SenderStatus(running=True, leading=True)
        assert sender_status(standby, task) == SenderStatus(running=True, leading=False)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert sender_status(sole, task) == SenderStatus(running=False, leading=False)


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def _value(text: str, name: str, **labels: str) -> float:
    return _samples(text).get((name, tuple(sorted(labels.items()))), 0.0)


async def _metrics(harness: Harness) -> str:
    async with running_board(harness) as board:
        status, _, text = await get(board, "/metrics")
    assert status == 200
    return text


async def test_metrics_count_updates_messages_429s_ticks_and_the_outbox(harness: Harness) -> None:
    before = await _metrics(harness)
    await harness.admin.send_command("help")
    await harness.settle()
    async with harness.session() as session:
        await outbox.enqueue(
            session,
            key="board-metrics-test",
            chat_id=ADMIN_ID,
            body=outbox.payload(text="hello"),
            now=harness.clock.now(),
            urgent=True,
        )
    harness.emulator.inject_fault(
        Fault(kind="429", method="sendMessage", chat_id=ADMIN_ID, retry_after=2)
    )
    await harness.deliver()
    await harness.tick()
    after = await _metrics(harness)

    def grew(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    assert grew("dutybot_updates_total", kind="message", outcome="ok") == 1
    assert grew("dutybot_update_duration_seconds_count", kind="message") == 1
    assert grew("dutybot_messages_sent_total") == 1
    assert grew("dutybot_telegram_too_many_requests_total", source="outbox") == 1
    assert grew("dutybot_scheduler_tick_duration_seconds_count") >= 1
    assert _value(after, "dutybot_scheduler_last_tick_timestamp_seconds") > 0
    async with harness.session() as session:
        sent = await session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.SENT)
        )
    assert _value(after, "dutybot_outbox_messages", state="sent") == sent == 1
    assert _value(after, "dutybot_outbox_messages", state="pending") == 0
    assert _value(after, "dutybot_outbox_due_messages") == 0
    assert _value(after, "dutybot_sender_leading") == 1


async def test_metric_names_follow_prometheus_conventions(harness: Harness) -> None:
    await harness.admin.send_command("help")
    await harness.settle()
    text = await _metrics(harness)
    ours = [f for f in text_string_to_metric_families(text) if f.name.startswith("dutybot_")]
    kinds = {family.name: family.type for family in ours}
    assert {
        "dutybot_updates",
        "dutybot_update_duration_seconds",
        "dutybot_messages_sent",
        "dutybot_telegram_too_many_requests",
        "dutybot_scheduler_tick_duration_seconds",
        "dutybot_outbox_messages",
        "dutybot_sender_leading",
    } <= kinds.keys()
    for family in ours:
        assert family.documentation, family.name
        names = {sample.name for sample in family.samples}
        if family.type == "counter":
            assert all(name.endswith(("_total", "_created")) for name in names), family.name
        if family.type == "histogram":
            assert family.name.endswith("_seconds"), family.name
    # Every metric of the bot is named dutybot_*; the rest are the client's process metrics.
    for line in text.splitlines():
        if line and not line.startswith("#"):
            assert line.startswith(("dutybot_", "python_", "process_")), line
