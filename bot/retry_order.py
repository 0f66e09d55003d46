"""One chat's messages in the order they were queued, while one of them waits to be tried again
(bot/sender.py): a message retried with backoff ("chat not found" for a person, a timeout) holds
the messages queued after it for the same chat until its retry, so that none overtakes it once
Telegram answers again; other chats go on. Not the pacer's 429 pause: that one holds the direct
answers too, and a person writing to the bot (which ends a "chat not found") must be answered
at once.

Kept in the sending process, as the pacer is: after a restart a later message may go before one
still waiting for its retry, within the one backoff that was under way."""

from __future__ import annotations

from collections.abc import Sequence


class RetryHolds:
    """Chats held until the retry of their earliest message (times on the injected clock)."""

    def __init__(self) -> None:
        self._until: dict[int, float] = {}

    def hold(self, chat_id: int, until: float) -> None:
        self._until[chat_id] = max(self._until.get(chat_id, 0.0), until)

    def wait(self, chat_id: int, now: float) -> float:
        """Seconds until the chat's messages may go again (0: not held)."""
        return max(self._until.get(chat_id, 0.0) - now, 0.0)

    def free(self, chat_ids: Sequence[int], now: float) -> list[bool]:
        """Which of these chats' messages may be claimed now."""
        return [self.wait(chat_id, now) == 0.0 for chat_id in chat_ids]

    def forget_past(self, now: float) -> None:
        for chat_id in [c for c, until in self._until.items() if until <= now]:
            del self._until[chat_id]
