"""The "check-in is open" notice and a location sent around the opening: the notice is queued by
the opening's tick and sent by the outbox, the answer to the location goes out at once. A notice
still unsent when the location is answered would arrive after the answer and ask for the location
just taken ("tap 📍 to send your location" under "location confirmed, now the photo"). Once the
check-in has its location for the seat (or waits on a live share of it), that notice is dropped
when the outbox comes to send it (it is drawn again then): the answer says what comes next, and
the check-in itself, the busiest moment of the morning, spends no statement on it."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event, select

from bot.db.models import OutboxMessage, OutboxStatus
from bot.emulator import SimUser
from bot.scheduler import tick
from bot.services.schedule import seat_scan
from tests.e2e.checkin_fixtures import duty, near, team, today
from tests.harness import Harness

OPENS_15 = {"checkin_open_before_min": 15}
OPENING = today(7, 45)


def is_notice(text: str) -> bool:
    return "签到已开放" in text and "发送我的位置" in text


async def notice_status(harness: Harness, seat: int) -> OutboxStatus | None:
    async with harness.session() as session:
        return await session.scalar(
            select(OutboxMessage.status).where(
                OutboxMessage.idempotency_key == seat_scan.checkin_open_key(seat)
            )
        )


async def _opening_then_location(harness: Harness, person: SimUser, *, live: bool) -> None:
    """The opening's tick queues the notice; before the outbox sends it, the bot reads the
    location she sent just before (live) or just after (one-off) the opening."""
    await harness.bot.stop()
    if live:
        harness.clock.set(OPENING - dt.timedelta(seconds=10))
        await person.send_location(*near(20), live_period=8 * 3600)
    harness.clock.set(OPENING)
    await tick(harness.runtime)
    harness.clock.set(OPENING + dt.timedelta(seconds=3))
    if not live:
        await person.send_location(*near(20))
    await harness.bot.start()
    await harness.settle()
    await harness.deliver()


@pytest.mark.parametrize("live", [True, False])
@pytest.mark.parametrize("settings_overrides", [OPENS_15])
async def test_the_open_notice_never_follows_the_answer_to_the_location(
    harness: Harness, live: bool
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    seat = await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    seen = len(fang.texts())
    await _opening_then_location(harness, fang, live=live)
    told = fang.texts()[seen:]
    [answered] = [i for i, text in enumerate(told) if "位置已确认" in text]
    assert [text for text in told[answered:] if is_notice(text)] == [], told
    assert await notice_status(harness, seat) is OutboxStatus.DROPPED
    # Nor is it queued again at the next ticks, while the photo is awaited.
    harness.clock.set(today(7, 50))
    await harness.tick()
    await harness.deliver()
    assert [text for text in fang.texts()[seen:] if is_notice(text)] == [], fang.texts()[seen:]
    await fang.send_photo()
    await harness.settle()
    assert "签到成功" in (fang.last().text or "")


@pytest.mark.parametrize("settings_overrides", [OPENS_15])
async def test_answering_a_location_leaves_the_queued_notice_to_the_outbox(
    harness: Harness,
) -> None:
    """The notice queued and not sent, the location's answer writes nothing to the outbox: the
    sender judges the notice again when it claims it (one statement per batch, off the burst of
    check-ins at the opening)."""
    crew = await team(harness)
    fang = crew.volunteers[0]
    seat = await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    await harness.bot.stop()
    harness.clock.set(OPENING)
    await tick(harness.runtime)
    assert await notice_status(harness, seat) is OutboxStatus.PENDING
    harness.clock.set(OPENING + dt.timedelta(seconds=3))
    await fang.send_location(*near(20))
    statements: list[str] = []
    engine = harness.database.engine.sync_engine

    def record(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", record)
    try:
        await harness.bot.start()
        await harness.settle()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert "位置已确认" in (fang.last().text or "")
    assert [sql for sql in statements if "outbox" in sql.lower()] == []
    await harness.deliver()
    assert await notice_status(harness, seat) is OutboxStatus.DROPPED
    assert not any(is_notice(text) for text in fang.texts())


@pytest.mark.parametrize("settings_overrides", [OPENS_15])
async def test_a_notice_sent_before_the_location_stays_sent(harness: Harness) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    seat = await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(OPENING)
    await harness.tick()
    await harness.deliver()
    assert is_notice(fang.last().text or "")
    harness.clock.set(today(7, 47))
    await fang.send_location(*near(20))
    await harness.settle()
    assert "位置已确认" in (fang.last().text or "")
    assert await notice_status(harness, seat) is OutboxStatus.SENT


@pytest.mark.parametrize("settings_overrides", [OPENS_15])
async def test_the_late_nudge_does_not_ask_for_a_location_already_taken(harness: Harness) -> None:
    """Her location was taken at 08:04 and the photo is on its way: the 08:05 nudge would say she
    has not checked in and ask for the location again."""
    crew = await team(harness)
    fang = crew.volunteers[0]
    seat = await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(8, 4))
    await fang.send_location(*near(20))
    await harness.settle()
    assert "位置已确认" in (fang.last().text or "")
    seen = len(fang.texts())
    harness.clock.set(today(8, 5))
    await harness.tick()
    await harness.deliver()
    assert [text for text in fang.texts()[seen:] if "还没有签到" in text] == [], fang.texts()
    async with harness.session() as session:
        late = await session.scalar(
            select(OutboxMessage.id).where(
                OutboxMessage.idempotency_key == seat_scan.late_key(seat)
            )
        )
    assert late is None
    harness.clock.set(today(8, 6))
    await fang.send_photo()
    await harness.settle()
    assert "签到成功" in (fang.last().text or "")


@pytest.mark.parametrize("settings_overrides", [OPENS_15])
async def test_a_queued_late_nudge_never_follows_the_answer_to_the_location(
    harness: Harness,
) -> None:
    """The 08:05 tick queues the late nudge; before the outbox sends it (a backlog at the
    morning's peak, or the bot busy), the bot answers her location sent at 08:05:03. The nudge
    would then say she has not checked in and ask for the location just taken."""
    crew = await team(harness)
    fang = crew.volunteers[0]
    seat = await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(OPENING)
    await harness.tick()
    await harness.deliver()
    seen = len(fang.texts())
    await harness.bot.stop()
    harness.clock.set(today(8, 5))
    await tick(harness.runtime)
    harness.clock.set(today(8, 5) + dt.timedelta(seconds=3))
    await fang.send_location(*near(20))
    await harness.bot.start()
    await harness.settle()
    await harness.deliver()
    told = fang.texts()[seen:]
    [answered] = [i for i, text in enumerate(told) if "位置已确认" in text]
    assert [text for text in told[answered:] if "还没有签到" in text] == [], told
    async with harness.session() as session:
        late = await session.scalar(
            select(OutboxMessage.status).where(
                OutboxMessage.idempotency_key == seat_scan.late_key(seat)
            )
        )
    assert late is OutboxStatus.DROPPED
    await fang.send_photo()
    await harness.settle()
    assert "签到成功" in (fang.last().text or "")
