"""A post of a unit archived since is not restored on its own: restoring it would put a post
back in a unit that has left the campaign. The admin is told to restore the unit first, and the
post stays archived."""

from __future__ import annotations

from sqlalchemy import update

from bot.db.models import Post, Unit
from tests.e2e.schedule import command, post, press_and_settle, unit
from tests.harness import Harness


async def test_a_post_of_an_archived_unit_is_not_restored(harness: Harness) -> None:
    admin = harness.admin
    unit_id = await unit(harness, "环卫所")
    post_id = await post(harness, unit_id, "黄河路-人民路口")
    async with harness.session() as session:
        await session.execute(update(Post).where(Post.id == post_id).values(archived=True))
        await session.execute(update(Unit).where(Unit.id == unit_id).values(archived=True))
    await command(harness, admin, "posts")
    card = await press_and_settle(harness, admin, "黄河路-人民路口")
    assert "♻️ 恢复" in admin.last().buttons()
    await admin.press("♻️ 恢复")
    await harness.settle()
    assert admin.answered_callbacks[-1]["text"] == (
        "「环卫所」已归档，它的岗位不能单独恢复。请先在 /units 里恢复这个单位。"
    )
    assert admin.answered_callbacks[-1].get("show_alert") is True
    assert admin.last().text == card
    async with harness.session() as session:
        restored = await session.get(Post, post_id)
        assert restored is not None and restored.archived is True
