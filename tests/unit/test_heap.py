"""What start-up built is kept out of the collector's full passes (bot/heap.py)."""

from __future__ import annotations

import gc

from bot.heap import freeze_start_up, thaw


def _seen_by_collector(item: object) -> bool:
    return any(tracked is item for tracked in gc.get_objects())


def test_start_up_objects_are_frozen_then_given_back() -> None:
    start_up = [object()]
    try:
        assert freeze_start_up() == gc.get_freeze_count() > 0
        assert not _seen_by_collector(start_up)
        assert _seen_by_collector([object()])  # made after start-up: collected as usual
    finally:
        thaw()
    assert gc.get_freeze_count() == 0
    assert any(tracked is start_up for tracked in gc.get_objects(2))
