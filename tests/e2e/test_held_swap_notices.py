"""The word that a swap was called off, moved or expired, and that a swap went through or not,
says what is true when it finally goes out, or nothing. The scheduler's words go out at once,
even in the quiet hours, but Telegram failing on a chat holds them back; the others wait for the
quiet hours to end. Either way they are drawn again from the database when they go out
(bot/redraw.py)."""

from __future__ import annotations

from bot.db.models import AssignmentStatus, OutboxStatus, Shift
from bot.emulator import SimUser
from bot.emulator.limits import Fault
from bot.sender import BACKOFF_CAP_SECONDS
from tests.e2e.held_fixtures import (
    GIVE_AWAY,
    HAND_OVER,
    keyed_rows,
    move_shift,
    swap_rejected_at_22_30,
)
from tests.e2e.rostering_fixtures import TOMORROW, town
from tests.e2e.schedule import DAY, at, command, press_and_settle, shift, statuses
from tests.e2e.swap_fixtures import seat
from tests.harness import Harness

CALLED_OFF, MOVED, EXPIRED = "换岗取消了", "班次时间改了", "换岗已过期"
VOID_CANCELLED = "换岗作废了"


def _telegram_fails_for(harness: Harness, *users: SimUser) -> None:
    """Every message to these chats fails (a 502) until `_telegram_is_back`: what is queued
    for them waits for its retry."""
    for user in users:
        harness.emulator.inject_fault(Fault(kind="502", chat_id=user.user_id, count=1000))


async def _telegram_is_back(harness: Harness) -> None:
    """Telegram answers again, and the retries are due (the longest backoff later): what
    waited goes out."""
    harness.emulator.clear_faults()
    harness.clock.advance(seconds=BACKOFF_CAP_SECONDS)
    await harness.deliver()


async def _handed_over_at_20_00(harness: Harness) -> tuple[list[SimUser], SimUser, int]:
    """李明 holds tomorrow's 10:00–12:00 seat (one seat) and asks 王芳 at 20:00 to take it; she
    is asked at once. The people (李明, 王芳, 张伟), the coordinator and the shift."""
    town_ = await town(harness, capacity=1)
    li = town_.people[0]
    late = await shift(harness, town_.post_id, TOMORROW, 10, 12, capacity=1)
    await seat(harness, late, li.user_id)
    harness.clock.set(at(DAY, 20, 0))
    await command(harness, li, "my")
    await press_and_settle(harness, li, "🔁 换岗 1")
    await press_and_settle(harness, li, HAND_OVER)
    await li.send_text("王芳")
    await harness.settle()
    await harness.deliver()
    assert [t for t in town_.people[1].texts() if "李明 请您代班" in t]
    return town_.people, town_.coordinator, late


async def _moved_at_20_10_while_telegram_fails(
    harness: Harness,
) -> tuple[list[SimUser], SimUser, int]:
    """The hand-over of 20:00; at 20:10 the coordinator moves the shift to 13:00–15:00, which
    calls the swap off, while Telegram fails for 李明 and 王芳: the word of it waits."""
    people, coordinator, late = await _handed_over_at_20_00(harness)
    li, wang, _ = people
    _telegram_fails_for(harness, li, wang)
    harness.clock.set(at(DAY, 20, 10))
    await move_shift(harness, coordinator, "⚙️ 10:00 黄河路-人民路口", "13:00-15:00")
    await harness.deliver()
    for person in (li, wang):
        [row] = await keyed_rows(harness, person.user_id, "swap-moved:")
        assert row.status is OutboxStatus.PENDING and "13:00–15:00" in row.payload["text"]
    return people, coordinator, late


async def test_word_that_a_swap_was_called_off_by_a_move_names_the_time_the_shift_ends_up_at(
    harness: Harness,
) -> None:
    """The swap called off by the move to 13:00–15:00 at 20:10 waits while Telegram fails; at
    20:20 the shift is moved again, to 15:00–17:00. When Telegram is back, 李明 and 王芳 read
    that the swap of the shift at 15:00–17:00 is off, never the time in between."""
    (li, wang, _), coordinator, _ = await _moved_at_20_10_while_telegram_fails(harness)
    harness.clock.set(at(DAY, 20, 20))
    await move_shift(harness, coordinator, "⚙️ 13:00 黄河路-人民路口", "15:00-17:00")
    seen = {person.user_id: len(person.texts()) for person in (li, wang)}
    await _telegram_is_back(harness)
    for person in (li, wang):
        [told] = [t for t in person.texts()[seen[person.user_id] :] if CALLED_OFF in t]
        assert told.startswith("🔁 换岗取消了（12月2日 周三 15:00–17:00 · 黄河路-人民路口）：")
        assert MOVED in told and "13:00" not in told, told
        [row] = await keyed_rows(harness, person.user_id, "swap-moved:")
        assert row.status is OutboxStatus.SENT and row.payload["text"] == told


