"""/invites: a unit's active invite links, each with a button that revokes it; who may revoke
which; what a revoked link answers; and the audit trail of invites made and revoked."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import AuditEntry, Dialogue, Member
from tests.e2e.journeys import create_unit, invite_code, invite_of, join
from tests.harness import Harness

FORBIDDEN = "抱歉，您没有权限执行这个操作。"
STALE = "这个按钮已失效，请重新打开菜单。"
REVOKED = "这个邀请链接已被撤销，请向协调员索取新的链接。"


IN_GROUP = "这个邀请链接要在与我的私聊中打开：点下面的按钮进入私聊，再点「开始」即可加入。"
TO_PRIVATE = "➡️ 进入私聊加入"


async def _invite_trail(harness: Harness) -> list[tuple[object, ...]]:
    async with harness.session() as session:
        entries = await session.scalars(
            select(AuditEntry).where(AuditEntry.object_type == "invite").order_by(AuditEntry.id)
        )
        return [
            (entry.action, entry.actor_id, entry.object_id, entry.before, entry.after)
            for entry in entries
        ]


async def test_a_coordinator_revokes_a_volunteer_link_and_it_admits_nobody_after(
    harness: Harness,
) -> None:
    await create_unit(harness, "城管局")
    coordinator_code = await invite_code(harness, harness.admin, "城管局", "协调员")
    coordinator = harness.user(5101, "孙")
    await join(harness, coordinator, coordinator_code, "孙协调")
    code = await invite_code(harness, coordinator, None, "志愿者")
    await join(harness, harness.user(5102, "甲"), code, "甲")
    leader_code = await invite_code(harness, harness.admin, "城管局", "领导")
    volunteer, leader = await invite_of(harness, code), await invite_of(harness, leader_code)

    # The volunteer link is pasted in the unit's group and opened there (or its /start typed
    # there): the group is answered with a button that opens the private chat with the same
    # code, where the joining starts; the group's answer joins nobody and uses nothing.
    group = harness.emulator.group(-100_777, "城管局志愿者群")
    newcomer = harness.user(5104, "丙")
    await group.send_command(newcomer, "start", code)
    await harness.settle()
    assert group.last().text == IN_GROUP
    assert group.last().button_link(TO_PRIVATE) == f"https://t.me/dutybot_test_bot?start={code}"
    assert await harness.member(5104) is None
    assert (await invite_of(harness, code)).uses == 1
    # A code no link could carry is not offered as one.
    await group.send_command(newcomer, "start", "x!")
    await harness.settle()
    assert (group.last().text or "").startswith("/start 要在与我的私聊中使用")
    assert group.last().buttons() == []

    await coordinator.send_command("invites")
    await harness.settle()
    listing = coordinator.last()
    expires = "12月"  # the date of expiry is shown; the used-up coordinator link is not listed
    assert listing.text is not None
    lines = listing.text.splitlines()
    assert lines[0] == "🔗「城管局」有效的邀请链接："
    assert len(lines) == 3, lines
    assert "领导 · 已用 0/5 次" in listing.text and "志愿者 · 已用 1/200 次" in listing.text
    assert expires in listing.text and f"…{code[-4:]}" in listing.text
    # Only the volunteer link is the coordinator's to revoke.
    revoke = [label for label in listing.buttons() if label.startswith("🚫")]
    assert len(revoke) == 1 and "志愿者" in revoke[0]

    await coordinator.press(revoke[0])
    await harness.settle()
    assert coordinator.answered_callbacks[-1]["text"] == (
        f"已撤销邀请链接（志愿者 · …{code[-4:]}）。已经加入的人不受影响。"
    )
    after = coordinator.last()
    assert after.message_id == listing.message_id
    assert after.text is not None and "志愿者" not in after.text and "领导" in after.text
    assert (await invite_of(harness, code)).revoked is True
    assert (await invite_of(harness, leader_code)).revoked is False

    # The link refuses the next person, who is told why; nothing is made or counted.
    late = harness.user(5103, "乙")
    await late.send_command("start", code)
    await harness.settle()
    assert late.last().text == REVOKED
    assert await harness.member(5103) is None
    assert await harness.count(Dialogue) == 0
    assert (await invite_of(harness, code)).uses == 1
    # The one who joined by it stays.
    joined = await harness.member(5102)
    assert joined is not None and joined.active

    # The same button pressed again (an old list, a replay) changes nothing and says so.
    await coordinator.press_data(f"inv.x:{volunteer.id}:0", listing.message_id)
    # A forged button for the leader link, which the coordinator could not have made, is refused.
    await coordinator.press_data(f"inv.x:{leader.id}:0", listing.message_id)
    await coordinator.press_data("inv.x:999999:0", listing.message_id)
    await coordinator.press_data("inv.x:x:0", listing.message_id)
    await harness.settle()
    assert [c["text"] for c in coordinator.answered_callbacks[-4:]] == [
        "这个邀请链接已经撤销了。",
        FORBIDDEN,
        STALE,
        STALE,
    ]
    assert (await invite_of(harness, leader_code)).revoked is False
    revocations = [row for row in await _invite_trail(harness) if row[0] == "invite.revoke"]
    assert len(revocations) == 1


async def test_a_coordinator_of_another_unit_cannot_see_or_revoke_its_links(
    harness: Harness,
) -> None:
    await create_unit(harness, "城管局")
    other = await create_unit(harness, "交警队")
    code = await invite_code(harness, harness.admin, "城管局", "志愿者")
    coordinator = harness.user(5201, "周")
    await join(
        harness, coordinator, await invite_code(harness, harness.admin, "交警队", "协调员"), "周"
    )
    target = await invite_of(harness, code)

    await coordinator.send_command("invites")
    await harness.settle()
    assert coordinator.last().text == "「交警队」没有有效的邀请链接。用 /invite 生成一个。"
    anchor = coordinator.last().message_id
    city = await invite_of(harness, code)
    for data in (f"inv.x:{target.id}:0", f"inv.lu:{city.unit_id}", f"inv.lu:{other.id}:-1"):
        await coordinator.press_data(data, anchor)
        await harness.settle()
    assert [c["text"] for c in coordinator.answered_callbacks[-3:]] == [FORBIDDEN, FORBIDDEN, STALE]
    assert (await invite_of(harness, code)).revoked is False

    # A volunteer is refused the command and the button.
    volunteer = harness.user(5202, "吴")
    await join(harness, volunteer, code, "吴")
    await volunteer.send_command("invites")
    await harness.settle()
    await volunteer.press_data(f"inv.x:{target.id}:0", volunteer.last().message_id)
    await harness.settle()
    assert volunteer.last().text == FORBIDDEN
    assert volunteer.answered_callbacks[-1]["text"] == FORBIDDEN
    assert (await invite_of(harness, code)).revoked is False
    assert not [row for row in await _invite_trail(harness) if row[0] == "invite.revoke"]


async def test_an_admin_picks_the_unit_revokes_any_link_and_both_are_audited(
    harness: Harness,
) -> None:
    await harness.admin.send_command("start")
    await harness.settle()
    unit = await create_unit(harness, "城管局")
    await create_unit(harness, "交警队")
    code = await invite_code(harness, harness.admin, "城管局", "协调员")
    made_at = harness.clock.now()
    harness.clock.advance(minutes=10)
    admin = await harness.member(harness.admin.user_id)
    assert admin is not None
    invite = await invite_of(harness, code)

    await harness.admin.send_command("invites")
    await harness.settle()
    assert harness.admin.last().text == "查看哪个单位的邀请链接？"
    await harness.admin.press("城管局")
    await harness.settle()
    assert "协调员 · 已用 0/1 次" in (harness.admin.last().text or "")
    await harness.admin.press(next(b for b in harness.admin.last().buttons() if "协调员" in b))
    await harness.settle()
    assert harness.admin.last().text == "「城管局」没有有效的邀请链接。用 /invite 生成一个。"

    person = harness.user(5301, "郑")
    await person.send_command("start", code)
    await harness.settle()
    assert person.last().text == REVOKED
    assert await harness.count(Member) == 1  # the admin only

    assert await _invite_trail(harness) == [
        (
            "invite.create",
            admin.id,
            invite.id,
            None,
            {
                "unit_id": unit.id,
                "role": "coordinator",
                "max_uses": 1,
                "expires_at": invite.expires_at.isoformat(),
            },
        ),
        ("invite.revoke", admin.id, invite.id, {"revoked": False, "uses": 0}, {"revoked": True}),
    ]
    async with harness.session() as session:
        times = list(
            await session.scalars(
                select(AuditEntry.created_at)
                .where(AuditEntry.object_type == "invite")
                .order_by(AuditEntry.id)
            )
        )
    assert times == [made_at, harness.clock.now()]


async def test_a_link_revoked_while_someone_joins_is_refused_at_the_last_step(
    harness: Harness,
) -> None:
    """The revocation races a person half-way: their language press finds it revoked."""
    await create_unit(harness, "城管局")
    code = await invite_code(harness, harness.admin, "城管局", "志愿者")
    person = harness.user(5401, "冯")
    await person.send_command("start", code)
    await person.send_contact(phone_number="+8613800000000")
    await person.send_text("冯")
    await harness.settle()
    await harness.admin.send_command("invites")
    await harness.settle()
    await harness.admin.press(next(b for b in harness.admin.last().buttons() if "志愿者" in b))
    await harness.settle()
    await person.press("简体中文")
    await harness.settle()
    assert person.last().text == REVOKED
    assert await harness.member(5401) is None
    assert (await invite_of(harness, code)).uses == 0


async def test_closing_an_invite_picker_leaves_the_dialogue_open(harness: Harness) -> None:
    """An admin naming a new unit asks for a link meanwhile and closes the pickers of /invite
    and /invites with ✖️: those close, and the unit's name is still awaited."""
    await create_unit(harness, "城管局")
    await create_unit(harness, "交警队")
    admin = harness.admin
    await admin.send_command("units")
    await harness.settle()
    await admin.press("➕ 新建单位")
    await harness.settle()
    for name in ("invite", "invites"):
        await admin.send_command(name)
        await harness.settle()
        picker = admin.last()
        assert "城管局" in picker.buttons() and "✖️ 取消" in picker.buttons()
        await admin.press("✖️ 取消", picker.message_id)
        await harness.settle()
        assert admin.last().buttons() == []
        async with harness.session() as session:
            assert await session.get(Dialogue, admin.user_id) is not None
    await admin.send_command("invite")
    await harness.settle()
    await admin.press("城管局")
    await harness.settle()
    await admin.press("✖️ 取消")
    await harness.settle()
    async with harness.session() as session:
        assert await session.get(Dialogue, admin.user_id) is not None

    await admin.send_text("环卫所")
    await harness.settle()
    assert admin.last().text == "已创建单位「环卫所」。现在可以为它生成邀请链接。"
    assert await harness.count(Dialogue) == 0
