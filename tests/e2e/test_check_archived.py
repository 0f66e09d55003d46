"""A post, or its unit, archived while an inspector is at it: the check is refused when it is
submitted, as it is when the post is picked, and nothing is recorded (an archived unit takes no
orders, and its checks would count for a unit no longer ranked)."""

from __future__ import annotations

from sqlalchemy import update

from bot.db.models import Dialogue, Inspection, Post, Unit
from tests.e2e.oversight_fixtures import city, start_check
from tests.e2e.schedule import press_and_settle
from tests.harness import Harness


async def _archive(harness: Harness, model: type[Post] | type[Unit], row_id: int) -> None:
    async with harness.session() as session:
        await session.execute(update(model).where(model.id == row_id).values(archived=True))
        await session.commit()


async def test_a_unit_archived_during_a_check_refuses_its_submission(harness: Harness) -> None:
    town = await city(harness)
    inspector = town.inspector
    await start_check(harness, inspector)
    await press_and_settle(harness, inspector, "⭐ 黄河路-人民路口 · 城管局 · 30 米")
    await press_and_settle(harness, inspector, "日查 · 明查")
    await press_and_settle(harness, inspector, "0")
    await inspector.send_photo()
    await harness.settle()
    await _archive(harness, Unit, town.unit_id)

    asked = inspector.last().message_id
    await inspector.press("✅ 提交督查", message_id=asked)
    await harness.settle()
    refusal = "「城管局」在督查过程中已归档，这次督查没有记录。发送 /inspect 督查其他岗位。"
    assert inspector.answered_callbacks[-1]["text"] == refusal
    assert inspector.last().message_id == asked
    assert (inspector.last().text, inspector.last().buttons()) == (refusal, [])
    assert await harness.count(Inspection) == 0
    assert await harness.count(Dialogue) == 0


async def test_a_post_archived_during_a_check_refuses_its_submission(harness: Harness) -> None:
    town = await city(harness)
    inspector = town.inspector
    await start_check(harness, inspector)
    await press_and_settle(harness, inspector, "⭐ 黄河路-人民路口 · 城管局 · 30 米")
    await press_and_settle(harness, inspector, "日查 · 明查")
    await press_and_settle(harness, inspector, "0")
    await inspector.send_photo()
    await harness.settle()
    await _archive(harness, Post, town.post_id)

    await press_and_settle(harness, inspector, "✅ 提交督查")
    refusal = (
        "岗位「黄河路-人民路口」在督查过程中已归档，这次督查没有记录。发送 /inspect 督查其他岗位。"
    )
    assert inspector.answered_callbacks[-1]["text"] == refusal
    assert await harness.count(Inspection) == 0
    assert await harness.count(Dialogue) == 0
