"""A typed /broadcast range that runs backwards or too long is asked for again as the step's
prompt, its choices below it, as an unreadable or past one is: the question before loses its
buttons, one ✖️ is left, and nothing is sent."""

from __future__ import annotations

import datetime as dt

from bot.db.models import Broadcast, Dialogue, OutboxMessage, Role
from bot.emulator import SentMessage, SimUser
from tests.e2e.schedule import DAY, command, person, post, shift, unit
from tests.harness import Harness

CANCEL = "✖️ 取消"
TOMORROW = "📅 明天的班次"


def _live(user: SimUser) -> list[SentMessage]:
    return [m for m in user.messages() if m.buttons()]


async def test_a_range_too_long_or_backwards_is_asked_again_with_the_choices(
    harness: Harness,
) -> None:
    unit_id = await unit(harness)
    await shift(harness, await post(harness, unit_id), DAY + dt.timedelta(days=1))
    coordinator = await person(harness, 9621, unit_id, "王协调", role=Role.COORDINATOR)
    await person(harness, 9622, unit_id, "甲")
    await command(harness, coordinator, "broadcast")
    refusal = (
        "没看懂日期范围：开始日期不能晚于结束日期，最多 62 天。"
        "请输入如「12-01 12-07」，或点下面的按钮。"
    )
    for typed in ("12-01 2027-03-01", "12-05 12-03"):
        await coordinator.send_text(typed)
        await harness.settle()
        again = coordinator.last()
        assert again.text == refusal, typed
        assert TOMORROW in again.buttons() and CANCEL in again.buttons()
        assert _live(coordinator) == [again], typed
    async with harness.session() as session:
        dialogue = await session.get(Dialogue, coordinator.user_id)
        assert dialogue is not None and dialogue.step == "what"
    await command(harness, coordinator, "cancel")
    assert _live(coordinator) == []
    assert await harness.count(Broadcast) == 0 and await harness.count(OutboxMessage) == 0
