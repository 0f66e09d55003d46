"""An admin archives a unit that has left the campaign from /units, and restores it: refused
while the unit has shifts to come or open rectification orders; once archived, the unit is
offered in no picker and its invite links stop working."""

from __future__ import annotations

from sqlalchemy import select, update

from bot.buttons import InviteUnit, UnitArchive
from bot.db.models import (
    AuditEntry,
    Category,
    Invite,
    OrderStatus,
    OutboxMessage,
    RectificationOrder,
    Role,
    Shift,
    ShiftStatus,
    Unit,
)
from tests.e2e.import_fixtures import csv_bytes
from tests.e2e.journeys import invite_code
from tests.e2e.schedule import command, person, post, shift, unit
from tests.harness import Harness


async def _archived(harness: Harness) -> dict[str, bool]:
    async with harness.session() as session:
        rows = await session.execute(select(Unit.name, Unit.archived))
        return {row.name: row.archived for row in rows}


async def test_admin_archives_a_unit_and_restores_it(harness: Harness) -> None:
    admin = harness.admin
    sanitation = await unit(harness, "环卫所")
    link = await invite_code(harness, admin, "环卫所", "志愿者")
    text = await command(harness, admin, "units")
    assert "• 环卫所：0 人" in text
    assert admin.last().buttons() == ["➕ 新建单位", "✏️ 改名：环卫所", "🔗 邀请", "🗂 归档"]

    await admin.press("🗂 归档")
    await harness.settle()
    assert admin.answered_callbacks[-1]["text"] == (
        "已归档「环卫所」：不再出现在单位选择里，1 个邀请链接已作废。"
    )
    assert "• 环卫所：0 人（已归档）" in (admin.last().text or "")
    assert admin.last().buttons() == ["➕ 新建单位", "✏️ 改名：环卫所", "♻️ 恢复"]
    assert await _archived(harness) == {"环卫所": True}
    async with harness.session() as session:
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "unit.archive"))
        assert entry is not None and entry.object_id == sanitation
        assert (entry.before, entry.after) == ({"archived": False}, {"archived": True})
        invite = await session.scalar(select(Invite).where(Invite.code == link))
        assert invite is not None and invite.revoked
        revoked = await session.scalar(
            select(AuditEntry).where(AuditEntry.action == "invite.revoke")
        )
        assert revoked is not None and revoked.object_id == invite.id
        assert (revoked.actor_id, revoked.reason) == (entry.actor_id, "unit.archive")

    # Not offered any more, and an older invite button or link is refused.
    assert (
        await command(harness, admin, "invite")
        == "还没有可邀请的单位。管理员请先用 /units 新建单位。"
    )
    await admin.press_data(InviteUnit(sanitation).pack(), admin.last().message_id)
    await harness.settle()
    assert admin.answered_callbacks[-1]["text"] == (
        "「环卫所」已归档，不能再邀请新成员（管理员可在 /units 里恢复）。"
    )
    newcomer = harness.user(5601, "新人")
    await newcomer.send_command("start", link)
    await harness.settle()
    assert newcomer.last().text == (
        "这个邀请链接所属的单位「环卫所」已归档，链接已失效。请向协调员确认。"
    )
    assert await harness.member(5601) is None

    # Renamed while archived, it is not offered for an invite that could only be refused.
    await command(harness, admin, "units")
    await admin.press("✏️ 改名：环卫所")
    await harness.settle()
    await admin.send_text("环卫处")
    await harness.settle()
    assert admin.last().text == "单位已改名为「环卫处」。"
    assert admin.last().buttons() == []
    assert await _archived(harness) == {"环卫处": True}
    await command(harness, admin, "units")
    await admin.press("✏️ 改名：环卫处")
    await harness.settle()
    await admin.send_text("环卫所")
    await harness.settle()

    # Pressing the old button again changes nothing; restoring does not bring the link back:
    # a link pasted somewhere while the unit was away would otherwise admit strangers again.
    await admin.press_data(UnitArchive(sanitation, True, 0).pack(), admin.last().message_id)
    await harness.settle()
    await command(harness, admin, "units")
    await admin.press("♻️ 恢复")
    await harness.settle()
    assert admin.answered_callbacks[-1]["text"] == (
        "已恢复「环卫所」。归档时作废的邀请链接不会恢复，请用 /invite 生成新链接。"
    )
    assert "• 环卫所：0 人" in (admin.last().text or "")
    assert await _archived(harness) == {"环卫所": False}
    await newcomer.send_command("start", link)
    await harness.settle()
    assert newcomer.last().text == "这个邀请链接已被撤销，请向协调员索取新的链接。"
    assert await harness.member(5601) is None
    assert await command(harness, admin, "invites") == (
        "「环卫所」没有有效的邀请链接。用 /invite 生成一个。"
    )
    fresh = await invite_code(harness, admin, "环卫所", "志愿者")
    await newcomer.send_command("start", fresh)
    await harness.settle()
    assert "手机号" in (newcomer.last().text or ""), newcomer.last().text


