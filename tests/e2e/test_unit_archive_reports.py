"""An admin archives a unit that street reports were sent to and nobody has decided on yet: an
archived unit deals with none, so they go back to the inspectors to send elsewhere, and the
admin is told how many."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.buttons import UnitArchive
from bot.db.models import AuditEntry, Invite, ReportStatus, Role, StreetReport, Unit
from tests.e2e.oversight_fixtures import city, near, report, street_reports
from tests.e2e.schedule import command, press_and_settle
from tests.harness import ADMIN_ID, Harness


async def test_archiving_a_unit_returns_its_undecided_reports_to_the_inspectors(
    harness: Harness,
) -> None:
    town = await city(harness)
    wang, li = town.volunteers
    # One near 城管局's post, so routed to it; one far from every post, sent to it by hand.
    await report(harness, wang, near(100))
    await report(harness, li, near(5000), category="乱扔垃圾", text="垃圾桶满溢")
    first, far = await street_reports(harness)
    assert first.status is ReportStatus.ROUTED and first.unit_id == town.unit_id
    await harness.deliver()
    inspector = town.inspector
    await press_and_settle(harness, inspector, "📮 分派给单位")
    await press_and_settle(harness, inspector, "城管局")
    await harness.deliver()

    admin = harness.admin
    await command(harness, admin, "units")
    await admin.press_data(UnitArchive(town.unit_id, True, 0).pack(), admin.last().message_id)
    await harness.settle()
    assert admin.answered_callbacks[-1]["text"] == (
        "已归档「城管局」：不再出现在单位选择里。\n"
        "转给它、还没处理的 2 条随手拍已交回督查员重新分派。"
    )

    for returned in await street_reports(harness):
        assert returned.status is ReportStatus.NEW
        assert (returned.unit_id, returned.route_method, returned.route_distance_m) == (
            None,
            None,
            None,
        )
    async with harness.session() as session:
        trail = list(
            await session.scalars(
                select(AuditEntry)
                .where(AuditEntry.action == "report.return")
                .order_by(AuditEntry.object_id)
            )
        )
        archived = await session.scalar(
            select(AuditEntry).where(AuditEntry.action == "unit.archive")
        )
    assert archived is not None
    assert [entry.object_id for entry in trail] == [first.id, far.id]
    for entry in trail:
        assert (entry.actor_id, entry.reason) == (archived.actor_id, "unit.archive")
        assert (entry.before, entry.after) == ({"unit": town.unit_id}, {"unit": None})

    # The inspectors hear of each again, to send it to a unit still in the campaign.
    await harness.deliver()
    asked = [
        message.caption or message.text or ""
        for message in inspector.messages()
        if "「城管局」已归档" in (message.caption or message.text or "")
    ]
    assert len(asked) == 2
    assert all("请重新分派给责任单位" in text for text in asked)
    assert inspector.last().buttons() == ["📮 分派给单位", "🚫 不予受理"]
    text = await press_and_settle(harness, inspector, "📮 分派给单位")
    assert inspector.last().buttons() == ["交通局", "✖️ 取消"], text
    text = await press_and_settle(harness, inspector, "交通局")
    assert "已分派给「交通局」" in text
    async with harness.session() as session:
        moved = await session.get(StreetReport, far.id)
        assert moved is not None and moved.unit_id == town.other_unit_id


async def test_archiving_a_unit_leaves_decided_reports_and_other_units_reports_alone(
    harness: Harness,
) -> None:
    town = await city(harness)
    wang, li = town.volunteers
    await report(harness, wang, near(100))
    await report(harness, li, near(5000))
    mine, other = await street_reports(harness)
    await harness.deliver()
    inspector = town.inspector
    await press_and_settle(harness, inspector, "📮 分派给单位")
    await press_and_settle(harness, inspector, "交通局")
    async with harness.session() as session:
        decided = await session.get(StreetReport, mine.id)
        assert decided is not None
        decided.status = ReportStatus.DISMISSED
        await session.commit()

    admin = harness.admin
    await command(harness, admin, "units")
    await admin.press_data(UnitArchive(town.unit_id, True, 0).pack(), admin.last().message_id)
    await harness.settle()
    assert admin.answered_callbacks[-1]["text"] == "已归档「城管局」：不再出现在单位选择里。"
    dismissed, routed = await street_reports(harness)
    assert (dismissed.status, dismissed.unit_id) == (ReportStatus.DISMISSED, town.unit_id)
    assert (routed.status, routed.unit_id) == (ReportStatus.ROUTED, town.other_unit_id)
    assert other.id == routed.id


async def test_an_english_admin_reads_the_whole_answer_for_a_unit_of_the_longest_name(
    harness: Harness,
) -> None:
    # A button's answer holds 200 characters; the archiving's, in English, for a unit named
    # as long as names go, with links revoked and reports returned, must fit whole.
    admin = harness.emulator.user(ADMIN_ID, "Admin", username="admin", language_code="en")
    town = await city(harness)
    wang, li = town.volunteers
    await report(harness, wang, near(100))
    await report(harness, li, near(100), category="乱扔垃圾", text="垃圾桶满溢")
    longest = "Civilized Traffic Office No. 123"
    assert len(longest) == 32  # UNIT_NAME_MAX
    async with harness.session() as session:
        unit = await session.get(Unit, town.unit_id)
        assert unit is not None
        unit.name = longest
        now = harness.clock.now()
        for code in ("longname-a", "longname-b"):
            session.add(
                Invite(
                    code=code,
                    unit_id=unit.id,
                    role=Role.VOLUNTEER,
                    created_at=now,
                    expires_at=now + dt.timedelta(days=7),
                    max_uses=10,
                )
            )
        await session.commit()

    await command(harness, admin, "units")
    await admin.press_data(UnitArchive(town.unit_id, True, 0).pack(), admin.last().message_id)
    await harness.settle()
    assert admin.answered_callbacks[-1]["text"] == (
        f"“{longest}” archived: no longer offered when a unit is picked; 2 invite links revoked.\n"
        "2 undecided street reports sent to it are back with the inspectors."
    )
    assert [returned.status for returned in await street_reports(harness)] == [
        ReportStatus.NEW,
        ReportStatus.NEW,
    ]
