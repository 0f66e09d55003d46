"""A range of days typed or pasted at /broadcast with invisible marks in it (a zero-width
space, a word joiner, a direction mark) is read as the range they surround, as /unavailable
reads one, not refused as unreadable."""

from __future__ import annotations

import datetime as dt

from bot.db.models import Dialogue, Role
from tests.e2e.schedule import DAY, command, person, post, shift, unit
from tests.harness import Harness


async def test_a_range_with_invisible_marks_is_read_without_them(harness: Harness) -> None:
    unit_id = await unit(harness)
    await shift(harness, await post(harness, unit_id), DAY + dt.timedelta(days=1))
    coordinator = await person(harness, 9601, unit_id, "王协调", role=Role.COORDINATOR)
    await person(harness, 9602, unit_id, "甲")
    await command(harness, coordinator, "broadcast")
    await coordinator.send_text("\ufeff12-01\u200b \u2060 12\u200e-07\u200b")
    await harness.settle()
    assert (coordinator.last().text or "").startswith(
        "2026年12月1日 至 2026年12月7日：1 个班次，将发给 1 名志愿者"
    )
    assert coordinator.last().buttons() == ["📤 发送", "✖️ 取消"]
    assert await harness.count(Dialogue) == 1
