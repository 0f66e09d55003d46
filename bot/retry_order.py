"""One chat's messages in the order they were queued, while one of them waits to be tried again
(bot/sender.py): a message retried with backoff ("chat not found" for a person, a timeout) holds
the messages queued after it for the same chat until its retry, so that none overtakes it once
Telegram answers again; other chats go on. Not the pacer's 429 pause: that one holds the direct
answers too, and a person writing to the bot (which ends a "chat not found") must be answered
at once. A hold ends early when its message is no longer pending (dropped meanwhile: a running
count superseded, a card closed), since nothing is left to keep the order with.

Kept in the sending process, as the pacer is: after a restart a later message may go before one
still waiting for its retry, within the one backoff that was under way."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass


@dataclass(frozen=True)
class _Hold:
    message_id: int
    until: float


class RetryHolds:
    """Chats held until the retry of their earliest message (times on the injected clock)."""

    def __init__(self) -> None:
        self._holds: dict[int, _Hold] = {}

    def hold(self, chat_id: int, message_id: int, until: float) -> None:
        self._holds[chat_id] = _Hold(message_id, until)

    def held_messages(self, now: float) -> list[int]:
        """The outbox ids of the messages chats wait behind now."""
        return sorted(held.message_id for held in self._holds.values() if held.until > now)

    def keep_only(self, pending: Collection[int]) -> None:
        """End the holds whose message is no longer pending."""
        for chat_id in [c for c, held in self._holds.items() if held.message_id not in pending]:
            del self._holds[chat_id]

    def held_chats(self, now: float) -> list[int]:
        """The chats none of whose messages may be claimed now."""
        return sorted(chat_id for chat_id, held in self._holds.items() if held.until > now)

    def forget_past(self, now: float) -> None:
        for chat_id in [c for c, held in self._holds.items() if held.until <= now]:
            del self._holds[chat_id]
