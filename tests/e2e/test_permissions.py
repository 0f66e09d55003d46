"""The permission matrix, from the one command table: every command and button meant for
coordinators is refused to a volunteer, with the same clear message, changing nothing."""

from __future__ import annotations

from sqlalchemy import select

from bot.commands import REGISTRY
from bot.db.models import Dialogue, Member, Role
from handlers.routing import COORDINATORS, Where
from tests.button_samples import sample
from tests.e2e.schedule import person, post, shift, unit
from tests.harness import Harness

FORBIDDEN = "抱歉，您没有权限执行这个操作。"


async def test_volunteers_are_refused_every_coordinator_command_and_button(
    harness: Harness,
) -> None:
    unit_id = await unit(harness)
    shift_id = await shift(harness, await post(harness, unit_id))
    volunteer = await person(harness, 9901, unit_id)
    commands = [
        c.name
        for c in REGISTRY.commands
        if c.roles is not None and c.roles <= COORDINATORS and c.where != Where.GROUP
    ]
    for name in commands:
        await volunteer.send_command(name)
    await harness.settle()
    assert volunteer.texts() == [FORBIDDEN] * len(commands), commands

    buttons = [
        sample(b.data, shift_id).pack()
        for b in REGISTRY.buttons
        if b.roles is not None and b.roles <= COORDINATORS
    ]
    anchor = volunteer.last().message_id
    for data in buttons:
        await volunteer.press_data(data, anchor)
    await harness.settle()
    answers = [c.get("text") for c in volunteer.answered_callbacks]
    assert answers == [FORBIDDEN] * len(buttons), buttons
    assert await harness.count(Dialogue) == 0
    assert Role.VOLUNTEER not in COORDINATORS


async def test_a_group_command_in_private_says_where_it_works(harness: Harness) -> None:
    await harness.admin.send_command("setgroup")
    await harness.settle()
    assert "要在群里使用" in (harness.admin.last().text or "")


async def test_a_member_removed_since_is_told_how_to_join_for_any_message(
    harness: Harness,
) -> None:
    unit_id = await unit(harness)
    removed = await person(harness, 6701, unit_id, "甲")
    async with harness.session() as session:
        member = await session.scalar(select(Member).where(Member.telegram_id == 6701))
        assert member is not None
        member.active = False
    await removed.send_sticker()
    await removed.send_text("你好")
    await harness.settle()
    assert all("请向所在单位的协调员索取邀请链接" in text for text in removed.texts()[-2:])
