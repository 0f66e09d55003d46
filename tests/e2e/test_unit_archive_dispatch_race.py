"""An inspector sends a street report to a unit by hand at the moment an admin archives that
unit: whichever is first, the report does not stay with the archived unit. Sent first, it goes
back to the inspectors with the archiving; archived first, the dispatch is refused and the
inspector picks another unit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.buttons import UnitArchive
from bot.db.models import ReportStatus, Unit
from bot.services.oversight import report_decisions
from bot.services.people import units
from tests.e2e.oversight_fixtures import City, city, near, report, street_reports
from tests.e2e.race_gate import Gate, until
from tests.e2e.schedule import command, press_and_settle
from tests.harness import Harness


async def _dispatch_list_open(harness: Harness) -> tuple[City, int]:
    """A report far from every post, the inspector's list of units to send it to open, and
    the admin's /units shown; the list's message id."""
    town = await city(harness)
    await report(harness, town.volunteers[0], near(5000))
    await harness.deliver()
    await press_and_settle(harness, town.inspector, "📮 分派给单位")
    await command(harness, harness.admin, "units")
    return town, town.inspector.last().message_id


async def _archive(harness: Harness, unit_id: int) -> None:
    admin = harness.admin
    await admin.press_data(UnitArchive(unit_id, True, 0).pack(), admin.last().message_id)


async def _archived(harness: Harness, unit_id: int) -> bool:
    async with harness.session() as session:
        return bool(await session.scalar(select(Unit.archived).where(Unit.id == unit_id)))


async def test_a_report_sent_to_a_unit_being_archived_goes_back_to_the_inspectors(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    town, listed = await _dispatch_list_open(harness)
    inspector, admin = town.inspector, harness.admin

    # The dispatch has found 交通局 not archived when the admin archives it.
    gate = Gate(monkeypatch, report_decisions, "_decide")
    await inspector.press("交通局", listed)
    await gate.wait_reached()
    answered = len(admin.answered_callbacks)
    await _archive(harness, town.other_unit_id)
    await until(lambda: len(admin.answered_callbacks) > answered)
    gate.release()
    await harness.settle()

    assert await _archived(harness, town.other_unit_id)
    [waiting] = await street_reports(harness)
    assert (waiting.status, waiting.unit_id) == (ReportStatus.NEW, None)
    assert admin.answered_callbacks[-1]["text"] == (
        "已归档「交通局」：不再出现在单位选择里。\n"
        "转给它、还没处理的 1 条随手拍已交回督查员重新分派。"
    )
    await harness.deliver()
    assert "「交通局」已归档" in (inspector.last().caption or "")
    await press_and_settle(harness, inspector, "📮 分派给单位")
    text = await press_and_settle(harness, inspector, "城管局")
    assert f"✅ 随手拍 #{waiting.id} 已分派给「城管局」。" in text
    [sent] = await street_reports(harness)
    assert (sent.status, sent.unit_id) == (ReportStatus.ROUTED, town.unit_id)


async def test_a_report_is_not_sent_to_a_unit_archived_while_the_dispatch_waits(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    town, listed = await _dispatch_list_open(harness)
    inspector, admin = town.inspector, harness.admin
    shown = inspector.last().buttons()

    # The archiving has marked 交通局 archived, not yet committed, when the inspector picks it.
    gate = Gate(monkeypatch, units, "_revoke_links")
    await _archive(harness, town.other_unit_id)
    await gate.wait_reached()
    answered = len(inspector.answered_callbacks)
    await inspector.press("交通局", listed)
    await until(lambda: len(inspector.answered_callbacks) > answered)
    gate.release()
    await harness.settle()

    assert await _archived(harness, town.other_unit_id)
    assert admin.answered_callbacks[-1]["text"] == "已归档「交通局」：不再出现在单位选择里。"
    assert inspector.answered_callbacks[-1]["text"] == (
        "「交通局」已归档，不能再把随手拍分派给它，请选其他单位。"
    )
    [waiting] = await street_reports(harness)
    assert (waiting.status, waiting.unit_id) == (ReportStatus.NEW, None)
    assert inspector.last().message_id == listed
    assert inspector.last().buttons() == [label for label in shown if label != "交通局"]
    text = await press_and_settle(harness, inspector, "城管局")
    assert f"✅ 随手拍 #{waiting.id} 已分派给「城管局」。" in text
