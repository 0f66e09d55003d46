"""One-line steps shared by the stories of notices the quiet hours hold overnight: a shift
moved on its card, the outbox rows of a kind sent to a chat or of one event, what a unit's
coordinator read, a seat given away at 21:00, and a town whose leave or swap was decided at
22:30 so that the word of it waits for 07:00, or a waiting volunteer who moved up into a freed
seat at 23:00."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import AssignmentStatus, OutboxMessage, OutboxStatus, Role
from bot.emulator import SimUser
from tests.e2e.oversight_fixtures import City
from tests.e2e.rostering_fixtures import TOMORROW, Unit, ask_leave, assign_by_hand, town
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
from tests.e2e.swap_fixtures import require_approval, seat
from tests.harness import Harness

GIVE_AWAY, HAND_OVER = "📢 转让（单位里谁都可以接）", "👤 请指定的人代班"


async def move_shift(
    harness: Harness, coordinator: SimUser, card: str, window: str, day: str = "12-02"
) -> None:
    """The coordinator moves a shift on its card (opened from /roster of `day`) to `window`."""
    await command(harness, coordinator, "roster", day)
    await press_and_settle(harness, coordinator, card)
    await press_and_settle(harness, coordinator, "🕒 时间")
    await coordinator.send_text(window)
    await harness.settle()
    assert "已更新" in "".join(coordinator.texts()[-3:]), coordinator.texts()[-3:]


async def keyed_rows(harness: Harness, chat_id: int, prefix: str) -> list[OutboxMessage]:
    return [r for r in await outbox_to(harness, chat_id) if r.idempotency_key.startswith(prefix)]


async def leave_approved_at_22_30(harness: Harness) -> tuple[list[SimUser], SimUser, int]:
    """王芳 holds tomorrow's 10:00–12:00 seat (one seat), asks leave at 21:00, and the
    coordinator approves it at 22:30: the offer of the freed seat to 李明 and 张伟 waits for
    07:00. The people (李明, 王芳, 张伟), the coordinator and the shift."""
    town_ = await town(harness, capacity=1)
    wang = town_.people[1]
    late = await shift(harness, town_.post_id, TOMORROW, 10, 12, capacity=1)
    await assign_by_hand(harness, town_.coordinator, late, "王芳")
    harness.clock.set(at(DAY, 21, 0))
    await ask_leave(harness, wang, "发烧")
    await harness.deliver()
    harness.clock.set(at(DAY, 22, 30))
    await press_and_settle(harness, town_.coordinator, "✅ 批准")
    await harness.deliver()
    for taker in (town_.people[0], town_.people[2]):
        [row] = await keyed_rows(harness, taker.user_id, "freed-seat:")
        assert row.status is OutboxStatus.PENDING and "10:00–12:00" in row.payload["text"]
    return town_.people, town_.coordinator, late


async def leave_asked_at_22_30(harness: Harness) -> tuple[SimUser, SimUser, int]:
    """王芳 holds tomorrow's 10:00–12:00 seat and asks leave at 22:30: the request to the
    coordinator waits for 07:00. 王芳, the coordinator and the shift."""
    town_ = await town(harness, capacity=1)
    wang = town_.people[1]
    late = await shift(harness, town_.post_id, TOMORROW, 10, 12, capacity=1)
    await assign_by_hand(harness, town_.coordinator, late, "王芳")
    harness.clock.set(at(DAY, 22, 30))
    await ask_leave(harness, wang, "发烧")
    await harness.deliver()
    [row] = await keyed_rows(harness, town_.coordinator.user_id, "leave-asked:")
    assert row.status is OutboxStatus.PENDING and "10:00–12:00" in row.payload["text"]
    return wang, town_.coordinator, late


async def withdraw_swap(harness: Harness, people: list[SimUser], coordinator: SimUser) -> None:
    await command(harness, people[0], "swaps")
    assert "已撤回换岗" in await press_and_settle(harness, people[0], "↩️ 撤回 1")


async def given_away_at_21_00(harness: Harness, *, approval: bool) -> tuple[Unit, int]:
    """李明 holds tomorrow's 14:00–16:00 seat (one seat, in a town of one-seat shifts whose
    unit asks for approval when `approval`) and gives it away with 🔁 换岗 in /my at 21:00.
    The town and the shift."""
    town_ = await town(harness, capacity=1)
    li = town_.people[0]
    if approval:
        await require_approval(harness, town_.unit_id)
    afternoon = await shift(harness, town_.post_id, TOMORROW, 14, 16, capacity=1)
    await seat(harness, afternoon, li.user_id)
    harness.clock.set(at(DAY, 21, 0))
    await command(harness, li, "my")
    await press_and_settle(harness, li, "🔁 换岗 1")
    await press_and_settle(harness, li, GIVE_AWAY)
    await harness.deliver()
    return town_, afternoon


async def swap_approved_at_22_30(harness: Harness) -> tuple[Unit, int]:
    """The unit asks for approval. 李明 gives tomorrow's 14:00–16:00 seat away at 21:00, 王芳
    takes it at once, and the coordinator approves at 22:30: the word that the seat is hers
    waits for 07:00. The town and the shift."""
    town_, afternoon = await given_away_at_21_00(harness, approval=True)
    wang = town_.people[1]
    await press_and_settle(harness, wang, "🙋 我来接")
    await harness.deliver()
    harness.clock.set(at(DAY, 22, 30))
    await press_and_settle(harness, town_.coordinator, "✅ 批准")
    await harness.deliver()
    [row] = await keyed_rows(harness, wang.user_id, "swap-completed:")
    assert row.status is OutboxStatus.PENDING and "现在由您负责" in row.payload["text"]
    return town_, afternoon


async def swap_rejected_at_22_30(harness: Harness) -> tuple[list[SimUser], SimUser, int]:
    """The unit asks for approval. 李明 gives tomorrow's 14:00–16:00 seat away at 21:00, 王芳
    takes it at 21:30, and the coordinator rejects the swap at 22:30: the word of it to both
    waits for 07:00. The people, the coordinator and the shift."""
    town_, afternoon = await given_away_at_21_00(harness, approval=True)
    li, wang, _ = town_.people
    harness.clock.set(at(DAY, 21, 30))
    await press_and_settle(harness, wang, "🙋 我来接")
    await harness.deliver()
    harness.clock.set(at(DAY, 22, 30))
    await press_and_settle(harness, town_.coordinator, "✖️ 驳回")
    await harness.deliver()
    for volunteer in (li, wang):
        [row] = await keyed_rows(harness, volunteer.user_id, "swap-rejected:")
        assert row.status is OutboxStatus.PENDING and "14:00–16:00" in row.payload["text"]
    return town_.people, town_.coordinator, afternoon


async def promoted_at_23_00(harness: Harness) -> tuple[int, SimUser, SimUser, SimUser]:
    """Tomorrow's 12:00 shift, one seat: 甲 holds it, 乙 waits. At 23:00 甲 gives it up: 乙
    moves up, and the word of it waits for the quiet hours to end."""
    unit_id = await unit(harness)
    shift_id = await shift(harness, await post(harness, unit_id), TOMORROW, 12, 14, capacity=1)
    coordinator = await person(harness, 4200, unit_id, "协调", role=Role.COORDINATOR)
    first = await person(harness, 4101, unit_id, "甲")
    second = await person(harness, 4102, unit_id, "乙")
    first.started = second.started = True
    await seat(harness, shift_id, 4101)
    await seat(harness, shift_id, 4102, AssignmentStatus.WAITLISTED)
    harness.clock.set(at(DAY, 23, 0))
    await command(harness, first, "my")
    await press_and_settle(harness, first, "✖️ 取消 1")
    await press_and_settle(harness, first, "是，取消")
    assert (await statuses(harness, shift_id))[4102] is AssignmentStatus.SIGNED_UP
    await harness.deliver()
    [notice] = await outbox_to(harness, 4102)
    assert "候补转正" in notice.payload["text"]
    assert notice.status is OutboxStatus.PENDING  # the quiet hours hold it
    assert not any("候补转正" in text for text in second.texts())
    return shift_id, coordinator, first, second


async def outbox_of_event(harness: Harness, event: str) -> list[OutboxMessage]:
    async with harness.session() as session:
        found = await session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.idempotency_key.contains(f":{event}:"))
            .order_by(OutboxMessage.id)
        )
        return list(found)


def coordinator_read(town: City, text: str) -> list[str]:
    return [
        body
        for body in (m.caption or m.text or "" for m in town.coordinator.messages())
        if text in body
    ]
