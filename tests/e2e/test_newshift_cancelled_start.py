"""A post keeps one shift per start, a cancelled one included (it stays for the record): a new
shift, or a shift moved, onto the start of a cancelled one is refused, and the answer says the
shift there was cancelled, rather than that the post has a shift the coordinator cannot find."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from bot.db.models import Dialogue, Role, Shift, ShiftStatus
from tests.e2e.schedule import DAY, command, person, post, press_and_settle, shift, unit
from tests.harness import Harness

TOMORROW = DAY + dt.timedelta(days=1)
REFUSED = (
    "「黄河路-人民路口」2026-12-02 07:00 的班次已经取消了（取消的班次留作记录），"
    "同一岗位同一开始时间不能再排。请换一个开始时间。"
)


async def _cancel(harness: Harness, shift_id: int) -> None:
    async with harness.session() as session:
        await session.execute(
            update(Shift).where(Shift.id == shift_id).values(status=ShiftStatus.CANCELLED)
        )


async def test_a_new_shift_on_a_cancelled_ones_start_says_it_was_cancelled(
    harness: Harness,
) -> None:
    unit_id = await unit(harness)
    post_id = await post(harness, unit_id)
    await _cancel(harness, await shift(harness, post_id, TOMORROW, 7, 9))
    coordinator = await person(harness, 8101, unit_id, "王协调", role=Role.COORDINATOR)
    await command(harness, coordinator, "newshift")
    await press_and_settle(harness, coordinator, "黄河路-人民路口 · 城管局")
    await coordinator.send_text("12-02")
    await harness.settle()
    await coordinator.send_text("07:00-09:00")
    await harness.settle()
    assert coordinator.last().text == REFUSED
    assert await harness.count(Shift) == 1
    # Another start is taken.
    await coordinator.send_text("07:05-09:00")
    await harness.settle()
    assert "需要几名志愿者" in (coordinator.last().text or "")
    assert await harness.count(Dialogue) == 1


async def test_a_shift_moved_onto_a_cancelled_ones_start_says_it_was_cancelled(
    harness: Harness,
) -> None:
    unit_id = await unit(harness)
    post_id = await post(harness, unit_id)
    await _cancel(harness, await shift(harness, post_id, TOMORROW, 7, 9))
    await shift(harness, post_id, TOMORROW, 8, 10)
    coordinator = await person(harness, 8101, unit_id, "王协调", role=Role.COORDINATOR)
    await command(harness, coordinator, "posts")
    await press_and_settle(harness, coordinator, "黄河路-人民路口")
    await press_and_settle(harness, coordinator, "📅 班次")
    await press_and_settle(harness, coordinator, "12月2日 周三 08:00–10:00 · 黄河路-人民路口")
    await press_and_settle(harness, coordinator, "🕒 时间")
    await coordinator.send_text("07:00-09:00")
    await harness.settle()
    assert coordinator.last().text == REFUSED
