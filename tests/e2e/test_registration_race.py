"""A member opens an invite of their unit for a new role at the moment an admin removes them
from the unit: the removal and the role are not both kept, whichever comes first."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.buttons import MemberRemoveConfirm
from bot.db.models import Member, MemberRole, Role
from bot.services.people import invites
from tests.e2e.journeys import invite_code
from tests.e2e.race_gate import Gate, until
from tests.e2e.schedule import command, person, unit
from tests.harness import Harness


async def test_a_role_is_not_added_to_a_member_removed_meanwhile(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = harness.admin
    city = await unit(harness, "城管局")
    volunteer = await person(harness, 8801, city, "甲")
    code = await invite_code(harness, admin, "城管局", "领导")
    async with harness.session() as session:
        member_id = await session.scalar(select(Member.id).where(Member.telegram_id == 8801))
    assert member_id is not None
    await command(harness, admin, "members")

    # Their /start has found them a member of the unit, and is about to count the invite's use,
    # when the admin confirms their removal.
    gate = Gate(monkeypatch, invites, "consume")
    await volunteer.send_command("start", code)
    await gate.wait_reached()
    answered = len(admin.answered_callbacks)
    await admin.press_data(MemberRemoveConfirm(member_id).pack(), admin.last().message_id)
    await until(lambda: len(admin.answered_callbacks) > answered)
    gate.release()
    await harness.settle()

    async with harness.session() as session:
        member = await session.get(Member, member_id)
        assert member is not None
        roles = set(
            await session.scalars(select(MemberRole.role).where(MemberRole.member_id == member_id))
        )
    # The role came first (the removal waited for it) and the removal took it with the rest.
    assert admin.texts()[-1] == "已将「甲」移出「城管局」，释放了 0 个班次。已通知 ta。"
    assert not member.active
    assert Role.LEADER not in roles and roles == set()
