"""Word about a seat held back before it goes out says what is true when it goes out: the word
that a coordinator took someone off a shift (➖ 移出, urgent, so held only by a 429 or retries),
and the word that leave was approved or not or that a freed seat was taken (held by the quiet
hours), are drawn again from the database when they are sent (bot/redraw.py), and none is sent
about a shift that is over."""

from __future__ import annotations

import pytest

from bot.db.models import AssignmentStatus, OutboxStatus
from bot.emulator import Fault, SimUser
from tests.e2e.held_fixtures import (
    keyed_rows,
    leave_approved_at_22_30,
    leave_asked_at_22_30,
    move_shift,
)
from tests.e2e.rostering_fixtures import (
    TOMORROW,
    Unit,
    ask_leave,
    assign_by_hand,
    open_assign,
    town,
)
from tests.e2e.schedule import DAY, at, command, press_and_settle, shift, statuses
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
    [row] = await keyed_rows(harness, wang.user_id, "assignment-removed:")
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
    [row] = await keyed_rows(harness, wang.user_id, "assignment-removed:")
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
    await move_shift(harness, town_.coordinator, "⚙️ 10:00 黄河路-人民路口", "13:00-15:00")
    harness.clock.set(at(TOMORROW, 6, 11))
    await harness.deliver()
    [told] = [text for text in wang.texts() if REMOVED in text]
    assert told == (
        "ℹ️ 协调员已将您从这个班次移出：\n12月2日 周三 13:00–15:00 · 黄河路-人民路口\n"
        "如有疑问请联系协调员。"
    ), told
    [row] = await keyed_rows(harness, wang.user_id, "assignment-removed:")
    assert row.status is OutboxStatus.SENT and row.payload["text"] == told


async def test_word_that_she_was_taken_off_twice_while_it_was_held_is_told_once(
    harness: Harness,
) -> None:
    """王芳 is taken off tomorrow's 10:00–12:00 shift at 06:00; Telegram holds the word back for
    ten minutes. At 06:02 the coordinator puts her back on, and at 06:04 takes her off again:
    a second word, under its own key. When the words can go she reads once that she is off the
    shift: the later word tells it, the earlier one is dropped."""
    town_, late = await _taken_off_while_telegram_holds_her_back(harness, 10, 12, 6, 0, 600)
    wang = town_.people[1]
    harness.clock.set(at(TOMORROW, 6, 2))
    await open_assign(harness, town_.coordinator, late)
    await town_.coordinator.send_text("王芳")
    await harness.settle()
    assert "✅ 已安排" in (town_.coordinator.last().text or "")
    harness.clock.set(at(TOMORROW, 6, 4))
    await command(harness, town_.coordinator, "roster", "12-02")
    await press_and_settle(harness, town_.coordinator, "⚙️ 10:00 黄河路-人民路口")
    await press_and_settle(harness, town_.coordinator, "➖ 移出 王芳")
    await press_and_settle(harness, town_.coordinator, "是，移出")
    harness.clock.set(at(TOMORROW, 6, 11))
    await harness.deliver()
    [told] = [text for text in wang.texts() if REMOVED in text]
    assert "12月2日 周三 10:00–12:00 · 黄河路-人民路口" in told, told
    first, second = sorted(
        await keyed_rows(harness, wang.user_id, "assignment-removed:"), key=lambda row: row.id
    )
    assert first.status is OutboxStatus.DROPPED, first.last_error
    assert second.status is OutboxStatus.SENT and second.payload["text"] == told
    assert (await statuses(harness, late))[wang.user_id] is AssignmentStatus.REMOVED


async def _cancel_tomorrows_ten_oclock(harness: Harness, town_: Unit) -> None:
    await command(harness, town_.coordinator, "roster", "12-02")
    await press_and_settle(harness, town_.coordinator, "⚙️ 10:00 黄河路-人民路口")
    await press_and_settle(harness, town_.coordinator, "❌ 取消这个班次")
    await press_and_settle(harness, town_.coordinator, "是，取消班次")


