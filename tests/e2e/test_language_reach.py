"""Members who chose English or Traditional Chinese among Simplified-Chinese colleagues: notices
caused by another person reach them in their own language, and what they type in their language
(a period, a radius) is read."""

from __future__ import annotations

import datetime as dt
import re

from bot.buttons import PostRadius
from bot.db.models import Post, Role
from tests.e2e.schedule import DAY, command, person, post, press_and_settle, shift, unit
from tests.e2e.swap_fixtures import member, require_approval, seat
from tests.harness import ADMIN_ID, Harness

CJK = re.compile(r"[\u4e00-\u9fff]")


async def test_a_swap_approval_reaches_an_english_admin_in_english(harness: Harness) -> None:
    """A unit without a coordinator has its swaps decided by the admins: an admin who is a
    member and chose English reads the approval and its buttons in English."""
    unit_id = await unit(harness)
    await require_approval(harness, unit_id)
    shift_id = await shift(harness, await post(harness, unit_id))
    holder = await member(harness, 7101, unit_id, "李明")
    taker = await member(harness, 7102, unit_id, "王芳")
    await seat(harness, shift_id, holder.user_id)
    headquarters = await unit(harness, "创建办")
    admin = await person(
        harness, ADMIN_ID, headquarters, "Admin", role=Role.COORDINATOR, language="en"
    )
    admin.started = True
    await command(harness, holder, "my")
    await press_and_settle(harness, holder, "🔁 换岗 1")
    await press_and_settle(harness, holder, "👤 请指定的人代班")
    await holder.send_text("王芳")
    await harness.settle()
    await harness.deliver()
    await press_and_settle(harness, taker, "✅ 接受")
    await harness.deliver()
    approval = admin.last()
    text = (approval.text or "").replace("李明", "").replace("王芳", "")
    text = text.replace("黄河路-人民路口", "").replace("城管局", "")
    assert not CJK.search(text), approval.text
    assert "✅ Approve" in approval.buttons(), approval.buttons()


async def test_an_english_coordinator_types_a_rotation_period_with_to(harness: Harness) -> None:
    """As 12-07 至 12-08 is read in Chinese, 12-07 to 12-08 (or until) is read in English."""
    unit_id = await unit(harness)
    post_id = await post(harness, unit_id)
    await post(harness, unit_id, "长江路口")
    for day in (DAY + dt.timedelta(days=6), DAY + dt.timedelta(days=7)):
        await shift(harness, post_id, day)
    coordinator = await member(harness, 7190, unit_id, "Chen", role=Role.COORDINATOR, language="en")
    for typed in ("12-07 to 12-08", "12-07 until 12-08", "12-07 12-08"):
        text = await command(harness, coordinator, "rotate", typed)
        assert text.startswith("🗓 Mon 7 Dec to Tue 8 Dec: which posts?"), (typed, text)
        await command(harness, coordinator, "cancel")
    traditional = await member(
        harness, 7191, unit_id, "陳協調", role=Role.COORDINATOR, language="zh_Hant"
    )
    text = await command(harness, traditional, "rotate", "12-07 到 12-08")
    assert text.startswith("🗓 12月7日 週一 至 12月8日 週二：排哪些崗位？"), text


async def test_a_radius_is_typed_in_the_unit_the_question_names(harness: Harness) -> None:
    """Traditional Chinese asks 多少公尺 and English "in metres": 200公尺 and 200 metres are
    read as 200米 and 200 m are."""
    unit_id = await unit(harness)
    post_id = await post(harness, unit_id)
    for telegram_id, language, typed, radius in (
        (7201, "zh_Hant", "200公尺", 200),
        (7202, "en", "250 metres", 250),
        (7203, "en", "260 meters", 260),
    ):
        coordinator = await member(
            harness,
            telegram_id,
            unit_id,
            f"C{telegram_id}",
            role=Role.COORDINATOR,
            language=language,
        )
        await command(harness, coordinator, "posts")
        await coordinator.press_data(PostRadius(post_id).pack(), coordinator.last().message_id)
        await harness.settle()
        await coordinator.send_text(typed)
        await harness.settle()
        async with harness.session() as session:
            row = await session.get(Post, post_id)
            assert row is not None and row.radius_m == radius, (typed, coordinator.last().text)