async def test_word_that_a_swap_was_called_off_by_a_move_is_dropped_once_it_is_offered_again(
    harness: Harness,
) -> None:
    """The swap called off by the move of 20:10 waits while Telegram fails. At 20:15 Telegram
    answers again, and before the word is retried 李明 asks 王芳 again, at the new time, as
    it would have told him to. Then neither reads that the swap is off: 王芳 is asked about
    the shift at 13:00–15:00."""
    (li, wang, _), _, _ = await _moved_at_20_10_while_telegram_fails(harness)
    harness.clock.set(at(DAY, 20, 15))
    harness.emulator.clear_faults()
    await command(harness, li, "my")
    await press_and_settle(harness, li, "🔁 换岗 1")
    await press_and_settle(harness, li, HAND_OVER)
    await li.send_text("王芳")
    await harness.settle()
    seen = {person.user_id: len(person.texts()) for person in (li, wang)}
    await _telegram_is_back(harness)
    for person in (li, wang):
        assert not [t for t in person.texts()[seen[person.user_id] :] if CALLED_OFF in t]
        [row] = await keyed_rows(harness, person.user_id, "swap-moved:")
        assert row.status is OutboxStatus.DROPPED, row.last_error
    [asked] = [t for t in wang.texts()[seen[wang.user_id] :] if "李明 请您代班" in t]
    assert "13:00–15:00" in asked, asked


async def test_word_that_a_swap_was_called_off_is_dropped_once_the_shift_is_over(
    harness: Harness,
) -> None:
    """The coordinator takes 李明 off tomorrow's 10:00–12:00 shift at 20:10, which calls off
    the hand-over to 王芳, while Telegram fails for both: the word of it waits. Telegram is back
    only at 12:30 tomorrow, when the shift is over: nobody reads of a swap of it."""
    (li, wang, _), coordinator, late = await _handed_over_at_20_00(harness)
    _telegram_fails_for(harness, li, wang)
    harness.clock.set(at(DAY, 20, 10))
    await command(harness, coordinator, "roster", "12-02")
    await press_and_settle(harness, coordinator, "⚙️ 10:00 黄河路-人民路口")
    await press_and_settle(harness, coordinator, "➖ 移出 李明")
    await press_and_settle(harness, coordinator, "是，移出")
    await harness.tick()
    for person in (li, wang):
        [row] = await keyed_rows(harness, person.user_id, "swap-void:")
        assert row.status is OutboxStatus.PENDING and CALLED_OFF in row.payload["text"]
    seen = {person.user_id: len(person.texts()) for person in (li, wang)}
    harness.clock.set(at(TOMORROW, 12, 30))
    await _telegram_is_back(harness)
    for person in (li, wang):
        assert not [t for t in person.texts()[seen[person.user_id] :] if CALLED_OFF in t]
        [row] = await keyed_rows(harness, person.user_id, "swap-void:")
        assert row.status is OutboxStatus.DROPPED, row.last_error
    assert (await statuses(harness, late)).get(li.user_id) is not AssignmentStatus.SIGNED_UP


async def _cancel_tomorrows_ten_oclock(harness: Harness, coordinator: SimUser) -> None:
    await command(harness, coordinator, "roster", "12-02")
    await press_and_settle(harness, coordinator, "⚙️ 10:00 黄河路-人民路口")
    await press_and_settle(harness, coordinator, "❌ 取消这个班次")
    await press_and_settle(harness, coordinator, "是，取消班次")


