"""The last seat of a shift: volunteers press Sign up while the coordinator assigns someone to
it, all at the same moment. Exactly one gets it, whoever is first; everyone else is told. And
one volunteer, two shifts at the same hour on two posts: she signs up for one while the
coordinator assigns her to the other; she ends up on one of them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import event, update

from bot.buttons import SignUp
from bot.db.models import AssignmentStatus, Member
from bot.services.platform import outbox
from bot.services.rostering import acknowledge
from bot.services.schedule import signup
from tests.e2e.race_gate import Gate, until
from tests.e2e.rostering_fixtures import TOMORROW, assign_by_hand, open_assign, seats, town
from tests.e2e.schedule import command, person, post, press_and_settle, shift, statuses
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


async def test_a_volunteer_never_holds_two_seats_at_the_same_hour(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    town_ = await town(harness)  # shift tomorrow 07:00-09:00 at 黄河路-人民路口
    wang = town_.people[1]
    coordinator = town_.coordinator
    other_post = await post(harness, town_.unit_id, "长江路口")
    same_hour = await shift(harness, other_post)  # tomorrow 07:00-09:00 too
    await wang.send_command("shifts")
    await harness.settle()
    await open_assign(harness, coordinator, town_.shift_id)
    await harness.settle()
    pick = next(b for b in coordinator.last().buttons() if b.startswith(wang.first_name))

    # Her sign-up for 长江路口 has checked her other seats (none) when the coordinator picks her
    # for 黄河路-人民路口. Each side locks only its own shift; the member's lock makes the second
    # wait and then see the first one's seat.
    gate = Gate(monkeypatch, signup, "seated_count")
    await wang.press_data(SignUp(same_hour).pack(), wang.last().message_id)
    await gate.wait_reached()
    answered = len(coordinator.answered_callbacks)
    await coordinator.press(pick)
    await until(lambda: len(coordinator.answered_callbacks) > answered)
    gate.release()
    await harness.settle()

    held = [
        shift_id
        for shift_id in (town_.shift_id, same_hour)
        if (await statuses(harness, shift_id)).get(wang.user_id) is AssignmentStatus.SIGNED_UP
    ]
    assert len(held) == 1, "王芳 holds both 07:00-09:00 shifts, on two posts at once"
    if held == [same_hour]:
        # Her sign-up went first: the coordinator hears why she cannot be assigned.
        told = [str(answer.get("text")) for answer in coordinator.answered_callbacks[answered:]]
        assert any("王芳 同一时间已有班次" in text for text in told), told


async def test_someone_who_blocked_the_bot_signs_up_taking_the_shift_before_her_own_row(
    harness: Harness,
) -> None:
    """A coordinator assigning locks the shift, then the people (bot/services/schedule/seats.py).
    A volunteer who had blocked the bot and writes to it again is marked reachable; were her
    member row written as her turn begins, her sign-up would hold it while waiting for the
    shift, and against that coordinator PostgreSQL would find a deadlock and abort one side.
    So the mark is written last, after all her turn did."""
    town_ = await town(harness)
    wang = town_.people[1]
    await wang.send_command("shifts")
    await harness.settle()
    async with harness.session() as session:
        await session.execute(
            update(Member).where(Member.telegram_id == wang.user_id).values(blocked_bot=True)
        )

    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(" ".join(statement.split()).upper())

    engine = harness.runtime.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        await wang.press_data(SignUp(town_.shift_id).pack(), wang.last().message_id)
        await harness.settle()
    finally:
        event.remove(engine, "before_cursor_execute", record)

    assert "报名成功" in (wang.last().text or ""), wang.texts()[-2:]
    assert (await statuses(harness, town_.shift_id)).get(wang.user_id) is AssignmentStatus.SIGNED_UP
    found = await harness.member(wang.user_id)
    assert found is not None and not found.blocked_bot
    marked = next(
        n for n, s in enumerate(statements) if "UPDATE MEMBERS" in s and "BLOCKED_BOT" in s
    )
    seated = next(n for n, s in enumerate(statements) if s.startswith("INSERT INTO ASSIGNMENTS"))
    assert seated < marked, statements


async def test_an_acknowledgment_pressed_as_the_shift_moves_does_not_cover_the_new_hours(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """王芳 presses ✅ 收到 for 07:00–09:00 as the coordinator moves the shift to 15:00–17:00:
    either her press comes first and the move asks her again, or the move comes first and her
    press shows, and acknowledges, the new hours. Never the old hours' ✅ on the new ones."""
    town_ = await town(harness)
    wang = town_.people[1]
    coordinator = town_.coordinator
    await assign_by_hand(harness, coordinator, town_.shift_id, "王芳")
    await command(harness, coordinator, "roster", "12-02")
    await press_and_settle(harness, coordinator, "⚙️ 07:00 黄河路-人民路口")
    await press_and_settle(harness, coordinator, "🕒 时间")

    # Her press has read her seats when the coordinator sends the new time.
    gate = Gate(monkeypatch, acknowledge, "held_of_rota", after=True)
    await wang.press("✅ 收到")
    await gate.wait_reached()
    await coordinator.send_text("15:00-17:00")
    await until(lambda: "✅ 已更新，已通知报名的人。" in coordinator.texts())
    gate.release()
    await harness.settle()

    assert "✅ 已更新，已通知报名的人。" in coordinator.texts()
    seat_ = (await seats(harness, town_.shift_id))[wang.user_id]
    answer = wang.texts()[0]
    assert seat_.acknowledged_at is None or "15:00–17:00" in answer, answer


async def test_an_acknowledgment_pressed_while_the_move_is_written_shows_the_new_hours(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The move has taken her seat's row when 王芳 presses ✅ 收到: her press waits for it, and
    then shows the hours she acknowledges, the new ones, not those read before it waited."""
    town_ = await town(harness)
    wang = town_.people[1]
    coordinator = town_.coordinator
    await assign_by_hand(harness, coordinator, town_.shift_id, "王芳")
    await command(harness, coordinator, "roster", "12-02")
    await press_and_settle(harness, coordinator, "⚙️ 07:00 黄河路-人民路口")
    await press_and_settle(harness, coordinator, "🕒 时间")

    # The move holds the seats' rows (its reminders retired, then its ✅ 收到) as she presses.
    gate = Gate(monkeypatch, outbox, "retire_keys", nth=2, after=True)
    await coordinator.send_text("15:00-17:00")
    await gate.wait_reached()
    await wang.press("✅ 收到")
    await until(lambda: len(wang.texts()) > 1, timeout=0.5)  # her press waits for the rows
    gate.release()
    await harness.settle()

    seat_ = (await seats(harness, town_.shift_id))[wang.user_id]
    answer = wang.texts()[0]
    assert seat_.acknowledged_at is None or "15:00–17:00" in answer, answer
