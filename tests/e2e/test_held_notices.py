"""A notice the quiet hours hold overnight says at 07:00 what is true at 07:00: it is drawn again
from the database when it goes out (bot/redraw.py), not read as it was written the evening
before. Here, the word about one's own seats: a promotion, a rota, a reminder, a shift moved
(once or twice) and an import; leave, freed seats and swaps have modules of their own."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import AssignmentStatus, Member, OutboxStatus, RotaSource, Shift
from bot.emulator import SimUser
from bot.services.people.access import Actor
from bot.services.rostering import rotas
from tests.e2e.held_fixtures import keyed_rows, move_shift, promoted_at_23_00
from tests.e2e.rostering_fixtures import TOMORROW, ask_leave, assign_by_hand, town
from tests.e2e.schedule import DAY, at, command, outbox_to, press_and_settle, shift, statuses
from tests.e2e.swap_fixtures import seat
from tests.harness import Harness

OLD, NEW = "12:00–14:00", "13:00–15:00"


async def test_a_promotion_held_until_07_00_names_the_time_the_shift_was_moved_to(
    harness: Harness,
) -> None:
    """乙 moved up at 23:00 to tomorrow's 12:00–14:00 seat; the word of it waits for 07:00. At
    23:30 the coordinator moves the shift to 13:00–15:00. At 07:00 乙 reads that the seat at
    13:00–15:00 is theirs, never the old time, and the outbox keeps what was sent."""
    _, coordinator, _, second = await promoted_at_23_00(harness)
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


async def test_a_shift_moved_twice_overnight_is_told_once_as_it_ends_up(harness: Harness) -> None:
    """李明 holds tomorrow's 12:00–14:00 seat. The coordinator moves the shift to 13:00–15:00
    at 22:30 and to 14:00–16:00 at 23:00: both notices wait for 07:00. At 07:00 李明 reads one
    notice, from the time he knew to the time it is now (12:00–14:00 → 14:00–16:00); the
    other is dropped."""
    town_ = await town(harness)
    li = town_.people[0]
    noon = await shift(harness, town_.post_id, TOMORROW, 12, 14)
    await seat(harness, noon, li.user_id)
    harness.clock.set(at(DAY, 22, 30))
    await move_shift(harness, town_.coordinator, "⚙️ 12:00 黄河路-人民路口", "13:00-15:00")
    harness.clock.set(at(DAY, 23, 0))
    await move_shift(harness, town_.coordinator, "⚙️ 13:00 黄河路-人民路口", "14:00-16:00")
    await harness.deliver()
    rows = await keyed_rows(harness, li.user_id, "shift-changed:")
    assert [row.status for row in rows] == [OutboxStatus.PENDING] * 2
    seen = len(li.texts())
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    [told] = [text for text in li.texts()[seen:] if "班次有变动" in text]
    assert "14:00–16:00" in told and "时间：12:00–14:00 → 14:00–16:00" in told, told
    assert "13:00" not in told, told
    rows = await keyed_rows(harness, li.user_id, "shift-changed:")
    assert sorted(row.status for row in rows) == sorted([OutboxStatus.DROPPED, OutboxStatus.SENT])
    [sent] = [row for row in rows if row.status is OutboxStatus.SENT]
    assert sent.payload["text"] == told


async def test_a_shift_moved_once_told_then_moved_again_overnight_says_from_what_was_told(
    harness: Harness,
) -> None:
    """Moved at 21:30 (李明 is told at once: 12:00–14:00 → 13:00–15:00) and again at 23:00, to
    14:00–16:00: at 07:00 he reads 13:00–15:00 → 14:00–16:00, from the time he was told."""
    town_ = await town(harness)
    li = town_.people[0]
    noon = await shift(harness, town_.post_id, TOMORROW, 12, 14)
    await seat(harness, noon, li.user_id)
    harness.clock.set(at(DAY, 21, 30))
    await move_shift(harness, town_.coordinator, "⚙️ 12:00 黄河路-人民路口", "13:00-15:00")
    await harness.deliver()
    assert "时间：12:00–14:00 → 13:00–15:00" in (li.last().text or "")
    harness.clock.set(at(DAY, 23, 0))
    await move_shift(harness, town_.coordinator, "⚙️ 13:00 黄河路-人民路口", "14:00-16:00")
    seen = len(li.texts())
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    [told] = [text for text in li.texts()[seen:] if "班次有变动" in text]
    assert "时间：13:00–15:00 → 14:00–16:00" in told, told


IMPORT_HEADER = "post,type,unit,latitude,longitude,date,start,end,capacity,tag,人员"


CROSSING = "黄河路-人民路口,traffic,城管局,30.6586,104.0648"


async def _import(harness: Harness, coordinator: SimUser, people: str) -> None:
    """The coordinator imports tomorrow's 12:00–14:00 shift (2 seats) with `people` on it."""
    row = f"{CROSSING},{TOMORROW.isoformat()},12:00,14:00,2,,{people}"
    await coordinator.send_command("import")
    await harness.settle()
    data = f"{IMPORT_HEADER}\n{row}\n".encode()
    await coordinator.send_document("schedule.csv", data, mime_type="text/csv")
    await harness.settle()
    await press_and_settle(harness, coordinator, "✅ 确认导入")


async def test_word_that_an_import_took_someone_off_is_dropped_once_they_are_back_before_it_goes(
    harness: Harness,
) -> None:
    """An import at 21:00 puts 李明 and 王芳 on tomorrow's noon shift. At 22:30 a corrected file
    lists only 李明: the word to 王芳 that she is off it is queued, and has not gone out yet
    (the sender is held back, a 429 say) when at 22:35 the file is corrected back and she is on
    the shift again. When the sender gets to it, she is not told to stay home."""
    town_ = await town(harness)
    li, wang, _ = town_.people
    coordinator = town_.coordinator
    harness.clock.set(at(DAY, 21, 0))
    await _import(harness, coordinator, "李明、王芳")
    await harness.deliver()
    harness.clock.set(at(DAY, 22, 30))
    await _import(harness, coordinator, "李明")
    [row] = await keyed_rows(harness, wang.user_id, "unassigned:")
    assert row.status is OutboxStatus.PENDING and "不再安排您" in row.payload["text"]
    harness.clock.set(at(DAY, 22, 35))
    await _import(harness, coordinator, "李明、王芳")
    seen = len(wang.texts())
    await harness.deliver()
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    assert not [text for text in wang.texts()[seen:] if "不再安排您" in text]
    [row] = await keyed_rows(harness, wang.user_id, "unassigned:")
    assert row.status is OutboxStatus.DROPPED, row.last_error
    async with harness.session() as session:
        found = (await session.scalars(select(Shift))).unique()
        [noon] = [s for s in found if s.starts_at == at(TOMORROW, 12, 0)]
    assert (await statuses(harness, noon.id))[wang.user_id] is AssignmentStatus.SIGNED_UP
    assert li.user_id in await statuses(harness, noon.id)
