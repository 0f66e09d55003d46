"""getUpdates as Telegram answers it: a long poll that a newer one ends, that the webhook
forbids, and that the emulator's stop answers with no updates."""

from __future__ import annotations

import asyncio

from bot.emulator.params import ApiError, Params
from bot.emulator.state import JSON, World

CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
CONFLICT_POLLING = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)


class LongPolls:
    """The getUpdates calls being answered; `active` counts those still to write an answer."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.active = 0
        self.closing = False
        self._generation = 0

    async def get_updates(self, params: Params) -> list[JSON]:
        self.active += 1
        try:
            return await self._get_updates(params)
        finally:
            self.active -= 1

    async def _get_updates(self, params: Params) -> list[JSON]:
        updates = self.world.updates
        if self.world.webhook_url:
            raise ApiError(409, CONFLICT_WEBHOOK)
        # A newer poll ends an older one, as on Telegram; see the generation check below.
        self._generation += 1
        generation = self._generation
        updates.wake_all()
        offset = params.int_or_none("offset")
        limit = min(max(params.int_or_none("limit") or 100, 1), 100)
        timeout = max(params.number_or_none("timeout") or 0.0, 0.0)
        allowed = params.structured("allowed_updates")
        if isinstance(allowed, list):
            updates.allowed = frozenset(str(name) for name in allowed) or None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if offset is not None:
                updates.confirm(offset)
            if self.closing:
                return []
            batch = updates.take(limit)
            if batch:
                return batch
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            await updates.wait(remaining)
            if generation != self._generation:
                raise ApiError(409, CONFLICT_POLLING)

    def end(self) -> None:
        """Answer the pending long polls, and any to come, with no updates."""
        self.closing = True
        self.world.updates.wake_all()

    async def drained(self) -> None:
        """Wait, up to two seconds, for the woken polls to write their answers."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 2.0
        while self.active and loop.time() < deadline:  # noqa: ASYNC110 - a counter, no event
            await asyncio.sleep(0.005)
