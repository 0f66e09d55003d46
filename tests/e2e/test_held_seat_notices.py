"""Word about a seat held back before it goes out says what is true when it goes out: the word
that a coordinator took someone off a shift (➖ 移出, urgent, so held only by a 429 or retries)
is drawn again from the database when it is sent (bot/redraw.py), and none is sent about a
shift that is over."""

from __future__ import annotations

from bot.db.models import AssignmentStatus, OutboxStatus
from bot.emulator import Fault
from tests.e2e.rostering_fixtures import TOMORROW, Unit, assign_by_hand, open_assign, town
from tests.e2e.schedule import at, command, press_and_settle, shift, statuses
from tests.e2e.test_held_notices import _move, _rows
from tests.harness import Harness

REMOVED = "协调员已将您从这个班次移出"


async def _taken_off_while_telegram_holds_her_back(
    harness: Harness, start: int, end: int, at_hour: int, at_minute: int, retry_after: int
) -> tuple[Unit, int]:
    """王芳 holds tomorrow's `start`–`end` seat (two seats); at `at_hour`:`at_minute` tomorrow
    the coordinator takes her off it (➖ 移出). The word of it is tried at once, and Telegram
    answers 429 for her chat: it waits `retry_after` seconds. The town and the shift."""
    town_ = await town(harness)
    wang = town_.people[1]
    late = await shift(harness, town_.post_id, TOMORROW, start, end, capacity=2)
    await assign_by_hand(harness, town_.coordinator, late, "王芳")
    harness.clock.set(at(TOMORROW, at_hour, at_minute))
    await command(harness, town_.coordinator, "roster", "12-02")
    await press_and_settle(harness, town_.coordinator, f"⚙️ {start:02d}:00 黄河路-人民路口")
    await press_and_settle(harness, town_.coordinator, "➖ 移出 王芳")
    await press_and_settle(harness, town_.coordinator, "是，移出")
    harness.emulator.inject_fault(Fault(kind="429", chat_id=wang.user_id, retry_after=retry_after))
    assert harness.bot.sender is not None
    await harness.bot.sender.pass_once()
    [row] = await _rows(harness, wang.user_id, "assignment-removed:")
    assert row.status is OutboxStatus.PENDING and REMOVED in row.payload["text"], row.last_error
    assert not [text for text in wang.texts() if REMOVED in text]
    return town_, late


async def test_word_that_she_was_taken_off_is_dropped_once_she_is_put_back_before_it_goes(
    harness: Harness,
) -> None:
    """The coordinator takes 王芳 off tomorrow's 10:00–12:00 shift at 06:00 by mistake; Telegram
    holds the word of it back for ten minutes. At 06:02 the coordinator puts her back on. When
    the word can go, she is not told to stay home: it is dropped, and the seat is hers."""
    town_, late = await _taken_off_while_telegram_holds_her_back(harness, 10, 12, 6, 0, 600)
    wang = town_.people[1]
    harness.clock.set(at(TOMORROW, 6, 2))
    await open_assign(harness, town_.coordinator, late)
    await town_.coordinator.send_text("王芳")
    await harness.settle()
    assert "✅ 已安排" in (town_.coordinator.last().text or "")
    harness.clock.set(at(TOMORROW, 6, 11))
    await harness.deliver()
    assert not [text for text in wang.texts() if REMOVED in text]
    [row] = await _rows(harness, wang.user_id, "assignment-removed:")
    assert row.status is OutboxStatus.DROPPED, row.last_error
    assert (await statuses(harness, late))[wang.user_id] is AssignmentStatus.SIGNED_UP


async def test_word_that_she_was_taken_off_names_the_time_the_shift_was_moved_to(
    harness: Harness,
) -> None:
    """王芳 is taken off tomorrow's 10:00–12:00 shift at 06:00; Telegram holds the word back for
    ten minutes. At 06:05 the coordinator moves the shift to 13:00–15:00. She reads that she is
    off the shift at 13:00–15:00, never the old time."""
    town_, _ = await _taken_off_while_telegram_holds_her_back(harness, 10, 12, 6, 0, 600)
    wang = town_.people[1]
    harness.clock.set(at(TOMORROW, 6, 5))
    await _move(harness, town_.coordinator, "⚙️ 10:00 黄河路-人民路口", "13:00-15:00")
    harness.clock.set(at(TOMORROW, 6, 11))
    await harness.deliver()
    [told] = [text for text in wang.texts() if REMOVED in text]
    assert told == (
        "ℹ️ 协调员已将您从这个班次移出：\n12月2日 周三 13:00–15:00 · 黄河路-人民路口\n"
        "如有疑问请联系协调员。"
    ), told
    [row] = await _rows(harness, wang.user_id, "assignment-removed:")
    assert row.status is OutboxStatus.SENT and row.payload["text"] == told


async def test_word_that_she_was_taken_off_is_dropped_once_the_shift_is_cancelled(
    harness: Harness,
) -> None:
    """王芳 is taken off tomorrow's 10:00–12:00 shift at 06:00; Telegram holds the word back for
    ten minutes. At 06:05 the shift is cancelled (rain), which tells those still on it. She is
    not told of a shift that will not be."""
    town_, _ = await _taken_off_while_telegram_holds_her_back(harness, 10, 12, 6, 0, 600)
    wang = town_.people[1]
    harness.clock.set(at(TOMORROW, 6, 5))
    await command(harness, town_.coordinator, "roster", "12-02")
    await press_and_settle(harness, town_.coordinator, "⚙️ 10:00 黄河路-人民路口")
    await press_and_settle(harness, town_.coordinator, "❌ 取消这个班次")
    await press_and_settle(harness, town_.coordinator, "是，取消班次")
    harness.clock.set(at(TOMORROW, 6, 11))
    await harness.deliver()
    assert not [text for text in wang.texts() if REMOVED in text]
    [row] = await _rows(harness, wang.user_id, "assignment-removed:")
    assert row.status is OutboxStatus.DROPPED, row.last_error


async def test_word_that_she_was_taken_off_is_dropped_once_the_shift_is_over(
    harness: Harness,
) -> None:
    """王芳 is taken off tomorrow's 10:00–12:00 shift at 11:50; Telegram holds the word back for
    a quarter of an hour. By then the shift is over: she is not told of it."""
    town_, late = await _taken_off_while_telegram_holds_her_back(harness, 10, 12, 11, 50, 900)
    wang = town_.people[1]
    harness.clock.set(at(TOMORROW, 12, 6))
    await harness.deliver()
    assert not [text for text in wang.texts() if REMOVED in text]
    [row] = await _rows(harness, wang.user_id, "assignment-removed:")
    assert row.status is OutboxStatus.DROPPED, row.last_error
    assert (await statuses(harness, late))[wang.user_id] is AssignmentStatus.REMOVED
