"""Members exchange shifts: both seats move when the other accepts (and, where the unit asks
for it, only once the coordinator approves); with nothing to exchange for, the bot says so."""

from __future__ import annotations

import pytest

from tests.e2e.schedule import command, press_and_settle, shift, statuses
from tests.e2e.swap_fixtures import (
    CANCELLED,
    LABEL,
    SIGNED,
    SWAP_SETTINGS,
    last_offer,
    offers,
    open_swap,
    seat,
    town,
)
from tests.harness import Harness

EXCHANGE = "🔄 和别人互换班次"


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return dict(SWAP_SETTINGS)


async def test_exchange_moves_both_seats_when_the_other_accepts(harness: Harness) -> None:
    town_ = await town(harness)
    wang, zhang = town_.others
    later = await shift(harness, town_.post_id, start=17, end=19)
    theirs = await seat(harness, later, wang.user_id)
    later_label = "12月2日 周三 17:00–19:00 · 黄河路-人民路口"

    text = await open_swap(harness, town_.holder, EXCHANGE)
    assert f"1. {later_label} · 王芳" in text
    assert town_.holder.last().buttons() == ["1", "✖️ 取消"]
    # /cancel takes the choices off; one still shown (the edit not yet seen) proposes nothing.
    choices = town_.holder.last()
    first_choice = choices.button_data("1")
    assert first_choice is not None
    await command(harness, town_.holder, "cancel")
    assert (
        next(m for m in town_.holder.messages() if m.message_id == choices.message_id).buttons()
        == []
    )
    await town_.holder.press_data(first_choice, choices.message_id)
    await harness.settle()
    assert town_.holder.answered_callbacks[-1]["text"] == "这个按钮已失效，请重新打开菜单。"
    assert await offers(harness) == []

    await open_swap(harness, town_.holder, EXCHANGE)
    text = await press_and_settle(harness, town_.holder, "1")
    assert f"已向 王芳 提出互换：您的 {LABEL} 换对方的 {later_label}" in text
    await harness.deliver()
    assert "李明 想和您互换班次" in (wang.last().text or "")
    assert f"您接：{LABEL}" in (wang.last().text or "")

    text = await press_and_settle(harness, wang, "✅ 接受")
    assert f"换岗完成：现在由您负责 {LABEL}，原来的 {later_label} 已交给对方" in text
    assert await statuses(harness, town_.shift_id) == {
        town_.holder.user_id: CANCELLED,
        wang.user_id: SIGNED,
    }
    assert await statuses(harness, later) == {
        wang.user_id: CANCELLED,
        town_.holder.user_id: SIGNED,
    }
    await harness.deliver()
    assert f"现在由您负责 {later_label}" in (town_.holder.last().text or "")
    assert zhang.messages() == []
    offer = await last_offer(harness)
    assert offer.target_assignment_id == theirs


async def test_exchange_under_approval_moves_both_seats_only_when_approved(
    harness: Harness,
) -> None:
    town_ = await town(harness, approval=True)
    wang = town_.others[0]
    coordinator = town_.coordinator
    later = await shift(harness, town_.post_id, start=17, end=19)
    await seat(harness, later, wang.user_id)
    later_label = "12月2日 周三 17:00–19:00 · 黄河路-人民路口"
    await open_swap(harness, town_.holder, EXCHANGE)
    await press_and_settle(harness, town_.holder, "1")
    await harness.deliver()
    assert "正在等协调员审批" in await press_and_settle(harness, wang, "✅ 接受")
    # Nothing moves before the coordinator decides.
    assert await statuses(harness, town_.shift_id) == {town_.holder.user_id: SIGNED}
    assert await statuses(harness, later) == {wang.user_id: SIGNED}

    await harness.deliver()
    approval = coordinator.last().text or ""
    assert "换岗待审批（互换）" in approval and f"换成：{later_label}" in approval
    assert "发起人：李明（缺勤 0 次）" in approval and "接班人：王芳（缺勤 0 次）" in approval
    assert "陈协调 批准" in await press_and_settle(harness, coordinator, "✅ 批准")
    assert await statuses(harness, town_.shift_id) == {
        town_.holder.user_id: CANCELLED,
        wang.user_id: SIGNED,
    }
    assert await statuses(harness, later) == {
        wang.user_id: CANCELLED,
        town_.holder.user_id: SIGNED,
    }
    await harness.deliver()
    assert f"现在由您负责 {later_label}" in (town_.holder.last().text or "")
    assert f"现在由您负责 {LABEL}" in (wang.last().text or "")


async def test_exchange_with_nothing_to_exchange_for_says_so(harness: Harness) -> None:
    town_ = await town(harness)
    await command(harness, town_.holder, "my")
    await press_and_settle(harness, town_.holder, "🔁 换岗 1")
    await town_.holder.press(EXCHANGE)
    await harness.settle()
    assert town_.holder.answered_callbacks[-1]["text"] == "目前没有可以和这个班次互换的班次。"
    assert await offers(harness) == []
