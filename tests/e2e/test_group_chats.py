"""Bound groups over their life on Telegram: a basic group upgraded to a supergroup, the bot
removed from a group and added back, commands addressed to another bot."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.db.models import BoundGroup, OutboxMessage, OutboxStatus
from tests.e2e.group_fixtures import bind_group
from tests.e2e.report_fixtures import COORDINATOR_B_ID, DAY, LEADER_ID, at, seed_day
from tests.harness import Harness

BASIC_GROUP = -4_001_234
SUPERGROUP = -1_009_001_234
HQ_GROUP = -100_111
UPGRADED = "group chat was upgraded to a supergroup chat"


async def _binding(harness: Harness, chat_id: int) -> BoundGroup | None:
    async with harness.session() as session:
        return await session.get(BoundGroup, chat_id)


def _refused_in_groups(harness: Harness) -> list[str]:
    """Telegram's refusals of what the bot sent to groups (the seeded people never started
    the bot: their reminders are refused too, and are another story)."""
    return [
        refusal
        for refusal in harness.emulator.refused("sendMessage")
        + harness.emulator.refused("sendPhoto")
        if "chat not found" not in refusal
    ]


async def _outbox(harness: Harness) -> list[OutboxMessage]:
    async with harness.session() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def test_an_upgraded_group_keeps_its_binding_and_gets_each_report_once(
    harness: Harness,
) -> None:
    await seed_day(harness)
    harness.clock.set(at(DAY, "09:00"))
    old = harness.emulator.group(BASIC_GROUP, "城管局执勤群", basic=True)
    await bind_group(harness, BASIC_GROUP, "城管局执勤群", "城管局")
    harness.clock.set(at(DAY, "20:00"))
    await harness.tick()
    assert old.texts()[-2].startswith("📊 城管局 · 执勤日报")

    # An admin turns on visible history: Telegram makes it a supergroup with a new id.
    new = await old.upgrade(harness.admin, SUPERGROUP)
    await harness.settle()
    assert await _binding(harness, BASIC_GROUP) is None
    moved = await _binding(harness, SUPERGROUP)
    assert moved is not None and moved.unit is not None
    assert (moved.unit.name, moved.language, moved.title) == ("城管局", "zh_Hans", "城管局执勤群")

    # Today's tally went out already: the supergroup does not get it again.
    harness.clock.set(at(DAY, "20:05"))
    await harness.tick()
    assert new.texts() == []
    # Tomorrow's comes to the supergroup, and /today answers there.
    harness.clock.set(at(DAY.replace(day=2), "20:00"))
    await harness.tick()
    assert new.texts()[0].startswith("📊 城管局 · 执勤日报 · 12月2日 周三")
    leader = harness.user(LEADER_ID, "李领导")
    await new.send_command(leader, "today")
    await harness.settle()
    assert new.texts()[-2].startswith("📊 城管局 · 执勤日报 · 12月2日 周三")
    assert _refused_in_groups(harness) == []


async def test_a_report_sent_to_the_old_id_of_an_upgraded_group_follows_it(
    harness: Harness,
) -> None:
    """The bot missed the service messages (down for more than a day): Telegram's refusal
    names the supergroup, and the binding and the report move there; nothing is lost."""
    await seed_day(harness)
    harness.clock.set(at(DAY, "09:00"))
    old = harness.emulator.group(BASIC_GROUP, "城管局执勤群", basic=True)
    await bind_group(harness, BASIC_GROUP, "城管局执勤群", "城管局")
    new = await old.upgrade(harness.admin, SUPERGROUP, tell_bot=False)
    await harness.settle()

    harness.clock.set(at(DAY, "20:00"))
    await harness.tick()
    tally, chart = new.messages()
    assert (tally.text or "").startswith("📊 城管局 · 执勤日报 · 12月1日 周二")
    assert chart.kind == "photo" and chart.caption == "📊 城管局 在岗率 · 12月1日 周二"
    assert [UPGRADED in refusal for refusal in _refused_in_groups(harness)] == [True]
    assert await _binding(harness, BASIC_GROUP) is None
    assert await _binding(harness, SUPERGROUP) is not None
    rows = await _outbox(harness)
    assert {(row.chat_id, row.status) for row in rows if row.chat_id < 0} == {
        (SUPERGROUP, OutboxStatus.SENT)
    }

    # The next tick finds the report sent under the supergroup's name: nothing twice.
    harness.clock.set(at(DAY, "20:05"))
    await harness.tick()
    assert len(new.messages()) == 2


async def test_the_bot_removed_from_a_group_stops_its_reports_and_tells_the_admins(
    harness: Harness,
) -> None:
    await seed_day(harness)
    harness.clock.set(at(DAY, "09:00"))
    await bind_group(harness, HQ_GROUP, "创城指挥部", "城管局")
    group = harness.emulator.group(HQ_GROUP)
    shown = len(group.messages())
    group_admin = harness.user(555_001, "群主")
    # Renamed since it was bound: the admins read the name they know it by now.
    await group.rename(group_admin, "创城指挥部（2027）")
    await harness.settle()
    renamed = await _binding(harness, HQ_GROUP)
    assert renamed is not None and renamed.title == "创城指挥部（2027）"
    assert len(group.messages()) == shown
    await group.remove_bot(group_admin)
    await harness.settle()
    await harness.deliver()
    assert await _binding(harness, HQ_GROUP) is None
    assert harness.admin.texts()[-1] == (
        "🔕 我已被移出群「创城指挥部（2027）」，该群不再收到「城管局」的报告。"
        "要恢复，请把我加回该群，再在群里发送 /setgroup。"
    )

    # The evening's tally is not even tried there.
    harness.clock.set(at(DAY, "20:00"))
    await harness.tick()
    assert _refused_in_groups(harness) == []
    assert len(group.messages()) == shown

    # Added back (by anyone: nothing is said, nothing bound), then bound again by the admin.
    await group.add_bot(group_admin)
    await harness.settle()
    assert len(group.messages()) == shown and await _binding(harness, HQ_GROUP) is None
    await bind_group(harness, HQ_GROUP, "创城指挥部", "🏛 全部单位（指挥部）")
    assert "本群已绑定到：全部单位" in (group.last().text or "")


async def test_a_report_refused_because_the_bot_was_removed_unbinds_the_group(
    harness: Harness,
) -> None:
    """The removal was missed (the bot was down): Telegram's 403 on the tally says it."""
    await seed_day(harness)
    harness.clock.set(at(DAY, "09:00"))
    await bind_group(harness, HQ_GROUP, "创城指挥部", "🏛 全部单位（指挥部）")
    group = harness.emulator.group(HQ_GROUP)
    await group.remove_bot(harness.user(555_001, "群主"), tell_bot=False)

    harness.clock.set(at(DAY, "20:00"))
    await harness.tick()
    await harness.deliver()
    assert await _binding(harness, HQ_GROUP) is None
    assert harness.admin.texts()[-1] == (
        "🔕 我已被移出群「创城指挥部」，该群不再收到「全部单位」的报告。"
        "要恢复，请把我加回该群，再在群里发送 /setgroup。"
    )
    # The chart after the refused text is not tried: the group is gone.
    assert _refused_in_groups(harness) == ["Forbidden: bot was kicked from the supergroup chat"]
    assert {row.status for row in await _outbox(harness) if row.chat_id == HQ_GROUP} == {
        OutboxStatus.BLOCKED,
        OutboxStatus.DROPPED,
    }


