"""The word of how a swap ended, held by the quiet hours: that an offer was taken, that a swap
is complete, rejected or withdrawn is drawn again at 07:00 (bot/redraw.py), names the shift's
new time, and is dropped once it was decided, the seat is gone or the shift is off or over."""

from __future__ import annotations

import pytest

from bot.db.models import AssignmentStatus, OutboxStatus
from tests.e2e.held_fixtures import (
    given_away_at_21_00,
    keyed_rows,
    move_shift,
    swap_approved_at_22_30,
    swap_rejected_at_22_30,
    withdraw_swap,
)
from tests.e2e.rostering_fixtures import TOMORROW
from tests.e2e.schedule import DAY, at, command, press_and_settle, statuses
from tests.harness import Harness


async def test_word_that_an_offer_was_taken_held_until_07_00_is_dropped_once_it_was_decided(
    harness: Harness,
) -> None:
    """The unit asks for approval. 李明 gives tomorrow's 14:00–16:00 seat away; 王芳 takes it
    at 22:30: the word that she did, awaiting approval, waits for 07:00. At 23:00 the
    coordinator rejects the swap. At 07:00 李明 reads that it was not approved, not that it
    awaits approval."""
    town_, afternoon = await given_away_at_21_00(harness, approval=True)
    li, wang, _ = town_.people
    harness.clock.set(at(DAY, 22, 30))
    await press_and_settle(harness, wang, "🙋 我来接")
    await harness.deliver()
    [row] = await keyed_rows(harness, li.user_id, "swap-accepted:")
    assert row.status is OutboxStatus.PENDING and "王芳 接受了您的换岗" in row.payload["text"]
    harness.clock.set(at(DAY, 23, 0))
    await press_and_settle(harness, town_.coordinator, "✖️ 驳回")
    await harness.deliver()
    seen = len(li.texts())
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    told = li.texts()[seen:]
    assert not [t for t in told if "接受了您的换岗" in t], told
    assert [t for t in told if "协调员没有批准换岗" in t], told
    [row] = await keyed_rows(harness, li.user_id, "swap-accepted:")
    assert row.status is OutboxStatus.DROPPED, row.last_error
    assert (await statuses(harness, afternoon))[li.user_id] is AssignmentStatus.SIGNED_UP


async def test_word_that_a_swap_is_complete_held_until_07_00_names_the_time_the_shift_was_moved_to(
    harness: Harness,
) -> None:
    """李明 gives tomorrow's 14:00–16:00 seat away at 21:00; 王芳 takes it at 22:30: the word
    that it is hers now waits for 07:00. At 23:00 the coordinator moves the shift to
    15:00–17:00. At 07:00 李明 reads that 王芳 took the shift at 15:00–17:00."""
    town_, _ = await given_away_at_21_00(harness, approval=False)
    li, wang, _ = town_.people
    harness.clock.set(at(DAY, 22, 30))
    assert "换岗完成" in await press_and_settle(harness, wang, "🙋 我来接")
    await harness.deliver()
    [row] = await keyed_rows(harness, li.user_id, "swap-completed:")
    assert row.status is OutboxStatus.PENDING and "14:00–16:00" in row.payload["text"]
    harness.clock.set(at(DAY, 23, 0))
    await move_shift(harness, town_.coordinator, "⚙️ 14:00 黄河路-人民路口", "15:00-17:00")
    seen = len(li.texts())
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    [told] = [text for text in li.texts()[seen:] if "换岗完成" in text]
    assert (
        told
        == "✅ 换岗完成：12月2日 周三 15:00–17:00 · 黄河路-人民路口 已由 王芳 接班，您不用再去了。"
    )
    [row] = await keyed_rows(harness, li.user_id, "swap-completed:")
    assert row.status is OutboxStatus.SENT and row.payload["text"] == told


async def test_word_that_a_swap_is_complete_held_until_07_00_is_dropped_once_the_seat_is_gone(
    harness: Harness,
) -> None:
    """The unit asks for approval. 王芳 took 李明's 14:00–16:00 seat and the coordinator
    approves at 22:30: the word that the seat is hers waits for 07:00. At 23:00 the shift is
    cancelled (she is told at once). At 07:00 she is not told the seat is hers."""
    town_, _ = await swap_approved_at_22_30(harness)
    wang = town_.people[1]
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
    assert not [text for text in wang.texts()[seen:] if "换岗完成" in text]
    [row] = await keyed_rows(harness, wang.user_id, "swap-completed:")
    assert row.status is OutboxStatus.DROPPED, row.last_error