async def test_word_that_she_was_taken_off_still_goes_once_the_shift_is_cancelled(
    harness: Harness,
) -> None:
    """王芳 is taken off tomorrow's 10:00–12:00 shift at 06:00; Telegram holds the word back for
    ten minutes. At 06:05 the shift is cancelled (rain), which tells only those still on it:
    not her. Her last word was that the seat is hers, so the word that she is off it still
    goes (the shift as it is), or nothing would tell her not to go."""
    town_, late = await _taken_off_while_telegram_holds_her_back(harness, 10, 12, 6, 0, 600)
    wang = town_.people[1]
    harness.clock.set(at(TOMORROW, 6, 5))
    await _cancel_tomorrows_ten_oclock(harness, town_)
    harness.clock.set(at(TOMORROW, 6, 11))
    await harness.deliver()
    [told] = [text for text in wang.texts() if REMOVED in text]
    assert "12月2日 周三 10:00–12:00 · 黄河路-人民路口" in told, told
    assert not [text for text in wang.texts() if "班次已取消" in text]
    [row] = await keyed_rows(harness, wang.user_id, "assignment-removed:")
    assert row.status is OutboxStatus.SENT and row.payload["text"] == told, row.last_error
    assert (await statuses(harness, late))[wang.user_id] is AssignmentStatus.REMOVED


async def test_word_that_she_was_taken_off_is_dropped_once_put_back_and_told_of_the_cancel(
    harness: Harness,
) -> None:
    """王芳 is taken off at 06:00 (the word held back), put back on at 06:02, and the shift is
    cancelled at 06:05: she is told of the cancellation, as one on the shift, and never that
    she was taken off."""
    town_, late = await _taken_off_while_telegram_holds_her_back(harness, 10, 12, 6, 0, 600)
    wang = town_.people[1]
    harness.clock.set(at(TOMORROW, 6, 2))
    await open_assign(harness, town_.coordinator, late)
    await town_.coordinator.send_text("王芳")
    await harness.settle()
    harness.clock.set(at(TOMORROW, 6, 5))
    await _cancel_tomorrows_ten_oclock(harness, town_)
    harness.clock.set(at(TOMORROW, 6, 11))
    await harness.deliver()
    assert not [text for text in wang.texts() if REMOVED in text]
    assert [text for text in wang.texts() if "班次已取消" in text]
    [row] = await keyed_rows(harness, wang.user_id, "assignment-removed:")
    assert row.status is OutboxStatus.DROPPED, row.last_error
    assert (await statuses(harness, late))[wang.user_id] is AssignmentStatus.CANCELLED


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
    [row] = await keyed_rows(harness, wang.user_id, "assignment-removed:")
    assert row.status is OutboxStatus.DROPPED, row.last_error
    assert (await statuses(harness, late))[wang.user_id] is AssignmentStatus.REMOVED


OVER_OR_UNDER_WAY = pytest.mark.parametrize(
    ("window", "told"), [("02:00-04:00", False), ("06:00-08:00", True)], ids=["over", "under-way"]
)


@OVER_OR_UNDER_WAY
async def test_word_that_leave_was_approved_held_until_07_00_is_dropped_once_the_shift_is_over(
    harness: Harness, window: str, told: bool
) -> None:
    """王芳's leave from tomorrow's 10:00–12:00 seat is approved at 22:30: the word of it waits
    for 07:00. At 23:00 the shift is moved to the small hours. At 07:00 she is not told about
    leave from a shift that is over (02:00–04:00), but is from one under way (06:00–08:00)."""
    (_, wang, _), coordinator, _ = await leave_approved_at_22_30(harness)
    [row] = await keyed_rows(harness, wang.user_id, "leave-decided:")
    assert row.status is OutboxStatus.PENDING and "批准了您的请假" in row.payload["text"]
    harness.clock.set(at(DAY, 23, 0))
    await move_shift(harness, coordinator, "⚙️ 10:00 黄河路-人民路口", window)
    seen = len(wang.texts())
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    got = [text for text in wang.texts()[seen:] if "批准了您的请假" in text]
    [row] = await keyed_rows(harness, wang.user_id, "leave-decided:")
    if told:
        [text] = got
        assert window.replace("-", "–") in text, text
        assert row.status is OutboxStatus.SENT, row.last_error
    else:
        assert not got
        assert row.status is OutboxStatus.DROPPED, row.last_error


