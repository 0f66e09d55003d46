"""A name pressed in ➕ 安排人员 that no other name could be pressed after: the shift full
meanwhile, or the coordinator moved to another unit since. The press is answered with why, the
dialogue ends, and the list of names shows the refusal instead of buttons that have nothing
left to do; nobody is assigned."""

from __future__ import annotations

from sqlalchemy import update

from bot.db.models import Dialogue, Member
from tests.e2e.rostering_fixtures import alert, open_assign, seats, town, volunteers
from tests.e2e.schedule import post, shift, unit
from tests.e2e.swap_fixtures import seat
from tests.harness import Harness

FULL = "这个班次已经满了（1 人），不能再安排。"
FORBIDDEN = "抱歉，您没有权限执行这个操作。"
NOT_UNDERSTOOD = "没看懂这条消息。发送 /help 查看可用的命令。"


async def test_a_name_pressed_after_the_last_seat_went_takes_the_names_off(
    harness: Harness,
) -> None:
    town_ = await town(harness, capacity=1)
    coordinator = town_.coordinator
    li = town_.people[0]
    await open_assign(harness, coordinator, town_.shift_id)
    await seat(harness, town_.shift_id, li.user_id)

    [wang_button] = [label for label in coordinator.last().buttons() if "王芳" in label]
    await coordinator.press(wang_button)
    await harness.settle()
    assert alert(coordinator) == FULL
    assert coordinator.last().text == FULL
    assert coordinator.last().buttons() == []
    assert await harness.count(Dialogue) == 0
    assert set(await seats(harness, town_.shift_id)) == {li.user_id}


async def test_a_name_refused_pressed_after_the_last_seat_went_takes_the_names_off(
    harness: Harness,
) -> None:
    """王芳 took a clashing seat and the last seat went: her refusal is moot, the shift full."""
    town_ = await town(harness, capacity=1)
    coordinator = town_.coordinator
    await open_assign(harness, coordinator, town_.shift_id)
    await seat(harness, town_.shift_id, town_.people[0].user_id)
    elsewhere = await post(harness, town_.unit_id, "人民路-解放路口")
    await seat(harness, await shift(harness, elsewhere), town_.people[1].user_id)

    [wang_button] = [label for label in coordinator.last().buttons() if "王芳" in label]
    await coordinator.press(wang_button)
    await harness.settle()
    assert alert(coordinator) == FULL
    assert coordinator.last().text == FULL
    assert coordinator.last().buttons() == []
    assert await harness.count(Dialogue) == 0


async def test_a_next_page_pressed_after_the_last_seat_went_takes_the_names_off(
    harness: Harness,
) -> None:
    town_ = await town(harness, capacity=1)
    await volunteers(harness, town_.unit_id, 20)
    coordinator = town_.coordinator
    await open_assign(harness, coordinator, town_.shift_id)
    await seat(harness, town_.shift_id, town_.people[0].user_id)

    [next_page] = [label for label in coordinator.last().buttons() if "下一页" in label]
    await coordinator.press(next_page)
    await harness.settle()
    assert alert(coordinator) == FULL
    assert coordinator.last().text == FULL
    assert coordinator.last().buttons() == []
    assert await harness.count(Dialogue) == 0


async def test_a_name_pressed_after_the_coordinator_moved_ends_the_dialogue(
    harness: Harness,
) -> None:
    town_ = await town(harness)
    coordinator = town_.coordinator
    other = await unit(harness, "交警队")
    await open_assign(harness, coordinator, town_.shift_id)
    async with harness.session() as session:
        await session.execute(
            update(Member).where(Member.telegram_id == coordinator.user_id).values(unit_id=other)
        )

    [wang_button] = [label for label in coordinator.last().buttons() if "王芳" in label]
    await coordinator.press(wang_button)
    await harness.settle()
    assert alert(coordinator) == FORBIDDEN
    assert coordinator.last().text == FORBIDDEN
    assert coordinator.last().buttons() == []
    assert await harness.count(Dialogue) == 0
    assert await seats(harness, town_.shift_id) == {}

    await coordinator.send_text("张伟")
    await harness.settle()
    assert coordinator.last().text == NOT_UNDERSTOOD
