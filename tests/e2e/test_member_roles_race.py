"""Two admins each take one of a member's two roles at the same moment: the one who comes
second takes the last role, and that is a removal, never an active member left with none."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.buttons import MemberRoleTakeConfirm
from bot.db.models import Member, MemberRole, Role
from bot.services.schedule import seats
from tests.e2e.race_gate import Gate, until
from tests.e2e.schedule import command, person, unit
from tests.harness import ADMIN_ID, Harness

OTHER_ADMIN = 610_201


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"admin_ids": [ADMIN_ID, OTHER_ADMIN]}


async def test_two_admins_taking_both_roles_at_once_remove_the_member(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    city = await unit(harness, "城管局")
    await person(harness, 8901, city, "甲", role=Role.COORDINATOR)
    async with harness.session() as session:
        member = await session.scalar(select(Member).where(Member.telegram_id == 8901))
        assert member is not None
        member_id = member.id
        session.add(MemberRole(member_id=member_id, role=Role.VOLUNTEER))
    first, second = harness.admin, harness.user(OTHER_ADMIN, "Admin2")
    await command(harness, first, "members")
    await command(harness, second, "members")

    # The first admin's take of 协调员 has found another role left, and is about to take it,
    # when the second admin confirms taking 志愿者.
    gate = Gate(monkeypatch, seats, "lock_members")
    await first.press_data(
        MemberRoleTakeConfirm(member_id, Role.COORDINATOR).pack(), first.last().message_id
    )
    await gate.wait_reached()
    answered = len(second.answered_callbacks)
    await second.press_data(
        MemberRoleTakeConfirm(member_id, Role.VOLUNTEER).pack(), second.last().message_id
    )
    await until(lambda: len(second.answered_callbacks) > answered)
    gate.release()
    await harness.settle()

    async with harness.session() as session:
        gone = await session.get(Member, member_id)
        assert gone is not None
        roles = set(
            await session.scalars(select(MemberRole.role).where(MemberRole.member_id == member_id))
        )
    # Whoever came second took the last role: a removal, said as one.
    assert (roles, gone.active) == (set(), False)
    removed = "已将 甲 移出「城管局」，释放了 0 个班次。已通知 ta。"
    assert removed in (first.texts()[-1], second.texts()[-1])