@OVER_OR_UNDER_WAY
async def test_word_that_leave_was_rejected_held_until_07_00_is_dropped_once_the_shift_is_over(
    harness: Harness, window: str, told: bool
) -> None:
    """王芳's leave from tomorrow's 10:00–12:00 seat is rejected at 22:30: the word that the
    shift is still hers waits for 07:00. At 23:00 the shift is moved to the small hours. At
    07:00 she is not told to turn up for a shift that is over (02:00–04:00), but is for one
    under way (06:00–08:00)."""
    wang, coordinator, late = await leave_asked_at_22_30(harness)
    await command(harness, coordinator, "roster")
    await press_and_settle(harness, coordinator, "🙋 待批请假 1")
    await harness.deliver()  # the copies go as cards, through the outbox
    await press_and_settle(harness, coordinator, "✖️ 驳回")
    await harness.deliver()
    [row] = await keyed_rows(harness, wang.user_id, "leave-decided:")
    assert row.status is OutboxStatus.PENDING and "没有批准您的请假" in row.payload["text"]
    harness.clock.set(at(DAY, 23, 0))
    await move_shift(harness, coordinator, "⚙️ 10:00 黄河路-人民路口", window)
    seen = len(wang.texts())
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    got = [text for text in wang.texts()[seen:] if "没有批准您的请假" in text]
    [row] = await keyed_rows(harness, wang.user_id, "leave-decided:")
    if told:
        [text] = got
        assert f"{window.replace('-', '–')} · 黄河路-人民路口 仍由您负责" in text, text
        assert row.status is OutboxStatus.SENT, row.last_error
    else:
        assert not got
        assert row.status is OutboxStatus.DROPPED, row.last_error
    assert wang.user_id in await statuses(harness, late)  # the seat is still hers


async def _freed_seat_taken_at_22_30(harness: Harness) -> tuple[SimUser, SimUser, int]:
    """王芳's leave from tomorrow's 14:00–16:00 seat is approved at 21:00 and the seat offered
    at once; 张伟 takes it at 22:30: the word to the coordinator waits for 07:00. The
    coordinator, 张伟 and the shift."""
    town_ = await town(harness, capacity=1)
    wang, zhang = town_.people[1], town_.people[2]
    coordinator = town_.coordinator
    afternoon = await shift(harness, town_.post_id, TOMORROW, 14, 16, capacity=1)
    await assign_by_hand(harness, coordinator, afternoon, "王芳")
    harness.clock.set(at(DAY, 20, 30))
    await ask_leave(harness, wang, "发烧")
    await harness.deliver()
    harness.clock.set(at(DAY, 21, 0))
    await press_and_settle(harness, coordinator, "✅ 批准")
    await harness.deliver()
    harness.clock.set(at(DAY, 22, 30))
    await press_and_settle(harness, zhang, "🙋 我来接")
    await harness.deliver()
    [row] = await keyed_rows(harness, coordinator.user_id, "freed-taken:")
    assert row.status is OutboxStatus.PENDING and "张伟 接下了" in row.payload["text"]
    return coordinator, zhang, afternoon


@OVER_OR_UNDER_WAY
async def test_word_that_a_freed_seat_was_taken_held_until_07_00_is_dropped_once_the_shift_is_over(
    harness: Harness, window: str, told: bool
) -> None:
    """张伟 takes at 22:30 the seat 王芳's leave freed on tomorrow's 14:00–16:00 shift: the word
    to the coordinator waits for 07:00. At 23:00 the shift is moved to the small hours. At 07:00
    the coordinator is not told who took a seat on a shift that is over (02:00–04:00), but is on
    one under way (06:00–08:00)."""
    coordinator, zhang, afternoon = await _freed_seat_taken_at_22_30(harness)
    harness.clock.set(at(DAY, 23, 0))
    await move_shift(harness, coordinator, "⚙️ 14:00 黄河路-人民路口", window)
    seen = len(coordinator.texts())
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    got = [text for text in coordinator.texts()[seen:] if "接下了请假空出的班次" in text]
    [row] = await keyed_rows(harness, coordinator.user_id, "freed-taken:")
    if told:
        [text] = got
        assert window.replace("-", "–") in text and "张伟" in text, text
        assert row.status is OutboxStatus.SENT, row.last_error
    else:
        assert not got
        assert row.status is OutboxStatus.DROPPED, row.last_error
    assert zhang.user_id in await statuses(harness, afternoon)  # the seat is still his
