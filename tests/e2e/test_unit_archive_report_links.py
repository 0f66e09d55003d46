"""A street report that archiving its unit sent back to the inspectors takes its linked reports
(the same problem reported nearby) with it, and wherever it is passed next they follow; and the
inspectors' request to pass it on again is withdrawn once someone has passed it on, dismissed it
or ordered it fixed before the request went out."""

from __future__ import annotations

from bot.buttons import UnitArchive
from bot.db.models import ReportStatus, RouteMethod
from tests.e2e.oversight_fixtures import city, near, report, street_reports
from tests.e2e.schedule import command, press_and_settle
from tests.harness import Harness


async def test_a_linked_report_follows_the_report_archiving_returned(harness: Harness) -> None:
    town = await city(harness)
    wang, li = town.volunteers
    await report(harness, wang, near(100))
    await report(harness, li, near(120))
    first, linked = await street_reports(harness)
    assert linked.duplicate_of_id == first.id and linked.unit_id == town.unit_id
    await harness.deliver()

    admin = harness.admin
    await command(harness, admin, "units")
    await admin.press_data(UnitArchive(town.unit_id, True, 0).pack(), admin.last().message_id)
    await harness.settle()
    returned, linked = await street_reports(harness)
    assert (returned.status, returned.unit_id) == (ReportStatus.NEW, None)
    assert (linked.status, linked.unit_id, linked.route_method) == (
        ReportStatus.DUPLICATE,
        None,
        None,
    )

    await harness.deliver()
    inspector = town.inspector
    await press_and_settle(harness, inspector, "📮 分派给单位")
    await press_and_settle(harness, inspector, "交通局")
    passed, linked = await street_reports(harness)
    assert (passed.status, passed.unit_id) == (ReportStatus.ROUTED, town.other_unit_id)
    assert (linked.unit_id, linked.route_method) == (town.other_unit_id, RouteMethod.HAND)


async def test_the_request_to_pass_a_returned_report_again_is_withdrawn_once_it_is_passed(
    harness: Harness,
) -> None:
    town = await city(harness)
    wang = town.volunteers[0]
    await report(harness, wang, near(100))
    [filed] = await street_reports(harness)
    await harness.deliver()
    inspector, admin = town.inspector, harness.admin

    # The inspector has the queue open when the admin archives the unit: the report goes back
    # to the inspectors, and the inspector passes it on before their request is sent.
    await inspector.send_command("orders")
    await harness.settle()
    await press_and_settle(harness, inspector, "📷 待处理随手拍（1）")
    await press_and_settle(harness, inspector, f"随手拍 #{filed.id}")
    await command(harness, admin, "units")
    await admin.press_data(UnitArchive(town.unit_id, True, 0).pack(), admin.last().message_id)
    await harness.settle()
    await press_and_settle(harness, inspector, "📮 分派给单位")
    text = await press_and_settle(harness, inspector, "交通局")
    assert "已分派给「交通局」" in text

    await harness.deliver()
    for reader in (inspector, admin):
        stale = [
            m for m in reader.messages() if "请重新分派给责任单位" in (m.caption or m.text or "")
        ]
        assert stale == [], [m.caption or m.text for m in stale]
    [passed] = await street_reports(harness)
    assert (passed.status, passed.unit_id) == (ReportStatus.ROUTED, town.other_unit_id)


async def test_the_request_to_pass_a_returned_report_again_is_withdrawn_once_it_is_dismissed(
    harness: Harness,
) -> None:
    town = await city(harness)
    await report(harness, town.volunteers[0], near(100))
    [filed] = await street_reports(harness)
    await harness.deliver()
    inspector, admin = town.inspector, harness.admin
    await inspector.send_command("orders")
    await harness.settle()
    await press_and_settle(harness, inspector, "📷 待处理随手拍（1）")
    await press_and_settle(harness, inspector, f"随手拍 #{filed.id}")
    await command(harness, admin, "units")
    await admin.press_data(UnitArchive(town.unit_id, True, 0).pack(), admin.last().message_id)
    await harness.settle()
    await press_and_settle(harness, inspector, "🚫 不予受理")
    await inspector.send_text("不属于创文范围")
    await harness.settle()

    await harness.deliver()
    for reader in (inspector, admin):
        texts = [m.caption or m.text or "" for m in reader.messages()]
        assert not any("请重新分派给责任单位" in text for text in texts)
    [dismissed] = await street_reports(harness)
    assert dismissed.status is ReportStatus.DISMISSED
