"""A volunteer who switches language while an announcement waits for them (the quiet hours
hold it overnight) gets it in the language they read now, as the held offers of a short shift
are drawn again: the coordinator's text as typed, the words around it in the new language."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.db.models import OutboxMessage, OutboxStatus, Role
from tests.e2e.schedule import DAY, at, command, person, press_and_settle, unit
from tests.harness import Harness


async def test_an_announcement_held_overnight_comes_in_the_language_picked_since(
    harness: Harness,
) -> None:
    unit_id = await unit(harness)
    coordinator = await person(harness, 9901, unit_id, "王协调", role=Role.COORDINATOR)
    volunteer = await person(harness, 9902, unit_id, "甲")
    stays = await person(harness, 9903, unit_id, "乙")
    volunteer.started = stays.started = True

    harness.clock.set(at(DAY, 22, 30))
    await command(harness, coordinator, "broadcast")
    await press_and_settle(harness, coordinator, "📢 发一条通知")
    await coordinator.send_text("明早 7 点集合")
    await harness.settle()
    await press_and_settle(harness, coordinator, "📤 发送")
    await harness.deliver()
    assert volunteer.texts() == []

    await command(harness, volunteer, "lang")
    await press_and_settle(harness, volunteer, "English（英文）")
    shown = len(volunteer.texts())
    harness.clock.set(at(DAY + dt.timedelta(days=1), 7, 0))
    await harness.deliver()
    assert volunteer.texts()[shown:] == ["📢 From 王协调:\n明早 7 点集合"]
    assert stays.texts() == ["📢 王协调 通知：\n明早 7 点集合"]
    async with harness.session() as session:
        stored = (
            await session.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.chat_id == volunteer.user_id,
                    OutboxMessage.batch.like("broadcast:%"),
                )
            )
        ).one()
    assert stored.status is OutboxStatus.SENT
    assert stored.payload["text"] == "📢 From 王协调:\n明早 7 点集合"