async def _told_of_the_cancellation_not_of_the_swap(
    harness: Harness, li: SimUser, wang: SimUser, prefix: str, word: str
) -> None:
    """The shift of the swap was cancelled while the word `word` (under `prefix`) waited for
    李明 and 王芳. When Telegram is back, 李明, who held the seat, reads that the shift is
    cancelled and nothing of the swap; 王芳, whom the cancellation does not reach (she holds
    no seat on it), reads that the swap is void because the shift was cancelled, never `word`."""
    seen = {person.user_id: len(person.texts()) for person in (li, wang)}
    await _telegram_is_back(harness)
    got = {person.user_id: person.texts()[seen[person.user_id] :] for person in (li, wang)}
    for person in (li, wang):
        assert not [t for t in got[person.user_id] if word in t], got[person.user_id]
    assert [t for t in got[li.user_id] if "班次已取消" in t], got[li.user_id]
    assert not [t for t in got[li.user_id] if VOID_CANCELLED in t], got[li.user_id]
    [told] = [t for t in got[wang.user_id] if VOID_CANCELLED in t]
    assert told == (
        "🔁 换岗作废了（12月2日 周三 10:00–12:00 · 黄河路-人民路口）：这个班次已经取消，"
        "换岗不用再处理。"
    ), told
    assert not [t for t in got[wang.user_id] if "班次已取消" in t], got[wang.user_id]
    [li_row] = await keyed_rows(harness, li.user_id, prefix)
    assert li_row.status is OutboxStatus.DROPPED, li_row.last_error
    [wang_row] = await keyed_rows(harness, wang.user_id, prefix)
    assert wang_row.status is OutboxStatus.SENT and wang_row.payload["text"] == told


async def test_word_that_a_swap_expired_tells_only_the_member_asked_once_the_shift_is_cancelled(
    harness: Harness,
) -> None:
    """The hand-over of 20:00 expires at 09:00 tomorrow, an hour before the shift, while
    Telegram fails for 李明 and 王芳: the word that nothing changes waits. At 09:05 the
    coordinator cancels the shift. When Telegram is back, 李明 reads that the shift is
    cancelled, 王芳 that the swap she was asked is void since the shift was cancelled, and
    neither that the swap expired and nothing changes."""
    (li, wang, _), coordinator, _ = await _handed_over_at_20_00(harness)
    _telegram_fails_for(harness, li, wang)
    harness.clock.set(at(TOMORROW, 9, 0))
    await harness.tick()
    for person in (li, wang):
        [row] = await keyed_rows(harness, person.user_id, "swap-expired:")
        assert row.status is OutboxStatus.PENDING and EXPIRED in row.payload["text"]
    harness.clock.set(at(TOMORROW, 9, 5))
    await _cancel_tomorrows_ten_oclock(harness, coordinator)
    await _told_of_the_cancellation_not_of_the_swap(harness, li, wang, "swap-expired:", EXPIRED)


async def test_word_that_a_swap_was_called_off_by_a_move_tells_only_the_member_asked_once_cancelled(
    harness: Harness,
) -> None:
    """The hand-over of 20:00 is called off by the move of 20:10 (to 13:00–15:00) while
    Telegram fails for 李明 and 王芳; at 20:20 the shift is moved back to 10:00–12:00 and
    cancelled. When Telegram is back, 李明 reads that the shift is cancelled, 王芳 that the
    swap is void since the shift was cancelled, and neither that they may start a new one."""
    (li, wang, _), coordinator, _ = await _moved_at_20_10_while_telegram_fails(harness)
    harness.clock.set(at(DAY, 20, 20))
    await move_shift(harness, coordinator, "⚙️ 13:00 黄河路-人民路口", "10:00-12:00")
    await _cancel_tomorrows_ten_oclock(harness, coordinator)
    await _told_of_the_cancellation_not_of_the_swap(harness, li, wang, "swap-moved:", MOVED)


async def _given_away_at_22_30(harness: Harness) -> tuple[list[SimUser], SimUser, int]:
    """李明 gives tomorrow's 14:00–16:00 seat away at 21:00; 王芳 takes it at 22:30: the word
    to 李明 that she did and he need not go waits for 07:00. The people, the coordinator and
    the shift."""
    town_ = await town(harness, capacity=1)
    li, wang, _ = town_.people
    afternoon = await shift(harness, town_.post_id, TOMORROW, 14, 16, capacity=1)
    await seat(harness, afternoon, li.user_id)
    harness.clock.set(at(DAY, 21, 0))
    await command(harness, li, "my")
    await press_and_settle(harness, li, "🔁 换岗 1")
    await press_and_settle(harness, li, GIVE_AWAY)
    await harness.deliver()
    harness.clock.set(at(DAY, 22, 30))
    assert "换岗完成" in await press_and_settle(harness, wang, "🙋 我来接")
    await harness.deliver()
    [row] = await keyed_rows(harness, li.user_id, "swap-completed:")
    assert row.status is OutboxStatus.PENDING and "您不用再去了" in row.payload["text"]
    return town_.people, town_.coordinator, afternoon


