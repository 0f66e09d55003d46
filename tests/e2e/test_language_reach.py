"""Members who chose English or Traditional Chinese among Simplified-Chinese colleagues: notices
caused by another person reach them in their own language, and what they type in their language
(a period, a radius) is read."""

from __future__ import annotations

import datetime as dt
import re

from bot.buttons import PostRadius
from bot.db.models import Post, Role
from bot.emulator import SimUser
from tests.e2e.oversight_fixtures import checked_in, city, near, orders
from tests.e2e.schedule import DAY, at, command, person, post, press_and_settle, shift, unit
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


async def test_an_order_from_a_check_tells_each_coordinator_the_problem_in_their_language(
    harness: Harness,
) -> None:
    """The problem an order takes from a check's lines is worded for each reader; the record
    (ledger, board) keeps it in DEFAULT_LANGUAGE."""
    town = await city(harness)
    shift_id = await shift(harness, town.post_id, day=DAY, start=7, end=10, capacity=2)
    for volunteer in town.volunteers:
        await checked_in(harness, shift_id, volunteer, at(DAY, 7, 2))
    english = await member(
        harness, 8021, town.unit_id, "Chen", role=Role.COORDINATOR, language="en"
    )
    traditional = await member(
        harness, 8022, town.unit_id, "陳協調", role=Role.COORDINATOR, language="zh_Hant"
    )
    inspector = await member(
        harness, 8009, town.unit_id, "Inspector Z", role=Role.INSPECTOR, language="en"
    )
    await inspector.send_command("inspect")
    await harness.settle()
    await inspector.send_location(*near(30.0))
    await harness.settle()
    post_button = next(b for b in inspector.last().buttons() if "黄河路-人民路口" in b)
    await press_and_settle(harness, inspector, post_button)
    await press_and_settle(harness, inspector, "Daily check · announced")
    await press_and_settle(harness, inspector, "1")
    vest = next(b for b in inspector.last().buttons() if "No vest" in b)
    await press_and_settle(harness, inspector, vest)
    await press_and_settle(harness, inspector, "Next: photos ▶️")
    await inspector.send_photo()
    await harness.settle()
    await press_and_settle(harness, inspector, "✅ Submit the check")
    drafted = await press_and_settle(harness, inspector, "📝 Issue a rectification order")
    assert "Problem: Short-staffed (per person); No vest or uniform;" in drafted, drafted
    await press_and_settle(harness, inspector, "✅ Issue")
    await harness.deliver()

    def problem(user: SimUser, label: str) -> str:
        card = user.last().caption or user.last().text or ""
        return next(line for line in card.splitlines() if line.startswith(label))

    assert problem(town.coordinator, "问题：") == (
        "问题：缺岗（每缺 1 人）；未穿马甲或制服；签到 2 人，现场看到 1 人"
    )
    assert problem(english, "Problem:") == (
        "Problem: Short-staffed (per person); No vest or uniform; 2 checked in, 1 seen on post"
    )
    assert problem(traditional, "問題：") == (
        "問題：缺崗（每缺 1 人）；未穿馬甲或制服；簽到 2 人，現場看到 1 人"
    )
    [order] = await orders(harness)
    assert order.description == "缺岗（每缺 1 人）；未穿马甲或制服；签到 2 人，现场看到 1 人"