async def test_commands_for_another_bot_are_left_alone(harness: Harness) -> None:
    await seed_day(harness)
    harness.clock.set(at(DAY, "20:30"))
    await bind_group(harness, HQ_GROUP, "创城指挥部", "城管局")
    group = harness.emulator.group(HQ_GROUP)
    leader = harness.user(LEADER_ID, "李领导")
    shown = len(group.messages())
    await group.send_text(leader, "/today@other_bot")
    await group.send_text(harness.admin, "/setgroup@other_bot")
    await group.send_text(leader, "/export@other_bot")
    await harness.settle()
    assert len(group.messages()) == shown
    await group.send_text(leader, "/today@dutybot_test_bot")
    await harness.settle()
    assert group.texts()[-2].startswith("📊 城管局 · 执勤日报 · 12月1日 周二")
    # In a unit's group the answer is the group's scope, whoever asks: a coordinator of another
    # unit sees what the group is sent every evening anyway, never their own unit's figures.
    await group.send_command(harness.user(COORDINATOR_B_ID, "团结协调"), "today")
    await harness.settle()
    assert group.texts()[-2].startswith("📊 城管局 · 执勤日报 · 12月1日 周二")


FORUM = -1_007_007_007


async def test_a_forum_bound_in_a_topic_gets_its_reports_in_that_topic(harness: Harness) -> None:
    await seed_day(harness)
    harness.clock.set(at(DAY, "09:00"))
    forum = harness.emulator.group(FORUM, "城管局执勤群", forum=True)
    topic = await forum.open_topic(harness.admin, "每日报表")
    await forum.send_command(harness.admin, "setgroup", topic=topic)
    await harness.settle()
    picker = forum.last()
    assert picker.thread_id == topic and "城管局" in picker.buttons()
    await forum.press(harness.admin, "城管局")
    await harness.settle()
    assert forum.last().thread_id == topic
    bound = await _binding(harness, FORUM)
    assert bound is not None and bound.thread_id == topic

    harness.clock.set(at(DAY, "20:00"))
    await harness.tick()
    tally, chart = forum.messages()[-2:]
    assert (tally.text or "").startswith("📊 城管局 · 执勤日报 · 12月1日 周二")
    assert (tally.thread_id, chart.thread_id) == (topic, topic)

    # Asked in General, or in another topic, the answer comes where it was asked.
    leader = harness.user(LEADER_ID, "李领导")
    other = await forum.open_topic(harness.admin, "闲聊")
    await forum.send_command(leader, "today")
    await forum.send_command(leader, "today", topic=other)
    await forum.send_command(leader, "export", topic=other)
    await harness.settle()
    answers = forum.messages()[-5:]
    assert [sent.thread_id for sent in answers] == [None, None, other, other, other]
    # A leader may not export: refused there, not sent off to a private chat that refuses too.
    assert answers[-1].text == "抱歉，您没有权限执行这个操作。"


