"""A shift's time cannot move once someone on it has checked in (check-in opens before the
start): their check-in, made for the old time, would stand for the new one, and the hours of a
shift hours later would be credited to someone who was on post hours before it opened."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import CheckIn, Dialogue, Shift
from tests.e2e.checkin_fixtures import check_in, coordinator, duty, outbox_texts, team, today
from tests.e2e.schedule import command, press_and_settle
from tests.harness import Harness

REFUSED = (
    "改不了时间：王芳 已经签到在岗（1 人），签到是按原来的时间做的。"
    "请先让他们签退，或取消这个班次另建。"
)


async def test_the_time_of_a_shift_someone_checked_in_to_does_not_move(harness: Harness) -> None:
    crew = await team(harness)
    boss = await coordinator(harness, "城管局", 5100, "王协调")
    wang = crew.volunteers[0]
    await duty(harness, wang, crew.unit, today(10), today(12))
    harness.clock.set(today(9, 40))
    await check_in(harness, wang)
    assert (wang.last().text or "").startswith("✅ 签到成功")
    told = len(await outbox_texts(harness, wang.user_id))

    await command(harness, boss, "posts")
    await press_and_settle(harness, boss, "黄河路-人民路口")
    await press_and_settle(harness, boss, "📅 班次")
    await press_and_settle(harness, boss, "12月1日 周二 10:00–12:00 · 黄河路-人民路口")
    await press_and_settle(harness, boss, "🕒 时间")
    await boss.send_text("15:00-17:00")
    await harness.settle()
    assert boss.last().text == REFUSED
    async with harness.session() as session:
        row = await session.scalar(select(Shift))
        assert row is not None
        assert (row.starts_at, row.ends_at) == (today(10), today(12))
        open_checkins = list(
            await session.scalars(select(CheckIn).where(CheckIn.checked_out_at.is_(None)))
        )
        assert len(open_checkins) == 1
    assert len(await outbox_texts(harness, wang.user_id)) == told
    # The question stays open for another value; /cancel ends it.
    assert await harness.count(Dialogue) == 1
    await command(harness, boss, "cancel")
    assert await harness.count(Dialogue) == 0


async def test_the_end_of_a_shift_someone_checked_in_to_may_still_change(
    harness: Harness,
) -> None:
    """The check-in was made for the start, which stays: a later end (typed on the card, or by
    an import of the same start with another end) is taken."""
    crew = await team(harness)
    boss = await coordinator(harness, "城管局", 5100, "王协调")
    wang = crew.volunteers[0]
    await duty(harness, wang, crew.unit, today(10), today(12))
    harness.clock.set(today(9, 40))
    await check_in(harness, wang)
    await command(harness, boss, "posts")
    await press_and_settle(harness, boss, "黄河路-人民路口")
    await press_and_settle(harness, boss, "📅 班次")
    await press_and_settle(harness, boss, "12月1日 周二 10:00–12:00 · 黄河路-人民路口")
    await press_and_settle(harness, boss, "🕒 时间")
    await boss.send_text("10:00-13:00")
    await harness.settle()
    assert "✅ 已更新，已通知报名的人。" in boss.texts()
    async with harness.session() as session:
        row = await session.scalar(select(Shift))
        assert row is not None
        assert (row.starts_at, row.ends_at) == (today(10), today(13))
