"""Coordinators broadcast shifts or an announcement; the progress message counts the batch."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from bot.db.models import (
    AssignmentStatus,
    Broadcast,
    Member,
    OutboxMessage,
    OutboxStatus,
    Role,
    Shift,
)
from bot.services.schedule import broadcast_progress
from tests.e2e.schedule import DAY, at, command, person, post, press_and_settle, shift, unit
from tests.e2e.swap_fixtures import seat
from tests.harness import Harness


async def _run_progress(harness: Harness) -> int:
    async with harness.session() as session:
        return await broadcast_progress.report_progress(
            session, harness.clock.now(), harness.runtime.settings
        )


async def _mark(harness: Harness, chat_id: int, status: OutboxStatus) -> None:
    async with harness.session() as session:
        await session.execute(
            update(OutboxMessage).where(OutboxMessage.chat_id == chat_id).values(status=status)
        )


async def test_coordinator_broadcasts_the_week_and_watches_the_count(harness: Harness) -> None:
    unit_id = await unit(harness)
    other = await unit(harness, "交警队")
    post_id = await post(harness, unit_id)
    open_shift = await shift(harness, post_id, DAY + dt.timedelta(days=1))
    party = await shift(harness, post_id, DAY + dt.timedelta(days=2), required_tag="党员")
    await shift(harness, post_id, DAY + dt.timedelta(days=9))  # beyond the week
    await shift(harness, await post(harness, other, "交警岗"))
    coordinator = await person(harness, 9501, unit_id, "王协调", role=Role.COORDINATOR)
    await person(harness, 9502, unit_id, "甲")
    await person(harness, 9503, unit_id, "乙", tags=("党员",), language="en")
    await person(harness, 9504, unit_id, "丙")
    await person(harness, 9505, other, "外单位")

    await command(harness, coordinator, "broadcast")
    assert "发给「城管局」的志愿者" in coordinator.last().text
    text = await press_and_settle(harness, coordinator, "📆 未来 7 天")
    assert "2 个班次，将发给 3 名志愿者" in text
    await press_and_settle(harness, coordinator, "📤 发送")
    texts = coordinator.texts()
    assert "已排队发送给 3 人" in texts[-2]
    assert texts[-1] == "📣 发送中：已送达 0 / 3，被屏蔽 0，失败 0"
    progress_id = coordinator.last().message_id

    async with harness.session() as session:
        sent = await session.scalar(select(Broadcast))
        assert sent is not None and sent.progress_message_id == progress_id
        rows = list(
            (
                await session.scalars(
                    select(OutboxMessage)
                    .where(OutboxMessage.batch == f"broadcast:{sent.id}")
                    .order_by(OutboxMessage.chat_id)
                )
            ).all()
        )
    assert [row.chat_id for row in rows] == [9502, 9503, 9504]
    plain, tagged = rows[0].payload, rows[1].payload
    assert plain["buttons"] == [[["✋ 报名 1", f"su:{open_shift}"]]]
    assert tagged["buttons"] == [
        [["✋ Sign up 1", f"su:{open_shift}"], ["✋ Sign up 2", f"su:{party}"]]
    ]
    assert "Shifts open for sign-up" in tagged["text"]

    # The sender delivers one and meets a blocked chat; the progress message is edited.
    await _mark(harness, 9502, OutboxStatus.SENT)
    await _mark(harness, 9503, OutboxStatus.BLOCKED)
    assert await _run_progress(harness) == 1
    assert await _run_progress(harness) == 0  # nothing moved, nothing edited
    await _mark(harness, 9504, OutboxStatus.PARKED)
    assert await _run_progress(harness) == 1
    edits = [row.payload for row in (await _outbox(harness, 9501))]
    # While it runs, the count keeps its ⏹ button; the final count has none.
    assert edits[0] == {
        "text": "📣 发送中：已送达 1 / 3，被屏蔽 1，失败 0",
        "edit_message_id": progress_id,
        "buttons": [[["⏹ 停止发送", f"bc.stop:{sent.id}"]]],
    }
    assert edits[1]["text"] == "✅ 发送完成（共 3 人）：送达 1，被屏蔽 1，失败 1"
    assert "buttons" not in edits[1]
    async with harness.session() as session:
        finished = await session.scalar(select(Broadcast))
        assert finished is not None and finished.finished_at is not None
    assert await _run_progress(harness) == 0


async def _outbox(harness: Harness, chat_id: int) -> list[OutboxMessage]:
    async with harness.session() as session:
        return list(
            (
                await session.scalars(
                    select(OutboxMessage)
                    .where(OutboxMessage.chat_id == chat_id)
                    .order_by(OutboxMessage.id)
                )
            ).all()
        )


async def test_admin_announces_to_every_unit(harness: Harness) -> None:
    await unit(harness)
    other = await unit(harness, "交警队")
    first = await unit(harness, "人民路社区")
    await person(harness, 9601, other, "甲")
    await person(harness, 9602, first, "乙")
    await command(harness, harness.admin, "start")
    await command(harness, harness.admin, "broadcast")
    await press_and_settle(harness, harness.admin, "🌐 所有单位")
    await press_and_settle(harness, harness.admin, "📢 发一条通知")
    await harness.admin.send_sticker()
    await harness.settle()
    assert "请用文字输入通知内容" in harness.admin.last().text
    await harness.admin.send_text("明早 7 点全员到岗，穿红马甲。")
    await harness.settle()
    assert "将发给 2 名志愿者" in harness.admin.last().text
    await press_and_settle(harness, harness.admin, "📤 发送")
    for chat_id in (9601, 9602):
        rows = await _outbox(harness, chat_id)
        assert rows[0].payload["text"] == "📢 Admin 通知：\n明早 7 点全员到岗，穿红马甲。"
        assert rows[0].batch is not None and rows[0].batch.startswith("broadcast:")


async def test_broadcast_refusals(harness: Harness) -> None:
    unit_id = await unit(harness)
    coordinator = await person(harness, 9701, unit_id, role=Role.COORDINATOR)
    volunteer = await person(harness, 9702, unit_id)
    assert "没有权限" in await command(harness, volunteer, "broadcast")
    await command(harness, coordinator, "broadcast")
    await coordinator.send_text("sometime")
    await harness.settle()
    assert "没看懂日期范围" in coordinator.last().text
    await coordinator.send_text("12-05 12-03")
    await harness.settle()
    assert "没看懂日期范围" in coordinator.last().text
    await coordinator.send_text("12-02 12-04")
    await harness.settle()
    # Nothing to send: said at once, and no Send button that would only refuse.
    text = coordinator.last().text or ""
    assert "0 个班次，将发给 0 名志愿者" in text, text
    assert text.endswith("\n这个范围里没有可发送的班次。"), text
    assert coordinator.last().buttons() == ["✖️ 取消"]
    # Another range typed at this preview: told of the one button it shows, not of 「发送」.
    await coordinator.send_text("12-03 12-05")
    await harness.settle()
    only_cancel = "这次没有可发送的：请点上面的「取消」，再用 /broadcast 重新开始。"
    assert coordinator.last().text == only_cancel
    assert await harness.count(Broadcast) == 0 and await harness.count(OutboxMessage) == 0


async def test_a_unit_nobody_could_hear_is_told_so_not_that_there_are_no_shifts(
    harness: Harness,
) -> None:
    """A new unit's coordinator broadcasts before any volunteer joined, or shifts that need a
    tag nobody holds: the refusal says who is missing, not that the range has no shifts."""
    unit_id = await unit(harness)
    post_id = await post(harness, unit_id)
    await shift(harness, post_id, DAY + dt.timedelta(days=1))
    coordinator = await person(harness, 9711, unit_id, role=Role.COORDINATOR)

    await command(harness, coordinator, "broadcast")
    await press_and_settle(harness, coordinator, "📢 发一条通知")
    await coordinator.send_text("明天开始上岗")
    await harness.settle()
    nobody = "还没有志愿者可以收到，什么都没有发送。先用 /invite 邀请志愿者加入。"
    # The preview says nobody would get it, and offers no Send.
    text = coordinator.last().text or ""
    assert text.startswith("将发给 0 名志愿者") and text.endswith("\n" + nobody), text
    assert coordinator.last().buttons() == ["✖️ 取消"]
    # A sticker there is told of the one button shown, not of 「发送」.
    await coordinator.send_sticker()
    await harness.settle()
    assert (
        coordinator.last().text
        == "这次没有可发送的：请点上面的「取消」，再用 /broadcast 重新开始。"
    )

    await command(harness, coordinator, "broadcast")
    text = await press_and_settle(harness, coordinator, "📅 明天的班次")
    assert "1 个班次，将发给 0 名志愿者" in text and text.endswith("\n" + nobody), text
    assert coordinator.last().buttons() == ["✖️ 取消"]

    # Volunteers there are, but none holds the tag the only shift asks for.
    await person(harness, 9712, unit_id)
    await shift(harness, post_id, DAY + dt.timedelta(days=2), required_tag="党员")
    await command(harness, coordinator, "broadcast")
    await coordinator.send_text("12-03 12-03")
    await harness.settle()
    text = coordinator.last().text or ""
    assert text.endswith(
        "\n本单位的志愿者都不能报名这些班次（已经在班上或在候补、时间冲突、没有要求的标签、报名还没开放等），"
        "或者不久前已经发给过他们。什么都没有发送。"
    ), text
    assert coordinator.last().buttons() == ["✖️ 取消"]
    assert await harness.count(Broadcast) == 0 and await harness.count(OutboxMessage) == 0


async def test_all_units_shifts_whose_units_have_no_volunteers_are_refused_as_such(
    harness: Harness,
) -> None:
    """An admin sends every unit tomorrow's shifts, which are all in a unit nobody has joined
    yet: the refusal says nobody could receive them, not that the volunteers (of "this unit")
    lack a tag or were sent them a short while ago, neither of which is so."""
    empty = await unit(harness)
    await shift(harness, await post(harness, empty), DAY + dt.timedelta(days=1))
    await person(harness, 9721, await unit(harness, "交警队"), "甲")
    await command(harness, harness.admin, "start")
    await command(harness, harness.admin, "broadcast")
    await press_and_settle(harness, harness.admin, "🌐 所有单位")
    text = await press_and_settle(harness, harness.admin, "📅 明天的班次")
    nobody = "还没有志愿者可以收到，什么都没有发送。先用 /invite 邀请志愿者加入。"
    assert text.endswith("\n" + nobody), text
    assert harness.admin.last().buttons() == ["✖️ 取消"]
    assert await harness.count(Broadcast) == 0 and await harness.count(OutboxMessage) == 0


async def test_each_volunteer_gets_only_shifts_they_may_sign_up_for_and_the_preview_counts_them(
    harness: Harness,
) -> None:
    """After a rota, a coordinator broadcasts the week: nobody is asked to sign up for a shift
    they already hold or wait on, nor one that clashes with a seat they hold; whoever would be
    left with nothing gets no message, and the preview counts only those who get one."""
    unit_id = await unit(harness)
    post_id = await post(harness, unit_id)
    other_post = await post(harness, unit_id, "人民路-长江路口")
    first = await shift(harness, post_id, DAY + dt.timedelta(days=1), capacity=1)
    second = await shift(harness, post_id, DAY + dt.timedelta(days=2))
    clashing = await shift(harness, other_post, DAY + dt.timedelta(days=2), start=8, end=10)
    third = await shift(harness, post_id, DAY + dt.timedelta(days=3))
    coordinator = await person(harness, 9801, unit_id, "王协调", role=Role.COORDINATOR)
    await person(harness, 9802, unit_id, "甲")  # holds three shifts, the fourth clashes
    await person(harness, 9803, unit_id, "乙")  # waits on the first, holds the clashing one
    await person(harness, 9804, unit_id, "丙")  # free all week
    for shift_id in (first, second, third):
        await seat(harness, shift_id, 9802)
    await seat(harness, first, 9803, AssignmentStatus.WAITLISTED)
    await seat(harness, clashing, 9803)

    await command(harness, coordinator, "broadcast")
    text = await press_and_settle(harness, coordinator, "📆 未来 7 天")
    assert "4 个班次，将发给 2 名志愿者" in text, text
    await press_and_settle(harness, coordinator, "📤 发送")
    assert "已排队发送给 2 人" in coordinator.texts()[-2]

    assert await _outbox(harness, 9802) == []
    (yi,) = await _outbox(harness, 9803)
    assert yi.payload["buttons"] == [[["✋ 报名 1", f"su:{third}"]]]
    assert yi.payload["text"].count("\n") == 1  # the header and the one shift
    (bing,) = await _outbox(harness, 9804)
    assert bing.payload["buttons"] == [
        [
            ["⏳ 候补 1", f"su:{first}"],
            ["✋ 报名 2", f"su:{second}"],
            ["✋ 报名 3", f"su:{clashing}"],
            ["✋ 报名 4", f"su:{third}"],
        ]
    ]


async def test_a_broadcast_sent_in_the_quiet_hours_says_when_it_will_go_out(
    harness: Harness,
) -> None:
    """22:30: the coordinator announces tomorrow's gathering. The messages wait for the quiet
    hours to end, and both the preview and the answer to Send say so: a progress count stuck at
    0 all night, unexplained, looks like a broken broadcast."""
    unit_id = await unit(harness)
    coordinator = await person(harness, 9901, unit_id, "王协调", role=Role.COORDINATOR)
    volunteer = await person(harness, 9902, unit_id, "甲")
    volunteer.started = True
    quiet = "🌙 现在是免打扰时段，消息会在 07:00 之后发出。"

    harness.clock.set(at(DAY, 21, 0))  # outside the quiet hours: nothing said
    await command(harness, coordinator, "broadcast")
    await press_and_settle(harness, coordinator, "📢 发一条通知")
    await coordinator.send_text("明早 7 点集合")
    await harness.settle()
    assert "🌙" not in (coordinator.last().text or "")
    await press_and_settle(harness, coordinator, "✖️ 取消")

    harness.clock.set(at(DAY, 22, 30))
    await command(harness, coordinator, "broadcast")
    await press_and_settle(harness, coordinator, "📢 发一条通知")
    await coordinator.send_text("明早 7 点集合")
    await harness.settle()
    assert (coordinator.last().text or "").endswith("\n" + quiet)
    await press_and_settle(harness, coordinator, "📤 发送")
    assert coordinator.texts()[-2].endswith("\n" + quiet)
    await harness.deliver()
    assert volunteer.texts() == []
    harness.clock.set(at(DAY + dt.timedelta(days=1), 7, 0))
    await harness.deliver()
    assert volunteer.texts() == ["📢 王协调 通知：\n明早 7 点集合"]


async def test_shifts_with_long_notes_come_in_one_message_telegram_takes(harness: Harness) -> None:
    """A week of shifts each with a long note (what to wear, whom to call, where to meet):
    eight of them were more than Telegram's 4096 characters, the message was refused and the
    volunteer got nothing. The list now holds the shifts that fit and counts the rest."""
    unit_id = await unit(harness)
    post_id = await post(harness, unit_id)
    note = "请穿红马甲、戴小红帽，提前十分钟到岗，带好小红旗和哨子。" * 17  # under 500
    ids = [
        await shift(harness, post_id, DAY + dt.timedelta(days=day), start, start + 2)
        for day in range(1, 5)
        for start in (7, 17)
    ]
    async with harness.session() as session:
        for row in await session.scalars(select(Shift).where(Shift.id.in_(ids))):
            row.notes = note
    coordinator = await person(harness, 9911, unit_id, "王协调", role=Role.COORDINATOR)
    volunteer = await person(harness, 9912, unit_id, "甲")
    volunteer.started = True
    await command(harness, coordinator, "broadcast")
    await press_and_settle(harness, coordinator, "📆 未来 7 天")
    await press_and_settle(harness, coordinator, "📤 发送")
    await harness.deliver()
    (message,) = volunteer.messages()
    text = message.text or ""
    shown = len(message.buttons())
    assert 0 < shown < 8 and len(text) <= 4096
    assert text.endswith(f"……还有 {8 - shown} 个，发送 /shifts 查看全部。")
    (row,) = await _outbox(harness, 9912)
    assert row.status is OutboxStatus.SENT


async def test_the_preview_names_the_volunteers_who_blocked_the_bot(harness: Harness) -> None:
    """Two of the unit's volunteers blocked the bot weeks ago: no broadcast reaches them, and
    the preview used to leave them out without a word. It names them, to be phoned."""
    unit_id = await unit(harness)
    await shift(harness, await post(harness, unit_id), DAY + dt.timedelta(days=1))
    coordinator = await person(harness, 9921, unit_id, "王协调", role=Role.COORDINATOR)
    for user_id, name in ((9922, "甲"), (9923, "乙"), (9924, "丙")):
        await person(harness, user_id, unit_id, name)
    async with harness.session() as session:
        await session.execute(
            update(Member).where(Member.telegram_id.in_((9923, 9924))).values(blocked_bot=True)
        )
    blocked = "📵 另有 2 名志愿者屏蔽了机器人，收不到：乙、丙。请电话通知。"

    await command(harness, coordinator, "broadcast")
    text = await press_and_settle(harness, coordinator, "📅 明天的班次")
    assert "1 个班次，将发给 1 名志愿者" in text and text.endswith("\n" + blocked), text
    await press_and_settle(harness, coordinator, "✖️ 取消")
    await command(harness, coordinator, "broadcast")
    await press_and_settle(harness, coordinator, "📢 发一条通知")
    await coordinator.send_text("明早集合")
    await harness.settle()
    text = coordinator.last().text or ""
    assert text.startswith("将发给 1 名志愿者") and text.endswith("\n" + blocked), text


async def test_a_volunteer_who_blocks_the_bot_is_named_in_the_next_preview(
    harness: Harness,
) -> None:
    """Telegram tells the bot at once when someone blocks it: the next preview names them and
    leaves them out, rather than count them until a message to them is refused; their
    coordinator is told once. Unblocking it makes them reachable again. Blocked again at 23:00
    and unblocked at 23:05, the word to the coordinator, held by the quiet hours, is not sent
    at 07:00: they can be reached again."""
    unit_id = await unit(harness)
    await shift(harness, await post(harness, unit_id), DAY + dt.timedelta(days=1))
    coordinator = await person(harness, 9941, unit_id, "王协调", role=Role.COORDINATOR)
    reader = await person(harness, 9942, unit_id, "甲")
    blocker = await person(harness, 9943, unit_id, "乙")
    coordinator.started = reader.started = blocker.started = True

    await blocker.block_bot()
    await harness.settle()
    await harness.deliver()
    member = await harness.member(9943)
    assert member is not None and member.blocked_bot
    assert coordinator.texts() == [
        "⚠️ 无法联系到「乙」（手机 +8613800000000）：对方已屏蔽机器人或注销了账号，"
        "后续提醒和通知都收不到。请用电话联系。"
    ]
    await command(harness, coordinator, "broadcast")
    text = await press_and_settle(harness, coordinator, "📅 明天的班次")
    assert "1 个班次，将发给 1 名志愿者" in text, text
    assert text.endswith("\n📵 另有 1 名志愿者屏蔽了机器人，收不到：乙。请电话通知。"), text
    await press_and_settle(harness, coordinator, "📤 发送")
    await harness.deliver()
    assert harness.emulator.refused("sendMessage") == []
    assert blocker.messages() == [] and len(reader.messages()) == 1
    assert await _outbox(harness, 9943) == []

    await blocker.unblock_bot()
    await harness.settle()
    member = await harness.member(9943)
    assert member is not None and not member.blocked_bot

    harness.clock.set(at(DAY, 23))
    await blocker.block_bot()
    await harness.settle()
    harness.clock.set(at(DAY, 23, 5))
    await blocker.unblock_bot()
    await harness.settle()
    harness.clock.set(at(DAY + dt.timedelta(days=1), 7))
    await harness.deliver()
    assert [text for text in coordinator.texts() if "无法联系到" in text] == [
        coordinator.texts()[0]
    ], coordinator.texts()
    [held] = [
        row for row in await _outbox(harness, 9941) if row.idempotency_key.startswith("unreach")
    ][1:]
    assert held.status is OutboxStatus.DROPPED

    # Blocked again at 23:00 and removed from the unit at 23:10: the word held by the quiet
    # hours is not sent at 07:00 either, they are no longer the coordinator's to phone.
    harness.clock.set(at(DAY + dt.timedelta(days=1), 23))
    await blocker.block_bot()
    await harness.settle()
    harness.clock.set(at(DAY + dt.timedelta(days=1), 23, 10))
    await command(harness, coordinator, "members")
    await press_and_settle(harness, coordinator, "乙")
    await press_and_settle(harness, coordinator, "🚪 移出本单位")
    await press_and_settle(harness, coordinator, "是，移出本单位")
    harness.clock.set(at(DAY + dt.timedelta(days=2), 7))
    await harness.deliver()
    assert len([text for text in coordinator.texts() if "无法联系到" in text]) == 1
    *_, again = [
        row for row in await _outbox(harness, 9941) if row.idempotency_key.startswith("unreach")
    ]
    assert again.status is OutboxStatus.DROPPED and again.id != held.id


async def test_word_of_a_block_after_a_refused_message_leaves_them_unreachable(
    harness: Harness,
) -> None:
    """A message to them was refused first (they blocked the bot while it was down); Telegram's
    word of the block comes after it: they stay unreachable, their coordinator told no more."""
    unit_id = await unit(harness)
    coordinator = await person(harness, 9946, unit_id, "王协调", role=Role.COORDINATOR)
    blocker = await person(harness, 9947, unit_id, "乙")
    coordinator.started = True
    async with harness.session() as session:
        await session.execute(
            update(Member).where(Member.telegram_id == 9947).values(blocked_bot=True)
        )
    await blocker.block_bot()
    await harness.settle()
    await harness.deliver()
    member = await harness.member(9947)
    assert member is not None and member.blocked_bot
    assert coordinator.texts() == []


async def test_an_announcement_to_someone_who_left_meanwhile_is_counted_unsent_not_failed(
    harness: Harness,
) -> None:
    """Sent in the quiet hours, the announcement waits; a volunteer leaves the unit overnight,
    and what waited for them is dropped. The count says it was not sent to one who left, not
    that it failed."""
    unit_id = await unit(harness)
    coordinator = await person(harness, 9961, unit_id, "王协调", role=Role.COORDINATOR)
    stays = await person(harness, 9962, unit_id, "甲")
    leaves = await person(harness, 9963, unit_id, "乙")
    stays.started = leaves.started = True
    harness.clock.set(at(DAY, 23))
    await command(harness, coordinator, "broadcast")
    await press_and_settle(harness, coordinator, "📢 发一条通知")
    await coordinator.send_text("明早集合")
    await harness.settle()
    await press_and_settle(harness, coordinator, "📤 发送")
    await command(harness, leaves, "me")
    await press_and_settle(harness, leaves, "🚪 退出本单位")
    await press_and_settle(harness, leaves, "是，退出本单位")

    harness.clock.set(at(DAY + dt.timedelta(days=1), 7, 1))
    await harness.tick()
    harness.clock.advance(seconds=5)
    await harness.tick()
    assert coordinator.texts()[-1] == (
        "✅ 发送完成（共 2 人）：送达 1，被屏蔽 0，失败 0，未发送 1（对方已离开单位）"
    )
    assert [row.status for row in await _outbox(harness, 9963)] == [OutboxStatus.DROPPED]
    assert len(stays.messages()) == 1


async def test_an_edited_photo_caption_is_not_taken_for_the_announcement(
    harness: Harness,
) -> None:
    """A photo's caption edited while one's announcement waits for the quiet hours to end is
    not its text: the edit is told it is not read, as any other, with no ⏹."""
    unit_id = await unit(harness)
    coordinator = await person(harness, 9971, unit_id, "王协调", role=Role.COORDINATOR)
    (await person(harness, 9972, unit_id, "甲")).started = True
    harness.clock.set(at(DAY, 23))
    photo = await coordinator.send_photo(caption="路口")
    await harness.settle()
    await command(harness, coordinator, "broadcast")
    await press_and_settle(harness, coordinator, "📢 发一条通知")
    await coordinator.send_text("明早集合")
    await harness.settle()
    await press_and_settle(harness, coordinator, "📤 发送")
    await coordinator.edit_caption(photo["message_id"], "路口东")
    await harness.settle()
    assert coordinator.last().text == (
        "您修改了一条已经发出的消息，修改不会被处理。如需更正，请重新发送。"
    )
    assert coordinator.last().buttons() == []


async def test_pinning_a_question_or_the_count_is_not_answered(harness: Harness) -> None:
    """Telegram tells the bot when someone pins a message in its chat (a service message): the
    coordinator who pins the question or the running count is not told "not understood", and
    the question keeps its ✖️."""
    unit_id = await unit(harness)
    coordinator = await person(harness, 9951, unit_id, "王协调", role=Role.COORDINATOR)
    (await person(harness, 9952, unit_id, "甲")).started = True
    await command(harness, coordinator, "broadcast")
    await press_and_settle(harness, coordinator, "📢 发一条通知")
    question = coordinator.last()
    await coordinator.pin(question.message_id)
    await harness.settle()
    assert coordinator.last().message_id == question.message_id
    assert coordinator.last().buttons() == ["✖️ 取消"]
    await coordinator.send_text("明早七点集合")
    await harness.settle()
    await press_and_settle(harness, coordinator, "📤 发送")
    count = coordinator.last()
    assert (count.text or "").startswith("📣 发送中"), count.text
    await coordinator.pin(count.message_id)
    await harness.settle()
    assert coordinator.last().message_id == count.message_id
    assert await harness.count(Broadcast) == 1


async def test_the_preview_of_shifts_names_only_blocked_volunteers_they_were_for(
    harness: Harness,
) -> None:
    """An admin sends tomorrow's shifts of one unit to all units: the blocked volunteers of a
    unit with no shift tomorrow, or already on the one shift, would get nothing anyway; nobody
    needs to phone them about it."""
    traffic = await unit(harness, "交警大队")
    quiet = await unit(harness, "文明办")
    tomorrow = await shift(harness, await post(harness, traffic), DAY + dt.timedelta(days=1))
    admin = await person(harness, 9931, traffic, "管理员", role=Role.ADMIN)
    await person(harness, 9932, traffic, "甲")
    await person(harness, 9933, traffic, "乙")
    await person(harness, 9934, traffic, "丁")
    await person(harness, 9935, quiet, "丙")
    await seat(harness, tomorrow, 9934)
    async with harness.session() as session:
        await session.execute(
            update(Member)
            .where(Member.telegram_id.in_((9933, 9934, 9935)))
            .values(blocked_bot=True)
        )

    await command(harness, admin, "broadcast")
    await press_and_settle(harness, admin, "🌐 所有单位")
    text = await press_and_settle(harness, admin, "📅 明天的班次")
    assert "1 个班次，将发给 1 名志愿者" in text, text
    assert text.endswith("\n📵 另有 1 名志愿者屏蔽了机器人，收不到：乙。请电话通知。"), text


async def test_a_preview_whose_every_volunteer_blocked_the_bot_says_so_and_offers_no_send(
    harness: Harness,
) -> None:
    """Every volunteer of the unit blocked the bot: the preview says nobody would get it
    because of that, names them to be phoned, and has no Send button."""
    unit_id = await unit(harness)
    await shift(harness, await post(harness, unit_id), DAY + dt.timedelta(days=1))
    coordinator = await person(harness, 9931, unit_id, "王协调", role=Role.COORDINATOR)
    for user_id, name in ((9932, "乙"), (9933, "丙")):
        await person(harness, user_id, unit_id, name)
    async with harness.session() as session:
        await session.execute(
            update(Member).where(Member.telegram_id.in_((9932, 9933))).values(blocked_bot=True)
        )
    nobody = "能收到的志愿者一个也没有：他们都屏蔽了机器人。什么都不会发送，请电话通知。"
    blocked = "📵 另有 2 名志愿者屏蔽了机器人，收不到：乙、丙。请电话通知。"

    await command(harness, coordinator, "broadcast")
    text = await press_and_settle(harness, coordinator, "📅 明天的班次")
    assert "1 个班次，将发给 0 名志愿者" in text, text
    assert text.endswith(f"\n{nobody}\n{blocked}"), text
    assert coordinator.last().buttons() == ["✖️ 取消"]
    await press_and_settle(harness, coordinator, "✖️ 取消")
    await command(harness, coordinator, "broadcast")
    await press_and_settle(harness, coordinator, "📢 发一条通知")
    await coordinator.send_text("明早集合")
    await harness.settle()
    text = coordinator.last().text or ""
    assert text.startswith("将发给 0 名志愿者") and text.endswith(f"\n{nobody}\n{blocked}"), text
    assert coordinator.last().buttons() == ["✖️ 取消"]
    assert await harness.count(Broadcast) == 0 and await harness.count(OutboxMessage) == 0


async def test_a_range_starting_days_ago_is_this_years_and_said_to_be_past(
    harness: Harness,
) -> None:
    """On 12月1日 the coordinator types days just gone by. 11-28 11-30 is not next November's
    (a year-long wait for a preview of nothing): it is said to be over; 11-30 12-03 runs from
    today, as its preview says; a date of next year still reads forward."""
    unit_id = await unit(harness)
    post_id = await post(harness, unit_id)
    await shift(harness, post_id, DAY + dt.timedelta(days=2))
    coordinator = await person(harness, 9721, unit_id, "王协调", role=Role.COORDINATOR)
    await person(harness, 9722, unit_id)

    await command(harness, coordinator, "broadcast")
    for typed in ("11-28 11-30", "11月28日到11月30日", "11-30"):
        await coordinator.send_text(typed)
        await harness.settle()
        text = coordinator.last().text or ""
        assert "这段时间已经过去了" in text and "2027" not in text, (typed, text)
        # Asked again with the step's choices: the buttons are below the words.
        assert "📅 明天的班次" in coordinator.last().buttons()
        assert coordinator.last().buttons()[-1] == "✖️ 取消"
    await coordinator.send_text("11-30 12-03")
    await harness.settle()
    text = coordinator.last().text or ""
    assert text.startswith("2026年12月1日 至 2026年12月3日：1 个班次，将发给 1 名志愿者"), text
    assert await harness.count(Broadcast) == 0

    await command(harness, coordinator, "broadcast")
    await coordinator.send_text("01-04 01-06")
    await harness.settle()
    assert (coordinator.last().text or "").startswith("2027年1月4日 至 2027年1月6日")
