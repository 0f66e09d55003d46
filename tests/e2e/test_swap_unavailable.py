"""A member who declared an hour off (/unavailable) is not given a swapped seat at that hour:
a give-away is not offered to them, a hand-over to them is refused at the offer, and accepting
one declared off since is refused with the way out (remove the window first); nothing changes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from bot.db.models import AssignmentStatus, SwapStatus
from bot.emulator import SimUser
from tests.e2e.schedule import command, press_and_settle, statuses
from tests.e2e.swap_fixtures import last_offer, offers, town
from tests.harness import Harness

GIVE_AWAY = "📢 转让（单位里谁都可以接）"
HAND_OVER = "👤 请指定的人代班"
LABEL = "12月2日 周三 07:00–09:00 · 黄河路-人民路口"
SELF = "您申报过这个时间不能值班，不能接这个班次。如果能来，请先发送 /unavailable 删除这条申报。"


async def _open_swap(harness: Harness, user: SimUser, kind: str) -> str:
    await command(harness, user, "my")
    await press_and_settle(harness, user, "🔁 换岗 1")
    return await press_and_settle(harness, user, kind)


async def test_a_give_away_is_not_offered_to_a_member_who_declared_that_hour_off(
    harness: Harness,
) -> None:
    town_ = await town(harness)
    li, (wang, zhang) = town_.holder, town_.others
    assert "已记下" in await command(harness, wang, "unavailable", "12-02 06:00-10:00")

    text = await _open_swap(harness, li, GIVE_AWAY)
    assert f"已把 {LABEL} 转让给本单位 1 位符合条件的成员" in text, text
    await harness.deliver()
    assert "李明 转让一个班次" in (zhang.last().text or "")
    assert not [text for text in wang.texts() if "李明 转让一个班次" in text]
    assert "目前没有可接的换岗" in await command(harness, wang, "swaps")


async def test_a_hand_over_to_a_member_who_declared_that_hour_off_is_refused(
    harness: Harness,
) -> None:
    town_ = await town(harness)
    li, wang = town_.holder, town_.others[0]
    await command(harness, wang, "unavailable", "12-02")
    await _open_swap(harness, li, HAND_OVER)
    await li.send_text("王芳")
    await harness.settle()
    assert (li.last().text or "").startswith(
        "王芳 不能接这个班次：王芳 申报了这个时间不能值班。"
    ), li.last().text
    assert await offers(harness) == []


async def test_accepting_a_hand_over_after_declaring_that_hour_off_is_refused(
    harness: Harness,
) -> None:
    town_ = await town(harness)
    li, wang = town_.holder, town_.others[0]
    await _open_swap(harness, li, HAND_OVER)
    await li.send_text("王芳")
    await harness.settle()
    await harness.deliver()
    assert "李明" in (wang.last().text or "")
    await command(harness, wang, "unavailable", "12-02 08:00-12:00")

    await wang.press("✅ 接受")
    await harness.settle()
    assert wang.answered_callbacks[-1]["text"] == SELF, wang.answered_callbacks[-1]
    assert await statuses(harness, town_.shift_id) == {li.user_id: AssignmentStatus.SIGNED_UP}
    assert (await last_offer(harness)).status is SwapStatus.PENDING


async def test_the_give_away_offers_drawn_at_sending_read_the_declared_hours_at_once(
    harness: Harness,
) -> None:
    # The offers go out to the whole unit, drawn again as they leave: whether each reader has
    # declared the hour off since is read for all of them together, not one statement per
    # reader (a unit has hundreds of volunteers).
    town_ = await town(harness)
    li, (wang, zhang) = town_.holder, town_.others
    text = await _open_swap(harness, li, GIVE_AWAY)
    assert "2 位符合条件的成员" in text, text
    # 张伟 declares the hour off once the offer is queued, before it goes out.
    await command(harness, zhang, "unavailable", "12-02 06:00-10:00")
    read: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "FROM unavailability" in statement:
            read.append(statement)

    engine = harness.database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        await harness.deliver()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert "李明 转让一个班次" in (wang.last().text or "")
    assert not [text for text in zhang.texts() if "李明 转让一个班次" in text]
    assert len(read) <= 1, read
