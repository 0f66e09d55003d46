"""Flood limits and injected faults.

Telegram's rates, on the emulator's clock (so a test that moves its clock moves through them):
about 30 messages a second overall and one a second to a private chat, with a short burst
tolerated (token buckets); and at most 20 messages a minute to a group, counted over any 60
seconds (a sliding window: a bucket of 20 refilling at 20 a minute would take 20 at once and
then one every 3 s, nearly 40 in the first minute, and a pacer doing that would pass here and
earn 429s from Telegram).
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, Protocol

FaultKind = Literal["429", "500", "502", "timeout", "403_blocked", "403_deactivated", "400"]


@dataclass(frozen=True)
class FloodLimits:
    """Telegram's documented send rates; a `burst` is a token bucket's capacity. A group's
    limit has no burst: it is `group_per_minute` messages in any `group_window` seconds."""

    enabled: bool = True
    global_per_second: float = 30.0
    global_burst: int = 30
    private_per_second: float = 1.0
    private_burst: int = 3
    group_per_minute: int = 20
    group_window: float = 60.0

    @classmethod
    def telegram(cls) -> FloodLimits:
        return cls()

    @classmethod
    def disabled(cls) -> FloodLimits:
        return cls(enabled=False)


@dataclass
class TokenBucket:
    capacity: float
    rate: float  # tokens per second
    tokens: float
    updated: float

    def _refill(self, now: float) -> None:
        if now < self.updated:
            # A test set the emulator's clock back: what was sent "later" does not count.
            self.tokens = self.capacity
        else:
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    def wait(self, now: float) -> float:
        """Seconds until one token is available (0 when one is)."""
        self._refill(now)
        if self.tokens >= 1.0:
            return 0.0
        if self.rate <= 0:
            return math.inf
        return (1.0 - self.tokens) / self.rate

    def take(self, now: float) -> None:
        self.tokens -= 1.0


@dataclass
class SlidingWindow:
    """At most `limit` messages in any `span` seconds."""

    limit: int
    span: float
    sent: deque[float] = field(default_factory=deque)

    def wait(self, now: float) -> float:
        """Seconds until one more may go (0 when it may now): until the oldest message that
        fills the window is `span` seconds old."""
        if self.sent and self.sent[-1] > now:
            # A test set the emulator's clock back: what was sent "later" does not count.
            self.sent.clear()
        while self.sent and self.sent[0] <= now - self.span:
            self.sent.popleft()
        if len(self.sent) < self.limit:
            return 0.0
        return self.sent[len(self.sent) - self.limit] + self.span - now

    def take(self, now: float) -> None:
        self.sent.append(now)


class _ChatLimit(Protocol):
    def wait(self, now: float) -> float: ...

    def take(self, now: float) -> None: ...


@dataclass
class FloodGate:
    """Admits messages at Telegram's rates. `clock` gives seconds: the emulator passes its
    own clock (`BotApiEmulator.clock`), which tests move by hand."""

    limits: FloodLimits
    clock: Callable[[], float] = time.monotonic
    _global: TokenBucket | None = None
    _chats: dict[int, _ChatLimit] = field(default_factory=dict)

    def _bucket(self, capacity: float, rate: float, now: float) -> TokenBucket:
        return TokenBucket(capacity=capacity, rate=rate, tokens=capacity, updated=now)

    def admit(self, chat_id: int, is_group: bool) -> int:
        """0 if a message to `chat_id` may go now (and count it), else the retry_after."""
        if not self.limits.enabled:
            return 0
        now = self.clock()
        limits = self.limits
        if self._global is None:
            self._global = self._bucket(limits.global_burst, limits.global_per_second, now)
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = (
                SlidingWindow(limits.group_per_minute, limits.group_window)
                if is_group
                else self._bucket(limits.private_burst, limits.private_per_second, now)
            )
            self._chats[chat_id] = chat
        # Both limits must admit before either is charged, or a refusal would still cost.
        wait = max(self._global.wait(now), chat.wait(now))
        if wait > 0:
            # Telegram's retry_after is whole seconds, never 0.
            return max(1, math.ceil(wait - 1e-9))
        self._global.take(now)
        chat.take(now)
        return 0


@dataclass
class Fault:
    """An error to answer to the next `count` calls matching `method` and `chat_id`.

    `method=None` matches every method except getUpdates (the poller would swallow it);
    name getUpdates explicitly to fault polling. For "timeout" the call takes effect at once
    (unless `effective=False`) and its answer comes `emulator.timeout_delay` seconds late,
    which is the "did my message go out?" case a read timeout leaves the bot in.
    """

    kind: FaultKind
    method: str | None = None
    chat_id: int | None = None
    count: int = 1
    retry_after: int = 3
    description: str | None = None
    effective: bool = True

    def matches(self, method: str, chat_id: int | str | None) -> bool:
        if self.count <= 0:
            return False
        if self.method is None:
            if method.lower() == "getupdates":
                return False
        elif self.method.lower() != method.lower():
            return False
        return self.chat_id is None or self.chat_id == chat_id


@dataclass(frozen=True)
class FaultAnswer:
    status: int
    description: str
    retry_after: int | None = None


def fault_answer(fault: Fault) -> FaultAnswer | None:
    """The error a fault answers with; None for "timeout", which answers late instead."""
    if fault.kind == "429":
        return FaultAnswer(
            429,
            fault.description or f"Too Many Requests: retry after {fault.retry_after}",
            fault.retry_after,
        )
    if fault.kind == "500":
        return FaultAnswer(500, fault.description or "Internal Server Error")
    if fault.kind == "502":
        return FaultAnswer(502, fault.description or "Bad Gateway")
    if fault.kind == "403_blocked":
        return FaultAnswer(403, fault.description or "Forbidden: bot was blocked by the user")
    if fault.kind == "403_deactivated":
        return FaultAnswer(403, fault.description or "Forbidden: user is deactivated")
    if fault.kind == "400":
        return FaultAnswer(400, fault.description or "Bad Request: injected fault")
    return None
