"""/newpost's radius typed instead of tapped creates the post, and the radius buttons go from
the question: pressed later, they could only be answered as stale."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import Dialogue, Post, Role
from tests.e2e.schedule import command, person, press_and_settle, unit
from tests.harness import Harness


async def test_a_typed_radius_takes_the_radius_buttons_off_the_question(harness: Harness) -> None:
    unit_id = await unit(harness)
    coordinator = await person(harness, 8001, unit_id, "王协调", role=Role.COORDINATOR)
    await command(harness, coordinator, "newpost")
    await coordinator.send_text("黄河路-人民路口")
    await harness.settle()
    await press_and_settle(harness, coordinator, "文明交通劝导岗")
    await coordinator.send_location(30.6, 104.0)
    await harness.settle()
    first_asked = coordinator.last()
    # The pin was off: the right one, sent at the radius question, takes its place.
    await coordinator.send_location(30.6586, 104.0648)
    await harness.settle()
    asked = coordinator.last()
    assert asked.text == (
        "📍 已改用这个位置。\n签到范围：志愿者要在离岗位多少米以内签到？默认 150 米。"
    )
    assert "默认 150 米" in asked.buttons()
    first_now = next(m for m in coordinator.messages() if m.message_id == first_asked.message_id)
    assert first_now.buttons() == []
    await coordinator.send_text("200米")
    await harness.settle()
    assert "✅ 已新建岗位「黄河路-人民路口」。" in (coordinator.last().text or "")
    question = next(m for m in coordinator.messages() if m.message_id == asked.message_id)
    assert question.buttons() == []
    assert await harness.count(Dialogue) == 0
    async with harness.session() as session:
        places = list(await session.execute(select(Post.radius_m, Post.latitude, Post.longitude)))
    assert [tuple(place) for place in places] == [(200, 30.6586, 104.0648)]
