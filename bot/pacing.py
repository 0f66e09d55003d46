"""How fast the sender may write to Telegram, per chat and overall.

Telegram allows about 30 messages a second overall, about one a second to one private chat
(a short burst is tolerated) and 20 a minute to one group. PTB's AIORateLimiter applies one
global limiter and pauses every request on any 429; dutybot needs one 429 to pause only the
chat it concerns, and needs to know *when* a chat will be free so the sender can go on with
other chats meanwhile instead of sleeping. Hence this small planner rather than a limiter that
blocks inside each request: the sender asks `delay()` before each send and skips what must wait.

The overall limit is a sliding window: at most `global_per_second` messages leave in any one
second. (A token bucket would let its burst go on top of the rate: with a burst of 20 on 30 a
second, 50 could leave within one second.) A process that starts sending waits one window
first (`Sender.start_pause`): the process before it may have sent a full second's worth just
before it died, and Telegram counts per bot, not per process. A message counts from when it
leaves until its request is answered and a window after: Telegram counts it when the request
reaches it, and a request that waited on the way (a slow connection, the HTTP client's queue)
must not arrive among the next window's messages. A group's limit is a sliding window
too, of a minute: a bucket refilling at 20 a minute on top of a burst would let nearly twice
that go within the first minute. Per private chat, a short burst is fine (token buckets).

An album counts one message per item, as Telegram counts it (its items are sent as messages of
their own): it needs room for all of them overall and in a group, and to a private chat it
needs a full burst and empties Telegram's, one more than ours (an album of ten goes to a person
at once).

The direct answers to people's updates (bot/answers.py) are counted in the same pacer (one per
process, `Runtime.pacer`) in the overall limit: they never wait for room, but they take it, and
the sender leaves it. They are not counted in their chat's pace: the person is writing to the
bot, and a notice for them waiting on the answers of their own dialogue would only come later.
A 429 is another matter, whoever met it: Telegram refuses everything to that chat until its
`retry_after`, so an answer's 429 pauses the chat for the sender, and an outbox 429 for the
answers (`paused`). A button's answer names no chat: Telegram limits answers per person, so its
429 holds that person's answers and their private chat, whose id is theirs (`pause_answers`);
only a 429 that names no one at all holds every chat.

Times are seconds on the injected clock, so tests move through pacing with the clock.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

# The overall limit counts the messages of any window of this many seconds.
GLOBAL_WINDOW = 1.0
# A group's limit counts the messages of any window of this many seconds.
GROUP_WINDOW = 60.0
# A moment this far before what was counted means the clock was set back (a test's clock, or
# the system's): what was counted "later" no longer holds anything back, as for the emulator.
# (Less than this is a caller's moment read a little before another's count, and counts.)
SET_BACK = GROUP_WINDOW


@dataclass(frozen=True)
class Rates:
    """Telegram's rates. Per chat, bursts are kept below what Telegram tolerates: requests reach
    Telegram a little sooner or later than they leave here (latency varies), and the spare tokens
    absorb that, so the pace never earns a 429 (bench/sender.py measures it)."""

    global_per_second: int = 30
    private_per_second: float = 1.0
    # One below Telegram's 3 (the emulator's): an album to a person empties Telegram's burst.
    private_burst: float = 2.0
    # Telegram's 20, less two for latency: a send may reach Telegram in the next minute.
    group_per_minute: int = 18


class _ChatPace(Protocol):
    def delay(self, now: float, messages: int = 1) -> float: ...

    def allows(self, now: float, messages: int) -> bool: ...

    def take(self, now: float, messages: int = 1) -> _Send | None: ...

    def idle(self, now: float) -> bool: ...


@dataclass
class _Bucket:
    capacity: float
    rate: float
    tokens: float
    updated: float

    def refill(self, now: float) -> None:
        if now < self.updated - SET_BACK:
            self.tokens, self.updated = self.capacity, now
        elif now > self.updated:
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
            self.updated = now

    def delay(self, now: float, messages: int = 1) -> float:
        """Seconds until `messages` messages may go (0 when they may now)."""
        self.refill(now)
        if self.tokens >= messages:
            return 0.0
        return _ceil_ms((messages - self.tokens) / self.rate)

    def allows(self, now: float, messages: int) -> bool:
        """Whether `messages` may go together now."""
        return self.delay(now, messages) == 0.0

    def take(self, now: float, messages: int = 1) -> None:
        self.refill(now)
        self.tokens -= messages

    def idle(self, now: float) -> bool:
        """Full again: forgetting it changes nothing."""
        self.refill(now)
        return self.tokens >= self.capacity


def _ceil_ms(seconds: float) -> float:
    """Whole milliseconds up: a wait of nanoseconds would not move a clock of microseconds."""
    return math.ceil(seconds * 1000.0 - 1e-6) / 1000.0


@dataclass
class _Send:
    """Messages counted in a window from `at`: the moment they went, or, once their request
    is answered, the moment it was (`open` until then: they stay in the window meanwhile)."""

    at: float
    count: int
    open: bool = False


def _live(at: float, now: float, span: float) -> bool:
    """Whether a send counted at `at` is still in a window of `span` seconds at `now`."""
    return now - span < at <= now + SET_BACK


@dataclass
class _Window:
    """At most `limit` sends in any `span` seconds. A send whose request is still under way
    holds its place; once answered, it counts from the answer's moment. Telegram counts a
    message when the request reaches it, which may be later than it left here (a slow
    connection, a request queued in the HTTP client): counting it to the answer, which comes
    after, keeps every window of Telegram's within the limit whatever the latency."""

    limit: int
    span: float = GLOBAL_WINDOW
    sends: list[_Send] = field(default_factory=list)

    def _expire(self, now: float) -> None:
        if any(not send.open and not _live(send.at, now, self.span) for send in self.sends):
            self.sends = [s for s in self.sends if s.open or _live(s.at, now, self.span)]

    def _used(self) -> int:
        return sum(send.count for send in self.sends)

    def room(self, now: float) -> int:
        self._expire(now)
        return max(0, self.limit - self._used())

    def allows(self, now: float, messages: int) -> bool:
        """Whether `messages` may go together now (never more than the limit)."""
        return self.room(now) >= messages

    def delay(self, now: float, messages: int = 1) -> float:
        """Seconds until `messages` (at most the limit) may go together (0 when they may now)."""
        wanted = max(1, min(messages, self.limit))
        self._expire(now)
        # The oldest sends that must leave the window before `wanted` fit in it.
        over = self._used() + wanted - self.limit
        if over <= 0:
            return 0.0
        for send in sorted((s for s in self.sends if not s.open), key=lambda s: s.at):
            over -= send.count
            if over <= 0:
                return _ceil_ms(send.at + self.span - now)
        # Sends still under way must be answered first: a window from now at the least.
        return self.span

    def take(self, now: float, messages: int = 1) -> _Send:
        # What left the window goes first: in a process whose sender stands by, only the
        # direct answers come here, and nothing else would ever drop them.
        self._expire(now)
        send = _Send(now, messages, open=True)
        self.sends.append(send)
        return send

    def idle(self, now: float) -> bool:
        """Empty: forgetting it changes nothing."""
        self._expire(now)
        return not self.sends


