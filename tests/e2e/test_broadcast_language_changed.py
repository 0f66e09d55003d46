"""A volunteer who switches language while an announcement waits for them (the quiet hours
hold it overnight) gets it in the language they read now, as the held offers of a short shift
are drawn again: the coordinator's text as typed, the words around it in the new language."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, update

from bot.db.models import Assignment, Member, OutboxMessage, OutboxStatus, Role, Shift, ShiftStatus
from tests.e2e.schedule import DAY, at, command, person, post, press_and_settle, shift, unit
from tests.e2e.swap_fixtures import seat
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


async def test_a_list_held_overnight_leaves_out_the_shifts_begun_or_cancelled_since(
    harness: Harness,
) -> None:
    """22:30: tomorrow's shifts go out at 07:00. By then the 07:00 one has begun, the noon
    one was cancelled, and 甲 signed up overnight for the 10:00 one, which the other post's
    10:00 one now clashes with: 甲's list offers the evening one alone; 乙, on the evening and
    the 10:00 ones already, is sent nothing, and the count says why."""
    unit_id = await unit(harness)
    post_id = await post(harness, unit_id)
    await shift(harness, post_id, start=7, end=9)
    ten = await shift(harness, post_id, start=10, end=11)
    noon = await shift(harness, post_id, start=12, end=14)
    evening = await shift(harness, post_id, start=17, end=19)
    other_post = await post(harness, unit_id, "人民路-解放路口")
    await shift(harness, other_post, start=10, end=12)
    coordinator = await person(harness, 9911, unit_id, "王协调", role=Role.COORDINATOR)
    volunteer = await person(harness, 9912, unit_id, "甲")
    seated = await person(harness, 9913, unit_id, "乙")
    volunteer.started = seated.started = True
    await seat(harness, evening, seated.user_id)
    await seat(harness, ten, seated.user_id)

    harness.clock.set(at(DAY, 22, 30))
    await command(harness, coordinator, "broadcast")
    await press_and_settle(harness, coordinator, "📅 明天的班次")
    await press_and_settle(harness, coordinator, "📤 发送")
    progress = coordinator.last().message_id
    async with harness.session() as session:
        await session.execute(
            update(Shift).where(Shift.id == noon).values(status=ShiftStatus.CANCELLED)
        )
    await seat(harness, ten, volunteer.user_id)
    harness.clock.set(at(DAY + dt.timedelta(days=1), 7, 5))
    await harness.deliver()
    [offer] = volunteer.messages()
    assert (offer.text or "").splitlines()[1:] == [
        "1. 12月2日 周三 17:00–19:00 · 黄河路-人民路口 · 余 3/4 个名额"
    ]
    assert offer.buttons() == ["✋ 报名 1"]
    assert seated.messages() == []
    await harness.tick()
    shown = next(m for m in coordinator.messages() if m.message_id == progress)
    assert shown.text == (
        "✅ 发送完成（共 2 人）：送达 1，被屏蔽 0，失败 0，"
        "未发送 1（所列班次都已不能报名：已开始、已取消、已报上或时间冲突等）"
    )
