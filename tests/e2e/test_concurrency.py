"""Different chats are handled at the same time; one chat's updates strictly in order."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import Dialogue
from tests.e2e.journeys import create_unit, invite_code
from tests.harness import Harness

PEOPLE = 50


async def test_fifty_people_join_at_once_each_in_order(harness: Harness) -> None:
    await create_unit(harness, "城管局")
    code = await invite_code(harness, harness.admin, None, "志愿者")
    harness.emulator.latency = 0.1
    harness.emulator.peak_in_flight = 0
    people = [harness.user(5000 + n, f"志愿者{n}") for n in range(PEOPLE)]

    # Each person fires three steps without waiting: a step handled before the previous one
    # would be refused ("no registration in progress"), so order shows in the outcome.
    for person in people:
        await person.send_command("start", code)
        await person.send_contact(phone_number=f"+86138{person.user_id:08d}")
        await person.send_text(f"名字{person.user_id}")
    await harness.settle()

    for person in people:
        texts = person.texts()
        assert len(texts) == 4, texts
        assert "欢迎加入「城管局」" in texts[0]
        assert "第二步" in texts[1]
        assert texts[2] == f"好的，名字{person.user_id}。"
        assert "最后一步" in texts[3]
    async with harness.session() as session:
        steps = (await session.scalars(select(Dialogue.step))).all()
    assert sorted(steps) == ["language"] * PEOPLE
    # Serial handling would keep one call in flight at a time; concurrent chats overlap. How
    # many overlap depends on the machine (SQLite commits one update at a time: 9 to 12 here),
    # so the bar is set well above serial and below what a loaded machine reaches.
    assert harness.emulator.peak_in_flight >= 5
