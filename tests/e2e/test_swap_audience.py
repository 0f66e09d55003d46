"""A give-away is offered to the members who stand on posts: the volunteers, and a coordinator
who also holds the volunteer role; not the unit's leader, nor a coordinator who does not stand
on posts. The same rule answers a hand-over to them and a press of an old Take button."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import AssignmentStatus, Role, SwapOffer
from tests.e2e.schedule import command, press_and_settle, statuses
from tests.e2e.swap_fixtures import also_volunteer, member, town
from tests.harness import Harness

LABEL = "12月2日 周三 07:00–09:00 · 黄河路-人民路口"


async def test_a_give_away_reaches_only_those_who_stand_on_posts(harness: Harness) -> None:
    place = await town(harness)
    wang, zhang = place.others
    leader = await member(harness, 7801, place.unit_id, "刘领导", role=Role.LEADER)
    serving = await member(harness, 7802, place.unit_id, "赵协调", role=Role.COORDINATOR)
    await also_volunteer(harness, serving)

    await command(harness, place.holder, "my")
    await press_and_settle(harness, place.holder, "🔁 换岗 1")
    text = await press_and_settle(harness, place.holder, "📢 转让（单位里谁都可以接）")
    assert f"已把 {LABEL} 转让给本单位 3 位符合条件的成员" in text
    await harness.deliver()
    for offered in (wang, zhang, serving):
        assert offered.last().buttons() == ["🙋 我来接"], offered.user_id
    for passed_over in (leader, place.coordinator):
        assert not any("转让一个班次" in text for text in passed_over.texts())
    # Nor do they find it among the offers they may take.
    assert await command(harness, leader, "swaps") == "目前没有可接的换岗，您也没有进行中的换岗。"

    # An old Take button (their role changed since) is answered with the rule.
    async with harness.session() as session:
        offer = await session.scalar(select(SwapOffer))
        assert offer is not None
    await leader.press_data(f"swt:{offer.id}", leader.last().message_id)
    await harness.settle()
    assert leader.answered_callbacks[-1]["text"].startswith("只有志愿者上岗接班")

    # A coordinator who stands on posts takes it.
    text = await press_and_settle(harness, serving, "🙋 我来接")
    assert f"换岗完成：现在由您负责 {LABEL}" in text
    assert await statuses(harness, place.shift_id) == {
        place.holder.user_id: AssignmentStatus.CANCELLED,
        serving.user_id: AssignmentStatus.SIGNED_UP,
    }


async def test_a_hand_over_to_the_leader_is_refused_with_the_reason(harness: Harness) -> None:
    place = await town(harness)
    await member(harness, 7811, place.unit_id, "刘领导", role=Role.LEADER)
    await command(harness, place.holder, "my")
    await press_and_settle(harness, place.holder, "🔁 换岗 1")
    await press_and_settle(harness, place.holder, "👤 请指定的人代班")
    await place.holder.send_text("刘领导")
    await harness.settle()
    assert (place.holder.last().text or "").startswith(
        "刘领导 不能接这个班次：只有志愿者上岗接班，需要志愿者身份"
    )
