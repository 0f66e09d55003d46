"""An admin archives a unit at the moment an inspector issues it a rectification order: a unit
is archived only without open orders, so one of the two must lose, whichever is first."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.buttons import UnitArchive
from bot.db.models import Unit
from bot.services.oversight import order_drafts
from tests.e2e.oversight_fixtures import city, near, orders, report, street_reports
from tests.e2e.race_gate import Gate, until
from tests.e2e.schedule import command, press_and_settle
from tests.harness import Harness


async def test_a_unit_is_not_archived_under_an_order_being_issued(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    town = await city(harness)
    admin = harness.admin
    await report(harness, town.volunteers[0], near(60), category="乱扔垃圾", text="垃圾桶满溢")
    [filed] = await street_reports(harness)
    await town.inspector.send_command("orders")
    await harness.settle()
    await press_and_settle(harness, town.inspector, "📷 待处理随手拍（1）")
    await press_and_settle(harness, town.inspector, f"随手拍 #{filed.id}")
    await press_and_settle(harness, town.inspector, "📝 下整改令")
    await command(harness, admin, "units")

    # The inspector's 下发 has found the unit not archived when the admin archives it.
    gate = Gate(monkeypatch, order_drafts, "_existing")
    await town.inspector.press("✅ 下发")
    await gate.wait_reached()
    answered = len(admin.answered_callbacks)
    await admin.press_data(UnitArchive(town.unit_id, True, 0).pack(), admin.last().message_id)
    await until(lambda: len(admin.answered_callbacks) > answered)
    gate.release()
    await harness.settle()

    async with harness.session() as session:
        archived = await session.scalar(select(Unit.archived).where(Unit.id == town.unit_id))
    issued = await orders(harness)
    assert not (archived and issued), "an archived unit has an open order"
    assert issued and not archived
    assert admin.answered_callbacks[-1]["text"] == (
        "「城管局」还有 1 份未办结的整改令，不能归档。请先办结这些整改令。"
    )
