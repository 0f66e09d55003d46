"""Many callers served by one flush: the inbox's writes of many updates, or of many answers
marked sent, go in one transaction."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Coalesced(Generic[T]):
    """Runs `flush` for many items at once: who arrives while a flush runs is served by the
    next one, together with everyone else who waited meanwhile (one transaction for many)."""

    def __init__(self, flush: Callable[[list[T]], Awaitable[None]]) -> None:
        self._flush = flush
        self._waiting: list[tuple[T, asyncio.Future[None]]] = []
        self._lock = asyncio.Lock()

    async def add(self, item: T) -> None:
        """Returns once `item` was flushed; raises what its flush raised."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        async with self._lock:
            if not future.done():
                # One turn of the loop first, so that whoever gets here in the same turn goes
                # in this flush: a flush that never waits (SQLite's write connection runs on
                # the loop's thread) would otherwise serve each caller alone.
                await asyncio.sleep(0)
                batch, self._waiting = self._waiting, []
                try:
                    await self._flush([waiting for waiting, _ in batch])
                except Exception as error:
                    for _, done in batch:
                        done.set_exception(error)
                except BaseException:
                    # This caller was cancelled halfway: the others of its batch hear of it
                    # rather than wait for ever (their items may or may not have gone in).
                    cancelled = RuntimeError("the flush of this batch was cancelled")
                    for _, done in batch:
                        if done is not future:
                            done.set_exception(cancelled)
                    raise
                else:
                    for _, done in batch:
                        done.set_result(None)
        await future
