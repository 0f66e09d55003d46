"""The understaffed alert's offers (✋ 报名) held by the quiet hours say at 07:00 what is true at
07:00 (bot/redraw.py): none once the shift is full or cancelled, none to whoever may no longer
take it, and the seats still missing then."""

from __future__ import annotations

import datetime as dt

from bot.db.models import AssignmentStatus, OutboxStatus, Shift, ShiftStatus
from bot.emulator import SimUser
from bot.services.schedule import understaffed
from tests.e2e.schedule import (
    DAY,
    at,
    command,
    outbox_to,
    person,
    post,
    press_and_settle,
    shift,
    statuses,
    unit,
)
from tests.harness import Harness

TOMORROW = DAY + dt.timedelta(days=1)
OFFER = "🙋 这个班次还差"


async def _alerted_at_23_00(harness: Harness, capacity: int) -> tuple[int, list[SimUser]]:
    """Tomorrow's 14:00–16:00 shift is short; the alert runs at 23:00 and its offers to three
    volunteers wait for the end of the quiet hours. The shift and the volunteers."""
    unit_id = await unit(harness)
    short = await shift(harness, await post(harness, unit_id), TOMORROW, 14, 16, capacity=capacity)
    people = [await person(harness, 9900 + n, unit_id, f"志愿者{n}") for n in range(3)]
    for user in people:
        user.started = True
    harness.clock.set(at(DAY, 23, 0))
    async with harness.session() as session:
        assert await understaffed.alert(session, harness.clock.now(), harness.runtime.settings)
    await harness.deliver()
    for user in people:
        assert not [text for text in user.texts() if OFFER in text]
    return short, people


async def _offer_rows(harness: Harness, user: SimUser) -> list[OutboxStatus]:
    return [
        row.status
        for row in await outbox_to(harness, user.user_id)
        if row.idempotency_key.startswith("understaffed:") and ":offer:" in row.idempotency_key
    ]


async def _at_07_00(harness: Harness) -> None:
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()


async def test_an_offer_held_overnight_is_dropped_once_the_shift_is_full(harness: Harness) -> None:
    short, (first, second, third) = await _alerted_at_23_00(harness, capacity=1)
    harness.clock.set(at(DAY, 23, 30))
    await command(harness, first, "shifts")
    assert "报名成功" in await press_and_settle(harness, first, "✋ 报名 1")

    await _at_07_00(harness)
    for user in (first, second, third):
        assert not [text for text in user.texts() if OFFER in text], user.texts()
        assert await _offer_rows(harness, user) == [OutboxStatus.DROPPED]
    assert await statuses(harness, short) == {first.user_id: AssignmentStatus.SIGNED_UP}


async def test_an_offer_held_overnight_is_dropped_once_the_shift_is_cancelled(
    harness: Harness,
) -> None:
    short, people = await _alerted_at_23_00(harness, capacity=2)
    async with harness.session() as session:
        row = await session.get(Shift, short)
        assert row is not None
        row.status = ShiftStatus.CANCELLED

    await _at_07_00(harness)
    for user in people:
        assert not [text for text in user.texts() if OFFER in text], user.texts()
        assert await _offer_rows(harness, user) == [OutboxStatus.DROPPED]


async def test_an_offer_held_overnight_says_how_many_are_still_missing(harness: Harness) -> None:
    short, (first, second, third) = await _alerted_at_23_00(harness, capacity=3)
    harness.clock.set(at(DAY, 23, 30))
    await command(harness, first, "shifts")
    assert "报名成功" in await press_and_settle(harness, first, "✋ 报名 1")

    await _at_07_00(harness)
    assert not [text for text in first.texts() if OFFER in text]
    assert await _offer_rows(harness, first) == [OutboxStatus.DROPPED]
    for user in (second, third):
        [told] = [text for text in user.texts() if OFFER in text]
        assert told.startswith("🙋 这个班次还差 2 人，您有空吗？"), told
        assert user.last().buttons() == ["✋ 报名"]
        assert await _offer_rows(harness, user) == [OutboxStatus.SENT]
    text = await press_and_settle(harness, second, "✋ 报名")
    assert "报名成功" in text, text
    assert await statuses(harness, short) == {
        first.user_id: AssignmentStatus.SIGNED_UP,
        second.user_id: AssignmentStatus.SIGNED_UP,
    }