@pytest.mark.parametrize("gone", ["deleted", "closed"])
async def test_reports_of_a_deleted_or_closed_topic_go_to_general(
    harness: Harness, gone: str
) -> None:
    """A topic deleted, or closed by the group's admins (only admins may write there, and the
    bot is not one: Telegram answers TOPIC_CLOSED): the reports go to General, not parked
    every evening where nobody reads them."""
    await seed_day(harness)
    harness.clock.set(at(DAY, "09:00"))
    forum = harness.emulator.group(FORUM, "城管局执勤群", forum=True)
    topic = await forum.open_topic(harness.admin, "每日报表")
    await forum.send_command(harness.admin, "setgroup", topic=topic)
    await harness.settle()
    await forum.press(harness.admin, "🏛 全部单位（指挥部）")
    await harness.settle()
    # Another forum bound to its own topic of the same id: its binding is its own.
    other = harness.emulator.group(FORUM - 1, "指挥部报表群", forum=True)
    other_topic = await other.open_topic(harness.admin, "每日报表")
    assert other_topic == topic
    await other.send_command(harness.admin, "setgroup", topic=other_topic)
    await harness.settle()
    await other.press(harness.admin, "🏛 全部单位（指挥部）")
    await harness.settle()
    if gone == "deleted":
        forum.close_topic(topic)
    else:
        forum.lock_topic(topic)

    harness.clock.set(at(DAY, "20:00"))
    await harness.tick()
    tally, chart = forum.messages()[-2:]
    assert (tally.text or "").startswith("📊 全部单位 · 执勤日报 · 12月1日 周二")
    assert (tally.thread_id, chart.thread_id) == (None, None)
    bound = await _binding(harness, FORUM)
    assert bound is not None and bound.thread_id is None
    # The other forum's reports stay in its topic.
    assert [message.thread_id for message in other.messages()[-2:]] == [topic, topic]
    bound = await _binding(harness, FORUM - 1)
    assert bound is not None and bound.thread_id == topic
