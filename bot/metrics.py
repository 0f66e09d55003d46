"""Prometheus metrics of the bot, served at /metrics by the board's server (bot/board/server.py).

The metric objects live here; the code that does the work calls one line each (bot/app.py for
updates, bot/sender.py for messages sent and 429s, handlers/turn.py for 429s of direct replies,
bot/scheduler.py for the tick). Figures that are the database's to know (the outbox by state)
are read when Prometheus scrapes, not counted here.

Names follow Prometheus' conventions: the ``dutybot_`` prefix, ``_total`` for counters,
``_seconds`` for durations, base units only.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

from prometheus_client import Counter, Gauge, Histogram

P = ParamSpec("P")
R = TypeVar("R")

# Updates take a database transaction and one or two Bot API round trips (50-150 ms each).
UPDATE_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

UPDATES = Counter(
    "dutybot_updates_total",
    "Telegram updates handled, by kind and outcome (ok, or error: an exception escaped).",
    ["kind", "outcome"],
)
UPDATE_SECONDS = Histogram(
    "dutybot_update_duration_seconds",
    "Time to handle one update, replies included.",
    ["kind"],
    buckets=UPDATE_BUCKETS,
)
MESSAGES_SENT = Counter(
    "dutybot_messages_sent_total", "Outbox messages Telegram accepted (sent by the outbox sender)."
)
TOO_MANY_REQUESTS = Counter(
    "dutybot_telegram_too_many_requests_total",
    "429 answers from Telegram (flood limit), by source: the outbox sender or a direct reply.",
    ["source"],
)
TICK_SECONDS = Histogram(
    "dutybot_scheduler_tick_duration_seconds", "Time of one scheduler tick (every due job)."
)
LAST_TICK = Gauge(
    "dutybot_scheduler_last_tick_timestamp_seconds", "Unix time the last scheduler tick ended."
)
OUTBOX = Gauge(
    "dutybot_outbox_messages",
    "Outbox messages by state (pending, sent, blocked, parked, dropped), read at scrape time.",
    ["state"],
)
OUTBOX_DUE = Gauge(
    "dutybot_outbox_due_messages", "Pending outbox messages whose time has come, at scrape time."
)
SENDER_LEADING = Gauge(
    "dutybot_sender_leading",
    "1 while this process sends the outbox (leader, or the only process), 0 on standby.",
)
BOARD_REQUESTS = Counter(
    "dutybot_board_requests_total",
    "Board data requests, by outcome (ok, forbidden: no valid credentials, or unavailable: "
    "the database did not answer).",
    ["outcome"],
)
BOARD_READ_SECONDS = Histogram(
    "dutybot_board_read_duration_seconds",
    "Time to read the whole city for the board from the database (once per refresh interval).",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1.0, 2.5, 5.0),
)
BOARD_SNAPSHOT_SECONDS = Histogram(
    "dutybot_board_snapshot_duration_seconds",
    "Time to make one scope's board (map, figures, ranking, orders) from the city's read.",
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1.0, 2.5),
)
REPORT_FAILURES = Counter(
    "dutybot_scheduled_report_failures_total",
    "Scheduled reports (daily tally, weekly, monthly) a bound group did not get because drawing "
    "or queueing it failed, by kind; counted once per group and occasion, though tried again "
    "at every tick until the day ends.",
    ["kind"],
)
ORDERS_OPEN = Gauge(
    "dutybot_orders_open",
    "Rectification orders not yet accepted, by state (issued, acknowledged, replied, returned) "
    "and overdue (true: the unit has to act and the deadline passed), read at scrape time.",
    ["state", "overdue"],
)


class Heartbeat:
    """When something periodic last happened, on the monotonic clock (for /healthz)."""

    def __init__(self) -> None:
        self.last: float | None = None

    def beat(self) -> None:
        self.last = time.monotonic()
        LAST_TICK.set_to_current_time()

    def age(self, now: float | None = None) -> float | None:
        if self.last is None:
            return None
        return (time.monotonic() if now is None else now) - self.last


SCHEDULER = Heartbeat()


def update_kind(update: object) -> str:
    for kind in ("callback_query", "edited_message", "message"):
        if getattr(update, kind, None) is not None:
            return kind
    return "other"


@contextmanager
def update_handled(update: object) -> Iterator[None]:
    """Count one update and time it (bot/app.py wraps every handler callback in this)."""
    kind = update_kind(update)
    started = time.perf_counter()
    outcome = "error"
    try:
        yield
        outcome = "ok"
    finally:
        UPDATE_SECONDS.labels(kind).observe(time.perf_counter() - started)
        UPDATES.labels(kind, outcome).inc()


def scheduled_report_failed(kind: str) -> None:
    REPORT_FAILURES.labels(kind).inc()


def messages_sent(count: int) -> None:
    if count:
        MESSAGES_SENT.inc(count)


def too_many_requests(source: str) -> None:
    TOO_MANY_REQUESTS.labels(source).inc()


def timed_tick(function: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Time a scheduler tick and note that it ran (the decorator of bot/scheduler.py's tick)."""

    @functools.wraps(function)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        started = time.perf_counter()
        try:
            return await function(*args, **kwargs)
        finally:
            TICK_SECONDS.observe(time.perf_counter() - started)
            SCHEDULER.beat()

    return wrapper
