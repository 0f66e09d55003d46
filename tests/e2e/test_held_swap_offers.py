"""Swap offers held by the quiet hours: a give-away, a hand-over or an exchange offered at 22:30
waits for 07:00, is drawn again then (bot/redraw.py), goes only to who may still take it, and is
dropped once the offer is off."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from bot.db.models import AssignmentStatus, OutboxStatus, Shift
from bot.emulator import SimUser
from tests.e2e.held_fixtures import GIVE_AWAY, HAND_OVER, keyed_rows, move_shift, withdraw_swap
from tests.e2e.rostering_fixtures import TOMORROW, town
from tests.e2e.schedule import DAY, at, command, post, press_and_settle, shift, statuses
from tests.e2e.swap_fixtures import seat
from tests.harness import Harness


async def _swap_offered_at_22_30(
    harness: Harness, kind: str, *, start: int = 10, name: str = ""
) -> tuple[list[SimUser], SimUser, int]:
    """李明 holds tomorrow's `start`:00 seat (one seat) and offers it at 22:30, given away to the
    unit or handed over to `name`: the notices wait for 07:00. The people (李明, 王芳, 张伟),
    the coordinator and the shift."""
    town_ = await town(harness, capacity=1)
    li = town_.people[0]
    late = await shift(harness, town_.post_id, TOMORROW, start, start + 2, capacity=1)
    await seat(harness, late, li.user_id)
    harness.clock.set(at(DAY, 22, 30))
    await command(harness, li, "my")
    await press_and_settle(harness, li, "🔁 换岗 1")
    await press_and_settle(harness, li, kind)
    if name:
        await li.send_text(name)
        await harness.settle()
    await harness.deliver()
    return town_.people, town_.coordinator, late


async def _take(harness: Harness, people: list[SimUser], coordinator: SimUser) -> None:
    await command(harness, people[1], "swaps")
    assert "换岗完成" in await press_and_settle(harness, people[1], "🙋 接 1")


async def _move_it(harness: Harness, people: list[SimUser], coordinator: SimUser) -> None:
    await move_shift(harness, coordinator, "⚙️ 10:00 黄河路-人民路口", "13:00-15:00")


@pytest.mark.parametrize(
    "interlude", [withdraw_swap, _take, _move_it], ids=["withdrawn", "taken", "moved"]
)
async def test_a_swap_offer_held_until_07_00_is_dropped_once_the_offer_is_off(
    harness: Harness, interlude: Callable[[Harness, list[SimUser], SimUser], Awaitable[None]]
) -> None:
    """李明 gives tomorrow's 10:00–12:00 seat away at 22:30: 王芳 and 张伟 are offered it
    (🙋 我来接) at 07:00. At 23:00 李明 withdraws it, or 王芳 takes it from /swaps, or the
    coordinator moves the shift (which calls the offer off). At 07:00 nobody reads 🙋 我来接 for
    an offer that is off: both notices are dropped."""
    people, coordinator, _ = await _swap_offered_at_22_30(harness, GIVE_AWAY)
    takers = people[1:]
    for taker in takers:
        [row] = await keyed_rows(harness, taker.user_id, "swap-offer:")
        assert row.status is OutboxStatus.PENDING and "10:00–12:00" in row.payload["text"]
    harness.clock.set(at(DAY, 23, 0))
    await interlude(harness, people, coordinator)
    await harness.deliver()
    seen = {taker.user_id: len(taker.texts()) for taker in takers}
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    for taker in takers:
        assert not [t for t in taker.texts()[seen[taker.user_id] :] if "转让一个班次" in t]
        [row] = await keyed_rows(harness, taker.user_id, "swap-offer:")
        assert row.status is OutboxStatus.DROPPED, row.last_error


async def test_a_swap_offer_held_until_07_00_goes_only_to_who_may_still_take_it(
    harness: Harness,
) -> None:
    """The give-away of 22:30 waits for 07:00; at 23:00 张伟 is put on another post at the same
    hour. At 07:00 王芳 is offered the seat, with 🙋 我来接, and takes it; 张伟 is not."""
    (_, wang, zhang), _, late = await _swap_offered_at_22_30(harness, GIVE_AWAY)
    harness.clock.set(at(DAY, 23, 0))
    async with harness.session() as session:
        found = await session.get(Shift, late)
        assert found is not None
        unit_id = found.post.unit_id
    elsewhere = await post(harness, unit_id, "人民路-解放路口")
    await seat(harness, await shift(harness, elsewhere, TOMORROW, 10, 12), zhang.user_id)
    seen = {user.user_id: len(user.texts()) for user in (wang, zhang)}
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    assert not [t for t in zhang.texts()[seen[zhang.user_id] :] if "转让一个班次" in t]
    [row] = await keyed_rows(harness, zhang.user_id, "swap-offer:")
    assert row.status is OutboxStatus.DROPPED, row.last_error
    [offer] = [m for m in wang.messages()[seen[wang.user_id] :] if "转让一个班次" in (m.text or "")]
    assert "李明 转让一个班次" in (offer.text or "") and "10:00–12:00" in (offer.text or "")
    assert offer.buttons() == ["🙋 我来接"]
    [row] = await keyed_rows(harness, wang.user_id, "swap-offer:")
    assert row.status is OutboxStatus.SENT
    assert "换岗完成" in await press_and_settle(harness, wang, "🙋 我来接")
    assert (await statuses(harness, late))[wang.user_id] is AssignmentStatus.SIGNED_UP


async def test_a_hand_over_held_until_07_00_is_dropped_once_it_was_withdrawn(
    harness: Harness,
) -> None:
    """李明 asks 王芳 at 22:30 to take his seat; the question (接受 / 拒绝) waits for 07:00. At
    23:00 he withdraws it. At 07:00 王芳 is not asked."""
    people, coordinator, _ = await _swap_offered_at_22_30(harness, HAND_OVER, name="王芳")
    wang = people[1]
    [row] = await keyed_rows(harness, wang.user_id, "swap-ask:")
    assert row.status is OutboxStatus.PENDING and "李明 请您代班" in row.payload["text"]
    harness.clock.set(at(DAY, 23, 0))
    await withdraw_swap(harness, people, coordinator)
    seen = len(wang.texts())
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.deliver()
    assert not [t for t in wang.texts()[seen:] if "请您代班" in t]
    [row] = await keyed_rows(harness, wang.user_id, "swap-ask:")
    assert row.status is OutboxStatus.DROPPED, row.last_error


async def test_an_exchange_held_until_07_00_is_dropped_once_the_seat_asked_for_is_gone(
    harness: Harness,
) -> None:
    """李明 (tomorrow 10:00–12:00) asks 王芳 at 22:30 to exchange for her 14:00–16:00 seat; the
    question waits for 07:00. At 23:00 her shift is cancelled (she is told at once). At 07:00
    she is not asked to exchange a seat she no longer has."""
    town_ = await town(harness, capacity=1)
    li, wang, _ = town_.people
    await seat(
        harness, await shift(harness, town_.post_id, TOMORROW, 10, 12, capacity=1), li.user_id
    )
    afternoon = await shift(harness, town_.post_id, TOMORROW, 14, 16, capacity=1)
    await seat(harness, afternoon, wang.user_id)
    harness.clock.set(at(DAY, 22, 30))
    await command(harness, li, "my")
    await press_and_settle(harness, li, "🔁 换岗 1")
    await press_and_settle(harness, li, "🔄 和别人互换班次")
    assert "已向 王芳 提出互换" in await press_and_settle(harness, li, "1")
    await harness.deliver()
    [row] = await keyed_rows(harness, wang.user_id, "swap-ask:")
    assert row.status is OutboxStatus.PENDING and "李明 想和您互换班次" in row.payload["text"]
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
    assert not [text for text in wang.texts()[seen:] if "互换班次" in text]
    [row] = await keyed_rows(harness, wang.user_id, "swap-ask:")
    assert row.status is OutboxStatus.DROPPED, row.last_error
