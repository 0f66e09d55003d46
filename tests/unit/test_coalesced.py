"""Many callers served by one flush (bot/intake/coalesced.py, which batches the inbox's
writes): who arrives in the same loop turn shares a flush, and nobody waits for ever."""

from __future__ import annotations

import asyncio

import pytest

from bot.intake.coalesced import Coalesced


async def test_callers_of_one_loop_turn_share_one_flush() -> None:
    flushed: list[list[int]] = []

    async def flush(items: list[int]) -> None:
        flushed.append(items)

    coalesced: Coalesced[int] = Coalesced(flush)
    await asyncio.gather(*(coalesced.add(n) for n in range(5)))
    await coalesced.add(5)
    assert flushed == [[0, 1, 2, 3, 4], [5]]


async def test_a_failed_flush_fails_every_caller_of_its_batch() -> None:
    async def flush(_items: list[int]) -> None:
        raise OSError("disk full")

    coalesced: Coalesced[int] = Coalesced(flush)
    outcomes = await asyncio.gather(coalesced.add(1), coalesced.add(2), return_exceptions=True)
    assert [type(outcome) for outcome in outcomes] == [OSError, OSError]


async def test_the_others_of_a_batch_whose_flush_was_cancelled_do_not_wait_for_ever() -> None:
    started, release = asyncio.Event(), asyncio.Event()
    flushed: list[list[int]] = []

    async def flush(items: list[int]) -> None:
        flushed.append(items)
        started.set()
        await release.wait()

    coalesced: Coalesced[int] = Coalesced(flush)
    first = asyncio.create_task(coalesced.add(1))
    second = asyncio.create_task(coalesced.add(2))
    await started.wait()
    assert flushed == [[1, 2]]  # the second arrived in the first one's turn
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    with pytest.raises(RuntimeError, match="cancelled"):
        await asyncio.wait_for(second, timeout=5)
    # The next caller is served as usual.
    release.set()
    await asyncio.wait_for(coalesced.add(3), timeout=5)
    assert flushed == [[1, 2], [3]]
