"""Broadcasts, the understaffed alert and the no-show block, through the real sender and
scheduler: what the volunteers actually receive, the coordinator's progress message as it is
edited to the final count, and what the database holds afterwards."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.db.models import (
    AssignmentStatus,
    Broadcast,
    OutboxMessage,
    OutboxStatus,
    Role,
)
from bot.emulator import Fault, SimUser
from tests.e2e.schedule import (
    DAY,
    command,
    person,
    post,
    press_and_settle,
    shift,
    statuses,
    unit,
)
from tests.harness import Harness

IN_THREE_DAYS = DAY + dt.timedelta(days=3)  # beyond the 24-hour understaffed window


async def _broadcast(harness: Harness) -> Broadcast:
    async with harness.session() as session:
        found = await session.scalar(select(Broadcast))
        assert found is not None
        return found


async def _batch_statuses(harness: Harness, broadcast_id: int) -> dict[int, OutboxStatus]:
    async with harness.session() as session:
        rows = await session.execute(
            select(OutboxMessage.chat_id, OutboxMessage.status).where(
                OutboxMessage.batch == f"broadcast:{broadcast_id}"
            )
        )
        return {int(chat_id): status for chat_id, status in rows.all()}


def _message(user: SimUser, message_id: int | None) -> str:
    found = next(m for m in user.messages() if m.message_id == message_id)
    return found.text or ""


async def test_open_seats_only_broadcast_is_delivered_and_the_count_edited(
    harness: Harness,
) -> None:
    unit_id = await unit(harness)
    post_id = await post(harness, unit_id)
    full = await shift(harness, post_id, IN_THREE_DAYS, 7, 9, capacity=1)
    open_shift = await shift(harness, post_id, IN_THREE_DAYS, 17, 19, capacity=2)
    coordinator = await person(harness, 6501, unit_id, "王协调", role=Role.COORDINATOR)
    seated = await person(harness, 6502, unit_id, "甲")
    reader = await person(harness, 6503, unit_id, "Bob", language="en")
    blocker = await person(harness, 6504, unit_id, "丙")
    await command(harness, seated, "shifts")
    await press_and_settle(harness, seated, "✋ 报名 1")
    assert (await statuses(harness, full))[6502] is AssignmentStatus.SIGNED_UP
    reader.started = True
    blocker.started = True
    harness.emulator.blocked_users.add(6504)
    before = {user.user_id: len(user.messages()) for user in (seated, reader)}

    await command(harness, coordinator, "broadcast")
    text = await press_and_settle(harness, coordinator, "🈳 只发有空缺的")
    assert "（只含有空缺的）：1 个班次，将发给 3 名志愿者" in text
    await press_and_settle(harness, coordinator, "📤 发送")
    assert coordinator.texts()[-2] == "📤 已排队发送给 3 人。"
    assert coordinator.last().text == "📣 发送中：已送达 0 / 3，被屏蔽 0，失败 0"
    progress = coordinator.last().message_id
    sent = await _broadcast(harness)
    assert sent.progress_message_id == progress and sent.finished_at is None

    # The sender delivers through the emulator: only the shift with open seats is offered.
    await harness.deliver()
    offer = seated.last()
    assert len(seated.messages()) == before[6502] + 1
    assert (offer.text or "").startswith(
        "📣 可报名的班次，点按钮报名：\n1. 12月4日 周五 17:00–19:00"
    )
    assert "07:00–09:00" not in (offer.text or "")
    assert offer.buttons() == ["✋ 报名 1"]
    assert len(reader.messages()) == before[6503] + 1
    assert "Fri" in (reader.last().text or "") and reader.last().buttons() == ["✋ Sign up 1"]
    assert blocker.messages() == []
    assert await _batch_statuses(harness, sent.id) == {
        6502: OutboxStatus.SENT,
        6503: OutboxStatus.SENT,
        6504: OutboxStatus.BLOCKED,
    }
    blocked = await harness.member(6504)
    assert blocked is not None and blocked.blocked_bot is True

    # The next tick edits the progress message to the final count and ends the broadcast.
    await harness.tick()
    assert _message(coordinator, progress) == "✅ 发送完成（共 3 人）：送达 2，被屏蔽 1，失败 0"
    assert (await _broadcast(harness)).finished_at is not None
    edited = _message(coordinator, progress)
    await harness.tick()
    assert _message(coordinator, progress) == edited

    # A volunteer signs up from the message they received.
    await press_and_settle(harness, reader, "✋ Sign up 1")
    assert (await statuses(harness, open_shift))[6503] is AssignmentStatus.SIGNED_UP


async def test_admin_broadcasts_to_one_unit_only(harness: Harness) -> None:
    city = await unit(harness, "城管局")
    police = await unit(harness, "交警队")
    await shift(harness, await post(harness, city, "甲路口"), IN_THREE_DAYS)
    police_shift = await shift(harness, await post(harness, police, "交警岗"), IN_THREE_DAYS)
    outsider = await person(harness, 6601, city, "外单位")
    first = await person(harness, 6602, police, "甲")
    second = await person(harness, 6603, police, "乙", language="zh_Hant")
    for user in (outsider, first, second):
        user.started = True
    admin = harness.admin

    # Cancelled at the unit step, the picker keeps no button: each could only be refused.
    await command(harness, admin, "broadcast")
    picker = admin.last().message_id
    assert await command(harness, admin, "cancel") == "已取消。"
    assert next(m for m in admin.messages() if m.message_id == picker).buttons() == []

    text = await command(harness, admin, "broadcast")
    assert text == "发给哪个单位的志愿者？"
    assert admin.last().buttons() == ["交警队", "城管局", "🌐 所有单位", "✖️ 取消"]
    # Text where a unit button is expected changes nothing.
    await admin.send_text("交警队")
    await harness.settle()
    assert admin.last().text == "请点上面的按钮选择单位。"
    text = await press_and_settle(harness, admin, "交警队")
    assert text.startswith("发给「交警队」的志愿者。发什么？")
    text = await press_and_settle(harness, admin, "📆 未来 7 天")
    assert "1 个班次，将发给 2 名志愿者" in text
    await press_and_settle(harness, admin, "📤 发送")
    assert admin.last().text == "📣 发送中：已送达 0 / 2，被屏蔽 0，失败 0"
    progress = admin.last().message_id
    sent = await _broadcast(harness)
    assert sent.unit_id == police and sent.total == 2

    await harness.deliver()
    assert "交警岗" in (first.last().text or "") and first.last().buttons() == ["✋ 报名 1"]
    assert (second.last().text or "").startswith("📣 可報名的班次")
    assert outsider.messages() == []
    assert await _batch_statuses(harness, sent.id) == {
        6602: OutboxStatus.SENT,
        6603: OutboxStatus.SENT,
    }
    await harness.tick()
    assert _message(admin, progress) == "✅ 发送完成（共 2 人）：送达 2，被屏蔽 0，失败 0"
    await press_and_settle(harness, first, "✋ 报名 1")
    assert (await statuses(harness, police_shift))[6602] is AssignmentStatus.SIGNED_UP


async def test_understaffed_alert_arrives_through_the_tick(harness: Harness) -> None:
    unit_id = await unit(harness)
    post_id = await post(harness, unit_id)
    short = await shift(harness, post_id, DAY + dt.timedelta(days=1), 7, 9, capacity=3)
    coordinator = await person(harness, 6701, unit_id, "王协调", role=Role.COORDINATOR)
    seated = await person(harness, 6702, unit_id, "甲")
    free = await person(harness, 6703, unit_id, "乙")
    coordinator.started = True
    free.started = True
    await command(harness, seated, "shifts")
    await press_and_settle(harness, seated, "✋ 报名 1")
    seated_seen = len(seated.messages())

    # Tomorrow 07:00 is 23 hours away: inside UNDERSTAFFED_ALERT_HOURS (24).
    await harness.tick()
    alert = coordinator.last()
    assert (alert.text or "").startswith("⚠️ 人手不足：\n12月2日 周三 07:00–09:00 · 黄河路-人民路口")
    assert "还差 2 人（1/3）" in (alert.text or "")
    assert alert.buttons() == ["📋 查看班次"]
    offer = free.last()
    assert offer.text == (
        "🙋 这个班次还差 2 人，您有空吗？\n12月2日 周三 07:00–09:00 · 黄河路-人民路口"
    )
    assert offer.buttons() == ["✋ 报名"]
    assert len(seated.messages()) == seated_seen  # already on it: not offered
    counts = (len(coordinator.messages()), len(free.messages()))
    await harness.tick()
    assert (len(coordinator.messages()), len(free.messages())) == counts  # once only

    # The offer's button signs up; the alert's button opens the card with the new count.
    await press_and_settle(harness, free, "✋ 报名")
    assert "报名成功" in (free.last().text or "")
    assert (await statuses(harness, short))[6703] is AssignmentStatus.SIGNED_UP
    card = await press_and_settle(harness, coordinator, "📋 查看班次")
    assert "👥 2/3 人" in card


class TestNoShowBlock:
    """NO_SHOW_BLOCK_AFTER with absences the scheduler itself records."""

    @pytest.fixture
    def settings_overrides(self) -> dict[str, object]:
        return {"no_show_block_after": 2}

    async def test_absences_marked_by_the_tick_block_self_sign_up(self, harness: Harness) -> None:
        unit_id = await unit(harness)
        post_id = await post(harness, unit_id)
        today = await shift(harness, post_id, DAY, 10, 12, capacity=2)
        tomorrow = await shift(harness, post_id, DAY + dt.timedelta(days=1), 7, 9, capacity=2)
        later = await shift(harness, post_id, DAY + dt.timedelta(days=3), 7, 9, capacity=2)
        volunteer = await person(harness, 6801, unit_id, "甲")
        for _ in range(2):
            await command(harness, volunteer, "shifts")
            await press_and_settle(harness, volunteer, "✋ 报名 1")
        assert await statuses(harness, today) == {6801: AssignmentStatus.SIGNED_UP}
        assert await statuses(harness, tomorrow) == {6801: AssignmentStatus.SIGNED_UP}

        # Today's shift starts at 10:00; at 10:31 (ABSENT_AFTER_MIN 30) the tick marks absent.
        harness.clock.advance(hours=2, minutes=31)
        await harness.tick()
        assert await statuses(harness, today) == {6801: AssignmentStatus.ABSENT}
        assert any(
            text.startswith("⚠️ 12月1日 周二 10:00–12:00 · 黄河路-人民路口 已开始")
            for text in volunteer.texts()
        )
        # One absence is below the limit: signing up still works (and is then cancelled).
        await command(harness, volunteer, "shifts")
        assert "✋ 报名 1" in volunteer.last().buttons()

        # Tomorrow's 07:00 shift is missed too.
        harness.clock.advance(hours=21)  # 07:31 tomorrow
        await harness.tick()
        assert await statuses(harness, tomorrow) == {6801: AssignmentStatus.ABSENT}

        # Two no-shows: self sign-up is refused with the reason, and nothing is written.
        await command(harness, volunteer, "shifts")
        await volunteer.press("✋ 报名 1")
        await harness.settle()
        refusal = volunteer.answered_callbacks[-1]["text"]
        assert refusal == "您有 2 次报名后未到岗，暂时不能自行报名。请联系协调员。"
        assert await statuses(harness, later) == {}


async def test_typed_broadcast_ranges_are_checked(harness: Harness) -> None:
    unit_id = await unit(harness)
    coordinator = await person(harness, 6901, unit_id, "王协调", role=Role.COORDINATOR)
    await person(harness, 6902, unit_id, "甲")
    await command(harness, coordinator, "broadcast")
    refusal = (
        "没看懂日期范围：开始日期不能晚于结束日期，最多 62 天。"
        "请输入如「12-01 12-07」，或点下面的按钮。"
    )
    for typed in ("12-05 12-03", "12-01 2027-03-01"):
        await coordinator.send_text(typed)
        await harness.settle()
        assert coordinator.last().text == refusal, typed
    await coordinator.send_sticker()
    await harness.settle()
    assert coordinator.last().text == "没看懂日期范围。请输入如「12-01 12-07」，或点下面的按钮。"
    assert await harness.count(Broadcast) == 0 and await harness.count(OutboxMessage) == 0
    # The dialogue is still waiting for a range: a good one goes on to the preview.
    await coordinator.send_text("12-01 2027-01-31")
    await harness.settle()
    assert "0 个班次，将发给 0 名志愿者" in (coordinator.last().text or "")


async def test_a_typed_range_reads_as_people_write_it(harness: Harness) -> None:
    """12-02至12-03, 12月2日到12月3日, 12-02 ~ 12-03, 12-02 to 12-03: the ways /rotate and
    /unavailable read a range, and the ways a coordinator types one, were each '没看懂'."""
    unit_id = await unit(harness)
    await shift(harness, await post(harness, unit_id), DAY + dt.timedelta(days=1))
    coordinator = await person(harness, 6911, unit_id, "王协调", role=Role.COORDINATOR)
    await person(harness, 6912, unit_id, "甲")
    for typed in ("12-02至12-03", "12月2日到12月3日", "１２－０２ ～ １２－０３", "12-02 to 12-03"):
        await command(harness, coordinator, "broadcast")
        await coordinator.send_text(typed)
        await harness.settle()
        text = coordinator.last().text or ""
        assert text.startswith("2026年12月2日 至 2026年12月3日：1 个班次，将发给 1 名志愿者"), typed


async def test_announcement_progress_is_edited_while_a_chat_is_retried(harness: Harness) -> None:
    unit_id = await unit(harness)
    coordinator = await person(harness, 7101, unit_id, "王协调", role=Role.COORDINATOR)
    people = [await person(harness, 7102 + n, unit_id, f"志愿者{n}") for n in range(3)]
    for user in people:
        user.started = True
    slow = people[2]
    harness.emulator.inject_fault(Fault(kind="502", chat_id=slow.user_id))

    await command(harness, coordinator, "broadcast")
    await press_and_settle(harness, coordinator, "📢 发一条通知")
    await coordinator.send_text("明早 7 点全员到岗，穿红马甲。")
    await harness.settle()
    assert "将发给 3 名志愿者" in (coordinator.last().text or "")
    await press_and_settle(harness, coordinator, "📤 发送")
    progress = coordinator.last().message_id

    # Two arrive; Telegram fails the third once, and it waits for its retry.
    await harness.deliver()
    announcement = "📢 王协调 通知：\n明早 7 点全员到岗，穿红马甲。"
    assert [user.texts()[-1:] for user in people] == [[announcement], [announcement], []]
    await harness.tick()
    assert _message(coordinator, progress) == "📣 发送中：已送达 2 / 3，被屏蔽 0，失败 0"
    assert (await _broadcast(harness)).finished_at is None

    async with harness.session() as session:
        retry = await session.scalar(
            select(OutboxMessage.not_before).where(OutboxMessage.chat_id == slow.user_id)
        )
    assert retry is not None
    harness.clock.set(retry)
    await harness.tick()  # the retry goes out
    assert slow.texts() == [announcement]
    await harness.tick()  # and the count is final
    assert _message(coordinator, progress) == "✅ 发送完成（共 3 人）：送达 3，被屏蔽 0，失败 0"
    assert (await _broadcast(harness)).finished_at is not None


async def test_a_progress_message_telegram_refuses_does_not_stop_the_broadcast(
    harness: Harness,
) -> None:
    unit_id = await unit(harness)
    coordinator = await person(harness, 7201, unit_id, "王协调", role=Role.COORDINATOR)
    people = [await person(harness, 7202 + n, unit_id, f"志愿者{n}") for n in range(2)]
    for user in people:
        user.started = True
    await command(harness, coordinator, "broadcast")
    await press_and_settle(harness, coordinator, "📢 发一条通知")
    await coordinator.send_text("明早 7 点全员到岗。")
    await harness.settle()
    harness.emulator.inject_fault(Fault(kind="502", method="sendMessage", chat_id=7201))
    await press_and_settle(harness, coordinator, "📤 发送")
    # The answer stands alone and says so: no progress message, so it promises none below, and
    # tells where the count will come from; no "something went wrong" either.
    assert coordinator.last().text == (
        "📤 已排队发送给 2 人。\n"
        "⚠️ 进度消息没能发出。全部发完后会另发一条消息告知结果；"
        "要查看进度或中途停止，请发送 /broadcast。"
    )
    assert not any("显示进度" in (text or "") for text in coordinator.texts())
    assert not any("出了问题" in (text or "") for text in coordinator.texts())
    assert (await _broadcast(harness)).progress_message_id is None
    await harness.deliver()
    await harness.tick()
    assert [user.texts() for user in people] == [["📢 王协调 通知：\n明早 7 点全员到岗。"]] * 2
    # Once its progress message can no longer be on its way, the final count comes on its own.
    assert (await _broadcast(harness)).finished_at is None
    harness.clock.advance(minutes=1)
    await harness.tick()
    await harness.deliver()
    assert coordinator.last().text == "✅ 发送完成（共 2 人）：送达 2，被屏蔽 0，失败 0"
    assert (await _broadcast(harness)).finished_at is not None
    await harness.tick()
    await harness.deliver()
    assert coordinator.texts().count("✅ 发送完成（共 2 人）：送达 2，被屏蔽 0，失败 0") == 1


async def test_a_retried_running_count_does_not_overwrite_the_final_count(
    harness: Harness,
) -> None:
    unit_id = await unit(harness)
    coordinator = await person(harness, 7301, unit_id, "王协调", role=Role.COORDINATOR)
    people = [await person(harness, 7302 + n, unit_id, f"志愿者{n}") for n in range(3)]
    for user in people:
        user.started = True
    # Telegram fails the third volunteer's message once: it waits 5 s for its retry.
    harness.emulator.inject_fault(Fault(kind="502", chat_id=people[2].user_id))
    await command(harness, coordinator, "broadcast")
    await press_and_settle(harness, coordinator, "📢 发一条通知")
    await coordinator.send_text("明早 7 点全员到岗。")
    await harness.settle()
    await press_and_settle(harness, coordinator, "📤 发送")
    progress = coordinator.last().message_id
    await harness.deliver()
    async with harness.session() as session:
        retry = await session.scalar(
            select(OutboxMessage.not_before).where(OutboxMessage.chat_id == people[2].user_id)
        )
    assert retry is not None

    # A little later the running count is queued, and Telegram fails its edit once: it waits too,
    # longer than the third message.
    harness.clock.advance(seconds=3)
    harness.emulator.inject_fault(Fault(kind="502", method="editMessageText", chat_id=7301))
    await harness.tick()
    assert _message(coordinator, progress) == "📣 发送中：已送达 0 / 3，被屏蔽 0，失败 0"

    # The third goes out, and the final count with it.
    harness.clock.set(retry)
    await harness.tick()
    await harness.tick()
    final = "✅ 发送完成（共 3 人）：送达 3，被屏蔽 0，失败 0"
    assert _message(coordinator, progress) == final

    # The running count's retry is due now: it never goes out over the final count.
    harness.clock.advance(minutes=5)
    await harness.tick()
    assert _message(coordinator, progress) == final
    sent = await _broadcast(harness)
    async with harness.session() as session:
        edits = (
            await session.execute(
                select(OutboxMessage.payload, OutboxMessage.status)
                .where(OutboxMessage.idempotency_key.like(f"broadcast:{sent.id}:progress:%"))
                .order_by(OutboxMessage.id)
            )
        ).all()
    assert [(body["text"], status) for body, status in edits] == [
        ("📣 发送中：已送达 2 / 3，被屏蔽 0，失败 0", OutboxStatus.DROPPED),
        (final, OutboxStatus.SENT),
    ]
