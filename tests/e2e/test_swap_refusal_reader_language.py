"""A swap refused for a rule of someone other than the reader is said wholly in the reader's
language: the shift that clashes is named as the reader reads dates, not as the member whose
shift it is would."""

from __future__ import annotations

from bot.db.models import AssignmentStatus, Role, SwapStatus
from tests.e2e.schedule import command, post, press_and_settle, shift, statuses
from tests.e2e.swap_fixtures import HAND_OVER, last_offer, member, seat, town
from tests.harness import Harness

EXCHANGE = "🔄 和别人互换班次"


async def test_an_english_coordinator_reads_the_takers_clash_in_english(
    harness: Harness,
) -> None:
    """With approval on, 王芳 accepts 李明's hand-over of his 07:00 seat, then is put on a
    07:00–09:00 shift at another post. Morgan, a coordinator who reads English, presses
    ✅ Approve: the refusal names that shift as English dates read, not in 王芳's Chinese."""
    town_ = await town(harness, approval=True)
    li, wang = town_.holder, town_.others[0]
    morgan = await member(
        harness, 7901, town_.unit_id, "Morgan", role=Role.COORDINATOR, language="en"
    )
    await command(harness, li, "my")
    await press_and_settle(harness, li, "🔁 换岗 1")
    await press_and_settle(harness, li, HAND_OVER)
    await li.send_text("王芳")
    await harness.settle()
    await harness.deliver()
    await press_and_settle(harness, wang, "✅ 接受")
    await harness.deliver()
    elsewhere = await shift(harness, await post(harness, town_.unit_id, "人民路-解放路口"))
    await seat(harness, elsewhere, wang.user_id)

    await morgan.press("✅ Approve")
    await harness.settle()
    answer = morgan.answered_callbacks[-1]["text"]
    assert answer == (
        "王芳 cannot take this shift: It overlaps a shift 王芳 already has: "
        "Wed 2 Dec 07:00–09:00 · 人民路-解放路口."
    ), answer
    assert await statuses(harness, town_.shift_id) == {li.user_id: AssignmentStatus.SIGNED_UP}


async def test_accepting_an_exchange_in_english_names_the_offerers_clash_in_english(
    harness: Harness,
) -> None:
    """李明 offers Morgan, who reads English, his 07:00 seat for her 17:00 one, then signs up
    for a 16:00–18:00 shift elsewhere. Morgan presses ✅ Accept: she reads that 李明's 16:00
    shift clashes, dated as English reads, not as 李明's Chinese does. Nothing changes."""
    town_ = await town(harness)
    li = town_.holder
    morgan = await member(harness, 7904, town_.unit_id, "Morgan", language="en")
    later = await shift(harness, town_.post_id, start=17, end=19)
    await seat(harness, later, morgan.user_id)
    await command(harness, li, "my")
    await press_and_settle(harness, li, "🔁 换岗 1")
    await press_and_settle(harness, li, EXCHANGE)
    await press_and_settle(harness, li, "1")
    await harness.deliver()
    clashing = await shift(
        harness, await post(harness, town_.unit_id, "人民路-解放路口"), start=16, end=18
    )
    await seat(harness, clashing, li.user_id)

    await morgan.press("✅ Accept")
    await harness.settle()
    answer = morgan.answered_callbacks[-1]["text"]
    assert answer == (
        "李明 cannot take this shift: It overlaps a shift 李明 already has: "
        "Wed 2 Dec 16:00–18:00 · 人民路-解放路口."
    ), answer
    assert await statuses(harness, later) == {morgan.user_id: AssignmentStatus.SIGNED_UP}
    assert (await last_offer(harness)).status is SwapStatus.PENDING
