"""A seat that frees up goes to the first in line who may still take it: on a planned shift of
a post archived since they joined the queue too (the shift takes place with its people), but
not to someone who has since declared that hour off with /unavailable (they keep their place)."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.db.models import AssignmentStatus, Role
from bot.services.schedule import signup
from tests.e2e.lock_fixtures import SHIFT_LOCK, until_another_waits_for_a_member_lock
from tests.e2e.race_gate import Gate
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
from tests.e2e.swap_fixtures import seat
from tests.harness import Harness
from tests.unit.statement_fixtures import statements

# The lock on members' rows (`members.lock`), as either database is sent it.
MEMBER_LOCK = "SELECT members.id FROM members WHERE members.id IN"

TOMORROW = DAY + dt.timedelta(days=1)


async def _give_up_the_seat(harness: Harness, user_id: int) -> None:
    user = harness.user(user_id, "甲")
    await command(harness, user, "my")
    await press_and_settle(harness, user, "✖️ 取消 1")
    await press_and_settle(harness, user, "是，取消")
    assert (user.last().text or "").startswith("已取消")


async def test_a_seat_freed_on_an_archived_posts_shift_goes_to_its_waitlist(
    harness: Harness,
) -> None:
    unit_id = await unit(harness)
    shift_id = await shift(harness, await post(harness, unit_id), capacity=1)
    coordinator = await person(harness, 4100, unit_id, "王协调", role=Role.COORDINATOR)
    await person(harness, 4101, unit_id, "甲")
    second = await person(harness, 4102, unit_id, "乙")
    second.started = True
    await seat(harness, shift_id, 4101)
    await seat(harness, shift_id, 4102, AssignmentStatus.WAITLISTED)
    await command(harness, coordinator, "posts")
    await press_and_settle(harness, coordinator, "黄河路-人民路口")
    assert "状态：已归档" in await press_and_settle(harness, coordinator, "🗂 归档")

    await _give_up_the_seat(harness, 4101)
    assert await statuses(harness, shift_id) == {
        4101: AssignmentStatus.CANCELLED,
        4102: AssignmentStatus.SIGNED_UP,
    }
    await harness.deliver()
    assert (second.last().text or "").startswith("🎉 候补转正")
    assert "1. 12月2日 周三 07:00–09:00 · 黄河路-人民路口" in await command(harness, second, "my")


async def test_a_freed_seat_passes_over_someone_who_declared_the_hour_off(
    harness: Harness,
) -> None:
    unit_id = await unit(harness)
    shift_id = await shift(harness, await post(harness, unit_id), capacity=1)
    await person(harness, 4101, unit_id, "甲")
    second = await person(harness, 4102, unit_id, "乙")
    third = await person(harness, 4103, unit_id, "丙")
    third.started = True
    await seat(harness, shift_id, 4101)
    await seat(harness, shift_id, 4102, AssignmentStatus.WAITLISTED)
    harness.clock.advance(minutes=1)
    await seat(harness, shift_id, 4103, AssignmentStatus.WAITLISTED)
    await command(harness, second, "unavailable", "12-02")
    assert (second.last().text or "").startswith("✅ 已记下")
    harness.clock.advance(minutes=1)

    await _give_up_the_seat(harness, 4101)
    assert await statuses(harness, shift_id) == {
        4101: AssignmentStatus.CANCELLED,
        4102: AssignmentStatus.WAITLISTED,
        4103: AssignmentStatus.SIGNED_UP,
    }
    assert not any("候补转正" in m.payload["text"] for m in await outbox_to(harness, 4102))
    await harness.deliver()
    assert (third.last().text or "").startswith("🎉 候补转正")
    # 乙 keeps the place in the queue.
    assert "候补第 1 位" in await command(harness, second, "my")
    # At the start 乙 is told why the seat that came free was not theirs, once.
    second.started = True
    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()
    await harness.tick()
    lapsed = [text for text in second.texts() if text.startswith("⏳ 班次已开始")]
    assert lapsed == [
        "⏳ 班次已开始，候补结束：\n12月2日 周三 07:00–09:00 · 黄河路-人民路口\n"
        "您申报了这个时间不能值班（/unavailable），所以空出的名额不会转给您。"
    ]
    # The queue ended with the start: /my no longer lists the place, and its old ✖️ says why.
    assert await command(harness, second, "my") == (
        "您还没有报名任何班次。发送 /shifts 查看可报名的班次。"
    )
    await second.press("✖️ 退出候补 1")
    await harness.settle()
    assert second.answered_callbacks[-1]["text"] == "这个班次已经开始，报名已截止。"
    assert (await statuses(harness, shift_id))[4102] is AssignmentStatus.WAITLISTED


async def test_a_place_passed_over_for_a_clash_moves_up_when_the_clash_is_given_up(
    harness: Harness,
) -> None:
    """乙 waits at 黄河路 07:00 holding 长江路口 07:00: the seat 甲 frees passes 乙 over. When 乙
    gives up 长江路口, the free seat is 乙's, rather than left empty while 乙 waits for it."""
    unit_id = await unit(harness)
    crossing = await shift(harness, await post(harness, unit_id), capacity=1)
    other = await shift(harness, await post(harness, unit_id, "长江路口"), capacity=2)
    await person(harness, 4101, unit_id, "甲")
    second = await person(harness, 4102, unit_id, "乙")
    second.started = True
    await seat(harness, crossing, 4101)
    await seat(harness, crossing, 4102, AssignmentStatus.WAITLISTED)
    await seat(harness, other, 4102)
    await _give_up_the_seat(harness, 4101)
    assert (await statuses(harness, crossing))[4102] is AssignmentStatus.WAITLISTED

    await command(harness, second, "my")
    await press_and_settle(harness, second, "✖️ 取消 2")
    async with statements(harness.database) as sent:
        await press_and_settle(harness, second, "是，取消")
    # 乙 is locked once, with everyone waiting on both shifts, not again to be moved up.
    assert len([s for s in sent if s.startswith(MEMBER_LOCK)]) == 1, sent
    assert await statuses(harness, crossing) == {
        4101: AssignmentStatus.CANCELLED,
        4102: AssignmentStatus.SIGNED_UP,
    }
    await harness.deliver()
    assert (second.last().text or "").startswith("🎉 候补转正")


