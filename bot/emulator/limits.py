"""Flood limits and injected faults.

Telegram's rates, on the emulator's clock (so a test that moves its clock moves through them):
at most 30 messages in any one second overall, counted over a sliding window (a bucket of 30
refilling at 30 a second would take 30 at once and 15 more half a second later, and a pacer
doing that would pass here and earn 429s from Telegram); one a second to a private chat, with a
short burst tolerated (a token bucket); and at most 20 messages a minute to a group, counted
over any 60 seconds (a sliding window too, for the same reason).

An album counts one message per item: Telegram sends sendMediaGroup's items as messages of
their own, each under the flood limits (a refused item is answered "failed to send message #n
with the error message "Too Many Requests: retry after ..."", the items before it delivered).
The emulator admits an album only when all its items fit, and refuses all of it otherwise. To
a private chat an album of ten goes at once (people send and receive them all day): it empties
that chat's burst rather than count ten against a burst of three.
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
    """Telegram's documented send rates. Overall, `global_per_second` messages in any
    `global_window` seconds; a group's, `group_per_minute` messages in any `group_window`
    seconds; a private chat's, a token bucket of `private_burst` refilling at
    `private_per_second`."""

    enabled: bool = True
    global_per_second: int = 30
    global_window: float = 1.0
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

    def wait(self, now: float, count: int = 1) -> float:
        """Seconds until `count` tokens are available (0 when they are); more than the
        capacity never are."""
        self._refill(now)
        if self.tokens >= count:
            return 0.0
        if self.rate <= 0 or count > self.capacity:
            return math.inf
        return (count - self.tokens) / self.rate

    def take(self, now: float, count: int = 1) -> None:
        self.tokens -= count


@dataclass
class SlidingWindow:
    """At most `limit` messages in any `span` seconds."""

    limit: int
    span: float
    sent: deque[float] = field(default_factory=deque)

    def wait(self, now: float, count: int = 1) -> float:
        """Seconds until `count` more may go (0 when they may now): until enough of the oldest
        messages that fill the window are `span` seconds old. More than `limit` never fit."""
        if self.sent and self.sent[-1] > now:
            # A test set the emulator's clock back: what was sent "later" does not count.
            self.sent.clear()
        # A microsecond's grace: a pacer that waited exactly `span` on a float clock must not
        # be refused for a rounding error.
        while self.sent and self.sent[0] <= now - self.span + 1e-6:
            self.sent.popleft()
        if count > self.limit:
            return math.inf
        over = len(self.sent) + count - self.limit
        if over <= 0:
            return 0.0
        return self.sent[over - 1] + self.span - now

    def take(self, now: float, count: int = 1) -> None:
        self.sent.extend([now] * count)


class _ChatLimit(Protocol):
    def wait(self, now: float, count: int = 1) -> float: ...

    def take(self, now: float, count: int = 1) -> None: ...


@dataclass
class FloodGate:
    """Admits messages at Telegram's rates. `clock` gives seconds: the emulator passes its
    own clock (`BotApiEmulator.clock`), which tests move by hand."""

    limits: FloodLimits
    clock: Callable[[], float] = time.monotonic
    _global: SlidingWindow | None = None
    _chats: dict[int, _ChatLimit] = field(default_factory=dict)

    def _bucket(self, capacity: float, rate: float, now: float) -> TokenBucket:
        return TokenBucket(capacity=capacity, rate=rate, tokens=capacity, updated=now)

    def admit(self, chat_id: int, is_group: bool, count: int = 1) -> int:
        """0 if `count` messages to `chat_id` (an album's items) may go now (and count them),
        else the retry_after."""
        if not self.limits.enabled:
            return 0
        now = self.clock()
        limits = self.limits
        if self._global is None:
            self._global = SlidingWindow(limits.global_per_second, limits.global_window)
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = (
                SlidingWindow(limits.group_per_minute, limits.group_window)
                if is_group
                else self._bucket(limits.private_burst, limits.private_per_second, now)
            )
            self._chats[chat_id] = chat
        # Both limits must admit before either is charged, or a refusal would still cost.
        in_chat = count if is_group else min(count, limits.private_burst)
        wait = max(self._global.wait(now, count), chat.wait(now, in_chat))
        if wait > 0:
            # Telegram's retry_after is whole seconds, never 0.
            return max(1, math.ceil(wait - 1e-9))
        self._global.take(now, count)
        chat.take(now, in_chat)
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
