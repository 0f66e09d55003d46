"""The opening shared by the stories of leave-request cards: 王芳 on tomorrow's 07:00 shift asks
leave, and two coordinators of her unit (陈协调 in zh_Hans, Amy in English) each hold a card;
and what those stories read back (a card as it stands now, the closing edits in the outbox)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from bot.db.models import LeaveRequest, LeaveStatus, OutboxMessage, Role
from bot.emulator import SentMessage, SimUser
from tests.e2e.rostering_fixtures import ask_leave, assign_by_hand, leaves, town
from tests.e2e.schedule import command, press_and_settle
from tests.e2e.swap_fixtures import member
from tests.harness import Harness


@dataclass(frozen=True)
class Asked:
    """Who holds a card of 王芳's leave request, and the cards as first sent."""

    chen: SimUser
    amy: SimUser
    wang: SimUser
    chen_card: SentMessage
    amy_card: SentMessage


async def asked(harness: Harness, reason: str) -> Asked:
    """王芳 is put on tomorrow's 07:00 shift and asks leave for `reason`: 陈协调 (zh_Hans) and
    Amy (en) each hold a card with ✅ / ✖️ (delivered)."""
    town_ = await town(harness)
    chen = town_.coordinator
    amy = await member(harness, 7901, town_.unit_id, "Amy", role=Role.COORDINATOR, language="en")
    wang = town_.people[1]
    await assign_by_hand(harness, chen, town_.shift_id, "王芳")
    await ask_leave(harness, wang, reason)
    await harness.deliver()
    chen_card, amy_card = chen.last(), amy.last()
    assert chen_card.buttons() == ["✅ 批准", "✖️ 驳回"]
    assert amy_card.buttons() == ["✅ Approve", "✖️ Reject"]
    return Asked(chen, amy, wang, chen_card, amy_card)


def now_of(person: SimUser, card: SentMessage) -> SentMessage:
    """The card as `person` sees it now (edits applied)."""
    return next(m for m in person.messages() if m.message_id == card.message_id)


async def closing_edits(harness: Harness, chat_id: int) -> list[OutboxMessage]:
    """The outbox rows that closed a leave-request card in `chat_id`."""
    async with harness.session() as session:
        rows = await session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.chat_id == chat_id,
                OutboxMessage.idempotency_key.like("leave-asked:%:closed"),
            )
        )
        return list(rows)


async def closed_once(
    harness: Harness, cards: Asked, status: LeaveStatus, zh: str, en: str
) -> LeaveRequest:
    """The request ended as `status`; both cards lost their buttons and say how (`zh` on
    陈协调's, `en` on Amy's), each edited once: the end reached again (the next tick) edits
    nothing more. The request, as it ended."""
    [request] = await leaves(harness)
    assert request.status is status
    await harness.deliver()
    chen_now, amy_now = now_of(cards.chen, cards.chen_card), now_of(cards.amy, cards.amy_card)
    assert chen_now.buttons() == [] and amy_now.buttons() == []
    assert "🙋 请假申请" in (chen_now.text or "") and zh in (chen_now.text or "")
    assert "🙋 Leave request" in (amy_now.text or "") and en in (amy_now.text or "")
    await harness.tick()
    await harness.deliver()
    assert len(await closing_edits(harness, cards.chen.user_id)) == 1
    assert len(await closing_edits(harness, cards.amy.user_id)) == 1
    return request


async def from_the_seat_menu(harness: Harness, coordinator: SimUser, *presses: str) -> None:
    """The coordinator opens tomorrow's 07:00 shift from /roster 12-02 and presses `presses`
    in turn."""
    await command(harness, coordinator, "roster", "12-02")
    for text in ("⚙️ 07:00 黄河路-人民路口", *presses):
        await press_and_settle(harness, coordinator, text)