async def test_two_seats_given_up_each_over_the_others_queue_both_go_through(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """甲 holds 黄河路 and waits at 长江路口, 乙 the other way round: both give up their seat at
    once. Each locks both shifts, in the same order, so neither is answered with an error
    (PostgreSQL: a deadlock), and each moves up to the seat the other left."""
    unit_id = await unit(harness)
    crossing = await shift(harness, await post(harness, unit_id), capacity=1)
    other = await shift(harness, await post(harness, unit_id, "长江路口"), capacity=1)
    first = await person(harness, 4101, unit_id, "甲")
    second = await person(harness, 4102, unit_id, "乙")
    await seat(harness, crossing, 4101)
    await seat(harness, other, 4102)
    await seat(harness, other, 4101, AssignmentStatus.WAITLISTED)
    await seat(harness, crossing, 4102, AssignmentStatus.WAITLISTED)
    for user in (first, second):
        await command(harness, user, "my")
        await press_and_settle(harness, user, "✖️ 取消 1")

    gate = Gate(monkeypatch, signup, "lock", after=True)  # 乙 holds a shift's lock
    await second.press("是，取消")
    await gate.wait_reached()
    await first.press("是，取消")
    await until_another_waits_for_a_member_lock(harness, SHIFT_LOCK)
    gate.release()
    await harness.settle()

    for user in (first, second):
        assert (user.last().text or "").startswith("已取消"), user.last().text
    assert await statuses(harness, crossing) == {
        4101: AssignmentStatus.CANCELLED,
        4102: AssignmentStatus.SIGNED_UP,
    }
    assert (await statuses(harness, other))[4101] is AssignmentStatus.SIGNED_UP


async def test_leaving_the_waitlist_confirmed_after_moving_up_keeps_the_seat(
    harness: Harness,
) -> None:
    """乙 is asked whether to leave the queue and moves up before answering: the late
    "是，退出候补" says so and gives up no seat, which it never asked about."""
    unit_id = await unit(harness)
    crossing = await shift(harness, await post(harness, unit_id), capacity=1)
    await person(harness, 4101, unit_id, "甲")
    second = await person(harness, 4102, unit_id, "乙")
    second.started = True
    await seat(harness, crossing, 4101)
    await seat(harness, crossing, 4102, AssignmentStatus.WAITLISTED)
    await command(harness, second, "my")
    await press_and_settle(harness, second, "✖️ 退出候补 1")
    await _give_up_the_seat(harness, 4101)

    await press_and_settle(harness, second, "是，退出候补")
    assert second.answered_callbacks[-1]["text"] == (
        "您已候补转正，名额已经是您的了，没有退出。来不了请发送 /my 处理。"
    )
    assert (await statuses(harness, crossing))[4102] is AssignmentStatus.SIGNED_UP
