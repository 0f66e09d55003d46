"""A notice the quiet hours hold overnight says at 07:00 what is true at 07:00: it is drawn again
from the database when it goes out (bot/redraw.py), not read as it was written the evening
before. The shift's new time, the seats still held, the leave asked meanwhile."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import Member, OutboxStatus, RotaSource, Shift
from bot.services.people.access import Actor
from bot.services.rostering import rotas
from tests.e2e.rostering_fixtures import TOMORROW, assign_by_hand, town
from tests.e2e.schedule import DAY, at, command, outbox_to, press_and_settle, shift
from tests.e2e.test_leave import ask_leave
from tests.e2e.test_signup import _promoted_at_23_00
from tests.harness import Harness

OLD, NEW = "12:00–14:00", "13:00–15:00"


async def test_a_promotion_held_until_07_00_names_the_time_the_shift_was_moved_to(
    harness: Harness,
) -> None:
    """乙 moved up at 23:00 to tomorrow's 12:00–14:00 seat; the word of it waits for 07:00. At
    23:30 the coordinator moves the shift to 13:00–15:00. At 07:00 乙 reads that the seat at
    13:00–15:00 is theirs, never the old time, and the outbox keeps what was sent."""
    _, coordinator, _, second = await _promoted_at_23_00(harness)
    harness.clock.set(at(DAY, 23, 30))
    await command(harness, coordinator, "roster", "12-02")
    await press_and_settle(harness, coordinator, "⚙️ 12:00 黄河路-人民路口")
    await press_and_settle(harness, coordinator, "🕒 时间")
    await coordinator.send_text("13:00-15:00")
    await harness.settle()
    assert "已更新" in "".join(coordinator.texts()[-3:]), coordinator.texts()[-3:]
    await harness.deliver()
    assert not any("候补转正" in text for text in second.texts())
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    [told] = [text for text in second.texts() if "候补转正" in text]
    assert NEW in told and OLD not in told, told
    # The way out said as of 07:00: the cancel cut-off (01:00) has passed, a swap has not.
    assert told.endswith(
        "离开始已不到 12 小时，不能自行取消了；来不了请用 /swap 换岗，或告诉协调员。"
    )
    [row] = [
        row
        for row in await outbox_to(harness, second.user_id)
        if row.idempotency_key.startswith("waitlist-promoted:")
    ]
    assert row.status is OutboxStatus.SENT
    assert NEW in row.payload["text"] and OLD not in row.payload["text"]


async def test_a_rota_notice_held_until_07_00_names_only_the_seats_still_held(
    harness: Harness,
) -> None:
    """At 22:30 王芳 is put on two shifts of tomorrow by one rota: the notice naming both waits
    for 07:00. At 23:00 the 14:00 shift is cancelled (she is told at once). At 07:00 the notice
    names the one seat she still holds, with one 🙋 请假 for it."""
    town_ = await town(harness, capacity=1)
    wang = town_.people[1]
    morning = await shift(harness, town_.post_id, TOMORROW, 10, 12, capacity=1)
    afternoon = await shift(harness, town_.post_id, TOMORROW, 14, 16, capacity=1)
    harness.clock.set(at(DAY, 22, 30))
    settings = harness.runtime.settings
    async with harness.session() as session:
        chen = await session.scalar(
            select(Member).where(Member.telegram_id == town_.coordinator.user_id)
        )
        her = await session.scalar(select(Member).where(Member.telegram_id == wang.user_id))
        assert chen is not None and her is not None
        actor = Actor.of(chen.telegram_id, chen, settings.admin_ids)
        now = harness.clock.now()
        rota = await rotas.begin(
            session, actor, town_.unit_id, RotaSource.HAND, now, first=TOMORROW, last=TOMORROW
        )
        given = []
        for shift_id in (morning, afternoon):
            held = await session.get(Shift, shift_id)
            assert held is not None
            given.append(await rotas.give_seat(session, rota, her, held, now))
        await rotas.tell(session, rota, given, chen.display_name, now, settings)
    await harness.deliver()
    [row] = [
        r for r in await outbox_to(harness, wang.user_id) if r.idempotency_key.startswith("rota:")
    ]
    assert row.status is OutboxStatus.PENDING and "给您排了 2 个班次" in row.payload["text"]

    harness.clock.set(at(DAY, 23, 0))
    await command(harness, town_.coordinator, "roster", "12-02")
    await press_and_settle(harness, town_.coordinator, "⚙️ 14:00 黄河路-人民路口")
    await press_and_settle(harness, town_.coordinator, "❌ 取消这个班次")
    await press_and_settle(harness, town_.coordinator, "是，取消班次")
    await harness.deliver()
    assert "班次已取消" in (wang.last().text or "")
    seen = len(wang.texts())

    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    [notice] = [m for m in wang.messages()[seen:] if "给您排了" in (m.text or "")]
    text = notice.text or ""
    assert "给您排了 1 个班次" in text, text
    assert "10:00–12:00" in text and "14:00–16:00" not in text, text
    assert notice.buttons() == ["✅ 收到", "🙋 请假"]
    [row] = [
        r for r in await outbox_to(harness, wang.user_id) if r.idempotency_key.startswith("rota:")
    ]
    assert row.status is OutboxStatus.SENT
    assert "14:00–16:00" not in row.payload["text"]


async def test_a_reminder_held_until_07_00_says_the_leave_asked_since_awaits_the_coordinator(
    harness: Harness,
) -> None:
    """王芳's reminder of tomorrow's 10:00 shift is written at 22:00 and waits for 07:00, telling
    her how to ask leave. At 22:30 she asks leave. At 07:00 it says that her request awaits the
    coordinator, not to ask leave."""
    town_ = await town(harness, capacity=1)
    wang = town_.people[1]
    late = await shift(harness, town_.post_id, TOMORROW, 10, 12, capacity=1)
    await assign_by_hand(harness, town_.coordinator, late, "王芳")
    harness.clock.set(at(DAY, 22, 0))
    await harness.tick()
    [row] = [
        r for r in await outbox_to(harness, wang.user_id) if r.idempotency_key.startswith("remind:")
    ]
    assert row.status is OutboxStatus.PENDING and "点「🙋 请假」" in row.payload["text"]
    harness.clock.set(at(DAY, 22, 30))
    await ask_leave(harness, wang, "发烧")
    seen = len(wang.texts())
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    [hers] = [text for text in wang.texts()[seen:] if "上岗提醒" in text]
    assert hers.endswith("\n您的请假申请正在等协调员处理；批准前这个班次仍由您负责。"), hers
    assert "点「🙋 请假」" not in hers
    [row] = [
        r for r in await outbox_to(harness, wang.user_id) if r.idempotency_key.startswith("remind:")
    ]
    assert row.status is OutboxStatus.SENT and "点「🙋 请假」" not in row.payload["text"]
