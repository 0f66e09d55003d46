"""A notice the quiet hours hold overnight says at 07:00 what is true at 07:00: it is drawn again
from the database when it goes out (bot/redraw.py), not read as it was written the evening
before. The shift's new time, the seats still held, the leave asked meanwhile."""

from __future__ import annotations

from bot.db.models import OutboxStatus
from tests.e2e.rostering_fixtures import TOMORROW
from tests.e2e.schedule import DAY, at, command, outbox_to, press_and_settle
from tests.e2e.test_signup import _promoted_at_23_00
from tests.harness import Harness

OLD, NEW = "12:00–14:00", "13:00–15:00"


async def test_a_promotion_held_until_07_00_names_the_time_the_shift_was_moved_to(
    harness: Harness,
) -> None:
    """乙 moved up at 23:00 to tomorrow's 12:00–14:00 seat; the word of it waits for 07:00. At
    23:30 the coordinator moves the shift to 13:00–15:00. At 07:00 乙 reads that the seat at
    13:00–15:00 is theirs, never the old time, and the outbox keeps what was sent."""
    _, coordinator, _, second = await _promoted_at_23_00(harness)
    harness.clock.set(at(DAY, 23, 30))
    await command(harness, coordinator, "roster", "12-02")
    await press_and_settle(harness, coordinator, "⚙️ 12:00 黄河路-人民路口")
    await press_and_settle(harness, coordinator, "🕒 时间")
    await coordinator.send_text("13:00-15:00")
    await harness.settle()
    assert "已更新" in "".join(coordinator.texts()[-3:]), coordinator.texts()[-3:]
    await harness.deliver()
    assert not any("候补转正" in text for text in second.texts())
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    [told] = [text for text in second.texts() if "候补转正" in text]
    assert NEW in told and OLD not in told, told
    # The way out said as of 07:00: the cancel cut-off (01:00) has passed, a swap has not.
    assert told.endswith(
        "离开始已不到 12 小时，不能自行取消了；来不了请用 /swap 换岗，或告诉协调员。"
    )
    [row] = [
        row
        for row in await outbox_to(harness, second.user_id)
        if row.idempotency_key.startswith("waitlist-promoted:")
    ]
    assert row.status is OutboxStatus.SENT
    assert NEW in row.payload["text"] and OLD not in row.payload["text"]

