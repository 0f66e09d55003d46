"""The bot removed from a unit's bound group (Telegram's my_chat_member, "kicked" or "left"):
the binding goes at once, and besides the admins the unit's coordinators are told in private,
each in their language, how to have the reports again (as for a bot muted there); so too when
the removal was missed and Telegram answers the next report with "chat not found"."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.db.models import AuditEntry, BoundGroup, Member, OutboxMessage, OutboxStatus
from bot.emulator import Fault
from tests.e2e.group_fixtures import bind_group
from tests.e2e.report_fixtures import COORDINATOR_B_ID, DAY, at, seed_day
from tests.harness import Harness

UNIT_GROUP = -100_222
ADMIN_TOLD = (
    "🔕 我已被移出群「团结社区执勤群」，该群不再收到「团结社区」的报告。"
    "要恢复，请把我加回该群，再在群里发送 /setgroup。"
)
COORDINATOR_TOLD = (
    "🔕 我已被移出群「团结社区执勤群」，该群不再收到「团结社区」的报告。"
    "要恢复：请群主或群管理员把我加回该群，再请管理员在群里发送 /setgroup 重新绑定。"
)
COORDINATOR_TOLD_EN = (
    "🔕 I was removed from the group “团结社区执勤群”, which no longer gets the reports of "
    "团结社区. To have them again, ask the group's owner or an admin of the group to add me "
    "back, then ask a dutybot admin to send /setgroup there."
)
ADMIN_TOLD_DELETED = (
    "🔕 群「团结社区执勤群」已解散，不再收到「团结社区」的报告。"
    "要在别的群收到报告，请把我加入那个群，再在群里发送 /setgroup。"
)
COORDINATOR_TOLD_DELETED = (
    "🔕 群「团结社区执勤群」已解散，不再收到「团结社区」的报告。"
    "要在别的群收到报告：请那个群的群主或群管理员把我加进去，再请管理员在群里发送 /setgroup 绑定。"
)
COORDINATOR_TOLD_DELETED_EN = (
    "🔕 The group “团结社区执勤群” was deleted, so it no longer gets the reports of 团结社区. "
    "To have them in another group, ask that group's owner or an admin of it to add me, "
    "then ask a dutybot admin to send /setgroup there."
)
COORDINATOR_TOLD_DELETED_HANT = (
    "🔕 群「团结社区执勤群」已解散，不再收到「团结社区」的報告。"
    "要在別的群收到報告：請那個群的群主或群管理員把我加進去，再請管理員在群裡傳送 /setgroup 綁定。"
)


async def _binding(harness: Harness) -> BoundGroup | None:
    async with harness.session() as session:
        return await session.get(BoundGroup, UNIT_GROUP)


async def _bound_and_coordinator_met(harness: Harness, language: str) -> None:
    await seed_day(harness)
    async with harness.session() as session:
        member = await session.scalar(select(Member).where(Member.telegram_id == COORDINATOR_B_ID))
        assert member is not None
        member.language = language
    # A bot cannot start a private chat: the coordinator has talked to it.
    await harness.user(COORDINATOR_B_ID, "团结协调").send_command("help")
    await harness.settle()
    harness.clock.set(at(DAY, "09:00"))
    await bind_group(harness, UNIT_GROUP, "团结社区执勤群", "团结社区")


async def test_the_coordinator_is_told_when_the_bot_is_kicked(harness: Harness) -> None:
    await _bound_and_coordinator_met(harness, "zh_Hans")
    group = harness.emulator.group(UNIT_GROUP)
    await group.remove_bot(harness.user(555_002, "群主"))
    await harness.settle()
    await harness.deliver()
    assert await _binding(harness) is None
    assert harness.admin.texts()[-1] == ADMIN_TOLD
    coordinator = harness.user(COORDINATOR_B_ID, "团结协调")
    assert coordinator.texts()[-1] == COORDINATOR_TOLD

    # Told once: the evening's tally is not tried, and nothing more is said.
    told = len(coordinator.texts())
    harness.clock.set(at(DAY, "20:00"))
    await harness.tick()
    await harness.deliver()
    assert len(coordinator.texts()) == told


async def test_the_coordinator_is_told_in_their_language_when_the_bot_left(
    harness: Harness,
) -> None:
    await _bound_and_coordinator_met(harness, "en")
    group = harness.emulator.group(UNIT_GROUP)
    await group.remove_bot(harness.user(555_002, "群主"), kicked=False)
    await harness.settle()
    await harness.deliver()
    assert await _binding(harness) is None
    assert harness.user(COORDINATOR_B_ID, "团结协调").texts()[-1] == COORDINATOR_TOLD_EN


async def test_a_group_telegram_no_longer_finds_is_unbound_and_its_coordinators_told_once(
    harness: Harness,
) -> None:
    """The removal was missed (the bot was down, or the group was deleted) and Telegram answers
    the tally with 400 "chat not found": the binding ends as for a 403, recorded, and the
    coordinator is told once in private; the refused reports are not sent to them instead."""
    await _bound_and_coordinator_met(harness, "zh_Hans")
    harness.emulator.inject_fault(
        Fault(kind="400", chat_id=UNIT_GROUP, count=100, description="Bad Request: chat not found")
    )
    coordinator = harness.user(COORDINATOR_B_ID, "团结协调")
    before = len(coordinator.texts())

    harness.clock.set(at(DAY, "20:00"))
    await harness.tick()
    await harness.deliver()
    assert await _binding(harness) is None
    assert harness.admin.texts()[-1] == ADMIN_TOLD
    assert coordinator.texts()[before:] == [COORDINATOR_TOLD]
    async with harness.session() as session:
        rows = list(
            await session.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == UNIT_GROUP))
        )
        lost = list(
            await session.scalars(select(AuditEntry).where(AuditEntry.action == "group.lost"))
        )
    assert rows and {row.status for row in rows} <= {OutboxStatus.BLOCKED, OutboxStatus.DROPPED}
    assert len(lost) == 1 and (lost[0].before or {}).get("chat_id") == UNIT_GROUP

    # Told once: the next evening's tally is not tried, and nothing more is said.
    harness.clock.set(at(DAY, "20:00") + dt.timedelta(days=1))
    await harness.tick()
    await harness.deliver()
    assert coordinator.texts()[before:] == [COORDINATOR_TOLD]


@pytest.mark.parametrize(
    ("language", "coordinator_told"),
    [
        ("zh_Hans", COORDINATOR_TOLD_DELETED),
        ("en", COORDINATOR_TOLD_DELETED_EN),
        ("zh_Hant", COORDINATOR_TOLD_DELETED_HANT),
    ],
)
async def test_a_deleted_group_is_told_as_deleted_not_as_a_removal(
    harness: Harness, language: str, coordinator_told: str
) -> None:
    """Telegram answers the tally with 403 "the group chat was deleted": the binding ends as
    for a removal, but what the admins and the coordinator read says the group is gone, and
    that the reports need another group, not that the bot be added back."""
    await _bound_and_coordinator_met(harness, language)
    harness.emulator.inject_fault(
        Fault(
            kind="403_blocked",
            chat_id=UNIT_GROUP,
            count=100,
            description="Forbidden: the group chat was deleted",
        )
    )
    coordinator = harness.user(COORDINATOR_B_ID, "团结协调")
    before = len(coordinator.texts())

    harness.clock.set(at(DAY, "20:00"))
    await harness.tick()
    await harness.deliver()
    assert await _binding(harness) is None
    assert harness.admin.texts()[-1] == ADMIN_TOLD_DELETED
    assert coordinator.texts()[before:] == [coordinator_told]
