"""A member files a street report near a unit's post at the moment an admin archives that unit:
whichever is first, the report does not stay with the archived unit. Filed first, it goes back
to the inspectors with the archiving; archived first, the report is routed without the unit."""

from __future__ import annotations

import pytest

from bot.buttons import UnitArchive
from bot.db.models import ReportStatus
from bot.emulator import SimUser
from bot.services.people import units
from bot.services.platform import dialogues
from tests.e2e.oversight_fixtures import City, city, near, street_reports
from tests.e2e.race_gate import Gate, until
from tests.e2e.schedule import command, press_and_settle
from tests.harness import Harness


async def _report_all_but_its_text(harness: Harness) -> tuple[City, SimUser]:
    """A volunteer 100 m from 城管局's only post has sent all of a report but its text, and
    the admin's /units is shown."""
    town = await city(harness)
    wang = town.volunteers[0]
    await wang.send_command("report")
    await harness.settle()
    await wang.send_photo()
    await harness.settle()
    await wang.send_location(*near(100))
    await harness.settle()
    await press_and_settle(harness, wang, "乱停车")
    await command(harness, harness.admin, "units")
    return town, wang


async def _archive(harness: Harness, unit_id: int) -> None:
    admin = harness.admin
    await admin.press_data(UnitArchive(unit_id, True, 0).pack(), admin.last().message_id)


async def test_a_report_filed_as_its_unit_is_archived_goes_back_to_the_inspectors(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    town, wang = await _report_all_but_its_text(harness)
    admin = harness.admin

    # The report has been routed to 城管局 and written, not yet committed, when it is archived.
    gate = Gate(monkeypatch, dialogues, "end")
    await wang.send_text("共享单车堆在盲道上")
    await gate.wait_reached()
    answered = len(admin.answered_callbacks)
    await _archive(harness, town.unit_id)
    await until(lambda: len(admin.answered_callbacks) > answered)
    gate.release()
    await harness.settle()

    [filed] = await street_reports(harness)
    assert (filed.status, filed.unit_id) == (ReportStatus.NEW, None)
    assert admin.answered_callbacks[-1]["text"] == (
        "已归档「城管局」：不再出现在单位选择里。\n"
        "转给它、还没处理的 1 条随手拍已交回督查员重新分派。"
    )


async def test_a_report_filed_while_its_unit_is_being_archived_is_routed_without_it(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    town, wang = await _report_all_but_its_text(harness)
    admin = harness.admin

    # The archiving has marked 城管局 archived, not yet committed, when the report is sent.
    gate = Gate(monkeypatch, units, "_revoke_links")
    await _archive(harness, town.unit_id)
    await gate.wait_reached()
    sent = len(wang.messages())
    await wang.send_text("共享单车堆在盲道上")
    await until(lambda: len(wang.messages()) > sent)
    gate.release()
    await harness.settle()

    assert admin.answered_callbacks[-1]["text"] == "已归档「城管局」：不再出现在单位选择里。"
    [filed] = await street_reports(harness)
    assert (filed.status, filed.unit_id) == (ReportStatus.NEW, None)
    assert "督查员会分派给责任单位" in (wang.last().text or "")
    await harness.deliver()
    assert "请分派给责任单位" in (town.inspector.last().caption or "")
