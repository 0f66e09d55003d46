"""The last plain re-asks made tracked prompts: /broadcast's date range asked again keeps the
choices with it, /rotate's unit, posts and preview steps are its prompt, and a street report's
or a check's "use the buttons" note leaves the question above the one ✖️. After any re-ask
exactly one message has live buttons, and /cancel leaves none."""

from __future__ import annotations

import datetime as dt

from bot.db.models import Broadcast, Dialogue, Inspection, Role, StreetReport
from bot.emulator import SentMessage, SimUser
from tests.e2e.oversight_fixtures import city, near, start_check
from tests.e2e.rostering_fixtures import rota_city, rotated_seats
from tests.e2e.schedule import DAY, command, person, post, press_and_settle, shift, unit
from tests.harness import Harness

CANCEL = "✖️ 取消"
TOMORROW = "📅 明天的班次"


def _cancels(user: SimUser) -> int:
    """How many ✖️ are left in the chat."""
    return [b for m in user.messages() for b in m.buttons()].count(CANCEL)


def _live(user: SimUser) -> list[SentMessage]:
    """The messages with buttons still on them."""
    return [m for m in user.messages() if m.buttons()]


def _message(user: SimUser, message_id: int) -> SentMessage:
    return next(m for m in user.messages() if m.message_id == message_id)


async def _say(harness: Harness, user: SimUser, text: str) -> str:
    await user.send_text(text)
    await harness.settle()
    return user.last().text or ""


async def _dialogue(harness: Harness, user: SimUser) -> tuple[str, str] | None:
    async with harness.session() as session:
        found = await session.get(Dialogue, user.user_id)
        return (str(found.kind), found.step) if found is not None else None


async def test_a_broadcast_range_asked_again_keeps_the_choices_with_it(harness: Harness) -> None:
    unit_id = await unit(harness)
    await shift(harness, await post(harness, unit_id), DAY + dt.timedelta(days=1))
    coordinator = await person(harness, 9611, unit_id, "王协调", role=Role.COORDINATOR)
    await command(harness, coordinator, "broadcast")
    asked = coordinator.last()
    assert TOMORROW in asked.buttons()

    reply = await _say(harness, coordinator, "sometime")
    assert reply == "没看懂日期范围。请输入如「12-01 12-07」，或点下面的按钮。"
    assert TOMORROW in coordinator.last().buttons()
    assert CANCEL in coordinator.last().buttons()
    assert _message(coordinator, asked.message_id).buttons() == []
    # A past range: the same step, asked once more, its choices with it.
    reply = await _say(harness, coordinator, "11-01 11-03")
    assert reply.startswith("这段时间已经过去了"), reply
    assert reply.endswith("或点下面的按钮。"), reply
    assert _live(coordinator) == [coordinator.last()]
    assert _cancels(coordinator) == 1
    assert await _dialogue(harness, coordinator) == ("broadcast", "what")

    await command(harness, coordinator, "cancel")
    assert _live(coordinator) == []
    assert await harness.count(Dialogue) == 0
    assert await harness.count(Broadcast) == 0


async def test_rotates_posts_and_preview_are_its_prompt(harness: Harness) -> None:
    _, _, coordinator = await rota_city(harness, people=4)
    await command(harness, coordinator, "rotate")
    # Typed dates: the posts follow as the one question with buttons.
    assert "排哪些岗位" in await _say(harness, coordinator, "12-07 12-13")
    assert _live(coordinator) == [coordinator.last()]
    assert "✅ 全部岗位（3 个）" in coordinator.last().buttons()
    assert await _dialogue(harness, coordinator) == ("rotate", "posts")

    await press_and_settle(harness, coordinator, "✅ 全部岗位（3 个）")
    assert await _dialogue(harness, coordinator) == ("rotate", "preview")
    assert _cancels(coordinator) == 1
    await command(harness, coordinator, "cancel")
    assert _live(coordinator) == []
    assert await harness.count(Dialogue) == 0
    assert await rotated_seats(harness) == []


async def test_rotates_unit_picker_is_its_prompt(harness: Harness) -> None:
    await rota_city(harness, people=4)
    await unit(harness, "交通局")
    admin = harness.admin
    await command(harness, admin, "rotate")
    asked = admin.last()
    assert "城管局" in asked.buttons()

    assert await _say(harness, admin, "城管局") == "请用上面的按钮继续，或点「取消」。"
    assert admin.last().buttons() == []
    assert _live(admin) == [asked]
    assert await _dialogue(harness, admin) == ("rotate", "unit")

    await command(harness, admin, "cancel")
    assert _live(admin) == []
    assert await harness.count(Dialogue) == 0


async def test_text_at_a_reports_category_keeps_the_choices_above(harness: Harness) -> None:
    wang = (await city(harness)).volunteers[0]
    await command(harness, wang, "report")
    # A photo asked again: the re-ask is the one ✖️.
    await wang.send_sticker()
    await harness.settle()
    assert wang.last().buttons() == [CANCEL]
    assert _cancels(wang) == 1
    await wang.send_photo()
    await harness.settle()
    await wang.send_location(*near(100))
    await harness.settle()
    asked = wang.last()
    assert "乱停车" in asked.buttons()

    assert await _say(harness, wang, "乱停车") == "请用上面的按钮继续，或点「取消」。"
    assert wang.last().buttons() == []
    assert _live(wang) == [asked]
    assert await _dialogue(harness, wang) == ("street_report", "category")

    await command(harness, wang, "cancel")
    assert _live(wang) == []
    assert await harness.count(Dialogue) == 0
    assert await harness.count(StreetReport) == 0


async def test_text_at_a_checks_post_keeps_the_choices_above(harness: Harness) -> None:
    inspector = (await city(harness)).inspector
    await start_check(harness, inspector)
    asked = inspector.last()
    assert CANCEL in asked.buttons() and len(asked.buttons()) > 1

    assert await _say(harness, inspector, "黄河路") == "请用上面的按钮继续，或点「取消」。"
    assert inspector.last().buttons() == []
    assert _live(inspector) == [asked]
    assert await _dialogue(harness, inspector) == ("inspect", "post")

    await command(harness, inspector, "cancel")
    assert _live(inspector) == []
    assert await harness.count(Dialogue) == 0
    assert await harness.count(Inspection) == 0


async def test_a_count_typed_wrong_at_a_checks_seen_step_asks_again_with_the_numbers(
    harness: Harness,
) -> None:
    inspector = (await city(harness)).inspector
    await start_check(harness, inspector)
    await press_and_settle(harness, inspector, "⭐ 黄河路-人民路口 · 城管局 · 30 米")
    await press_and_settle(harness, inspector, "日查 · 明查")
    asked = inspector.last()
    assert "0" in asked.buttons() and CANCEL in asked.buttons()

    reply = await _say(harness, inspector, "很多")
    assert reply == "请点下面的数字，或直接输入看到的人数（0–999）。"
    # Asked again with the numbers (and the step's one ✖️); the question before loses them.
    again = inspector.last()
    assert "0" in again.buttons() and CANCEL in again.buttons()
    assert _live(inspector) == [again]
    assert _cancels(inspector) == 1
    assert await _dialogue(harness, inspector) == ("inspect", "seen")

    await command(harness, inspector, "cancel")
    assert _live(inspector) == []
    assert await harness.count(Dialogue) == 0
    assert await harness.count(Inspection) == 0