async def test_a_unit_with_shifts_to_come_or_open_orders_is_not_archived(harness: Harness) -> None:
    admin = harness.admin
    city = await unit(harness, "城管局")
    upcoming = await shift(harness, await post(harness, city))
    await command(harness, admin, "units")
    await admin.press_data(UnitArchive(city, True, 0).pack(), admin.last().message_id)
    await harness.settle()
    assert admin.answered_callbacks[-1]["text"] == (
        "「城管局」还有 1 个未结束的班次，不能归档。请先取消或移交这些班次。"
    )
    assert await _archived(harness) == {"城管局": False}

    # The shift cancelled, an open rectification order still holds it.
    now = harness.clock.now()
    async with harness.session() as session:
        row = await session.get(Shift, upcoming)
        assert row is not None
        row.status = ShiftStatus.CANCELLED
        session.add(
            RectificationOrder(
                unit_id=city,
                category=Category.LITTER,
                status=OrderStatus.ISSUED,
                description="路口垃圾未清理",
                issued_at=now,
                visible_from=now,
                deadline_at=now,
                first_deadline_at=now,
                updated_at=now,
            )
        )
    await admin.press_data(UnitArchive(city, True, 0).pack(), admin.last().message_id)
    await harness.settle()
    assert admin.answered_callbacks[-1]["text"] == (
        "「城管局」还有 1 份未办结的整改令，不能归档。请先办结这些整改令。"
    )
    assert await _archived(harness) == {"城管局": False}


async def test_only_admins_archive_units(harness: Harness) -> None:
    city = await unit(harness, "城管局")
    coordinator = await person(harness, 5401, city, "乙", role=Role.COORDINATOR)
    await command(harness, coordinator, "help")
    await coordinator.press_data(UnitArchive(city, True, 0).pack(), coordinator.last().message_id)
    await harness.settle()
    assert coordinator.answered_callbacks[-1]["text"] == "抱歉，您没有权限执行这个操作。"
    assert await _archived(harness) == {"城管局": False}


async def test_a_spreadsheet_gives_an_archived_unit_no_shifts(harness: Harness) -> None:
    admin = harness.admin
    sanitation = await unit(harness, "环卫所")
    await command(harness, admin, "units")
    await admin.press_data(UnitArchive(sanitation, True, 0).pack(), admin.last().message_id)
    await harness.settle()
    await command(harness, admin, "import")
    await admin.send_document(
        "schedule.csv",
        csv_bytes("甲路口,traffic,环卫所,30.1,104.1,,2026-12-05,,,,07:00,09:00,4"),
        mime_type="text/csv",
    )
    await harness.settle()
    text = admin.last().text or ""
    assert "第 2 行：单位「环卫所」已归档，不能再排班" in text, text
    assert await harness.count(Shift) == 0


async def test_an_archived_units_coordinator_adds_no_shifts(harness: Harness) -> None:
    admin = harness.admin
    sanitation = await unit(harness, "环卫所")
    await post(harness, sanitation, "人民公园东门")
    coordinator = await person(harness, 5402, sanitation, "甲", role=Role.COORDINATOR)
    await command(harness, admin, "units")
    await admin.press_data(UnitArchive(sanitation, True, 0).pack(), admin.last().message_id)
    await harness.settle()
    await command(harness, coordinator, "newshift")
    await coordinator.press("人民公园东门 · 环卫所")
    await harness.settle()
    text = coordinator.answered_callbacks[-1]["text"]
    assert text == "「环卫所」已归档，不能再排班（管理员可在 /units 里恢复）。", text
    assert await harness.count(Shift) == 0
    assert await command(harness, coordinator, "invite") == (
        "「环卫所」已归档，不能再邀请新成员（管理员可在 /units 里恢复）。"
    )


