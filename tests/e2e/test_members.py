"""A member's way out of a unit: a coordinator removes a volunteer from /members (the waitlist
moves up, both are told, the removed one is a stranger to the bot until an invite of any unit
registers them again with that invite's role only); a volunteer leaves from /me; an admin takes
a role away; and the refusals (a coordinator of the unit, another unit's member, a replayed
button, someone on post)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.buttons import (
    LeaveUnit,
    LeaveUnitConfirm,
    MemberCard,
    MemberRemove,
    MemberRemoveConfirm,
    MemberRoleTakeConfirm,
)
from bot.db.models import (
    Assignment,
    AssignmentStatus,
    AuditEntry,
    LeaveRequest,
    LeaveStatus,
    Member,
    MemberRole,
    MemberTag,
    Role,
)
from bot.emulator import SimUser
from tests.e2e.broadcast_fixtures import announce
from tests.e2e.journeys import create_unit, invite_code, join
from tests.e2e.order_fixtures import ordered
from tests.e2e.oversight_fixtures import city
from tests.e2e.schedule import (
    DAY,
    at,
    command,
    outbox_to,
    person,
    post,
    press_and_settle,
    shift,
    statuses,
    unit,
)
from tests.e2e.swap_fixtures import seat
from tests.e2e.swap_fixtures import town as swap_town
from tests.harness import Harness

NOT_REGISTERED = "您还没有注册。请向所在单位的协调员索取邀请链接，点开即可注册。"
FORBIDDEN = "抱歉，您没有权限执行这个操作。"
STALE = "这个按钮已失效，请重新打开菜单。"


async def seated_and_waiting(harness: Harness) -> tuple[int, int, SimUser, SimUser, SimUser]:
    """城管局 with a one-seat shift tomorrow at 07:00: 甲 (8202, tagged 党员) holds the seat,
    乙 (8203) waits. The unit, the shift, the coordinator, 甲 and 乙."""
    unit_id = await unit(harness)
    shift_id = await shift(harness, await post(harness, unit_id), capacity=1)
    coordinator = await person(harness, 8201, unit_id, "王协调", role=Role.COORDINATOR)
    seated = await person(harness, 8202, unit_id, "甲", tags=("党员",))
    waiting = await person(harness, 8203, unit_id, "乙")
    await command(harness, seated, "shifts")
    await press_and_settle(harness, seated, "✋ 报名 1")
    await command(harness, waiting, "shifts")
    await press_and_settle(harness, waiting, "⏳ 候补 1")
    await press_and_settle(harness, waiting, "⏳ 加入候补")
    assert await statuses(harness, shift_id) == {
        8202: AssignmentStatus.SIGNED_UP,
        8203: AssignmentStatus.WAITLISTED,
    }
    return unit_id, shift_id, coordinator, seated, waiting


async def test_a_coordinator_removes_a_volunteer_and_the_waitlist_moves_up(
    harness: Harness,
) -> None:
    unit_id, shift_id, coordinator, seated, waiting = await seated_and_waiting(harness)

    text = await command(harness, coordinator, "members")
    assert text.startswith("👥「城管局」的成员（3 人），点名字查看：")
    assert "• 甲 — 志愿者" in text and "• 王协调 — 协调员" in text
    text = await press_and_settle(harness, coordinator, "甲")
    assert "👤 甲\n单位：城管局\n身份：志愿者\n标签：党员\n手机：+8613800000000" in text
    assert "未结束的班次：1 个\n• 12月2日 周三 07:00–09:00 · 黄河路-人民路口" in text
    # A coordinator removes, and gives or takes the unit's tags (test_member_tags); taking roles
    # away one by one is the admins'.
    assert coordinator.last().buttons() == ["✅ 党员", "🚪 移出本单位", "↩️ 返回"]
    text = await press_and_settle(harness, coordinator, "🚪 移出本单位")
    assert text.startswith(
        "确定将「甲」移出「城管局」吗？\n• ta 未结束的 1 个班次（含候补）将被释放"
    )
    assert await statuses(harness, shift_id) == {  # asking changes nothing
        8202: AssignmentStatus.SIGNED_UP,
        8203: AssignmentStatus.WAITLISTED,
    }
    text = await press_and_settle(harness, coordinator, "是，移出本单位")
    assert text == "已将「甲」移出「城管局」，释放了 1 个班次。已通知 ta。"

    # The seat went to the waitlist, who is told; the removed one is told, in their language.
    assert await statuses(harness, shift_id) == {
        8202: AssignmentStatus.REMOVED,
        8203: AssignmentStatus.SIGNED_UP,
    }
    assert "候补转正" in (await outbox_to(harness, waiting.user_id))[-1].payload["text"]
    told = (await outbox_to(harness, seated.user_id))[-1].payload["text"]
    assert told.startswith("王协调 已将您移出「城管局」：您不再是这个单位的成员")
    assert "要加入其他单位，点开那个单位的邀请链接即可" in told
    member = await harness.member(seated.user_id)
    assert member is not None and not member.active
    assert member.roles == frozenset() and member.tags == frozenset()
    async with harness.session() as session:
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "member.remove"))
    assert entry is not None and entry.object_id == member.id
    assert entry.before == {"unit_id": unit_id, "roles": ["volunteer"], "tags": ["党员"]}
    # Their menu is a stranger's; the list no longer shows them.
    assert [name for name, _ in harness.emulator.commands("chat", chat_id=seated.user_id)] == [
        "start",
        "help",
        "cancel",
    ]
    assert "甲" not in await command(harness, coordinator, "members")

    # To the bot they are someone not registered.
    assert await command(harness, seated, "shifts") == NOT_REGISTERED
    assert await command(harness, seated, "my") == NOT_REGISTERED

    # An invite of another unit registers them again, with that invite's role only.
    await create_unit(harness, "交警队")
    code = await invite_code(harness, harness.admin, "交警队", "领导")
    await join(harness, seated, code, "甲")
    assert "注册成功！\n姓名：甲\n单位：交警队\n身份：领导" in seated.texts()[-2]
    member = await harness.member(seated.user_id)
    assert member is not None and member.active and member.unit is not None
    assert member.unit.name == "交警队"
    assert member.roles == frozenset({Role.LEADER}) and member.tags == frozenset()
    # What they did stays theirs: the old seat is still on the shift, as removed.
    assert (await statuses(harness, shift_id))[8202] is AssignmentStatus.REMOVED


async def test_a_volunteer_leaves_from_me_and_may_then_join_another_unit(
    harness: Harness,
) -> None:
    unit_id, shift_id, coordinator, seated, waiting = await seated_and_waiting(harness)
    await create_unit(harness, "交警队")
    code = await invite_code(harness, harness.admin, "交警队", "志愿者")

    # The invite of another unit names the way out.
    text = await command(harness, seated, "start", code)
    assert "「交警队」的邀请链接现在对您无效" in text
    assert "请先发送 /me，点「🚪 退出本单位」" in text

    text = await command(harness, seated, "me")
    assert "单位：城管局" in text
    assert seated.last().buttons() == ["🚪 退出本单位"]
    old_me = seated.last().message_id
    text = await press_and_settle(harness, seated, "🚪 退出本单位")
    assert text.startswith("确定退出「城管局」吗？\n• 您未结束的 1 个班次（含候补）将被释放；")
    text = await press_and_settle(harness, seated, "是，退出本单位")
    assert text.startswith("您已退出「城管局」，释放了 1 个班次。")
    assert await statuses(harness, shift_id) == {
        8202: AssignmentStatus.CANCELLED,
        8203: AssignmentStatus.SIGNED_UP,
    }
    assert "候补转正" in (await outbox_to(harness, waiting.user_id))[-1].payload["text"]
    member = await harness.member(seated.user_id)
    assert member is not None and not member.active
    assert await command(harness, seated, "me") == NOT_REGISTERED
    assert [name for name, _ in harness.emulator.commands("chat", chat_id=seated.user_id)] == [
        "start",
        "help",
        "cancel",
    ]
    # The confirmation pressed again leaves nothing (they are no member now).
    await seated.press_data(LeaveUnitConfirm(member.unit_id or 0).pack(), seated.last().message_id)
    await harness.settle()
    assert seated.answered_callbacks[-1]["text"] == NOT_REGISTERED

    # Blocking the bot once out of the unit is noted, but it is no concern of the unit they
    # left: its coordinator is not asked to phone them (nor shown their number).
    await seated.block_bot()
    await harness.settle()
    gone = await harness.member(seated.user_id)
    assert gone is not None and gone.blocked_bot
    told = [row.payload["text"] for row in await outbox_to(harness, coordinator.user_id)]
    assert not any("无法联系到「甲」" in text for text in told), told
    await seated.unblock_bot()
    await harness.settle()

    await join(harness, seated, code, "甲")
    member = await harness.member(seated.user_id)
    assert member is not None and member.active and member.unit is not None
    assert member.unit.name == "交警队" and member.roles == frozenset({Role.VOLUNTEER})
    # The old /me's button, of 城管局, asks nothing about leaving 交警队.
    await seated.press_data(LeaveUnit(unit_id).pack(), old_me)
    await harness.settle()
    assert seated.answered_callbacks[-1]["text"] == STALE
    assert not any(text.startswith("确定退出") for text in seated.texts()[-2:])


async def test_refusals_to_remove(harness: Harness) -> None:
    unit_id, shift_id, coordinator, seated, _ = await seated_and_waiting(harness)
    other = await unit(harness, "交警队")
    colleague = await person(harness, 8204, unit_id, "李协调", role=Role.COORDINATOR)
    stranger = await person(harness, 8205, other, "外人")
    ids = {}
    for user in (coordinator, seated, colleague, stranger):
        member = await harness.member(user.user_id)
        assert member is not None
        ids[user.user_id] = member.id

    async def press(data: str) -> str:
        await command(harness, coordinator, "members")
        await coordinator.press_data(data, coordinator.last().message_id)
        await harness.settle()
        return str(coordinator.answered_callbacks[-1]["text"])

    # A coordinator of the unit is the admins' to remove; nobody removes themselves here.
    await command(harness, coordinator, "members")
    text = await press_and_settle(harness, coordinator, "李协调")
    assert "🚪 移出本单位" not in coordinator.last().buttons()
    assert "身份：协调员" in text
    refusal = "「李协调」是协调员或督查员：协调员只能移出本单位的志愿者和领导，请联系管理员。"
    assert await press(MemberRemoveConfirm(ids[8204]).pack()) == refusal
    assert (await press(MemberRemove(ids[8201]).pack())).startswith("不能在这里移出自己。")
    # Another unit's member: not theirs to see or remove.
    assert await press(MemberCard(ids[8205]).pack()) == FORBIDDEN
    assert await press(MemberRemoveConfirm(ids[8205]).pack()) == FORBIDDEN
    # A volunteer may not press it at all.
    await seated.press_data(MemberRemoveConfirm(ids[8201]).pack(), seated.last().message_id)
    await harness.settle()
    assert seated.answered_callbacks[-1]["text"] == FORBIDDEN

    # On post (checked in, not checked out): not now.
    async with harness.session() as session:
        seat = await session.scalar(select(Assignment).where(Assignment.member_id == ids[8202]))
        assert seat is not None
        seat.status = AssignmentStatus.CHECKED_IN
    harness.clock.set(at(dt.date(2026, 12, 2), 7, 5))
    await command(harness, coordinator, "members")
    await press_and_settle(harness, coordinator, "甲")
    await coordinator.press("🚪 移出本单位")
    await harness.settle()
    assert coordinator.answered_callbacks[-1]["text"] == (
        "「甲」正在岗上（已签到、未签退），现在不能移出。请等 ta 签退后再试。"
    )
    assert await press(MemberRemoveConfirm(ids[8202]).pack()) == (
        "「甲」正在岗上（已签到、未签退），现在不能移出。请等 ta 签退后再试。"
    )
    member = await harness.member(8202)
    assert member is not None and member.active
    async with harness.session() as session:
        seat = await session.get(Assignment, seat.id)
        assert seat is not None
        seat.status = AssignmentStatus.CHECKED_OUT
    # Marked absent from a shift under way on another post: a no-show of the unit's figures
    # and of 甲's record, kept (its queue ended at the start: nobody could have the seat).
    early = await shift(
        harness, await post(harness, unit_id, "长江路口"), dt.date(2026, 12, 2), 6, 8
    )
    async with harness.session() as session:
        moment = harness.clock.now()
        absent = Assignment(shift_id=early, member_id=ids[8202], status=AssignmentStatus.ABSENT,
                            created_at=moment, updated_at=moment)  # fmt: skip
        session.add(absent)

    # Removed once; the same confirmation pressed again changes nothing more.
    await press(MemberRemoveConfirm(ids[8202]).pack())
    assert coordinator.last().text == "已将「甲」移出「城管局」，释放了 0 个班次。已通知 ta。"
    assert await press(MemberRemoveConfirm(ids[8202]).pack()) == "「甲」已经不是本单位的成员了。"
    async with harness.session() as session:
        removals = list(
            await session.scalars(select(AuditEntry).where(AuditEntry.action == "member.remove"))
        )
    assert len(removals) == 1
    assert (await statuses(harness, shift_id))[8202] is AssignmentStatus.CHECKED_OUT
    assert (await statuses(harness, early))[8202] is AssignmentStatus.ABSENT


async def test_an_admin_takes_a_role_away_and_the_last_one_removes(harness: Harness) -> None:
    unit_id = await unit(harness)
    await unit(harness, "交警队")
    lead = await person(harness, 8301, unit_id, "张主任", role=Role.COORDINATOR)
    async with harness.session() as session:
        member = await session.scalar(select(Member).where(Member.telegram_id == 8301))
        assert member is not None
        session.add(MemberRole(member_id=member.id, role=Role.VOLUNTEER))
        session.add(MemberTag(member_id=member.id, tag="党员"))
    admin = harness.admin

    await command(harness, admin, "members")
    assert admin.last().text == "查看哪个单位的成员？"
    await press_and_settle(harness, admin, "城管局")
    text = await press_and_settle(harness, admin, "张主任")
    assert "身份：协调员、志愿者" in text
    assert admin.last().buttons() == [
        "✅ 党员",
        "🚪 移出本单位",
        "➖ 取消协调员身份",
        "➖ 取消志愿者身份",
        "↩️ 返回",
    ]
    text = await press_and_settle(harness, admin, "➖ 取消协调员身份")
    assert text == "确定取消「张主任」的协调员身份吗？ta 保留其他身份，仍是本单位成员。"
    text = await press_and_settle(harness, admin, "是，取消这个身份")
    assert text == "已取消「张主任」的协调员身份。现在的身份：志愿者。已通知 ta。"
    member = await harness.member(8301)
    assert member is not None and member.active and member.roles == frozenset({Role.VOLUNTEER})
    told = (await outbox_to(harness, 8301))[-1].payload["text"]
    assert told.startswith("管理员取消了您在「城管局」的协调员身份。您现在的身份：志愿者。")
    menu = [name for name, _ in harness.emulator.commands("chat", chat_id=8301)]
    assert "members" not in menu and "shifts" in menu  # a volunteer's menu
    assert await command(harness, lead, "members") == FORBIDDEN
    # The confirmation pressed again takes nothing more.
    pressed = MemberRoleTakeConfirm(member.id, Role.COORDINATOR).pack()
    await admin.press_data(pressed, admin.last().message_id)
    await harness.settle()
    assert admin.answered_callbacks[-1]["text"] == "「张主任」已经没有协调员身份了。"
    # An older confirmation that said they stay in the unit (made while they still had both
    # roles) does not remove them now that 志愿者 is their last role.
    older = MemberRoleTakeConfirm(member.id, Role.VOLUNTEER, removes=False).pack()
    await admin.press_data(older, admin.last().message_id)
    await harness.settle()
    assert admin.answered_callbacks[-1]["text"] == (
        "「张主任」的其他身份已被取消：现在再取消志愿者身份，ta 将被移出「城管局」。"
        "如确要移出，请重新打开 ta 的卡片。"
    )
    member = await harness.member(8301)
    assert member is not None and member.active and member.roles == frozenset({Role.VOLUNTEER})

    await press_and_settle(harness, admin, "↩️ 返回")
    text = await press_and_settle(harness, admin, "➖ 取消志愿者身份")
    assert text.startswith("志愿者是「张主任」唯一的身份：取消后 ta 将被移出「城管局」")
    text = await press_and_settle(harness, admin, "是，取消这个身份")
    assert text == "已将「张主任」移出「城管局」，释放了 0 个班次。已通知 ta。"
    member = await harness.member(8301)
    assert member is not None and not member.active and member.roles == frozenset()


async def test_an_admin_of_admin_ids_is_never_removed_and_stays_admin_on_leaving(
    harness: Harness,
) -> None:
    unit_id = await unit(harness)
    coordinator = await person(harness, 8401, unit_id, "王协调", role=Role.COORDINATOR)
    admin = harness.admin
    code = await invite_code(harness, coordinator, None, "志愿者")
    await join(harness, admin, code, "管理员甲")
    member = await harness.member(admin.user_id)
    assert member is not None and member.unit_id == unit_id

    await command(harness, coordinator, "members")
    await coordinator.press_data(
        MemberRemoveConfirm(member.id).pack(), coordinator.last().message_id
    )
    await harness.settle()
    refused = coordinator.answered_callbacks[-1]["text"]
    assert refused == "「管理员甲」是管理员（ADMIN_IDS），不能被移出。"

    # An announcement to the unit waits for the quiet hours to end; the admin leaves meanwhile.
    harness.clock.set(at(DAY, 22, 30))
    await announce(harness, coordinator, "明早 7 点集合")
    await command(harness, admin, "me")
    await press_and_settle(harness, admin, "🚪 退出本单位")
    await press_and_settle(harness, admin, "是，退出本单位")
    member = await harness.member(admin.user_id)
    assert member is not None and member.active and member.unit_id is None
    assert member.roles == frozenset()
    assert "/units" in await command(harness, admin, "help")
    # What the unit's broadcast queued for them is theirs no more, as for anyone who leaves.
    shown = len(admin.messages())
    harness.clock.set(at(DAY + dt.timedelta(days=1), 7, 0))
    await harness.deliver()
    assert not any("明早 7 点集合" in text for text in admin.texts()[shown:])
    await harness.tick()
    assert coordinator.last().text == (
        "✅ 发送完成（共 1 人）：送达 0，被屏蔽 0，失败 0，未发送 1（对方已离开单位）"
    )

    # Back as a coordinator, the admin is told at 07:00 of a volunteer who blocked the bot at
    # 22:30, unless they left the unit meanwhile: no longer theirs to phone.
    await join(harness, admin, await invite_code(harness, admin, "城管局", "协调员"), "管理员甲")
    member = await harness.member(admin.user_id)
    assert member is not None and member.unit_id == unit_id
    blocker = await person(harness, 8402, unit_id, "乙")
    blocker.started = True
    harness.clock.set(at(DAY + dt.timedelta(days=1), 22, 30))
    await blocker.block_bot()
    await harness.settle()
    await command(harness, admin, "me")
    await press_and_settle(harness, admin, "🚪 退出本单位")
    await press_and_settle(harness, admin, "是，退出本单位")
    shown = len(admin.messages())
    harness.clock.set(at(DAY + dt.timedelta(days=2), 7, 0))
    await harness.deliver()
    assert any("无法联系到「乙」" in text for text in coordinator.texts())
    assert not any("无法联系到「乙」" in text for text in admin.texts()[shown:])


async def test_members_come_twenty_a_page(harness: Harness) -> None:
    unit_id = await unit(harness)
    coordinator = await person(harness, 8501, unit_id, "王协调", role=Role.COORDINATOR)
    for number in range(24):
        await person(harness, 8510 + number, unit_id, f"队员{number:02d}")
    text = await command(harness, coordinator, "members")
    assert text.startswith("👥「城管局」的成员（25 人），点名字查看：\n第 1–20 人，共 25 人")
    assert coordinator.last().buttons()[-1] == "下一页 ▶️"
    text = await press_and_settle(harness, coordinator, "下一页 ▶️")
    assert "第 21–25 人，共 25 人" in text and "• 队员23 — 志愿者" in text
    assert coordinator.last().buttons()[-1] == "◀️ 上一页"


async def test_the_only_coordinator_removed_hands_what_awaits_their_decision_to_the_admins(
    harness: Harness,
) -> None:
    """陈协调, the unit's only coordinator, had a hand-over to approve and a leave request to
    decide when the admin removed them: both go to the admins, who decide them; else they
    would wait unread until the shift."""
    town_ = await swap_town(harness, approval=True)
    wang, zhang = town_.others
    await command(harness, town_.holder, "my")
    await press_and_settle(harness, town_.holder, "🔁 换岗 1")
    await press_and_settle(harness, town_.holder, "👤 请指定的人代班")
    await town_.holder.send_text("王芳")
    await harness.settle()
    await harness.deliver()
    await press_and_settle(harness, wang, "✅ 接受")
    later = await shift(harness, town_.post_id, start=17, end=19)
    asked = await seat(harness, later, zhang.user_id)
    async with harness.session() as session:
        member = await session.scalar(select(Member).where(Member.telegram_id == zhang.user_id))
        assert member is not None
        session.add(
            LeaveRequest(
                assignment_id=asked,
                member_id=member.id,
                status=LeaveStatus.ASKED,
                reason="出差",
                asked_at=harness.clock.now(),
            )
        )
    await harness.deliver()
    assert "换岗待审批" in (town_.coordinator.last().text or "")
    admin = harness.admin
    await command(harness, admin, "start")
    assert not [t for t in admin.texts() if "换岗待审批" in t or "请假申请" in t]

    await command(harness, admin, "members")
    await press_and_settle(harness, admin, "陈协调")
    await press_and_settle(harness, admin, "🚪 移出本单位")
    await press_and_settle(harness, admin, "是，移出本单位")
    await harness.deliver()
    requests = [t for t in admin.texts() if "换岗待审批" in t or "请假申请" in t]
    assert len(requests) == 2, admin.texts()
    assert any("换岗待审批（代班）" in t and "接班人：王芳" in t for t in requests), requests
    assert any("🙋 请假申请" in t and "张伟" in t for t in requests)
    # 张伟, who asked the leave, hears that it went to the admins.
    assert [t for t in zhang.texts() if "请假申请已转给管理员" in t] == [
        "🙋 您的请假申请已转给管理员（12月2日 周三 17:00–19:00 · 黄河路-人民路口）："
        "本单位的协调员现在都无法处理。批准之前这个班次仍由您负责，请留意通知。"
    ]

    # The admin decides both.
    for message in reversed(admin.messages()):
        if "换岗待审批" in (message.text or ""):
            await admin.press("✅ 批准", message.message_id)
            break
    await harness.settle()
    assert await statuses(harness, town_.shift_id) == {
        town_.holder.user_id: AssignmentStatus.CANCELLED,
        wang.user_id: AssignmentStatus.SIGNED_UP,
    }
    for message in reversed(admin.messages()):
        if "请假申请" in (message.text or ""):
            await admin.press("✅ 批准", message.message_id)
            break
    await harness.settle()
    async with harness.session() as session:
        request = await session.scalar(select(LeaveRequest))
        assert request is not None and request.status is LeaveStatus.APPROVED


async def test_an_inspector_role_taken_sends_the_orders_replies_to_the_inspectors(
    harness: Harness,
) -> None:
    """赵督查 issued an order, then the admin took the inspector role away (a volunteer too,
    they stay in the unit): the unit's reply goes to those who may still accept it (the
    admins here), not to 赵督查, who may no longer."""
    town = await city(harness)
    await ordered(harness, town)
    async with harness.session() as session:
        found = await session.scalar(select(Member).where(Member.telegram_id == 8001))
        assert found is not None
        session.add(MemberRole(member_id=found.id, role=Role.VOLUNTEER))
    admin = harness.admin
    await command(harness, admin, "members")
    await press_and_settle(harness, admin, "城管局")
    await press_and_settle(harness, admin, "赵督查")
    await press_and_settle(harness, admin, "➖ 取消督查员身份")
    assert await press_and_settle(harness, admin, "是，取消这个身份") == (
        "已取消「赵督查」的督查员身份。现在的身份：志愿者。已通知 ta。"
    )
    await harness.deliver()
    before = len(town.inspector.messages())

    await press_and_settle(harness, town.coordinator, "📤 回复整改")
    await town.coordinator.send_photo()
    await harness.settle()
    await town.coordinator.send_text("已清运")
    await harness.settle()
    await press_and_settle(harness, town.coordinator, "✅ 提交回复")
    await harness.deliver()
    assert not [
        m for m in town.inspector.messages()[before:] if "回复了整改令" in (m.caption or "")
    ]
    notice = admin.last()
    assert "「城管局」回复了整改令" in (notice.caption or "")
    assert notice.buttons() == ["✅ 验收办结", "↩️ 退回"]


async def test_taking_the_role_one_stands_on_posts_with_says_the_seats_go(
    harness: Harness,
) -> None:
    """张主任 coordinates and volunteers, with a seat tomorrow: taking the volunteer role away
    is confirmed with the seat it gives up; taking the coordinator role says nothing of it."""
    unit_id = await unit(harness)
    shift_id = await shift(harness, await post(harness, unit_id))
    await person(harness, 8301, unit_id, "张主任", role=Role.COORDINATOR)
    async with harness.session() as session:
        member = await session.scalar(select(Member).where(Member.telegram_id == 8301))
        assert member is not None
        session.add(MemberRole(member_id=member.id, role=Role.VOLUNTEER))
    await seat(harness, shift_id, 8301)
    admin = harness.admin
    await command(harness, admin, "members")
    await press_and_settle(harness, admin, "张主任")
    text = await press_and_settle(harness, admin, "➖ 取消协调员身份")
    assert text == "确定取消「张主任」的协调员身份吗？ta 保留其他身份，仍是本单位成员。"
    await press_and_settle(harness, admin, "↩️ 返回")
    text = await press_and_settle(harness, admin, "➖ 取消志愿者身份")
    assert text == (
        "确定取消「张主任」的志愿者身份吗？ta 保留其他身份，仍是本单位成员。\n"
        "ta 将不再站岗：未结束的 1 个班次将被释放。"
    )
    text = await press_and_settle(harness, admin, "是，取消这个身份")
    assert "释放了 1 个班次" in text
    assert await statuses(harness, shift_id) == {8301: AssignmentStatus.REMOVED}
