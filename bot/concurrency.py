"""Concurrent across chats, in order within a chat (DESIGN principle 9)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

# Updates of many chats in flight at once (their Bot API calls queue in bot/request.py).
MAX_CONCURRENT_UPDATES = 64


def chat_key(update: object) -> int | None:
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return update.effective_chat.id
        if update.effective_user is not None:
            return update.effective_user.id
    return None


class ChatOrderedUpdateProcessor(BaseUpdateProcessor):
    """Runs updates of different chats concurrently and those of one chat strictly in order.

    PTB starts one task per update in arrival order; both the semaphore of the base class and
    ``asyncio.Lock`` wake waiters first-come first-served, so a chat's lock is taken in the
    order its updates arrived. `after` runs once the update was processed, still in its chat's
    turn (the inbox marks an update no handler took as done there); `on_done` is told last.
    """

    def __init__(
        self,
        max_concurrent_updates: int = MAX_CONCURRENT_UPDATES,
        on_done: Callable[[object], None] | None = None,
        after: Callable[[object], Awaitable[None]] | None = None,
    ) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}
        self._on_done = on_done
        self.after = after

    async def _process(self, update: object, coroutine: Awaitable[Any]) -> None:
        try:
            await coroutine
        finally:
            if self.after is not None:
                await self.after(update)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = chat_key(update)
        try:
            if key is None:
                await self._process(update, coroutine)
                return
            lock = self._locks.setdefault(key, asyncio.Lock())
            self._waiting[key] = self._waiting.get(key, 0) + 1
            try:
                async with lock:
                    await self._process(update, coroutine)
            finally:
                self._waiting[key] -= 1
                if self._waiting[key] == 0:
                    # Forget idle chats so a city of volunteers does not pin a lock each.
                    del self._waiting[key]
                    del self._locks[key]
        finally:
            if self._on_done is not None:
                self._on_done(update)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None