async def test_word_that_someone_took_over_held_until_07_00_is_dropped_once_the_shift_is_over(
    harness: Harness,
) -> None:
    """王芳 took 李明's 14:00–16:00 seat at 22:30; at 23:00 the shift is moved to 02:00–04:00.
    At 07:00 李明 is not told that he need not go to a shift that is over."""
    (li, _, _), coordinator, _ = await _given_away_at_22_30(harness)
    harness.clock.set(at(DAY, 23, 0))
    await move_shift(harness, coordinator, "⚙️ 14:00 黄河路-人民路口", "02:00-04:00")
    seen = len(li.texts())
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    assert not [t for t in li.texts()[seen:] if "您不用再去了" in t]
    [row] = await keyed_rows(harness, li.user_id, "swap-completed:")
    assert row.status is OutboxStatus.DROPPED, row.last_error


async def test_word_that_someone_took_over_held_until_07_00_is_dropped_once_it_came_back(
    harness: Harness,
) -> None:
    """王芳 took 李明's 14:00–16:00 seat at 22:30; at 23:00 she gives it away in turn and 李明
    takes it back. At 07:00 he is not told that he need not go: the seat is his."""
    (li, wang, _), _, afternoon = await _given_away_at_22_30(harness)
    harness.clock.set(at(DAY, 23, 0))
    await command(harness, wang, "my")
    await press_and_settle(harness, wang, "🔁 换岗 1")
    await press_and_settle(harness, wang, GIVE_AWAY)
    await command(harness, li, "swaps")
    assert "换岗完成" in await press_and_settle(harness, li, "🙋 接 1")
    seen = len(li.texts())
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    assert not [t for t in li.texts()[seen:] if "您不用再去了" in t]
    [row] = await keyed_rows(harness, li.user_id, "swap-completed:")
    assert row.status is OutboxStatus.DROPPED, row.last_error
    assert (await statuses(harness, afternoon))[li.user_id] is AssignmentStatus.SIGNED_UP


async def test_word_that_a_swap_was_rejected_held_until_07_00_is_dropped_once_the_shift_is_over(
    harness: Harness,
) -> None:
    """The rejection of 22:30 waits for 07:00; at 23:00 the shift is moved to 02:00–04:00. At
    07:00 nobody reads that the swap of a shift that is over was not approved."""
    (li, wang, _), coordinator, afternoon = await swap_rejected_at_22_30(harness)
    harness.clock.set(at(DAY, 23, 0))
    await move_shift(harness, coordinator, "⚙️ 14:00 黄河路-人民路口", "02:00-04:00")
    seen = {person.user_id: len(person.texts()) for person in (li, wang)}
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    for person in (li, wang):
        assert not [t for t in person.texts()[seen[person.user_id] :] if "没有批准换岗" in t]
        [row] = await keyed_rows(harness, person.user_id, "swap-rejected:")
        assert row.status is OutboxStatus.DROPPED, row.last_error
    async with harness.session() as session:
        moved = await session.get(Shift, afternoon)
        assert moved is not None and moved.ends_at == at(TOMORROW, 4, 0)


async def test_word_that_a_hand_over_was_declined_held_until_07_00_is_dropped_once_his_seat_went(
    harness: Harness,
) -> None:
    """李明 asks 王芳 at 21:00 to take his seat on tomorrow's 14:00–16:00 shift; she declines at
    22:30: the word to him that the shift is still his waits for 07:00. At 23:00 he gives the
    seat away and 张伟 takes it. At 07:00 李明 reads that he need not go, never that the shift
    is still his."""
    town_ = await town(harness, capacity=1)
    li, wang, zhang = town_.people
    afternoon = await shift(harness, town_.post_id, TOMORROW, 14, 16, capacity=1)
    await seat(harness, afternoon, li.user_id)
    harness.clock.set(at(DAY, 21, 0))
    await command(harness, li, "my")
    await press_and_settle(harness, li, "🔁 换岗 1")
    await press_and_settle(harness, li, HAND_OVER)
    await li.send_text("王芳")
    await harness.settle()
    await harness.deliver()
    harness.clock.set(at(DAY, 22, 30))
    assert "您已拒绝换岗" in await press_and_settle(harness, wang, "✖️ 拒绝")
    await harness.deliver()
    [row] = await keyed_rows(harness, li.user_id, "swap-declined:")
    assert row.status is OutboxStatus.PENDING and "这个班次仍由您负责" in row.payload["text"]
    harness.clock.set(at(DAY, 23, 0))
    await command(harness, li, "my")
    await press_and_settle(harness, li, "🔁 换岗 1")
    await press_and_settle(harness, li, GIVE_AWAY)
    await command(harness, zhang, "swaps")
    assert "换岗完成" in await press_and_settle(harness, zhang, "🙋 接 1")
    seen = len(li.texts())
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    got = li.texts()[seen:]
    assert not [t for t in got if "拒绝了您的换岗" in t], got
    assert [t for t in got if "您不用再去了" in t], got
    [row] = await keyed_rows(harness, li.user_id, "swap-declined:")
    assert row.status is OutboxStatus.DROPPED, row.last_error
    held = await statuses(harness, afternoon)
    assert held[zhang.user_id] is AssignmentStatus.SIGNED_UP
    assert held[li.user_id] is AssignmentStatus.CANCELLED


