"""A post archived with shifts still planned: those shifts take place (README, /posts), so a
seat on one is swapped as any other; no new seats are offered on them by sign-up."""

from __future__ import annotations

from sqlalchemy import update

from bot.db.models import AssignmentStatus, Post
from tests.e2e.schedule import command, press_and_settle, statuses
from tests.e2e.swap_fixtures import town
from tests.harness import Harness

LABEL = "12月2日 周三 07:00–09:00 · 黄河路-人民路口"


async def test_a_seat_on_a_planned_shift_of_an_archived_post_is_given_away(
    harness: Harness,
) -> None:
    town_ = await town(harness)
    li, (wang, zhang) = town_.holder, town_.others
    async with harness.session() as session:
        await session.execute(update(Post).where(Post.id == town_.post_id).values(archived=True))

    await command(harness, li, "my")
    await press_and_settle(harness, li, "🔁 换岗 1")
    await li.press("📢 转让（单位里谁都可以接）")
    await harness.settle()
    text = li.last().text or ""
    assert f"已把 {LABEL} 转让给本单位 2 位符合条件的成员" in text, text
    await harness.deliver()
    assert "李明 转让一个班次" in (zhang.last().text or "")
    text = await press_and_settle(harness, wang, "🙋 我来接")
    assert f"换岗完成：现在由您负责 {LABEL}" in text, text
    assert await statuses(harness, town_.shift_id) == {
        li.user_id: AssignmentStatus.CANCELLED,
        wang.user_id: AssignmentStatus.SIGNED_UP,
    }
    # Sign-up stays closed on the archived post: 张伟 finds nothing to sign up for.
    assert "黄河路-人民路口" not in await command(harness, zhang, "shifts")
