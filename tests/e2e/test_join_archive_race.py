"""Someone finishes joining a unit by its invite at the moment an admin archives the unit: no
one joins a unit already archived. Either the join comes first and the archiving waits for it,
or the archiving does and the joiner is told the unit is closed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.buttons import UnitArchive
from bot.db.models import AuditEntry, Member, Unit
from bot.services.people import invites
from tests.e2e.journeys import invite_code
from tests.e2e.race_gate import Gate, until
from tests.e2e.schedule import command, unit
from tests.harness import Harness


async def test_a_unit_is_not_archived_under_someone_joining_it(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = harness.admin
    city = await unit(harness, "城管局")
    code = await invite_code(harness, admin, "城管局", "志愿者")
    joiner = harness.user(8901, "王芳")
    await joiner.send_command("start", code)
    await harness.settle()
    await joiner.send_contact(phone_number="+8613800000000")
    await harness.settle()
    await joiner.send_text("王芳")
    await harness.settle()
    await command(harness, admin, "units")

    # Her last step has found the invite and its unit open, and is about to count the use,
    # when the admin archives the unit.
    gate = Gate(monkeypatch, invites, "consume")
    await joiner.press("简体中文")
    await gate.wait_reached()
    answered = len(admin.answered_callbacks)
    await admin.press_data(UnitArchive(city, True, 0).pack(), admin.last().message_id)
    archived_meanwhile = await until(lambda: len(admin.answered_callbacks) > answered)
    gate.release()
    await harness.settle()

    # The join came first: the archiving waited for it, then archived the unit with her in it.
    assert not archived_meanwhile, "the unit was archived while someone was joining it"
    member = await harness.member(8901)
    assert member is not None and member.unit_id == city and member.active
    async with harness.session() as session:
        assert await session.scalar(select(Unit.archived).where(Unit.id == city))
        trail = list(
            await session.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.action.in_(("member.join", "unit.archive")))
                .order_by(AuditEntry.id)
            )
        )
        assert trail == ["member.join", "unit.archive"]
        assert await session.scalar(select(Member.id).where(Member.telegram_id == 8901))
    assert "「城管局」" in admin.answered_callbacks[-1]["text"]
