"""A dialogue's question asked again after a wrong answer is its tracked prompt: the question
before it loses its buttons, one ✖️ is left in the chat, and any end of the dialogue (/cancel,
another command that replaces it) takes that one off too. Where only a button can answer, the
note says so without buttons of its own: the question above keeps them. A correction of an
announcement refused at /broadcast's preview takes the preview's 📤 发送 off, so the text
refused can never be sent by the older one."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.db.models import Broadcast, Dialogue, OutboxMessage, Role, Unavailability
from bot.emulator import SentMessage, SimUser
from tests.e2e.rostering_fixtures import rota_city
from tests.e2e.rostering_fixtures import town as rostering_town
from tests.e2e.schedule import DAY, command, person, post, press_and_settle, shift, unit
from tests.e2e.swap_fixtures import HAND_OVER, SWAP_SETTINGS, offers, seat, town
from tests.harness import Harness

CANCEL = "✖️ 取消"


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return dict(SWAP_SETTINGS)


def _cancels(user: SimUser) -> int:
    """How many ✖️ are left in the chat."""
    return [b for m in user.messages() for b in m.buttons()].count(CANCEL)


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


async def test_swap_names_asked_again_leave_one_cancel_and_cancel_takes_it(
    harness: Harness,
) -> None:
    holder = (await town(harness)).holder
    await command(harness, holder, "swap")
    await press_and_settle(harness, holder, "🔁 换岗 1")
    await press_and_settle(harness, holder, HAND_OVER)
    assert _cancels(holder) == 1

    assert "本单位没有名字包含「不存在」的成员" in await _say(harness, holder, "不存在")
    assert holder.last().buttons() == [CANCEL]
    assert _cancels(holder) == 1
    await holder.send_sticker()
    await harness.settle()
    assert holder.last().text == "请输入对方的名字。"
    assert holder.last().buttons() == [CANCEL]
    assert _cancels(holder) == 1
    assert await _dialogue(harness, holder) == ("swap", "name")

    await command(harness, holder, "cancel")
    assert _cancels(holder) == 0
    assert await harness.count(Dialogue) == 0
    assert await offers(harness) == []


async def test_text_typed_at_a_swap_choice_keeps_the_choices_above(harness: Harness) -> None:
    holder = (await town(harness)).holder
    await command(harness, holder, "swap")
    await press_and_settle(harness, holder, "🔁 换岗 1")
    asked = holder.last()
    assert HAND_OVER in asked.buttons()

    assert await _say(harness, holder, "转给王芳") == "请用上面的按钮选择，或点「取消」。"
    assert holder.last().buttons() == []
    assert HAND_OVER in _message(holder, asked.message_id).buttons()
    assert _cancels(holder) == 1
    assert await _dialogue(harness, holder) == ("swap", "kind")

    await command(harness, holder, "cancel")
    assert _message(holder, asked.message_id).buttons() == []
    assert await harness.count(Dialogue) == 0
    assert await offers(harness) == []


async def test_unavailable_asked_again_leaves_one_cancel_and_cancel_takes_it(
    harness: Harness,
) -> None:
    li = (await rostering_town(harness)).people[0]
    await command(harness, li, "unavailable")
    assert _cancels(li) == 1

    assert "没看懂这个时间。" in await _say(harness, li, "明天有事")
    assert li.last().buttons() == [CANCEL]
    assert _cancels(li) == 1
    await li.send_sticker()
    await harness.settle()
    assert li.last().text == "请用文字写不能值班的时间。"
    assert _cancels(li) == 1
    # /unavailable again, a window misread with it: the new dialogue's re-ask, the only ✖️.
    await command(harness, li, "unavailable", "后天")
    assert "没看懂这个时间。" in (li.last().text or "")
    assert _cancels(li) == 1

    await command(harness, li, "cancel")
    assert _cancels(li) == 0
    assert await harness.count(Dialogue) == 0
    assert await harness.count(Unavailability) == 0


async def test_text_typed_at_rotates_posts_keeps_the_choices_above(harness: Harness) -> None:
    _, _, coordinator = await rota_city(harness, people=4)
    await command(harness, coordinator, "rotate")
    await press_and_settle(harness, coordinator, "下周 · 12月7日 周一 至 12月13日 周日")
    asked = coordinator.last()
    assert "✅ 全部岗位（3 个）" in asked.buttons()

    assert await _say(harness, coordinator, "全部") == "请用上面的按钮继续，或点「取消」。"
    assert coordinator.last().buttons() == []
    assert "✅ 全部岗位（3 个）" in _message(coordinator, asked.message_id).buttons()
    assert _cancels(coordinator) == 1
    assert await _dialogue(harness, coordinator) == ("rotate", "posts")


async def test_a_dialogue_replaced_by_a_command_loses_its_buttons(harness: Harness) -> None:
    town_ = await town(harness)
    coordinator = town_.coordinator
    await post(harness, town_.unit_id, "人民路-解放路口")
    await command(harness, coordinator, "newshift")
    asked = coordinator.last()
    assert CANCEL in asked.buttons()
    await seat(harness, town_.shift_id, coordinator.user_id)  # something to offer at /swap

    await command(harness, coordinator, "swap")
    assert _message(coordinator, asked.message_id).buttons() == []
    assert _cancels(coordinator) == 1
    assert await _dialogue(harness, coordinator) == ("swap", "shift")


async def test_a_correction_refused_takes_the_previews_send_off(harness: Harness) -> None:
    unit_id = await unit(harness)
    await shift(harness, await post(harness, unit_id), DAY + dt.timedelta(days=1))
    coordinator = await person(harness, 9601, unit_id, "王协调", role=Role.COORDINATOR)
    await person(harness, 9602, unit_id, "甲")
    await command(harness, coordinator, "broadcast")
    await press_and_settle(harness, coordinator, "📢 发一条通知")
    assert await _say(harness, coordinator, "明早七点集合") == "将发给 1 名志愿者：\n\n明早七点集合"
    preview = coordinator.last()
    assert "📤 发送" in preview.buttons()

    assert await _say(harness, coordinator, "字" * 2001) == "通知内容要有 1 到 2000 个字。"
    assert coordinator.last().buttons() == [CANCEL]
    assert _message(coordinator, preview.message_id).buttons() == []
    assert _cancels(coordinator) == 1
    assert await _dialogue(harness, coordinator) == ("broadcast", "text")

    # Typed again: a new preview, whose 📤 发送 sends the new text.
    assert await _say(harness, coordinator, "明早八点集合") == "将发给 1 名志愿者：\n\n明早八点集合"
    await press_and_settle(harness, coordinator, "📤 发送")
    async with harness.session() as session:
        texts = (await session.scalars(select(Broadcast.text))).all()
    assert texts == ["明早八点集合"]
    assert await harness.count(OutboxMessage) == 1
    assert await harness.count(Dialogue) == 0
