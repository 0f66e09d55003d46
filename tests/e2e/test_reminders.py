"""Reminders with three leads (12 hours, 2 hours, 10 minutes) around a shift that starts at 06:50,
inside the quiet hours: what is urgent goes out at night, what is not waits and is dropped when
it comes too late; a seat taken after a reminder's time gets no such reminder."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.db.models import OutboxMessage, OutboxStatus, Shift, ShiftStatus
from bot.emulator import SimUser
from tests.conftest import START, ZONE
from tests.e2e.checkin_fixtures import assign, post, shift, team
from tests.harness import Harness

DAY_BEFORE = START.date()
DUTY_DAY = DAY_BEFORE + dt.timedelta(days=1)


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"reminder_leads": "720,120,10", "understaffed_alert_hours": 0}


def on(hour: int, minute: int = 0, day: dt.date = DUTY_DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ZONE)


async def at(harness: Harness, moment: dt.datetime) -> None:
    harness.clock.set(moment)
    await harness.tick()


def since(person: SimUser, seen: int) -> list[str]:
    return person.texts()[seen:]


async def outbox_rows(harness: Harness, chat_id: int) -> dict[str, OutboxMessage]:
    async with harness.session() as session:
        rows = await session.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == chat_id))
        return {row.idempotency_key: row for row in rows}


async def test_each_lead_quiet_hours_expiry_and_late_sign_up(harness: Harness) -> None:
    crew = await team(harness, ("王芳", "李强"))
    fang, qiang = crew.volunteers
    early = await shift(harness, await post(harness, crew.unit), on(6, 50), on(8, 50))
    fang_seat = await assign(harness, early, fang)
    seen = {person.user_id: len(person.texts()) for person in crew.volunteers}

    # 18:50 the evening before: the 12-hour reminder (no check-in hint yet).
    await at(harness, on(18, 50, DAY_BEFORE))
    texts = since(fang, seen[fang.user_id])
    assert len(texts) == 1 and texts[0].startswith("⏰ 上岗提醒：12月2日 周三 06:50–08:50")
    assert "还有 12 小时" in texts[0] and "/my" in texts[0]
    seen[fang.user_id] += 1

    # 李强 signs up at 20:00, after that reminder's time: he does not get it.
    harness.clock.set(on(20, 0, DAY_BEFORE))
    qiang_seat = await assign(harness, early, qiang)
    await at(harness, on(20, 1, DAY_BEFORE))
    assert since(qiang, seen[qiang.user_id]) == []

    # 04:50, quiet hours: the 2-hour reminders are not urgent; they wait.
    await at(harness, on(4, 50))
    assert since(fang, seen[fang.user_id]) == [] and since(qiang, seen[qiang.user_id]) == []
    waiting = await outbox_rows(harness, fang.user_id)
    assert waiting[f"remind:{fang_seat}:120"].status == OutboxStatus.PENDING

    # 06:20: check-in opens; that is urgent and goes out despite the quiet hours.
    await at(harness, on(6, 20))
    for person in (fang, qiang):
        texts = since(person, seen[person.user_id])
        assert len(texts) == 1 and texts[0].startswith("📍 签到已开放"), texts
        seen[person.user_id] += 1

    # 06:40: ten minutes before, inside the check-in window: a reminder with the button.
    await at(harness, on(6, 40))
    for person in (fang, qiang):
        texts = since(person, seen[person.user_id])
        assert len(texts) == 1 and "还有 10 分钟" in texts[0], texts
        assert "发送我的位置" in texts[0]
        keyboard = person.reply_keyboard()
        assert keyboard is not None and keyboard[0][0]["request_location"] is True
        seen[person.user_id] += 1

    # 07:00, quiet hours over: the 2-hour reminders would come after the start; dropped.
    await at(harness, on(7, 0))
    assert not any(text.startswith("⏰") for text in since(fang, seen[fang.user_id]))
    assert not any(text.startswith("⏰") for text in since(qiang, seen[qiang.user_id]))
    for chat_id, seat in ((fang.user_id, fang_seat), (qiang.user_id, qiang_seat)):
        row = (await outbox_rows(harness, chat_id))[f"remind:{seat}:120"]
        assert row.status == OutboxStatus.DROPPED
        assert row.last_error == "expired before it could be sent"


async def test_a_cancelled_shift_gets_no_reminders_nudges_or_alarms(harness: Harness) -> None:
    crew = await team(harness, ("王芳",))
    (fang,) = crew.volunteers
    place = await post(harness, crew.unit)
    gone = await shift(harness, place, on(9), on(11))
    await assign(harness, gone, fang)
    async with harness.session() as session:
        row = await session.get(Shift, gone.id)
        assert row is not None
        row.status = ShiftStatus.CANCELLED
    seen = len(fang.texts())
    for moment in (on(21, 0, DAY_BEFORE), on(7, 0), on(8, 30), on(8, 50), on(9, 6), on(9, 40)):
        await at(harness, moment)
    assert since(fang, seen) == []
