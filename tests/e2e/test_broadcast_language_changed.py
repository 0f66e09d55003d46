"""A volunteer who switches language while an announcement waits for them (the quiet hours
hold it overnight) gets it in the language they read now, as the held offers of a short shift
are drawn again: the coordinator's text as typed, the words around it in the new language."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from bot.db.models import Assignment, Member, OutboxMessage, OutboxStatus, Role
from tests.e2e.schedule import DAY, at, command, person, post, press_and_settle, shift, unit
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


async def test_a_list_of_shifts_held_overnight_comes_in_the_language_picked_since(
    harness: Harness,
) -> None:
    unit_id = await unit(harness)
    await shift(harness, await post(harness, unit_id), start=15, end=17)
    coordinator = await person(harness, 9901, unit_id, "王协调", role=Role.COORDINATOR)
    volunteer = await person(harness, 9902, unit_id, "甲")
    stays = await person(harness, 9903, unit_id, "乙")
    volunteer.started = stays.started = True

    harness.clock.set(at(DAY, 22, 30))
    await command(harness, coordinator, "broadcast")
    await press_and_settle(harness, coordinator, "📅 明天的班次")
    await press_and_settle(harness, coordinator, "📤 发送")
    await harness.deliver()
    assert volunteer.texts() == []

    await command(harness, volunteer, "lang")
    await press_and_settle(harness, volunteer, "English（英文）")
    shown = len(volunteer.messages())
    harness.clock.set(at(DAY + dt.timedelta(days=1), 7, 0))
    await harness.deliver()
    [offer] = volunteer.messages()[shown:]
    assert (offer.text or "").startswith("📣 Shifts open for sign-up; tap to sign up:\n")
    assert offer.buttons() == ["✋ Sign up 1"]
    [kept] = stays.messages()
    assert (kept.text or "").startswith("📣 可报名的班次，点按钮报名：\n")
    # The English list signs up as the Chinese one would.
    await volunteer.press("✋ Sign up 1")
    await harness.settle()
    async with harness.session() as session:
        held = await session.scalar(
            select(func.count())
            .select_from(Assignment)
            .join(Member, Assignment.member)
            .where(Member.telegram_id == volunteer.user_id)
        )
    assert held == 1
