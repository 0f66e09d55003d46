"""Deterministic interleaving for race tests: a gate holds one transaction at a chosen point
(the first call of a service function) while the test lets another chat or a due job act on
the same rows, then lets the first one go on.

On SQLite the held transaction keeps the process's one write connection, so the other side
simply waits its turn (the gate's wait runs out and releases it); on PostgreSQL both run at
once, as two processes' or two chats' transactions do in production.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

OTHER_SIDE_SECONDS = 2.0


class Gate:
    """Holds call number `nth` of `module.name` until `release()`: before the call, or with
    `after`, once it has returned (a check made, its answer not yet acted on)."""

    def __init__(
        self,
        monkeypatch: pytest.MonkeyPatch,
        module: Any,
        name: str,
        *,
        nth: int = 1,
        after: bool = False,
    ) -> None:
        original = getattr(module, name)
        self.reached = asyncio.Event()
        self._open = asyncio.Event()
        self.calls = 0

        async def held(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            result = await original(*args, **kwargs) if after else None
            if self.calls == nth:
                self.reached.set()
                await self._open.wait()
            return result if after else await original(*args, **kwargs)

        monkeypatch.setattr(module, name, held)

    async def wait_reached(self, timeout: float = 10.0) -> None:
        await asyncio.wait_for(self.reached.wait(), timeout)

    def release(self) -> None:
        self._open.set()


async def until(condition: Callable[[], bool], timeout: float = OTHER_SIDE_SECONDS) -> bool:
    """Whether `condition` came true within `timeout` (False when the other side is waiting
    for a lock the held transaction has, which is the behaviour a fix brings)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if condition():
            return True
        await asyncio.sleep(0.005)
    return condition()
