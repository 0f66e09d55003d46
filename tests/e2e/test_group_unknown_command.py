"""In a group, a command the bot does not know but that names it (/todya@bot, a typo) is
answered with the commands that work there; one without the bot's name may be another bot's,
and a message that is not a command is the group's own talk: both stay unanswered. A command
of the bot's edited is answered, once, that edits are not read."""

from __future__ import annotations

from bot.db.models import BoundGroup
from tests.e2e.report_fixtures import DAY, LEADER_ID, at, seed_day
from tests.harness import Harness

GROUP = -100_333


async def test_a_mistyped_command_naming_the_bot_gets_the_group_commands(
    harness: Harness,
) -> None:
    await seed_day(harness)
    harness.clock.set(at(DAY, "20:30"))
    group = harness.emulator.group(GROUP, "城管局执勤群")
    leader = harness.user(LEADER_ID, "李领导")

    typo = await group.send_text(leader, "/todya@dutybot_test_bot")
    await harness.settle()
    assert group.texts() == [
        "没有这个命令。在群里可以使用：/today /week /month /setgroup"
        "（其他命令请在与我的私聊中使用）。"
    ]

    untagged = await group.send_text(leader, "/todya")
    other = await group.send_text(leader, "/todya@other_bot")
    talk = await group.send_text(leader, "大家辛苦了")
    await harness.settle()
    assert len(group.messages()) == 1
    assert await harness.count(BoundGroup) == 0

    # The typo corrected by editing it: the edit is not read, and the leader is told so rather
    # than left waiting for a tally; so too a command of the bot's typed without its name. An
    # edit of another bot's command, or of the group's talk, stays the group's own business.
    writing = group.member(leader)
    await writing.edit_text(typo["message_id"], "/today@dutybot_test_bot")
    await writing.edit_text(untagged["message_id"], "/today")
    await writing.edit_text(other["message_id"], "/today@other_bot")
    await writing.edit_text(talk["message_id"], "大家辛苦了！")
    await harness.settle()
    edited = "您修改了一条已经发出的消息，修改不会被处理。如需更正，请重新发送。"
    assert group.texts()[1:] == [edited, edited]
    # Edited again (the leader still hoping for the tally): told once already, under that
    # message; the group is not told the same again.
    await writing.edit_text(typo["message_id"], "/today@dutybot_test_bot ")
    await writing.edit_text(untagged["message_id"], "/week")
    await harness.settle()
    assert group.texts()[1:] == [edited, edited]


async def test_the_answer_is_in_the_sender_s_language(harness: Harness) -> None:
    await seed_day(harness)
    group = harness.emulator.group(GROUP, "城管局执勤群")
    stranger = harness.user(999_222, "Tom", language_code="en")
    await group.send_text(stranger, "/weak@dutybot_test_bot")
    await harness.settle()
    assert group.texts() == [
        "There is no such command. In a group you can use: /today /week /month /setgroup "
        "(the other commands work in a private chat with me)."
    ]


ANONYMOUS = (
    "您在本群以匿名身份（或以频道的身份）发言，我无法确认您是谁。"
    "请以本人身份再发一次：管理员可在自己的管理员权限里关闭「保持匿名」。"
)


async def test_a_command_sent_anonymously_is_told_why_it_cannot_be_answered(
    harness: Harness,
) -> None:
    """The group's owner remains anonymous (Telegram names the group as the sender): the bot
    cannot tell that an admin asked, and says so rather than "you are not registered". A
    linked channel's post forwarded into the group is nobody's command and stays unanswered."""
    await seed_day(harness)
    group = harness.emulator.group(GROUP, "城管局执勤群")
    for command in ("/setgroup", "/today@dutybot_test_bot", "/me"):
        await group.send_anonymously(command)
        await harness.settle()
    assert group.texts() == [ANONYMOUS] * 3
    channel = {"id": -100_444, "type": "channel", "title": "文明城市"}
    post = await group.send_anonymously("/today", channel=channel)
    await harness.settle()
    # The channel edits its post (Telegram edits the copy in the group): nobody's command,
    # nobody to tell that edits are not read.
    await group.edit_channel_post(post["message_id"], "/today@dutybot_test_bot")
    await harness.settle()
    assert len(group.messages()) == 3
    assert await harness.count(BoundGroup) == 0
