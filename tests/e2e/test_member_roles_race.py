"""Two admins each take one of a member's two roles at the same moment, each confirmation
saying the member stays in the unit: the one who comes second would take the last role, a
removal nobody confirmed, and is refused; never an active member left with no role.

PostgreSQL only: on SQLite the second waits for the held write lock (the gate's two seconds)
and then meets the refusal before any lock, as tests/e2e/test_members.py shows without waiting."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.buttons import MemberRoleTakeConfirm
from bot.db.models import Member, MemberRole, Role
from bot.services.schedule import seats
from tests.databases import postgres_url
from tests.e2e.race_gate import Gate, until
from tests.e2e.schedule import command, person, unit
from tests.harness import ADMIN_ID, Harness

OTHER_ADMIN = 610_201


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"admin_ids": [ADMIN_ID, OTHER_ADMIN]}


@pytest.mark.skipif(postgres_url() is None, reason="SQLite serializes the two takes")
async def test_two_admins_taking_both_roles_at_once_leave_the_member_one(
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
        MemberRoleTakeConfirm(member_id, Role.COORDINATOR, removes=False).pack(),
        first.last().message_id,
    )
    await gate.wait_reached()
    answered = len(second.answered_callbacks)
    await second.press_data(
        MemberRoleTakeConfirm(member_id, Role.VOLUNTEER, removes=False).pack(),
        second.last().message_id,
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
    # The second admin took 志愿者 while the first was held; the first, now taking the last
    # role that its confirmation said was not the last, is refused: 甲 stays a coordinator.
    assert gone.active and roles == {Role.COORDINATOR}
    assert first.answered_callbacks[-1]["text"] == (
        "甲 的其他身份已被取消：现在再取消协调员身份，ta 将被移出「城管局」。"
        "如确要移出，请重新打开 ta 的卡片。"
    )
    assert second.texts()[-1].startswith("已取消 甲 的志愿者身份。现在的身份：协调员。")
