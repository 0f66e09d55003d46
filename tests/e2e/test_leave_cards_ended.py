"""A leave request nobody decided is over in other ways too: the member left the unit, the
coordinator took them off the shift, the shift was cancelled, or it started first. Then every
coordinator's card loses its ✅ / ✖️ and says, in that coordinator's language, how the request
ended; each card is edited once, also when the end is reached again."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.buttons import ApproveLeave
from bot.db.models import (
    Assignment,
    AssignmentStatus,
    LeaveRequest,
    LeaveStatus,
    OutboxMessage,
    Role,
)
from bot.emulator import SentMessage, SimUser
from tests.e2e.rostering_fixtures import (
    TOMORROW,
    alert,
    ask_leave,
    assign_by_hand,
    leaves,
    town,
)
from tests.e2e.schedule import at, command, press_and_settle
from tests.e2e.swap_fixtures import member
from tests.harness import Harness


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"cancel_cutoff_hours": 12}


def _now_of(person: SimUser, card: SentMessage) -> SentMessage:
    return next(m for m in person.messages() if m.message_id == card.message_id)


async def _edits(harness: Harness, chat_id: int) -> list[OutboxMessage]:
    async with harness.session() as session:
        rows = await session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.chat_id == chat_id,
                OutboxMessage.idempotency_key.like("leave-asked:%:closed"),
            )
        )
        return list(rows)


async def _asked(harness: Harness) -> tuple[SimUser, SimUser, SimUser, SentMessage, SentMessage]:
    """王芳 is put on tomorrow's 07:00 shift and asks leave: 陈协调 (zh_Hans) and Amy (en) each
    hold a card with ✅ / ✖️."""
    town_ = await town(harness)
    chen = town_.coordinator
    amy = await member(harness, 7901, town_.unit_id, "Amy", role=Role.COORDINATOR, language="en")
    wang = town_.people[1]
    await assign_by_hand(harness, chen, town_.shift_id, "王芳")
    await ask_leave(harness, wang, "出差去省里开会")
    await harness.deliver()
    chen_card, amy_card = chen.last(), amy.last()
    assert chen_card.buttons() == ["✅ 批准", "✖️ 驳回"]
    assert amy_card.buttons() == ["✅ Approve", "✖️ Reject"]
    return chen, amy, wang, chen_card, amy_card


async def _closed_once(
    harness: Harness,
    chen: SimUser,
    amy: SimUser,
    cards: tuple[SentMessage, SentMessage],
    zh: str,
    en: str,
) -> None:
    chen_card, amy_card = cards
    await harness.deliver()
    chen_now, amy_now = _now_of(chen, chen_card), _now_of(amy, amy_card)
    assert chen_now.buttons() == [] and amy_now.buttons() == []
    assert "🙋 请假申请" in (chen_now.text or "") and zh in (chen_now.text or "")
    assert "🙋 Leave request" in (amy_now.text or "") and en in (amy_now.text or "")
    # The end reached again (the next tick) edits nothing more.
    await harness.tick()
    await harness.deliver()
    assert len(await _edits(harness, chen.user_id)) == 1
    assert len(await _edits(harness, amy.user_id)) == 1


async def test_the_cards_say_the_member_left_the_unit(harness: Harness) -> None:
    chen, amy, wang, chen_card, amy_card = await _asked(harness)

    await command(harness, wang, "me")
    await press_and_settle(harness, wang, "🚪 退出本单位")
    await press_and_settle(harness, wang, "是，退出本单位")

    [request] = await leaves(harness)
    assert request.status is LeaveStatus.WITHDRAWN
    await _closed_once(
        harness,
        chen,
        amy,
        (chen_card, amy_card),
        "申请人已退出本单位",
        "The person left the unit on ",
    )


async def test_the_cards_say_the_seat_was_taken_off(harness: Harness) -> None:
    chen, amy, _, chen_card, amy_card = await _asked(harness)

    await command(harness, chen, "roster", "12-02")
    await press_and_settle(harness, chen, "⚙️ 07:00 黄河路-人民路口")
    await press_and_settle(harness, chen, "➖ 移出 王芳")
    await press_and_settle(harness, chen, "是，移出")

    [request] = await leaves(harness)
    assert request.status is LeaveStatus.WITHDRAWN
    await _closed_once(
        harness,
        chen,
        amy,
        (chen_card, amy_card),
        "这个名额已经不在申请人名下",
        "The seat was no longer theirs from ",
    )


async def test_the_cards_say_the_shift_was_cancelled(harness: Harness) -> None:
    chen, amy, _, chen_card, amy_card = await _asked(harness)

    await command(harness, chen, "roster", "12-02")
    await press_and_settle(harness, chen, "⚙️ 07:00 黄河路-人民路口")
    await press_and_settle(harness, chen, "❌ 取消这个班次")
    await press_and_settle(harness, chen, "是，取消班次")
    await harness.tick()

    [request] = await leaves(harness)
    assert request.status is LeaveStatus.WITHDRAWN
    await _closed_once(
        harness,
        chen,
        amy,
        (chen_card, amy_card),
        "班次已取消，这条请假不需要再处理。",
        "The shift was cancelled on ",
    )


async def test_the_cards_say_nobody_decided_before_the_start(harness: Harness) -> None:
    chen, amy, _, chen_card, amy_card = await _asked(harness)

    harness.clock.set(at(TOMORROW, 7, 0))
    await harness.tick()

    [request] = await leaves(harness)
    assert request.status is LeaveStatus.LAPSED
    await _closed_once(
        harness,
        chen,
        amy,
        (chen_card, amy_card),
        "班次开始前没有人处理，这条请假已失效",
        "Nobody decided before the shift started",
    )
    # A press on the old card is answered with why.
    await amy.press_data(ApproveLeave(request.id).pack(), amy_card.message_id)
    await harness.settle()
    assert alert(amy) == "The shift has started: leave can no longer be approved or rejected."


async def _seat_now(harness: Harness, status: AssignmentStatus) -> None:
    """The asker's seat as the duty jobs leave it (checked in ahead of the start, or marked
    absent while the bot was down)."""
    async with harness.session() as session:
        [request] = list(await session.scalars(select(LeaveRequest)))
        seat = await session.get(Assignment, request.assignment_id)
        assert seat is not None
        seat.status = status
        await session.commit()


async def test_a_request_of_someone_checked_in_early_lapses_at_the_start(
    harness: Harness,
) -> None:
    """Checked in before the start, they came: the request waits for the start (nothing has
    started yet), then lapses, the cards naming the start, not the tick that found it."""
    chen, amy, _, chen_card, amy_card = await _asked(harness)
    harness.clock.set(at(TOMORROW, 6, 45))
    await _seat_now(harness, AssignmentStatus.CHECKED_IN)
    await harness.tick()
    [request] = await leaves(harness)
    assert request.status is LeaveStatus.ASKED

    harness.clock.set(at(TOMORROW, 7, 3))
    await harness.tick()
    [request] = await leaves(harness)
    assert request.status is LeaveStatus.LAPSED
    await _closed_once(
        harness,
        chen,
        amy,
        (chen_card, amy_card),
        "07:00 班次开始前没有人处理",
        "started (2 Dec 2026 07:00)",
    )
    assert "07:03" not in (_now_of(chen, chen_card).text or "")


async def test_a_request_of_someone_marked_absent_meanwhile_lapses(harness: Harness) -> None:
    """The bot down over the start: the absence is marked first, and the request lapsed (they
    were expected on post), not as if the seat had been taken off."""
    chen, amy, _, chen_card, amy_card = await _asked(harness)
    harness.clock.set(at(TOMORROW, 7, 40))
    await _seat_now(harness, AssignmentStatus.ABSENT)
    await harness.tick()
    [request] = await leaves(harness)
    assert request.status is LeaveStatus.LAPSED
    await _closed_once(
        harness, chen, amy, (chen_card, amy_card), "班次开始前没有人处理", "Nobody decided"
    )
