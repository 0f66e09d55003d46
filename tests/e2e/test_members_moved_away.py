"""A coordinator's older member card, of someone who has since left the unit and joined another:
its buttons say the person is no longer a member of the unit (as for one who left and joined
nowhere), not that the coordinator lacks permission, and an admin's older confirmation to remove
them from it does not remove them from the other; a member of another unit who never was in
theirs is still refused without a word about them."""

from __future__ import annotations

from bot.buttons import MemberCard, MemberRemoveConfirm
from bot.db.models import Assignment, AssignmentStatus, Role
from tests.e2e.journeys import create_unit, invite_code, join
from tests.e2e.schedule import command, person, post, press_and_settle, shift
from tests.harness import Harness

GONE = "「乙」已经不是本单位的成员了。"
FORBIDDEN = "抱歉，您没有权限执行这个操作。"


async def test_an_old_card_of_one_who_moved_to_another_unit_says_they_left(
    harness: Harness,
) -> None:
    city = await create_unit(harness, "城管局")
    traffic = await create_unit(harness, "交警队")
    coordinator = await person(harness, 9301, city.id, "王", role=Role.COORDINATOR)
    moved = await person(harness, 9302, city.id, "乙")
    await command(harness, coordinator, "members")
    await press_and_settle(harness, coordinator, "乙")
    card = coordinator.last().message_id
    member = await harness.member(9302)
    assert member is not None
    # An admin's confirmation to remove 乙 from 城管局, asked before the move.
    admin = harness.admin
    await command(harness, admin, "members")
    await press_and_settle(harness, admin, "城管局")
    await press_and_settle(harness, admin, "乙")
    asked = await press_and_settle(harness, admin, "🚪 移出本单位")
    assert "城管局" in asked
    confirmation = admin.last()
    await command(harness, admin, "members")
    await press_and_settle(harness, admin, "城管局")
    await press_and_settle(harness, admin, "乙")
    await press_and_settle(harness, admin, "➖ 取消志愿者身份")
    take = admin.last()
    await command(harness, admin, "members")
    await press_and_settle(harness, admin, "城管局")
    await press_and_settle(harness, admin, "乙")
    admin_card = admin.last().message_id

    await command(harness, moved, "me")
    await press_and_settle(harness, moved, "🚪 退出本单位")
    await press_and_settle(harness, moved, "是，退出本单位")
    await join(harness, moved, await invite_code(harness, harness.admin, "交警队", "志愿者"), "乙")

    await coordinator.press("🚪 移出本单位", card)
    await coordinator.press_data(MemberRemoveConfirm(member.id).pack(), card)
    await coordinator.press("↩️ 返回", card)
    await harness.settle()
    assert [c["text"] for c in coordinator.answered_callbacks[-3:-1]] == [GONE, GONE]
    # The admin's card from before, ➖ pressed now: the confirmation names the unit it would
    # remove 乙 from, 交警队, not a bare "本单位" read as 城管局 on that card.
    await admin.press("➖ 取消志愿者身份", admin_card)
    await harness.settle()
    asked_now = next(m for m in admin.messages() if m.message_id == admin_card).text or ""
    assert "将被移出「交警队」" in asked_now
    # Nor do the admin's confirmations, which named 城管局, remove 乙 from 交警队: they say 乙
    # has left 城管局, even while 乙 is on post in 交警队.
    on_post = await shift(harness, await post(harness, traffic.id))
    async with harness.session() as session:
        now = harness.clock.now()
        status = AssignmentStatus.CHECKED_IN
        session.add(
            Assignment(
                shift_id=on_post, member_id=member.id, status=status, created_at=now, updated_at=now
            )
        )
    await admin.press("是，移出本单位", confirmation.message_id)
    await admin.press("是，取消这个身份", take.message_id)
    await harness.settle()
    assert [c["text"] for c in admin.answered_callbacks[-2:]] == [GONE, GONE]
    after = await harness.member(9302)
    assert after is not None and after.active and after.unit is not None
    assert after.unit.name == "交警队" and after.roles == frozenset({Role.VOLUNTEER})


async def test_a_member_of_another_unit_is_still_refused_without_their_name(
    harness: Harness,
) -> None:
    await create_unit(harness, "城管局")
    other = await create_unit(harness, "交警队")
    city_coordinator = await invite_code(harness, harness.admin, "城管局", "协调员")
    coordinator = harness.user(9401, "王")
    await join(harness, coordinator, city_coordinator, "王")
    stranger = await person(harness, 9402, other.id, "乙")
    member = await harness.member(stranger.user_id)
    assert member is not None
    await command(harness, coordinator, "members")
    await coordinator.press_data(MemberCard(member.id).pack(), coordinator.last().message_id)
    await harness.settle()
    assert coordinator.answered_callbacks[-1]["text"] == FORBIDDEN