async def _given_away_again_at_23_00_and_approved(
    harness: Harness, li: SimUser, coordinator: SimUser, taker: SimUser
) -> None:
    """After the rejection of 22:30, 李明 gives the 14:00–16:00 seat away again at 23:00,
    `taker` takes it from /swaps, and the coordinator approves it at 23:10: the seat is
    theirs."""
    harness.clock.set(at(DAY, 23, 0))
    await command(harness, li, "my")
    await press_and_settle(harness, li, "🔁 换岗 1")
    await press_and_settle(harness, li, GIVE_AWAY)
    await command(harness, taker, "swaps")
    assert "协调员" in await press_and_settle(harness, taker, "🙋 接 1")
    await harness.deliver()
    harness.clock.set(at(DAY, 23, 10))
    await press_and_settle(harness, coordinator, "✅ 批准")
    await harness.deliver()


async def test_word_that_a_swap_was_rejected_held_until_07_00_is_dropped_once_he_gave_it_away(
    harness: Harness,
) -> None:
    """The rejection of 22:30 waits for 07:00. At 23:00 李明 gives the seat away again, 张伟
    takes it and the coordinator approves. At 07:00 李明 is not told that nothing changes (the
    seat is 张伟's now): he reads that he need not go. 王芳, who does not get the seat, still
    reads that the swap she took was not approved."""
    (li, wang, zhang), coordinator, afternoon = await swap_rejected_at_22_30(harness)
    await _given_away_again_at_23_00_and_approved(harness, li, coordinator, zhang)
    seen = {person.user_id: len(person.texts()) for person in (li, wang)}
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    got = {person.user_id: person.texts()[seen[person.user_id] :] for person in (li, wang)}
    assert not [t for t in got[li.user_id] if "没有批准换岗" in t], got[li.user_id]
    assert [t for t in got[li.user_id] if "张伟 接班，您不用再去了" in t], got[li.user_id]
    [li_row] = await keyed_rows(harness, li.user_id, "swap-rejected:")
    assert li_row.status is OutboxStatus.DROPPED, li_row.last_error
    [told] = [t for t in got[wang.user_id] if "没有批准换岗" in t]
    assert told == (
        "❌ 协调员没有批准换岗（12月2日 周三 14:00–16:00 · 黄河路-人民路口），班次保持不变。"
    )
    held = await statuses(harness, afternoon)
    assert held[zhang.user_id] is AssignmentStatus.SIGNED_UP
    assert held.get(wang.user_id) is not AssignmentStatus.SIGNED_UP


async def test_word_that_a_swap_was_rejected_held_until_07_00_is_dropped_once_she_got_it_after_all(
    harness: Harness,
) -> None:
    """The rejection of 22:30 waits for 07:00. At 23:00 李明 gives the seat away again, 王芳
    takes it again and this time the coordinator approves. At 07:00 neither reads that the
    swap was not approved and nothing changes: 王芳 reads that the shift is hers, 李明 that
    he need not go."""
    (li, wang, _), coordinator, afternoon = await swap_rejected_at_22_30(harness)
    await _given_away_again_at_23_00_and_approved(harness, li, coordinator, wang)
    seen = {person.user_id: len(person.texts()) for person in (li, wang)}
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    got = {person.user_id: person.texts()[seen[person.user_id] :] for person in (li, wang)}
    for person in (li, wang):
        assert not [t for t in got[person.user_id] if "没有批准换岗" in t], got[person.user_id]
        [row] = await keyed_rows(harness, person.user_id, "swap-rejected:")
        assert row.status is OutboxStatus.DROPPED, row.last_error
    assert [t for t in got[wang.user_id] if "现在由您负责" in t], got[wang.user_id]
    assert (await statuses(harness, afternoon))[wang.user_id] is AssignmentStatus.SIGNED_UP
