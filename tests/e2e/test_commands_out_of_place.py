"""A command sent where it does not work (a group-only one in private, a private one in a group)
is told where it works only to someone who may use it there; anyone else is told, as they would
be in the right place, that they may not, so no one is sent off to a chat that refuses them."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import BoundGroup, Dialogue, Role
from tests.e2e.schedule import command, person, unit
from tests.harness import Harness

FORBIDDEN = "抱歉，您没有权限执行这个操作。"
NOT_REGISTERED = "您还没有注册。请向所在单位的协调员索取邀请链接，点开即可注册。"
GROUP = -100_555


async def _unchanged(harness: Harness) -> None:
    async with harness.session() as session:
        assert list(await session.scalars(select(BoundGroup))) == []
        assert list(await session.scalars(select(Dialogue))) == []


async def test_setgroup_in_private_sends_only_an_admin_to_a_group(harness: Harness) -> None:
    unit_id = await unit(harness)
    leader = await person(harness, 6001, unit_id, "领导甲", role=Role.LEADER)
    stranger = harness.user(6003, "路人")
    assert await command(harness, leader, "setgroup") == FORBIDDEN
    assert await command(harness, stranger, "setgroup") == NOT_REGISTERED
    assert await command(harness, harness.admin, "setgroup") == (
        "/setgroup 要在群里使用：把我加进群，再在群里发送 /setgroup。"
    )
    await _unchanged(harness)


async def test_a_private_command_in_a_group_sends_only_who_may_use_it_to_private(
    harness: Harness,
) -> None:
    unit_id = await unit(harness)
    volunteer = await person(harness, 6002, unit_id, "志愿乙", language="en")
    group = harness.emulator.group(GROUP, "测试群")
    await group.send_command(volunteer, "units")
    await harness.settle()
    assert group.last().text == "Sorry, you are not allowed to do that."
    await group.send_command(harness.user(6003, "路人"), "roster")
    await harness.settle()
    assert group.last().text == NOT_REGISTERED
    # What they may use is still pointed to the private chat, and commands for anyone too.
    await group.send_command(volunteer, "checkin")
    await harness.settle()
    assert (group.last().text or "").startswith("/checkin ")
    await group.send_command(harness.user(6003, "路人"), "help")
    await harness.settle()
    assert (group.last().text or "").startswith("/help 要在与我的私聊中使用")
    await _unchanged(harness)
