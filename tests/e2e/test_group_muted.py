"""A bot muted in a bound group (no right to send messages there): Telegram answers 400, not 403
as for a bot removed. The group is unbound rather than its reports parked day after day, and the
admins and the unit's coordinators are told once, each in their language, how to fix it."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import BoundGroup, Member, OutboxMessage, OutboxStatus
from bot.emulator import SimUser
from tests.e2e.group_fixtures import bind_group
from tests.e2e.report_fixtures import COORDINATOR_B_ID, DAY, at, seed_day
from tests.harness import Harness

UNIT_GROUP = -100_222
MUTED = "Bad Request: not enough rights to send text messages to the chat"
ADMIN_TOLD = (
    "🔇 我在群「团结社区执勤群」里被禁言了（没有发消息的权限），已解除该群的绑定，"
    "它不再收到「团结社区」的报告。要恢复：请在群设置里给我发消息的权限（或把我设为群管理员），"
    "再在群里发送 /setgroup 重新绑定。"
)
COORDINATOR_TOLD_EN = (
    "🔇 I was muted in the group “团结社区执勤群” (I may not send messages there), so it no "
    "longer gets the reports of 团结社区. To have them again, ask the group's owner or an admin "
    "of the group to let me send messages, then ask a dutybot admin to send /setgroup there."
)


async def _binding(harness: Harness, chat_id: int) -> BoundGroup | None:
    async with harness.session() as session:
        return await session.get(BoundGroup, chat_id)


async def _group_rows(harness: Harness) -> list[OutboxMessage]:
    async with harness.session() as session:
        rows = await session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.chat_id == UNIT_GROUP)
            .order_by(OutboxMessage.id)
        )
        return list(rows)


async def _coordinator_speaks_english(harness: Harness) -> None:
    async with harness.session() as session:
        member = await session.scalar(select(Member).where(Member.telegram_id == COORDINATOR_B_ID))
        assert member is not None
        member.language = "en"


async def _coordinator(harness: Harness) -> SimUser:
    """团结社区's coordinator, who has talked to the bot (a bot cannot start a private chat)."""
    coordinator = harness.user(COORDINATOR_B_ID, "团结协调")
    await coordinator.send_command("help")
    await harness.settle()
    return coordinator


def _muted_refusals(harness: Harness) -> list[str]:
    return [
        refusal
        for refusal in harness.emulator.refused("sendMessage")
        + harness.emulator.refused("sendPhoto")
        if "not enough rights" in refusal
    ]


async def test_a_report_refused_because_the_bot_is_muted_unbinds_and_tells_once(
    harness: Harness,
) -> None:
    """The mute was missed (the bot was down when it came): the tally's 400 says it."""
    await seed_day(harness)
    await _coordinator_speaks_english(harness)
    coordinator = await _coordinator(harness)
    harness.clock.set(at(DAY, "09:00"))
    await bind_group(harness, UNIT_GROUP, "团结社区执勤群", "团结社区")
    group = harness.emulator.group(UNIT_GROUP)
    shown = len(group.messages())
    owner = harness.user(555_002, "群主")
    await group.mute_bot(owner, tell_bot=False)

    harness.clock.set(at(DAY, "20:00"))
    await harness.tick()
    await harness.deliver()
    assert await _binding(harness, UNIT_GROUP) is None
    assert harness.admin.texts()[-1] == ADMIN_TOLD
    assert coordinator.texts()[-1] == COORDINATOR_TOLD_EN
    # The chart after the refused tally is not tried; nothing is left to retry or park.
    assert _muted_refusals(harness) == [MUTED]
    assert len(group.messages()) == shown
    assert {row.status for row in await _group_rows(harness)} == {
        OutboxStatus.BLOCKED,
        OutboxStatus.DROPPED,
    }
    assert all(
        row.status is not OutboxStatus.PARKED and row.status is not OutboxStatus.PENDING
        for row in await _group_rows(harness)
    )

    # Told once: the next evenings try nothing there and say nothing more.
    told = (len(harness.admin.texts()), len(coordinator.texts()))
    harness.clock.set(at(DAY.replace(day=2), "20:00"))
    await harness.tick()
    await harness.deliver()
    assert _muted_refusals(harness) == [MUTED]
    assert (len(harness.admin.texts()), len(coordinator.texts())) == told

    # The fix the notice gives: the right back, then /setgroup; the reports come again.
    await group.unmute_bot(owner)
    await harness.settle()
    await bind_group(harness, UNIT_GROUP, "团结社区执勤群", "团结社区")
    assert "本群已绑定到：团结社区" in (group.last().text or "")
    harness.clock.set(at(DAY.replace(day=3), "20:00"))
    await harness.tick()
    assert any(text.startswith("📊 团结社区 · 执勤日报") for text in group.texts())


async def test_the_bot_told_it_was_muted_unbinds_the_group_at_once(harness: Harness) -> None:
    """Telegram's my_chat_member update (restricted, may not send messages) says it before any
    report is refused."""
    await seed_day(harness)
    coordinator = await _coordinator(harness)
    harness.clock.set(at(DAY, "09:00"))
    await bind_group(harness, UNIT_GROUP, "团结社区执勤群", "团结社区")
    group = harness.emulator.group(UNIT_GROUP)
    await group.mute_bot(harness.user(555_002, "群主"))
    await harness.settle()
    await harness.deliver()
    assert await _binding(harness, UNIT_GROUP) is None
    assert harness.admin.texts()[-1] == ADMIN_TOLD
    assert coordinator.texts()[-1] == (
        "🔇 我在群「团结社区执勤群」里被禁言了（没有发消息的权限），"
        "该群不再收到「团结社区」的报告。要恢复：请群主或群管理员给我发消息的权限，"
        "再请管理员在群里发送 /setgroup 重新绑定。"
    )
    harness.clock.set(at(DAY, "20:00"))
    await harness.tick()
    assert _muted_refusals(harness) == []
