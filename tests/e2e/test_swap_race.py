"""Twenty members press Take on one give-away at the same moment: exactly one gets the shift."""

from __future__ import annotations

from bot.db.models import AssignmentStatus, SwapStatus
from tests.e2e.schedule import statuses
from tests.e2e.swap_fixtures import last_offer, member, town, trail
from tests.harness import Harness

PEOPLE = 20


async def test_exactly_one_of_twenty_takes_a_given_away_shift(harness: Harness) -> None:
    town_ = await town(harness)
    people = [await member(harness, 8000 + n, town_.unit_id, f"队员{n}") for n in range(PEOPLE)]
    await town_.holder.send_command("swap")
    await harness.settle()
    await town_.holder.press("🔁 换岗 1")
    await harness.settle()
    await town_.holder.press("📢 转让（单位里谁都可以接）")
    await harness.settle()
    await harness.deliver()
    assert all(p.last().buttons() == ["🙋 我来接"] for p in people)

    harness.emulator.latency = 0.02
    for volunteer in people:
        await volunteer.press("🙋 我来接")
    await harness.settle()

    answers = [str(p.answered_callbacks[-1].get("text")) for p in people]
    winners = [p for p, answer in zip(people, answers, strict=True) if answer == "换岗完成"]
    assert len(winners) == 1, answers
    assert answers.count("来晚了，这个班次已经被别人接走了。") == PEOPLE - 1
    seats = await statuses(harness, town_.shift_id)
    assert seats == {
        town_.holder.user_id: AssignmentStatus.CANCELLED,
        winners[0].user_id: AssignmentStatus.SIGNED_UP,
    }
    offer = await last_offer(harness)
    assert offer.status is SwapStatus.COMPLETED
    assert await trail(harness, offer.id) == ["swap.offer", "swap.accept", "swap.complete"]
