"""/healthz: is the database reachable, is the scheduler ticking, does the sender run (as the
leader that sends, or on standby)? 200 when all three hold, 503 otherwise, with the details."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text

from bot import metrics
from bot.runtime import Runtime
from bot.sender import Sender

DATABASE_TIMEOUT_SECONDS = 5.0
# A tick is overdue after three intervals (a slow tick, a busy database), and never sooner than
# a minute: a short SCHEDULER_TICK_SECONDS should not make the check flap.
MIN_TICK_GRACE_SECONDS = 60.0


@dataclass(frozen=True)
class SenderStatus:
    running: bool
    leading: bool  # sends now: the leader on PostgreSQL, or the only process on SQLite

    @property
    def role(self) -> str:
        if not self.running:
            return "stopped"
        return "leader" if self.leading else "standby"


SenderProbe = Callable[[], SenderStatus]


def sender_status(sender: object, task: object) -> SenderStatus:
    """The state of the outbox sender of `dutybot run` (bot/app.py keeps both in bot_data)."""
    if not isinstance(sender, Sender) or not isinstance(task, asyncio.Task) or task.done():
        return SenderStatus(running=False, leading=False)
    leading = sender.leadership is None or sender.leadership.leading
    return SenderStatus(running=True, leading=leading)


def tick_grace(runtime: Runtime) -> float:
    return max(3.0 * runtime.settings.scheduler_tick_seconds, MIN_TICK_GRACE_SECONDS)


async def _database(runtime: Runtime) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        async with asyncio.timeout(DATABASE_TIMEOUT_SECONDS):
            async with runtime.db.read_session() as session:
                await session.execute(text("SELECT 1"))
    except Exception as error:
        return {"ok": False, "error": f"{type(error).__name__}: {error}"[:200]}
    return {"ok": True, "seconds": round(time.perf_counter() - started, 4)}


def _scheduler(runtime: Runtime, started_at: float) -> dict[str, Any]:
    age = metrics.SCHEDULER.age()
    grace = tick_grace(runtime)
    if age is None:
        waiting = time.monotonic() - started_at
        return {"ok": waiting <= grace, "last_tick_seconds_ago": None}
    return {"ok": age <= grace, "last_tick_seconds_ago": round(age, 1)}


async def check(
    runtime: Runtime, probe: SenderProbe, started_at: float
) -> tuple[bool, dict[str, Any]]:
    status = probe()
    checks = {
        "database": await _database(runtime),
        "scheduler": _scheduler(runtime, started_at),
        "sender": {"ok": status.running, "role": status.role},
    }
    healthy = all(part["ok"] for part in checks.values())
    return healthy, {"status": "ok" if healthy else "unhealthy", "checks": checks}
