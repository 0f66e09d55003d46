"""A swap refused for a rule of the other party (a clash, no-shows) is worded for the reader:
whoever reads that someone else cannot take a shift is told whose shift clashes, never "you",
and whoever is refused for their own rule reads it addressed to them."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.db.models import AssignmentStatus
from tests.e2e.schedule import DAY, command, post, press_and_settle, shift, statuses
from tests.e2e.swap_fixtures import last_offer, seat, town
from tests.harness import Harness

TOMORROW = DAY + dt.timedelta(days=1)
EXCHANGE = "🔄 和别人互换班次"
CLASH_LABEL = "12月2日 周三 16:00–18:00 · 人民路-解放路口"


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"no_show_block_after": 2}


async def test_accepting_an_exchange_the_offerer_can_no_longer_take_names_the_offerer(
    harness: Harness,
) -> None:
    """李明 offers 王芳 his 07:00 seat for her 17:00 one, then signs up for a 16:00–18:00 shift
    elsewhere. 王芳 accepts: she reads that 李明 cannot take her shift because 李明 holds the
    16:00 shift, not that she does. Nothing changes."""
    town_ = await town(harness)
    li, wang = town_.holder, town_.others[0]
    later = await shift(harness, town_.post_id, start=17, end=19)
    await seat(harness, later, wang.user_id)
    await command(harness, li, "my")
    await press_and_settle(harness, li, "🔁 换岗 1")
    await press_and_settle(harness, li, EXCHANGE)
    await press_and_settle(harness, li, "1")
    await harness.deliver()
    clashing = await shift(
        harness, await post(harness, town_.unit_id, "人民路-解放路口"), start=16, end=18
    )
    await seat(harness, clashing, li.user_id)

    await wang.press("✅ 接受")
    await harness.settle()
    answer = wang.answered_callbacks[-1]["text"]
    assert answer == f"李明 不能接这个班次：时间冲突：李明 同一时间已报名 {CLASH_LABEL}。", answer
    assert "您" not in answer
    assert await statuses(harness, later) == {wang.user_id: AssignmentStatus.SIGNED_UP}
    assert (await last_offer(harness)).status.value == "pending"


async def test_a_coordinator_reads_whose_no_shows_keep_the_taker_off(harness: Harness) -> None:
    """With approval on, 王芳 accepts 李明's hand-over, then misses two shifts. The coordinator
    pressing ✅ 批准 reads that 王芳 has two no-shows, not that they have."""
    town_ = await town(harness, approval=True)
    wang, coordinator = town_.others[0], town_.coordinator
    await command(harness, town_.holder, "my")
    await press_and_settle(harness, town_.holder, "🔁 换岗 1")
    await press_and_settle(harness, town_.holder, "👤 请指定的人代班")
    await town_.holder.send_text("王芳")
    await harness.settle()
    await harness.deliver()
    await press_and_settle(harness, wang, "✅ 接受")
    await harness.deliver()
    past = await post(harness, town_.unit_id, "人民路-解放路口")
    for day in (1, 2):
        missed = await shift(harness, past, DAY - dt.timedelta(days=day))
        await seat(harness, missed, wang.user_id, AssignmentStatus.ABSENT)

    await coordinator.press("✅ 批准")
    await harness.settle()
    answer = coordinator.answered_callbacks[-1]["text"]
    assert answer.startswith("王芳 不能接这个班次：王芳 有 2 次报名后未到岗"), answer
    assert "您" not in answer
    assert await statuses(harness, town_.shift_id) == {
        town_.holder.user_id: AssignmentStatus.SIGNED_UP
    }