async def test_an_announcement_to_every_unit_skips_an_archived_one(harness: Harness) -> None:
    staying = await unit(harness, "交警队")
    gone = await unit(harness, "环卫所")
    await person(harness, 9601, staying, "甲")
    await person(harness, 9602, gone, "乙")
    admin = harness.admin
    await command(harness, admin, "units")
    await admin.press_data(UnitArchive(gone, True, 0).pack(), admin.last().message_id)
    await harness.settle()
    await command(harness, admin, "broadcast")
    await admin.press("🌐 所有单位")
    await harness.settle()
    await admin.press("📢 发一条通知")
    await harness.settle()
    await admin.send_text("明早 7 点全员到岗，穿红马甲。")
    await harness.settle()
    assert "将发给 1 名志愿者" in (admin.last().text or ""), admin.last().text
    await admin.press("📤 发送")
    await harness.settle()
    async with harness.session() as session:
        told = set(await session.scalars(select(OutboxMessage.chat_id)))
    assert 9601 in told and 9602 not in told


async def test_restoring_a_unit_archived_before_links_were_revoked_revokes_them(
    harness: Harness,
) -> None:
    """A unit archived by an earlier version kept its invite links (they were only refused
    while it was archived): restoring it must not bring them back either."""
    admin = harness.admin
    sanitation = await unit(harness, "环卫所")
    link = await invite_code(harness, admin, "环卫所", "志愿者")
    async with harness.session() as session:
        await session.execute(update(Unit).where(Unit.id == sanitation).values(archived=True))
        await session.commit()
    await command(harness, admin, "units")
    await admin.press("♻️ 恢复")
    await harness.settle()
    assert await _archived(harness) == {"环卫所": False}
    async with harness.session() as session:
        invite = await session.scalar(select(Invite).where(Invite.code == link))
        assert invite is not None and invite.revoked
        revoked = await session.scalar(
            select(AuditEntry).where(AuditEntry.action == "invite.revoke")
        )
        assert revoked is not None and revoked.object_id == invite.id
        assert revoked.reason == "unit.restore"
    newcomer = harness.user(5602, "新人")
    await newcomer.send_command("start", link)
    await harness.settle()
    assert newcomer.last().text == "这个邀请链接已被撤销，请向协调员索取新的链接。"
    assert await harness.member(5602) is None


async def test_an_old_archive_button_of_an_archived_unit_says_so_and_changes_nothing(
    harness: Harness,
) -> None:
    admin = harness.admin
    sanitation = await unit(harness, "环卫所")
    await command(harness, admin, "units")
    old = admin.last().message_id
    await admin.press("🗂 归档")
    await harness.settle()

    await admin.press_data(UnitArchive(sanitation, True, 0).pack(), old)
    await harness.settle()
    assert admin.answered_callbacks[-1]["text"] == "「环卫所」已经归档了，无需再归档。"
    await admin.press_data(UnitArchive(sanitation, False, 0).pack(), old)
    await harness.settle()
    await admin.press_data(UnitArchive(sanitation, False, 0).pack(), old)
    await harness.settle()
    assert admin.answered_callbacks[-1]["text"] == "「环卫所」没有归档，无需恢复。"
    assert await _archived(harness) == {"环卫所": False}
    async with harness.session() as session:
        actions = list(
            await session.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.object_type == "unit")
                .order_by(AuditEntry.id)
            )
        )
    assert [a for a in actions if a in ("unit.archive", "unit.restore")] == [
        "unit.archive",
        "unit.restore",
    ]


async def test_archiving_a_unit_without_live_links_says_nothing_about_links(
    harness: Harness,
) -> None:
    admin = harness.admin
    sanitation = await unit(harness, "环卫所")
    await command(harness, admin, "units")
    await admin.press("🗂 归档")
    await harness.settle()
    assert admin.answered_callbacks[-1]["text"] == "已归档「环卫所」：不再出现在单位选择里。"
    assert await _archived(harness) == {"环卫所": True}
    async with harness.session() as session:
        revoked = await session.scalar(
            select(AuditEntry).where(AuditEntry.action == "invite.revoke")
        )
        assert revoked is None
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "unit.archive"))
        assert entry is not None and entry.object_id == sanitation


async def test_archiving_a_unit_counts_every_live_link_it_revokes(harness: Harness) -> None:
    admin = harness.admin
    await unit(harness, "环卫所")
    links = [await invite_code(harness, admin, "环卫所", role) for role in ("志愿者", "协调员")]
    await command(harness, admin, "units")
    await admin.press("🗂 归档")
    await harness.settle()
    assert admin.answered_callbacks[-1]["text"] == (
        "已归档「环卫所」：不再出现在单位选择里，2 个邀请链接已作废。"
    )
    async with harness.session() as session:
        revoked = await session.scalars(select(Invite.revoked).where(Invite.code.in_(links)))
        assert list(revoked) == [True, True]
