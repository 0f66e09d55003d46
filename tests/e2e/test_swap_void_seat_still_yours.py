"""A swap called off because the other side went away (their seat given up, or they left the
unit) tells whoever still holds their own seat in it that the shift is still theirs: not that
"its seat changed, nothing more to do", which, naming their own shift, reads as if they were
off it and need not go."""

from __future__ import annotations

from sqlalchemy import update

from bot.db.models import Assignment, AssignmentStatus, SwapStatus
from tests.e2e.schedule import command, press_and_settle, shift, statuses
from tests.e2e.swap_fixtures import HAND_OVER, LABEL, last_offer, seat, town
from tests.harness import Harness

EXCHANGE = "🔄 和别人互换班次"
CALLED_OFF = f"🔁 换岗取消了（{LABEL}）"
STILL_YOURS = "仍由您负责，请照常上岗"


async def test_an_exchange_whose_other_seat_was_given_up_tells_the_offerer_his_shift_stands(
    harness: Harness,
) -> None:
    """李明 offers 王芳 his 07:00 seat for her 17:00 one; she gives her 17:00 seat up in /my
    instead. At the next tick the exchange is off: 李明 reads that his 07:00 shift is still
    his, to be on post as planned; 王芳, whose seat went, reads the swap is off."""
    town_ = await town(harness)
    li, wang = town_.holder, town_.others[0]
    later = await shift(harness, town_.post_id, start=17, end=19)
    await seat(harness, later, wang.user_id)
    await command(harness, li, "my")
    await press_and_settle(harness, li, "🔁 换岗 1")
    await press_and_settle(harness, li, EXCHANGE)
    await press_and_settle(harness, li, "1")
    await harness.deliver()
    await command(harness, wang, "my")
    await press_and_settle(harness, wang, "✖️ 取消 1")
    await press_and_settle(harness, wang, "是，取消")

    await harness.tick()
    await harness.deliver()
    assert (await last_offer(harness)).status is SwapStatus.VOID
    [said] = [text for text in li.texts() if text.startswith(CALLED_OFF)]
    assert STILL_YOURS in said and "被移出" not in said, said
    [hers] = [text for text in wang.texts() if text.startswith(CALLED_OFF)]
    assert STILL_YOURS not in hers, hers
    assert await statuses(harness, town_.shift_id) == {li.user_id: AssignmentStatus.SIGNED_UP}


async def test_a_hand_over_whose_taker_left_the_unit_tells_the_offerer_his_shift_stands(
    harness: Harness,
) -> None:
    """李明 hands his 07:00 seat over to 王芳, who leaves the unit from /me before answering:
    李明 reads that the swap is off and that the shift is still his."""
    town_ = await town(harness)
    li, wang = town_.holder, town_.others[0]
    await command(harness, li, "my")
    await press_and_settle(harness, li, "🔁 换岗 1")
    await press_and_settle(harness, li, HAND_OVER)
    await li.send_text("王芳")
    await harness.settle()
    await harness.deliver()
    await command(harness, wang, "me")
    await press_and_settle(harness, wang, "🚪 退出本单位")
    await press_and_settle(harness, wang, "是，退出本单位")

    await harness.deliver()
    assert (await last_offer(harness)).status is SwapStatus.VOID
    [said] = [text for text in li.texts() if text.startswith(CALLED_OFF)]
    assert STILL_YOURS in said and "被移出" not in said, said
    assert await statuses(harness, town_.shift_id) == {li.user_id: AssignmentStatus.SIGNED_UP}


async def test_a_holder_who_checked_in_is_not_told_the_other_side_went(harness: Harness) -> None:
    """李明 offers 王芳 his 07:00 seat for her 17:00 one, then checks in on his 07:00 shift
    (offers may be open that late where they expire near the start), which calls the exchange
    off: 李明, whose own doing it was, is not told the other side went; 王芳 is told her 17:00
    shift is still hers."""
    town_ = await town(harness)
    li, wang = town_.holder, town_.others[0]
    later = await shift(harness, town_.post_id, start=17, end=19)
    await seat(harness, later, wang.user_id)
    await command(harness, li, "my")
    await press_and_settle(harness, li, "🔁 换岗 1")
    await press_and_settle(harness, li, EXCHANGE)
    await press_and_settle(harness, li, "1")
    await harness.deliver()
    async with harness.session() as session:
        await session.execute(
            update(Assignment)
            .where(Assignment.shift_id == town_.shift_id)
            .values(status=AssignmentStatus.CHECKED_IN)
        )

    await harness.tick()
    await harness.deliver()
    assert (await last_offer(harness)).status is SwapStatus.VOID
    [his] = [text for text in li.texts() if text.startswith(CALLED_OFF)]
    assert STILL_YOURS not in his and "另一方" not in his, his
    [hers] = [text for text in wang.texts() if text.startswith("🔁 换岗取消了（")]
    assert STILL_YOURS in hers, hers
