"""A member who accepted a hand-over and then presses ✖️ 拒绝 on another copy of the question
(the notice, after accepting from /swaps) is told that they took it themselves, not that
someone else did; nothing changes."""

from __future__ import annotations

from bot.db.models import AssignmentStatus, SwapStatus
from tests.e2e.schedule import command, press_and_settle, statuses
from tests.e2e.swap_fixtures import HAND_OVER, last_offer, town
from tests.harness import Harness


async def test_declining_a_hand_over_already_accepted_says_it_is_yours(harness: Harness) -> None:
    """李明 hands his 07:00 seat over to 王芳. She accepts it from /swaps, then presses
    ✖️ 拒绝 on the question she was sent: she reads that she has taken it already; the seat
    stays hers."""
    town_ = await town(harness)
    li, wang = town_.holder, town_.others[0]
    await command(harness, li, "my")
    await press_and_settle(harness, li, "🔁 换岗 1")
    await press_and_settle(harness, li, HAND_OVER)
    await li.send_text("王芳")
    await harness.settle()
    await harness.deliver()
    question = wang.last().message_id
    await command(harness, wang, "swaps")
    await press_and_settle(harness, wang, "✅ 接受 1")

    await wang.press("✖️ 拒绝", question)
    await harness.settle()
    assert wang.answered_callbacks[-1]["text"] == "您已经接下了这个换岗。"
    assert (await last_offer(harness)).status is SwapStatus.COMPLETED
    assert await statuses(harness, town_.shift_id) == {
        li.user_id: AssignmentStatus.CANCELLED,
        wang.user_id: AssignmentStatus.SIGNED_UP,
    }
