"""A swap withdrawn while it waits for a coordinator's approval: the coordinators asked to
approve it are told, once each and in their language, as they are when it expires or is called
off; the seat stays with the member who offered it."""

from __future__ import annotations

from bot.db.models import AssignmentStatus, Role, SwapStatus
from bot.emulator import SimUser
from tests.e2e.schedule import command, press_and_settle, statuses
from tests.e2e.swap_fixtures import GIVE_AWAY, LABEL, last_offer, member, open_swap, town
from tests.harness import Harness

EN_LABEL = "Wed 2 Dec 07:00–09:00 · 黄河路-人民路口"


async def test_coordinators_asked_to_approve_are_told_the_swap_was_withdrawn(
    harness: Harness,
) -> None:
    town_ = await town(harness, approval=True)
    li, (wang, _) = town_.holder, town_.others
    amy = await member(harness, 7901, town_.unit_id, "Amy", role=Role.COORDINATOR, language="en")
    await open_swap(harness, li, GIVE_AWAY)
    await harness.deliver()
    assert "正在等协调员审批" in await press_and_settle(harness, wang, "🙋 我来接")
    await harness.deliver()
    assert town_.coordinator.last().buttons() == ["✅ 批准", "✖️ 驳回"]
    assert amy.last().buttons() == ["✅ Approve", "✖️ Reject"]
    seen = {person.user_id: len(person.texts()) for person in (wang, town_.coordinator, amy)}

    await command(harness, li, "swaps")
    await press_and_settle(harness, li, "↩️ 撤回 1")
    await harness.tick()
    await harness.deliver()

    def told(person: SimUser, words: str) -> list[str]:
        texts = person.texts()[seen[person.user_id] :]
        return [text for text in texts if words in text]

    assert told(wang, "撤回") == [f"李明 撤回了换岗（{LABEL}）。"]
    assert told(town_.coordinator, "撤回") == [f"李明 撤回了换岗（{LABEL}）。"]
    assert told(amy, "withdrew") == [f"李明 withdrew the swap ({EN_LABEL})."]
    offer = await last_offer(harness)
    assert offer.status is SwapStatus.WITHDRAWN
    assert await statuses(harness, town_.shift_id) == {li.user_id: AssignmentStatus.SIGNED_UP}
