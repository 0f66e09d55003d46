"""The permission matrix, from the one command table: every command and button meant for
coordinators is refused to a volunteer, with the same clear message, changing nothing."""

from __future__ import annotations

from bot.commands import REGISTRY
from bot.db.models import Dialogue, Role
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
