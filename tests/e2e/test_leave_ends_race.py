"""The scheduler job that ends leave nobody decided (rostering.leave_ends) runs while a volunteer
gives up a seat: both go through. The job ends its requests in request order, whose shifts need
not come in id order; a cancel locks its shift and the one whose queue its member waits on in id
order. Were the job to lock one shift per request, holding the earlier ones, it would hold the
second shift and wait for the first while the cancel held the first and waited for the second:
a deadlock, one side told of an error (PostgreSQL; SQLite's writers take turns)."""

from __future__ import annotations

import asyncio

import pytest

from bot.buttons import MyCancelConfirm
from bot.db.models import AssignmentStatus, LeaveStatus
from bot.services.rostering import leave_ends
from bot.services.schedule import leave_cards
from tests.databases import postgres_url
from tests.e2e.checkin_fixtures import run_due
from tests.e2e.lock_fixtures import SHIFT_LOCK, until_another_waits_for_a_member_lock
from tests.e2e.race_gate import Gate
from tests.e2e.rostering_fixtures import leave_left_asked, leaves
from tests.e2e.schedule import command, person, post, shift, statuses, unit
from tests.e2e.swap_fixtures import seat
from tests.harness import Harness


@pytest.mark.skipif(postgres_url() is None, reason="SQLite serializes the job and the cancel")
async def test_leave_ended_while_a_seat_over_a_queue_is_given_up(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """甲's request on the second shift came first, 乙's on the first shift second; both seats
    went. 丙 gives up her seat on the first shift, waiting on the second at the same hour, as
    the job has ended 甲's request and is about to end 乙's."""
    city = await unit(harness, "城管局")
    first = await shift(harness, await post(harness, city), start=7, end=9)
    second = await shift(harness, await post(harness, city, "长江路口"), start=7, end=9, capacity=1)
    jia = await person(harness, 8951, city, "甲")
    yi = await person(harness, 8952, city, "乙")
    bing = await person(harness, 8953, city, "丙")
    await person(harness, 8954, city, "丁")
    await leave_left_asked(harness, await seat(harness, second, jia.user_id))
    await leave_left_asked(harness, await seat(harness, first, yi.user_id))
    mine = await seat(harness, first, bing.user_id)
    await seat(harness, second, 8954)
    await seat(harness, second, bing.user_id, AssignmentStatus.WAITLISTED)
    await command(harness, bing, "my")

    gate = Gate(monkeypatch, leave_cards, "withdraw_leave", after=True)  # 甲's ended
    job = asyncio.create_task(run_due(harness, leave_ends.end_undecided))
    await gate.wait_reached()
    await bing.press_data(MyCancelConfirm(mine).pack(), bing.last().message_id)
    await until_another_waits_for_a_member_lock(harness, SHIFT_LOCK)
    gate.release()
    assert await job == 2
    await harness.settle()

    assert (bing.last().text or "").startswith("已取消："), bing.texts()[-2:]
    assert (await statuses(harness, first))[bing.user_id] is AssignmentStatus.CANCELLED
    assert (await statuses(harness, second))[bing.user_id] is AssignmentStatus.WAITLISTED
    assert {request.status for request in await leaves(harness)} == {LeaveStatus.WITHDRAWN}