@dataclass(frozen=True)
class Ticket:
    """A send under way: its places in the windows, until `Pacer.answered`."""

    sends: tuple[_Send, ...]


def _in_chat(pace: _ChatPace, messages: int) -> int:
    """What an album of `messages` items needs of its chat's pace to go: all of them in a
    group; to a person, at most the burst (an album of ten goes to a person at once)."""
    if isinstance(pace, _Bucket):
        return min(messages, max(1, math.floor(pace.capacity)))
    return messages


def _in_chat_taken(pace: _ChatPace, messages: int) -> int:
    """What an album of `messages` items takes of its chat's pace once it went. To a person it
    empties Telegram's burst, which is one more than ours (Rates): it takes one more than it
    needed, and the chat's next album waits until Telegram's burst is full again too."""
    needed = _in_chat(pace, messages)
    if isinstance(pace, _Bucket) and messages > needed:
        return needed + 1
    return needed


def is_group(chat_id: int) -> bool:
    """Groups, supergroups and channels have negative ids in the Bot API."""
    return chat_id < 0


@dataclass
class Pacer:
    rates: Rates = field(default_factory=Rates)
    _global: _Window | None = None
    _chats: dict[int, _ChatPace] = field(default_factory=dict)
    _paused_until: dict[int, float] = field(default_factory=dict)
    _all_paused_until: float = 0.0

    def _window(self, now: float) -> _Window:
        if self._global is None:
            self._global = _Window(self.rates.global_per_second)
        return self._global

    def _chat_pace(self, chat_id: int, now: float) -> _ChatPace:
        pace = self._chats.get(chat_id)
        if pace is None:
            rates = self.rates
            if is_group(chat_id):
                pace = _Window(rates.group_per_minute, GROUP_WINDOW)
            else:
                pace = _Bucket(
                    rates.private_burst, rates.private_per_second, rates.private_burst, now
                )
            self._chats[chat_id] = pace
        return pace

    def chat_delay(self, chat_id: int, now: float, messages: int = 1) -> float:
        """Seconds until this chat may receive another message, or an album of `messages`
        items (0 when it may now)."""
        pace = self._chat_pace(chat_id, now)
        return max(self.paused(chat_id, now), pace.delay(now, _in_chat(pace, messages)))

    def paused(self, chat_id: int | None, now: float) -> float:
        """Seconds a 429 still holds this chat back (0 when none does); `chat_id` None: only
        what holds back everything. Direct answers wait this out: they take no part in a
        chat's pace, but Telegram refuses anything to a chat it told to wait."""
        until = self._all_paused_until
        if chat_id is not None:
            until = max(until, self._paused_until.get(chat_id, 0.0))
        return max(until - now, 0.0)

    def delay(self, chat_id: int, now: float, messages: int = 1) -> float:
        """Seconds until a message (an album of `messages` items) to this chat may go out,
        counting the overall limit."""
        return max(self.chat_delay(chat_id, now, messages), self._window(now).delay(now, messages))

    def room(self, now: float) -> int:
        """How many messages the overall limit lets go at once now."""
        return self._window(now).room(now)

    def room_delay(self, now: float, messages: int) -> float:
        """Seconds until the overall limit lets `messages` (at most a window's worth) go at
        once."""
        return self._window(now).delay(now, messages)

    def fits(
        self, chat_ids: Sequence[int], now: float, sizes: Sequence[int] | None = None
    ) -> list[bool]:
        """Which of these messages, one per chat id in the order given, the pacing lets go
        now, none taken yet: within the overall room, a chat's first ones while its pace (and
        any 429 pause) allows; from its first that must wait on, none of that chat's.
        `sizes`: how many messages Telegram counts for each (an album's items; 1 if None)."""
        room = self.room(now)
        taken: dict[int, int] = {}
        stopped: set[int] = set()
        fitting: list[bool] = []
        for index, chat_id in enumerate(chat_ids):
            size = sizes[index] if sizes is not None else 1
            pace = self._chat_pace(chat_id, now)
            wanted = taken.get(chat_id, 0) + _in_chat(pace, size)
            fit = (
                room >= size
                and chat_id not in stopped
                and self.chat_delay(chat_id, now) == 0.0
                and pace.allows(now, wanted)
            )
            if fit:
                room -= size
                taken[chat_id] = wanted
            else:
                stopped.add(chat_id)
            fitting.append(fit)
        return fitting

    def take(self, chat_id: int, now: float, messages: int = 1) -> None:
        """Count a message, or an album of `messages` items, as sent now."""
        self.answered(self.start(chat_id, now, messages), now)

    def start(self, chat_id: int | None, now: float, messages: int = 1) -> Ticket:
        """Count a message, or an album of `messages` items, as leaving now and under way
        until `answered`: meanwhile it holds its place in the windows. `chat_id` None: in the
        overall limit only (a direct answer, bot/answers.py)."""
        overall = self._window(now).take(now, messages)
        if chat_id is None:
            return Ticket((overall,))
        pace = self._chat_pace(chat_id, now)
        in_chat = pace.take(now, _in_chat_taken(pace, messages))
        return Ticket(tuple(send for send in (overall, in_chat) if send is not None))

    def answered(self, ticket: Ticket, now: float) -> None:
        """The request of `ticket` was answered (or failed) at `now`: Telegram had it by then,
        so its windows count it from then on."""
        for send in ticket.sends:
            if send.open:
                send.at = max(send.at, now)
                send.open = False

    def pause(self, chat_id: int | None, until: float) -> None:
        """A 429: only the chat it concerns waits, or everything when it named no chat."""
        if chat_id is None:
            self._all_paused_until = max(self._all_paused_until, until)
        else:
            self._paused_until[chat_id] = max(self._paused_until.get(chat_id, 0.0), until)

    def pause_answers(self, user_id: int, until: float) -> None:
        """A 429 on a button's answer to `user_id`: their further answers wait, and so does
        their private chat, since its id is theirs; every other chat goes on."""
        self.pause(user_id, until)

    def forget_idle(self, now: float) -> None:
        """Drop the paces of idle chats so a city's worth of chats does not stay in memory."""
        for chat_id in [c for c, pace in self._chats.items() if pace.idle(now)]:
            del self._chats[chat_id]
        for chat_id in [c for c, until in self._paused_until.items() if until <= now]:
            del self._paused_until[chat_id]
