"""An admin archives a unit at the moment one of its coordinators creates a shift: the unit is
archived only without shifts to come, so one of the two must lose, whichever is first."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.buttons import UnitArchive
from bot.db.models import Role, Shift, ShiftStatus, Unit
from bot.services.platform import dialogues
from tests.e2e.race_gate import Gate, until
from tests.e2e.schedule import command, person, post, press_and_settle, unit
from tests.harness import Harness


async def test_a_unit_is_not_archived_under_a_shift_being_created(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = harness.admin
    city = await unit(harness, "城管局")
    await post(harness, city)
    coordinator = await person(harness, 7801, city, "王协调", role=Role.COORDINATOR)
    await command(harness, coordinator, "newshift")
    await press_and_settle(harness, coordinator, "黄河路-人民路口 · 城管局")
    await press_and_settle(harness, coordinator, "12月2日 周三")  # tomorrow
    await press_and_settle(harness, coordinator, "07:00–09:00")
    await press_and_settle(harness, coordinator, "4")
    await command(harness, admin, "units")

    # Her Create has found the unit open and written the shift, not yet committed, when the
    # admin archives the unit.
    gate = Gate(monkeypatch, dialogues, "end")
    await coordinator.press("✅ 新建")
    await gate.wait_reached()
    answered = len(admin.answered_callbacks)
    await admin.press_data(UnitArchive(city, True, 0).pack(), admin.last().message_id)
    await until(lambda: len(admin.answered_callbacks) > answered)
    gate.release()
    await harness.settle()

    async with harness.session() as session:
        archived = await session.scalar(select(Unit.archived).where(Unit.id == city))
        upcoming = list(
            await session.scalars(select(Shift.id).where(Shift.status == ShiftStatus.SCHEDULED))
        )
    assert not (archived and upcoming), "an archived unit has a shift to come"
    assert upcoming and not archived
    assert admin.answered_callbacks[-1]["text"] == (
        "「城管局」还有 1 个未结束的班次，不能归档。请先取消或移交这些班次。"
    )