@pytest.mark.parametrize(
    ("window", "told"), [("02:00-04:00", False), ("06:00-08:00", True)], ids=["over", "under-way"]
)
async def test_word_that_a_swap_is_complete_held_until_07_00_is_dropped_once_the_shift_is_over(
    harness: Harness, window: str, told: bool
) -> None:
    """The unit asks for approval. 王芳 took 李明's 14:00–16:00 seat and the coordinator
    approves at 22:30: the word that the seat is hers waits for 07:00. At 23:00 the shift is
    moved to the small hours. At 07:00 she is not told of a seat whose shift is over (02:00–04:00),
    but is of one whose shift is under way (06:00–08:00): she is expected there."""
    town_, afternoon = await swap_approved_at_22_30(harness)
    wang = town_.people[1]
    harness.clock.set(at(DAY, 23, 0))
    await move_shift(harness, town_.coordinator, "⚙️ 14:00 黄河路-人民路口", window)
    seen = len(wang.texts())
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    got = [text for text in wang.texts()[seen:] if "现在由您负责" in text]
    [row] = await keyed_rows(harness, wang.user_id, "swap-completed:")
    if told:
        [text] = got
        assert window.replace("-", "–") in text, text
        assert row.status is OutboxStatus.SENT, row.last_error
    else:
        assert not got
        assert row.status is OutboxStatus.DROPPED, row.last_error
    assert wang.user_id in await statuses(harness, afternoon)  # the seat is still hers


async def test_word_that_a_swap_was_rejected_held_until_07_00_names_the_time_the_shift_was_moved_to(
    harness: Harness,
) -> None:
    """The rejection of 22:30 waits for 07:00; at 23:00 the shift is moved to 15:00–17:00. At
    07:00 李明 and 王芳 read that the swap of the shift at 15:00–17:00 was not approved."""
    (li, wang, _), coordinator, afternoon = await swap_rejected_at_22_30(harness)
    harness.clock.set(at(DAY, 23, 0))
    await move_shift(harness, coordinator, "⚙️ 14:00 黄河路-人民路口", "15:00-17:00")
    seen = {person.user_id: len(person.texts()) for person in (li, wang)}
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    for person in (li, wang):
        [told] = [t for t in person.texts()[seen[person.user_id] :] if "没有批准换岗" in t]
        assert (
            told
            == "❌ 协调员没有批准换岗（12月2日 周三 15:00–17:00 · 黄河路-人民路口），班次保持不变。"
        )
        [row] = await keyed_rows(harness, person.user_id, "swap-rejected:")
        assert row.status is OutboxStatus.SENT and row.payload["text"] == told
    assert (await statuses(harness, afternoon))[li.user_id] is AssignmentStatus.SIGNED_UP


async def test_word_that_a_swap_was_rejected_held_until_07_00_is_dropped_once_its_shift_is_off(
    harness: Harness,
) -> None:
    """The rejection of 22:30 waits for 07:00; at 23:00 the shift is cancelled (李明 is told at
    once). At 07:00 nobody reads that the shift stays as it was."""
    (li, wang, _), coordinator, _ = await swap_rejected_at_22_30(harness)
    harness.clock.set(at(DAY, 23, 0))
    await command(harness, coordinator, "roster", "12-02")
    await press_and_settle(harness, coordinator, "⚙️ 14:00 黄河路-人民路口")
    await press_and_settle(harness, coordinator, "❌ 取消这个班次")
    await press_and_settle(harness, coordinator, "是，取消班次")
    await harness.deliver()
    assert "班次已取消" in (li.last().text or "")
    seen = {person.user_id: len(person.texts()) for person in (li, wang)}
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    for person in (li, wang):
        assert not [t for t in person.texts()[seen[person.user_id] :] if "没有批准换岗" in t]
        [row] = await keyed_rows(harness, person.user_id, "swap-rejected:")
        assert row.status is OutboxStatus.DROPPED, row.last_error


async def test_word_that_a_swap_was_withdrawn_held_until_07_00_names_the_time_it_was_moved_to(
    harness: Harness,
) -> None:
    """The unit asks for approval. 王芳 takes 李明's 14:00–16:00 seat at 21:30; at 22:30 he
    withdraws the swap: the word to her waits for 07:00. At 23:00 the shift is moved to
    15:00–17:00. At 07:00 she reads that he withdrew the swap of the shift at 15:00–17:00."""
    town_, _ = await given_away_at_21_00(harness, approval=True)
    wang = town_.people[1]
    harness.clock.set(at(DAY, 21, 30))
    await press_and_settle(harness, wang, "🙋 我来接")
    await harness.deliver()
    harness.clock.set(at(DAY, 22, 30))
    await withdraw_swap(harness, town_.people, town_.coordinator)
    await harness.deliver()
    [row] = await keyed_rows(harness, wang.user_id, "swap-withdrawn:")
    assert row.status is OutboxStatus.PENDING and "14:00–16:00" in row.payload["text"]
    harness.clock.set(at(DAY, 23, 0))
    await move_shift(harness, town_.coordinator, "⚙️ 14:00 黄河路-人民路口", "15:00-17:00")
    seen = len(wang.texts())
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    [told] = [t for t in wang.texts()[seen:] if "撤回了换岗" in t]
    assert told == "李明 撤回了换岗（12月2日 周三 15:00–17:00 · 黄河路-人民路口）。"
    [row] = await keyed_rows(harness, wang.user_id, "swap-withdrawn:")
    assert row.status is OutboxStatus.SENT and row.payload["text"] == told
