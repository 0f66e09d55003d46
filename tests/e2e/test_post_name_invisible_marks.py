"""A coordinator at /newpost types a post's name of invisible marks alone (zero-width spaces,
a direction mark), or a taken name with such marks inside: the first is refused as a blank
name, the second as the taken one it looks like; /newpost waits for another name."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.db.models import Dialogue, Post, Role
from tests.e2e.schedule import command, person, post, unit
from tests.harness import Harness

INVISIBLE = "\u200b\u200c\u2060\u200e\u200b"


async def test_a_post_name_of_invisible_marks_is_blank_and_one_with_marks_is_taken(
    harness: Harness,
) -> None:
    unit_id = await unit(harness)
    await post(harness, unit_id, "黄河路-人民路口")
    coordinator = await person(harness, 8001, unit_id, "王协调", role=Role.COORDINATOR)
    await command(harness, coordinator, "newpost")
    await coordinator.send_text(INVISIBLE)
    await harness.settle()
    assert coordinator.last().text == "岗位名称要有 1 到 48 个字，不能以 / 开头。"
    await coordinator.send_text("黄河路\u200b-人民路口\u200e")
    await harness.settle()
    assert coordinator.last().text == "本单位已经有叫「黄河路-人民路口」的岗位了。"
    async with harness.session() as session:
        assert int(await session.scalar(select(func.count()).select_from(Post)) or 0) == 1
    assert await harness.count(Dialogue) == 1
    await coordinator.send_text("黄河路\u200b-长江路口")
    await harness.settle()
    assert coordinator.last().text.startswith("「黄河路-长江路口」是什么类型的岗位？")
