"""A shift whose end the coordinator changes, its start left as it was, is a shift at another
time too: whoever an offer of its seat was put to agreed to the old hours, so the offer is off
and a press on it takes nothing (as when the start moves)."""

from __future__ import annotations

import pytest

from bot.db.models import AssignmentStatus, SwapStatus
from tests.e2e.schedule import command, press_and_settle, statuses
from tests.e2e.swap_fixtures import GIVE_AWAY, SWAP_SETTINGS, last_offer, town
from tests.harness import Harness


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return dict(SWAP_SETTINGS)


async def test_a_give_away_is_off_when_the_coordinator_lengthens_the_shift(
    harness: Harness,
) -> None:
    """李明 gives his 07:00–09:00 seat away; 王芳 reads the offer of 07:00–09:00. The
    coordinator makes the shift 07:00–11:00. The offer is off, 李明 is told the swap made for
    the old time no longer stands, and 王芳's press of 🙋 我来接 does not hand her four hours she
    never agreed to."""
    town_ = await town(harness)
    li, wang, coordinator = town_.holder, town_.others[0], town_.coordinator
    await command(harness, li, "my")
    await press_and_settle(harness, li, "🔁 换岗 1")
    await press_and_settle(harness, li, GIVE_AWAY)
    await harness.deliver()
    assert "12月2日 周三 07:00–09:00" in (wang.last().text or "")

    await command(harness, coordinator, "posts")
    await coordinator.press_data(f"se.t:{town_.shift_id}", coordinator.last().message_id)
    await harness.settle()
    await coordinator.send_text("07:00-11:00")
    await harness.settle()
    await harness.deliver()

    assert (await last_offer(harness)).status is SwapStatus.VOID
    assert any("班次时间改了，原来的换岗不再算数" in text for text in li.texts())
    await wang.press("🙋 我来接")
    await harness.settle()
    assert wang.answered_callbacks[-1]["text"] == "这个换岗已失效：班次已有变动。"
    assert await statuses(harness, town_.shift_id) == {li.user_id: AssignmentStatus.SIGNED_UP}
