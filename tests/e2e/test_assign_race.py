"""The last seat of a shift: volunteers press Sign up while the coordinator assigns someone to
it, all at the same moment. Exactly one gets it, whoever is first; everyone else is told."""

from __future__ import annotations

import datetime as dt

from bot.buttons import SignUp
from bot.db.models import AssignmentStatus
from tests.e2e.rostering_fixtures import TOMORROW, open_assign, town
from tests.e2e.schedule import person, shift, statuses
from tests.e2e.swap_fixtures import seat
from tests.harness import Harness

VOLUNTEERS = 8
ROUNDS = 4


async def test_the_last_seat_goes_to_exactly_one_of_sign_up_and_assignment(
    harness: Harness,
) -> None:
    town_ = await town(harness)
    holder, assignee, _ = town_.people
    coordinator = town_.coordinator
    racers = [await person(harness, 6100 + n, town_.unit_id, f"抢{n}") for n in range(VOLUNTEERS)]
    outcomes = set()
    for round_ in range(ROUNDS):
        day = TOMORROW + dt.timedelta(days=round_)
        last_seat = await shift(harness, town_.post_id, day=day, start=12, end=14, capacity=2)
        await seat(harness, last_seat, holder.user_id)
        for racer in racers:
            await racer.send_command("shifts")
        await open_assign(harness, coordinator, last_seat)
        await harness.settle()
        pick = next(b for b in coordinator.last().buttons() if b.startswith(assignee.first_name))

        seen = {racer.user_id: len(racer.messages()) for racer in racers}
        harness.emulator.latency = 0.02
        # The coordinator presses first in even rounds, last in odd ones.
        if round_ % 2 == 0:
            await coordinator.press(pick)
        for racer in racers:
            await racer.press_data(SignUp(last_seat).pack(), racer.last().message_id)
        if round_ % 2 == 1:
            await coordinator.press(pick)
        await harness.settle()
        harness.emulator.latency = 0.0

        held = await statuses(harness, last_seat)
        seated = [tid for tid, status in held.items() if status is AssignmentStatus.SIGNED_UP]
        assert len(seated) == 2 and holder.user_id in seated, held
        winner = next(tid for tid in seated if tid != holder.user_id)
        answers = {r.user_id: " ".join(r.texts()[seen[r.user_id] :]) for r in racers}
        confirmed = [r for r in racers if "报名成功" in answers[r.user_id]]
        told_full = [r for r in racers if "这个班次已满" in answers[r.user_id]]
        if winner == assignee.user_id:
            outcomes.add("assigned")
            assert confirmed == [] and len(told_full) == VOLUNTEERS
            assert "✅ 已安排 1 人到" in (coordinator.last().text or "")
        else:
            outcomes.add("signed up")
            assert [r.user_id for r in confirmed] == [winner]
            assert len(told_full) == VOLUNTEERS - 1
            answer = str(coordinator.answered_callbacks[-1].get("text"))
            assert answer == "这个班次已经满了（2 人），不能再安排。", answer
        await coordinator.send_command("cancel")
        await harness.settle()
    assert outcomes  # at least one way was seen; either is correct
