"""A coordinator stops a broadcast midway with ⏹ 停止发送 on its progress message: what was not
sent yet stays unsent, what the sender had in hand goes out, the count ends saying so, and who
may not stop it is refused without anything changing."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

import bot.sender
from bot.app import scheduled_tick
from bot.buttons import BroadcastStop
from bot.db.models import AuditEntry, OutboxMessage, OutboxStatus, Role
from bot.emulator import Fault
from bot.services.platform.outbox import Message as OutboxBody
from tests.e2e.broadcast_fixtures import (
    VOLUNTEERS,
    announce,
    bulk_volunteers,
    last_broadcast,
    message_text,
    reached,
)
from tests.e2e.schedule import command, person, press_and_settle, unit
from tests.harness import Harness

STOP = "⏹ 停止发送"


async def _rows(harness: Harness, broadcast_id: int) -> dict[int, OutboxStatus]:
    async with harness.session() as session:
        rows = await session.execute(
            select(OutboxMessage.chat_id, OutboxMessage.status).where(
                OutboxMessage.batch == f"broadcast:{broadcast_id}"
            )
        )
        return {int(chat): status for chat, status in rows.all()}


async def _trail(harness: Harness) -> list[AuditEntry]:
    async with harness.session() as session:
        return list(
            await session.scalars(select(AuditEntry).where(AuditEntry.object_type == "broadcast"))
        )


async def test_a_coordinator_stops_a_broadcast_to_300_midway(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    unit_id = await unit(harness)
    coordinator = await person(harness, 5101, unit_id, "王协调", role=Role.COORDINATOR)
    volunteers = await bulk_volunteers(harness, unit_id, VOLUNTEERS)
    progress = await announce(harness, coordinator, "今晚 8 点全员到岗（发错了）")
    assert coordinator.last().text == "📣 发送中：已送达 0 / 300，被屏蔽 0，失败 0"
    assert coordinator.last().buttons() == [STOP]

    # Two passes of the sender go out at Telegram's pace.
    for _ in range(2):
        result = await harness.bot.sender.pass_once()
        if result.wait is not None:
            harness.clock.advance(seconds=result.wait)
    delivered = reached(volunteers)
    assert 0 < len(delivered) < VOLUNTEERS

    # The next pass is under way: it holds its messages, one of them waits on Telegram ...
    in_hand = asyncio.Event()
    go_on = asyncio.Event()
    real_deliver = bot.sender.deliver

    async def slow_deliver(bot_: object, chat_id: int, message: OutboxBody) -> object:
        if chat_id != coordinator.user_id and not in_hand.is_set():
            in_hand.set()
            await go_on.wait()
        return await real_deliver(bot_, chat_id, message)  # type: ignore[arg-type]

    monkeypatch.setattr(bot.sender, "deliver", slow_deliver)
    passing = asyncio.create_task(harness.bot.sender.pass_once())
    await in_hand.wait()
    sent = await last_broadcast(harness)
    async with harness.session() as session:
        claimed = set(
            (
                await session.scalars(
                    select(OutboxMessage.chat_id).where(
                        OutboxMessage.batch == f"broadcast:{sent.id}",
                        OutboxMessage.status == OutboxStatus.PENDING,
                        OutboxMessage.claimed_by.is_not(None),
                    )
                )
            ).all()
        )
    assert claimed

    # ... when the coordinator presses stop.
    await coordinator.press(STOP, progress)
    await harness.settle()
    answer = coordinator.answered_callbacks[-1]["text"]
    unsent = VOLUNTEERS - len(delivered) - len(claimed)
    assert answer == (
        f"⏹ 已停止：{unsent} 条不再发送。已交给 Telegram 的 {len(claimed)} 条可能仍会送达。"
    )
    assert message_text(coordinator, progress) == (
        f"⏹ 正在停止：已送达 {len(delivered)} / 300，{len(claimed)} 条已在途中，其余不再发送"
    )
    assert next(m for m in coordinator.messages() if m.message_id == progress).buttons() == []
    stopped = await last_broadcast(harness)
    assert stopped.stopped_at == harness.clock.now()
    coordinator_member = await harness.member(5101)
    assert coordinator_member is not None and stopped.stopped_by_id == coordinator_member.id

    # What the sender had in hand goes out and counts as sent, not as stopped, as far as the
    # second's pace lets it: the answer to the press (the edited count) took a place in it.
    go_on.set()
    await passing
    monkeypatch.setattr(bot.sender, "deliver", real_deliver)
    in_hand_sent = reached(volunteers)
    assert delivered < in_hand_sent <= delivered | claimed
    assert len(in_hand_sent) >= len(delivered | claimed) - 1
    for _ in range(3):
        harness.clock.advance(minutes=5)
        await harness.tick()
    assert reached(volunteers) == in_hand_sent  # nothing more, ever
    rows = await _rows(harness, sent.id)
    went = {chat for chat, status in rows.items() if status is OutboxStatus.SENT}
    assert went == in_hand_sent
    assert {status for chat, status in rows.items() if chat not in went} == {OutboxStatus.DROPPED}
    assert len(rows) == VOLUNTEERS
    assert message_text(coordinator, progress) == (
        f"⏹ 已停止发送（王协调 停止）：送达 {len(went)} / 300，未发送 {VOLUNTEERS - len(went)}，"
        "被屏蔽 0，失败 0"
    )
    assert (await last_broadcast(harness)).finished_at is not None
    [entry] = await _trail(harness)
    assert entry.action == "broadcast.stop" and entry.object_id == sent.id
    assert entry.actor_id == coordinator_member.id and entry.created_at == stopped.stopped_at
    assert entry.after == {"dropped": unsent, "in_flight": len(claimed)}

    # Pressing it again (or on the old message) changes nothing and says so.
    await coordinator.press_data(BroadcastStop(sent.id).pack(), progress)
    await harness.settle()
    assert coordinator.answered_callbacks[-1]["text"] == "这次发送已经停止了。"
    assert len(await _trail(harness)) == 1


async def test_who_may_stop_a_broadcast(harness: Harness) -> None:
    unit_id = await unit(harness)
    other_unit = await unit(harness, "交警队")
    sender = await person(harness, 5201, unit_id, "王协调", role=Role.COORDINATOR)
    colleague = await person(harness, 5202, unit_id, "李协调", role=Role.COORDINATOR)
    stranger = await person(harness, 5203, other_unit, "外单位协调", role=Role.COORDINATOR)
    volunteer = await person(harness, 5204, unit_id, "甲")
    volunteers = [await person(harness, 5210 + n, unit_id, f"志愿者{n}") for n in range(3)]
    for user in (*volunteers, colleague, stranger, volunteer):
        user.started = True
    progress = await announce(harness, sender, "明早 7 点集合")
    sent = await last_broadcast(harness)
    stop = BroadcastStop(sent.id).pack()

    # A coordinator of another unit and a volunteer, with a forged press, are refused.
    for outsider, refusal in (
        (stranger, "只有发出这次发送的协调员、本单位的协调员或管理员可以停止它。"),
        (volunteer, "抱歉，您没有权限执行这个操作。"),
    ):
        await command(harness, outsider, "help")
        await outsider.press_data(stop, outsider.last().message_id)
        await harness.settle()
        assert outsider.answered_callbacks[-1]["text"] == refusal
    # One for a broadcast that does not exist.
    await command(harness, sender, "help")
    await sender.press_data(BroadcastStop(sent.id + 99).pack(), sender.last().message_id)
    await harness.settle()
    assert sender.answered_callbacks[-1]["text"] == "找不到这次发送。"
    assert (await last_broadcast(harness)).stopped_at is None
    assert set((await _rows(harness, sent.id)).values()) == {OutboxStatus.PENDING}
    assert await _trail(harness) == []

    # /cancel, sent to call it off, stops nothing: it says so, rather than that nothing is in
    # progress, and shows the broadcast with its ⏹.
    await command(harness, sender, "cancel")
    assert sender.texts()[-2:] == [
        "没有可取消的操作。正在发出的群发不会因 /cancel 停止；要停止，请按下面的 ⏹ 停止发送。",
        "📣 发送中：已送达 0 / 4，被屏蔽 0，失败 0",
    ]
    assert sender.last().buttons() == [STOP]
    # Nor does an edit of the announcement typed: it changes nothing that goes out.
    typed = next(
        m
        for m in harness.emulator.world.chats[5201].messages.values()
        if m.get("text") == "明早 7 点集合"
    )
    await sender.edit_text(typed["message_id"], "明早 8 点集合")
    await harness.settle()
    assert sender.texts()[-2:] == [
        "修改不会改变正在发出的群发：志愿者收到的仍是原来的通知。"
        "如需更正，请按下面的 ⏹ 停止发送，再用 /broadcast 重新发送。",
        "📣 发送中：已送达 0 / 4，被屏蔽 0，失败 0",
    ]
    assert sender.last().buttons() == [STOP]
    listed = sender.last().message_id
    assert (await last_broadcast(harness)).text == "明早 7 点集合"
    assert (await last_broadcast(harness)).stopped_at is None

    # A coordinator of the same unit, who never saw the progress message, finds it in /broadcast.
    await command(harness, colleague, "broadcast")
    running = [m for m in colleague.messages() if STOP in m.buttons()]
    assert [m.text for m in running] == ["📣 发送中：已送达 0 / 4，被屏蔽 0，失败 0"]
    await colleague.press(STOP, running[0].message_id)
    await harness.settle()
    assert colleague.answered_callbacks[-1]["text"] == "⏹ 已停止：4 条不再发送。"
    final = "⏹ 已停止发送（李协调 停止）：送达 0 / 4，未发送 4，被屏蔽 0，失败 0"
    assert message_text(colleague, running[0].message_id) == final
    await harness.tick()
    assert message_text(sender, progress) == final
    assert all(user.messages() == [] for user in volunteers)
    assert set((await _rows(harness, sent.id)).values()) == {OutboxStatus.DROPPED}
    # With nothing running, /broadcast offers nothing to stop.
    await command(harness, sender, "broadcast")
    assert sender.last().text.startswith("发给「城管局」的志愿者")
    assert [m for m in sender.messages() if STOP in m.buttons() and m.message_id > listed] == []


async def test_stop_on_a_finished_broadcast_says_it_has_finished(harness: Harness) -> None:
    unit_id = await unit(harness)
    coordinator = await person(harness, 5301, unit_id, "王协调", role=Role.COORDINATOR)
    volunteers = [await person(harness, 5310 + n, unit_id, f"志愿者{n}") for n in range(2)]
    for user in volunteers:
        user.started = True
    progress = await announce(harness, coordinator, "明早 7 点集合")
    sent = await last_broadcast(harness)
    await harness.deliver()
    # Every message went out, and the tick has not yet written the final count: the broadcast
    # is over all the same. /broadcast and /cancel do not offer to stop it ...
    listed = len(coordinator.messages())
    text = await command(harness, coordinator, "broadcast")
    assert len(coordinator.messages()) == listed + 1 and text.startswith("发给「城管局」的志愿者")
    assert await command(harness, coordinator, "cancel") == "已取消。"
    assert await command(harness, coordinator, "cancel") == "当前没有进行中的操作。"
    # ... and its ⏹ says it has finished, stops nothing and shows the final count.
    await coordinator.press_data(BroadcastStop(sent.id).pack(), progress)
    await harness.settle()
    assert coordinator.answered_callbacks[-1]["text"] == "这次发送已经完成，无需停止。"
    assert (await last_broadcast(harness)).stopped_at is None
    assert await _trail(harness) == []
    assert message_text(coordinator, progress) == "✅ 发送完成（共 2 人）：送达 2，被屏蔽 0，失败 0"
    await harness.tick()
    assert message_text(coordinator, progress) == "✅ 发送完成（共 2 人）：送达 2，被屏蔽 0，失败 0"
    assert next(m for m in coordinator.messages() if m.message_id == progress).buttons() == []
    await coordinator.press_data(BroadcastStop(sent.id).pack(), progress)
    await harness.settle()
    assert coordinator.answered_callbacks[-1]["text"] == "这次发送已经完成，无需停止。"
    assert (await last_broadcast(harness)).stopped_at is None
    assert await _trail(harness) == []
    assert message_text(coordinator, progress) == "✅ 发送完成（共 2 人）：送达 2，被屏蔽 0，失败 0"


async def test_an_admin_stops_a_broadcast_sent_to_every_unit(harness: Harness) -> None:
    city = await unit(harness)
    police = await unit(harness, "交警队")
    coordinator = await person(harness, 5401, city, "王协调", role=Role.COORDINATOR)
    people = [await person(harness, 5410, city, "甲"), await person(harness, 5411, police, "乙")]
    for user in (*people, coordinator):
        user.started = True
    admin = harness.admin
    await command(harness, admin, "broadcast")
    await press_and_settle(harness, admin, "🌐 所有单位")
    await press_and_settle(harness, admin, "📢 发一条通知")
    await admin.send_text("全市志愿者明早集合")
    await harness.settle()
    await press_and_settle(harness, admin, "📤 发送")
    progress = admin.last().message_id
    sent = await last_broadcast(harness)
    # A unit's coordinator may not stop what went to every unit.
    await command(harness, coordinator, "broadcast")
    assert [m for m in coordinator.messages() if STOP in m.buttons()] == []
    await coordinator.press_data(BroadcastStop(sent.id).pack(), coordinator.last().message_id)
    await harness.settle()
    assert coordinator.answered_callbacks[-1]["text"] == (
        "只有发出这次发送的协调员、本单位的协调员或管理员可以停止它。"
    )
    await admin.press(STOP, progress)
    await harness.settle()
    await harness.tick()
    assert message_text(admin, progress) == (
        "⏹ 已停止发送（管理员 停止）：送达 0 / 2，未发送 2，被屏蔽 0，失败 0"
    )
    [entry] = await _trail(harness)
    assert entry.actor_id is None and entry.after == {"dropped": 2, "in_flight": 0}
    assert entry.reason == f"telegram:{admin.user_id}"
    assert all(user.messages() == [] for user in people)


async def test_the_english_count_of_a_stopped_broadcast(harness: Harness) -> None:
    unit_id = await unit(harness)
    coordinator = await person(harness, 5501, unit_id, "Wang", role=Role.COORDINATOR, language="en")
    one = await person(harness, 5510, unit_id, "A")
    one.started = True
    await command(harness, coordinator, "broadcast")
    await press_and_settle(harness, coordinator, "📢 An announcement")
    await coordinator.send_text("Meet at 7")
    await harness.settle()
    await press_and_settle(harness, coordinator, "📤 Send")
    progress = coordinator.last().message_id
    assert coordinator.last().buttons() == ["⏹ Stop sending"]
    await coordinator.press("⏹ Stop sending", progress)
    await harness.settle()
    assert coordinator.answered_callbacks[-1]["text"] == "⏹ Stopped: 1 message will not be sent."
    assert message_text(coordinator, progress) == (
        "⏹ Stopped by Wang: 0 of 1 delivered, 1 message not sent, 0 blocked, 0 failed"
    )


async def test_a_running_count_in_flight_at_the_stop_does_not_outlast_the_stopped_count(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    unit_id = await unit(harness)
    coordinator = await person(harness, 5601, unit_id, "王协调", role=Role.COORDINATOR)
    people = [await person(harness, 5610 + n, unit_id, f"志愿者{n}") for n in range(3)]
    for user in people:
        user.started = True
    # Telegram fails the third volunteer's message once: it waits for a retry.
    harness.emulator.inject_fault(Fault(kind="502", chat_id=people[2].user_id))
    progress = await announce(harness, coordinator, "明早 7 点集合")
    await harness.deliver()
    assert reached(people) == {people[0].user_id, people[1].user_id}

    # The tick queues the running count, and the sender has it in hand when the stop comes.
    in_hand = asyncio.Event()
    go_on = asyncio.Event()
    real_deliver = bot.sender.deliver

    async def slow_deliver(bot_: object, chat_id: int, message: OutboxBody) -> object:
        if message.edit_message_id == progress and not in_hand.is_set():
            in_hand.set()
            await go_on.wait()
        return await real_deliver(bot_, chat_id, message)  # type: ignore[arg-type]

    monkeypatch.setattr(bot.sender, "deliver", slow_deliver)
    assert harness.bot.application is not None
    await scheduled_tick(harness.bot.application)
    passing = asyncio.create_task(harness.bot.sender.pass_once())
    await in_hand.wait()

    await coordinator.press(STOP, progress)
    await harness.settle()
    assert coordinator.answered_callbacks[-1]["text"] == "⏹ 已停止：1 条不再发送。"
    final = "⏹ 已停止发送（王协调 停止）：送达 2 / 3，未发送 1，被屏蔽 0，失败 0"
    assert message_text(coordinator, progress) == final

    # The running count reaches Telegram only now, after the stopped count ...
    go_on.set()
    await passing
    monkeypatch.setattr(bot.sender, "deliver", real_deliver)
    for _ in range(2):
        harness.clock.advance(minutes=5)
        await harness.tick()
    # ... and the stopped count is still what the coordinator sees last, without ⏹.
    assert message_text(coordinator, progress) == final
    assert next(m for m in coordinator.messages() if m.message_id == progress).buttons() == []
    assert reached(people) == {people[0].user_id, people[1].user_id}
    stopped = await last_broadcast(harness)
    assert stopped.finished_at is not None and stopped.reported is not None
    assert stopped.reported.startswith("stopped:")
    # The outbox holds the running count as sent, and the stopped count queued after it.
    async with harness.session() as session:
        edits = (
            await session.execute(
                select(OutboxMessage.payload, OutboxMessage.status)
                .where(OutboxMessage.idempotency_key.like(f"broadcast:{stopped.id}:progress:%"))
                .order_by(OutboxMessage.id)
            )
        ).all()
    assert [(body["text"], status) for body, status in edits] == [
        ("📣 发送中：已送达 2 / 3，被屏蔽 0，失败 0", OutboxStatus.SENT),
        (final, OutboxStatus.SENT),
    ]


async def test_a_broadcast_without_a_progress_message_stopped_from_the_list_ends_once(
    harness: Harness,
) -> None:
    unit_id = await unit(harness)
    coordinator = await person(harness, 5801, unit_id, "王协调", role=Role.COORDINATOR)
    people = [await person(harness, 5810 + n, unit_id, f"志愿者{n}") for n in range(2)]
    for user in people:
        user.started = True
    await command(harness, coordinator, "broadcast")
    await press_and_settle(harness, coordinator, "📢 发一条通知")
    await coordinator.send_text("明早 7 点集合（发错了）")
    await harness.settle()
    # Telegram refuses to post the progress message.
    harness.emulator.inject_fault(Fault(kind="502", method="sendMessage", chat_id=5801))
    await press_and_settle(harness, coordinator, "📤 发送")
    assert coordinator.last().text.startswith("📤 已排队发送给 2 人。\n⚠️ 进度消息没能发出。")
    assert [m for m in coordinator.messages() if STOP in m.buttons()] == []

    # Past the time it could still be on its way, the coordinator stops it from /broadcast.
    harness.clock.advance(minutes=2)
    await command(harness, coordinator, "broadcast")
    [listed] = [m for m in coordinator.messages() if STOP in m.buttons()]
    await coordinator.press(STOP, listed.message_id)
    await harness.settle()
    assert coordinator.answered_callbacks[-1]["text"] == "⏹ 已停止：2 条不再发送。"
    for _ in range(2):
        await harness.tick()
        await harness.deliver()

    # One account of it: the listed message, now the final count; no second message.
    final = "⏹ 已停止发送（王协调 停止）：送达 0 / 2，未发送 2，被屏蔽 0，失败 0"
    assert message_text(coordinator, listed.message_id) == final
    assert [text for text in coordinator.texts() if "已停止发送" in (text or "")] == [final]
    assert all(user.messages() == [] for user in people)
    stopped = await last_broadcast(harness)
    assert stopped.finished_at is not None
    assert stopped.progress_message_id == listed.message_id
    async with harness.session() as session:
        queued_for_coordinator = (
            await session.scalars(
                select(OutboxMessage.idempotency_key).where(
                    OutboxMessage.chat_id == coordinator.user_id
                )
            )
        ).all()
    assert queued_for_coordinator == []


async def test_a_progress_message_posted_after_a_colleague_stopped_it_shows_the_stopped_count(
    harness: Harness,
) -> None:
    unit_id = await unit(harness)
    sender = await person(harness, 5901, unit_id, "王协调", role=Role.COORDINATOR)
    colleague = await person(harness, 5902, unit_id, "李协调", role=Role.COORDINATOR)
    people = [await person(harness, 5910 + n, unit_id, f"志愿者{n}") for n in range(2)]
    for user in (*people, colleague):
        user.started = True
    await command(harness, sender, "broadcast")
    await press_and_settle(harness, sender, "📢 发一条通知")
    await sender.send_text("明早 7 点集合（发错了）")
    await harness.settle()
    # Telegram posts the progress message at once but answers the bot three seconds late.
    harness.emulator.timeout_delay = 3.0
    harness.emulator.inject_fault(Fault(kind="timeout", method="sendMessage", chat_id=5901))
    await sender.press("📤 发送")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while not any(STOP in m.buttons() for m in sender.messages()):
        assert loop.time() < deadline
        await asyncio.sleep(0.01)
    [progress] = [m.message_id for m in sender.messages() if STOP in m.buttons()]

    # Meanwhile a colleague stops it from the list of /broadcast.
    await colleague.send_text("/broadcast")
    while not any(STOP in m.buttons() for m in colleague.messages()):
        assert loop.time() < deadline
        await asyncio.sleep(0.01)
    [listed] = [m for m in colleague.messages() if STOP in m.buttons()]
    await colleague.press(STOP, listed.message_id)
    await harness.settle()
    final = "⏹ 已停止发送（李协调 停止）：送达 0 / 2，未发送 2，被屏蔽 0，失败 0"
    assert message_text(colleague, listed.message_id) == final
    stopped = await last_broadcast(harness)
    assert stopped.progress_message_id == progress

    # The sender's progress message, stored after the stop, shows the stopped count on the
    # sender's next pass, not a running count with ⏹ until the next tick.
    await harness.deliver()
    assert message_text(sender, progress) == final
    assert next(m for m in sender.messages() if m.message_id == progress).buttons() == []
    stopped = await last_broadcast(harness)
    assert stopped.finished_at is not None
    assert all(user.messages() == [] for user in people)


async def test_a_progress_message_whose_answer_timed_out_leaves_no_live_stop_button(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Telegram posts the progress message but its answer never reaches the bot (a read
    time-out): the bot cannot know that message. The answer to 发送, which can be edited again
    safely, becomes the progress message instead, and the count ends there, once. The ⏹ of the
    message Telegram did post still stops the broadcast while it runs; pressed after the end,
    it says so and shows the final count, without ⏹."""
    unit_id = await unit(harness)
    coordinator = await person(harness, 6001, unit_id, "王协调", role=Role.COORDINATOR)
    people = [await person(harness, 6010 + n, unit_id, f"志愿者{n}") for n in range(2)]
    for user in people:
        user.started = True
    await command(harness, coordinator, "broadcast")
    await press_and_settle(harness, coordinator, "📢 发一条通知")
    await coordinator.send_text("明早 7 点集合")
    await harness.settle()
    assert harness.bot.application is not None
    calls = harness.bot.application.bot._request[1]
    monkeypatch.setattr(calls, "_read_timeout", 0.3)
    harness.emulator.timeout_delay = 1.0
    harness.emulator.inject_fault(Fault(kind="timeout", method="sendMessage", chat_id=6001))
    answer = coordinator.last().message_id
    await press_and_settle(harness, coordinator, "📤 发送")

    [progress, orphan] = sorted(m.message_id for m in coordinator.messages() if STOP in m.buttons())
    assert progress == answer and orphan > answer
    assert message_text(coordinator, answer) == "📣 发送中：已送达 0 / 2，被屏蔽 0，失败 0"
    assert (await last_broadcast(harness)).progress_message_id == answer

    await harness.deliver()
    await harness.tick()
    await harness.deliver()
    final = "✅ 发送完成（共 2 人）：送达 2，被屏蔽 0，失败 0"
    assert message_text(coordinator, answer) == final
    assert [text for text in coordinator.texts() if text == final] == [final]
    sent = await last_broadcast(harness)
    assert sent.finished_at is not None

    await coordinator.press(STOP, orphan)
    await harness.settle()
    assert coordinator.answered_callbacks[-1]["text"] == "这次发送已经完成，无需停止。"
    assert message_text(coordinator, orphan) == final
    assert [m for m in coordinator.messages() if STOP in m.buttons()] == []
    assert (await last_broadcast(harness)).stopped_at is None
    assert await _trail(harness) == []
