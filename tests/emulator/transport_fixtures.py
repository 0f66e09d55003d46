"""Waiting, bounded, for something a transport loop does in the background (a long poll, a
webhook, a loop a real process runs)."""

from __future__ import annotations

import asyncio


async def eventually(condition: object, what: str, timeout: float = 10.0) -> None:
    """Wait for `condition()` with short awaits, bounded so a failure cannot hang."""
    assert callable(condition)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.01)
