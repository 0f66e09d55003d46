"""Flood limits (token buckets on monotonic time) and injected faults."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

FaultKind = Literal["429", "500", "502", "timeout", "403_blocked", "403_deactivated", "400"]


@dataclass(frozen=True)
class FloodLimits:
    """Telegram's documented send rates; `burst` is the token bucket capacity."""

    enabled: bool = True
    global_per_second: float = 30.0
    global_burst: int = 30
    private_per_second: float = 1.0
    private_burst: int = 3
    group_per_minute: float = 20.0
    group_burst: int = 20

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

    def take(self) -> None:
        self.tokens -= 1.0


@dataclass
class FloodGate:
    limits: FloodLimits
    monotonic: Callable[[], float] = time.monotonic
    _global: TokenBucket | None = None
    _chats: dict[int, TokenBucket] = field(default_factory=dict)

    def _bucket(self, capacity: float, rate: float, now: float) -> TokenBucket:
        return TokenBucket(capacity=capacity, rate=rate, tokens=capacity, updated=now)

    def admit(self, chat_id: int, is_group: bool) -> int:
        """0 if a message to `chat_id` may go now (and count it), else the retry_after."""
        if not self.limits.enabled:
            return 0
        now = self.monotonic()
        limits = self.limits
        if self._global is None:
            self._global = self._bucket(limits.global_burst, limits.global_per_second, now)
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = (
                self._bucket(limits.group_burst, limits.group_per_minute / 60.0, now)
                if is_group
                else self._bucket(limits.private_burst, limits.private_per_second, now)
            )
            self._chats[chat_id] = chat
        # Both buckets must admit before either is charged, or a refusal would still cost.
        wait = max(self._global.wait(now), chat.wait(now))
        if wait > 0:
            return max(1, math.ceil(wait))
        self._global.take()
        chat.take()
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
