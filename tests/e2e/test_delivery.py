"""The outbox sender against the emulator: what arrives, at what pace, and what each kind of
Telegram refusal does to the message and to the member."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot
from telegram.request import HTTPXRequest

import bot.sender
from bot.buttons import JoinWaitlist, SignUp
from bot.db.models import OutboxMessage, OutboxStatus
from bot.emulator import Fault, FloodLimits
from bot.sender import MAX_ATTEMPTS, Sender
from bot.services.platform import outbox
from bot.services.platform.outbox import Message, Redraw
from bot.services.platform.redraw import Subject
from bot.settings import Settings
from tests.e2e.journeys import create_unit, invite_code, join
from tests.harness import Harness

SHANGHAI_NIGHT = dt.datetime(2026, 12, 1, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))


async def queue(
    harness: Harness,
    key: str,
    chat_id: int,
    body: dict[str, object],
    *,
    urgent: bool = False,
    batch: str | None = None,
) -> None:
    async with harness.session() as session:
        assert await outbox.enqueue(
            session,
            key=key,
            chat_id=chat_id,
            body=body,
            now=harness.clock.now(),
            urgent=urgent,
            batch=batch,
        )


async def rows(harness: Harness) -> dict[str, OutboxMessage]:
    async with harness.session() as session:
        found = (await session.scalars(select(OutboxMessage))).all()
    return {row.idempotency_key: row for row in found}


async def test_text_buttons_edit_and_same_key_once(harness: Harness) -> None:
    person = harness.user(4001, "甲")
    person.started = True
    buttons = [[("报名", SignUp(1)), ("跳过", JoinWaitlist(1))]]
    await queue(harness, "hello", 4001, outbox.payload("你好", buttons=buttons))
    async with harness.session() as session:
        body = outbox.payload("again")
        now = harness.clock.now()
        again = await outbox.enqueue(session, key="hello", chat_id=4001, body=body, now=now)
    assert again is False
    await harness.deliver()
    assert person.texts() == ["你好"] and person.last().buttons() == ["报名", "跳过"]

    edit = outbox.payload("已发送 1/1", edit_message_id=person.last().message_id)
    await queue(harness, "hello:edit", 4001, edit)
    await harness.deliver()
    assert person.texts() == ["已发送 1/1"] and person.last().edited
    assert {key: row.status for key, row in (await rows(harness)).items()} == {
        "hello": OutboxStatus.SENT,
        "hello:edit": OutboxStatus.SENT,
    }


async def test_photo_document_album_and_location_button(harness: Harness, tmp_path: Path) -> None:
    person = harness.user(4002, "乙")
    person.started = True
    chart = tmp_path / "chart.png"
    chart.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 64)
    sheet = tmp_path / "ledger.xlsx"
    sheet.write_bytes(b"PK\x03\x04" + b"1" * 64)
    await queue(harness, "p", 4002, outbox.payload("今日图表", photo_path=str(chart)))
    await queue(
        harness,
        "d",
        4002,
        outbox.payload("台账", document_path=str(sheet), filename="ledger.xlsx"),
    )
    await harness.deliver()
    photo, document = person.messages()
    assert photo.kind == "photo" and photo.caption == "今日图表"
    assert document.kind == "document" and document.file_name == "ledger.xlsx"
    assert harness.emulator.file_bytes(str(document.file_id)) == sheet.read_bytes()

    await queue(harness, "album", 4002, outbox.payload("照片墙", media=[photo.file_id] * 3))
    await queue(harness, "loc", 4002, outbox.payload("签到已开放", location_button="📍 发送位置"))
    await harness.deliver()
    assert [m.kind for m in person.messages()[2:5]] == ["media_group_item"] * 3
    keyboard = person.reply_keyboard()
    assert keyboard is not None and keyboard[0][0]["request_location"] is True
    # A message that takes the reply keyboard away.
    await queue(harness, "gone", 4002, outbox.payload("已结束", remove_keyboard=True))
    await harness.deliver()
    assert person.last().text == "已结束" and person.reply_keyboard() is None


async def test_blocked_member_is_marked_and_coordinator_told_once(harness: Harness) -> None:
    await create_unit(harness, "城管局")
    coordinator = harness.user(4101, "协调")
    coordinator_code = await invite_code(harness, harness.admin, None, "协调员")
    await join(harness, coordinator, coordinator_code, "周协调")
    volunteer = harness.user(4102, "志愿")
    volunteer_code = await invite_code(harness, coordinator, None, "志愿者")
    await join(harness, volunteer, volunteer_code, "吴志愿")
    before = len(coordinator.messages())
    harness.emulator.blocked_users.add(4102)

    await queue(harness, "r1", 4102, outbox.payload("明天 7:00 上岗"))
    await queue(harness, "r2", 4102, outbox.payload("还有 30 分钟"))
    await harness.deliver()

    stored = await rows(harness)
    assert stored["r1"].status == stored["r2"].status == OutboxStatus.BLOCKED
    assert "blocked" in (stored["r1"].last_error or "")
    member = await harness.member(4102)
    assert member is not None and member.blocked_bot
    told = coordinator.texts()[before:]
    assert len(told) == 1 and "吴志愿" in told[0] and "无法联系" in told[0]

    # Writing to the bot again shows they are back.
    harness.emulator.blocked_users.discard(4102)
    await volunteer.send_command("me")
    await harness.settle()
    member = await harness.member(4102)
    assert member is not None and not member.blocked_bot


async def test_bad_request_is_parked_with_its_reason(harness: Harness) -> None:
    """("chat not found" is not parked: the chat is gone, test_delivery_chat_not_found.py.)"""
    person = harness.user(4242, "某")
    person.started = True
    reason = "Bad Request: message text is empty"
    harness.emulator.inject_fault(Fault(kind="400", chat_id=4242, description=reason))
    await queue(harness, "nobody", 4242, outbox.payload("anyone?"))
    await harness.deliver()
    row = (await rows(harness))["nobody"]
    assert row.status == OutboxStatus.PARKED and "text is empty" in (row.last_error or "").lower()
    assert row.attempts == 0


async def test_429_pauses_only_its_chat(harness: Harness) -> None:
    slow, other = harness.user(4301, "慢"), harness.user(4302, "快")
    slow.started = other.started = True
    harness.emulator.inject_fault(Fault(kind="429", chat_id=4301, retry_after=7))
    await queue(harness, "s1", 4301, outbox.payload("一"))
    await queue(harness, "s2", 4301, outbox.payload("二"))
    await queue(harness, "o1", 4302, outbox.payload("甲"))
    start = harness.clock.now()

    await harness.deliver()

    assert other.texts() == ["甲"]
    assert slow.texts() == ["一", "二"]  # in order, after the pause
    assert harness.clock.now() - start >= dt.timedelta(seconds=7)
    assert all(row.status == OutboxStatus.SENT for row in (await rows(harness)).values())
    assert (await rows(harness))["s1"].attempts == 0


async def test_server_errors_and_timeouts_are_retried_with_backoff(harness: Harness) -> None:
    person = harness.user(4401, "丙")
    person.started = True
    harness.emulator.inject_fault(Fault(kind="502", chat_id=4401))
    await queue(harness, "m", 4401, outbox.payload("换岗通知"))
    await harness.deliver()
    row = (await rows(harness))["m"]
    assert person.texts() == []
    assert row.status == OutboxStatus.PENDING and row.attempts == 1
    assert "Bad Gateway" in (row.last_error or "")

    harness.clock.set(row.not_before)
    await harness.deliver()
    assert person.texts() == ["换岗通知"]
    assert (await rows(harness))["m"].status == OutboxStatus.SENT


async def test_a_message_that_keeps_failing_is_parked_not_looped(harness: Harness) -> None:
    person = harness.user(4402, "丁")
    person.started = True
    harness.emulator.inject_fault(Fault(kind="500", chat_id=4402, count=MAX_ATTEMPTS))
    await queue(harness, "m", 4402, outbox.payload("x"))
    for _ in range(MAX_ATTEMPTS):
        await harness.deliver()
        row = (await rows(harness))["m"]
        if row.status != OutboxStatus.PENDING:
            break
        harness.clock.set(row.not_before)
    row = (await rows(harness))["m"]
    assert row.status == OutboxStatus.PARKED and f"after {MAX_ATTEMPTS} attempts" in (
        row.last_error or ""
    )
    assert person.texts() == []


async def test_flood_limits_are_respected_without_a_single_429(harness: Harness) -> None:
    harness.emulator.flood_limits = FloodLimits.telegram()
    busy = harness.user(4500, "忙")
    busy.started = True
    others = [harness.user(4501 + n, f"人{n}") for n in range(60)]
    for person in others:
        person.started = True
    for n in range(8):
        await queue(harness, f"busy:{n}", 4500, outbox.payload(f"第{n}条"), batch="b")
    for person in others:
        body = outbox.payload("通知")
        await queue(harness, f"o:{person.user_id}", person.user_id, body, batch="b")
    start = harness.clock.now()

    await harness.deliver()

    assert harness.emulator.rejected_429 == 0
    assert busy.texts() == [f"第{n}条" for n in range(8)]
    assert all(person.texts() == ["通知"] for person in others)
    # 68 messages at 30/s overall, and 8 to one chat at 1/s after a burst of 3.
    assert harness.clock.now() - start >= dt.timedelta(seconds=5)
    async with harness.session() as session:
        counts = await outbox.batch_counts(session, "b")
    assert counts == {OutboxStatus.SENT: 68}


async def test_a_group_gets_at_most_20_messages_in_any_minute_without_a_429(
    harness: Harness,
) -> None:
    """45 notices for one group at once (the tallies of a busy morning): Telegram takes at
    most 20 a minute in a group, counted over any 60 seconds, so they go in three minutes'
    worth, each in order, and Telegram never has to refuse one. A pacer that let a burst of
    20 go and then one every 3 s (a bucket) would earn a 429 on the 21st."""
    harness.emulator.flood_limits = FloodLimits.telegram()
    group = harness.emulator.group(-100_4500, "城管局执勤群")
    for n in range(45):
        await queue(harness, f"g:{n}", group.chat_id, outbox.payload(f"第{n}条"), batch="g")
    start = harness.clock.now()

    await harness.deliver()

    assert harness.emulator.rejected_429 == 0
    assert [message.text for message in group.messages()] == [f"第{n}条" for n in range(45)]
    sent_at = [message.date for message in group.messages()]
    for index, first in enumerate(sent_at):
        within_a_minute = [at for at in sent_at[index:] if at - first < 60]
        assert len(within_a_minute) <= 20, (index, len(within_a_minute))
    # 18 a minute (20 less a margin for latency): the last ones go in the third minute.
    assert harness.clock.now() - start >= dt.timedelta(minutes=2)
    async with harness.session() as session:
        assert await outbox.batch_counts(session, "g") == {OutboxStatus.SENT: 45}


async def test_a_groups_photo_wall_counts_one_message_per_photo_without_a_429(
    harness: Harness,
) -> None:
    """Telegram sends an album's photos as messages of their own, each counted against the
    group's 20 a minute: 12 notices, a morning's wall of 10 photos and 12 more notices are 34
    messages, not 25, and go without Telegram ever refusing one."""
    harness.emulator.flood_limits = FloodLimits.telegram()
    group = harness.emulator.group(-100_4600, "城管局执勤群")
    wall = [harness.emulator.world.new_file(bytes([n]) * 32, "photo").file_id for n in range(10)]
    for n in range(12):
        await queue(harness, f"a:{n}", group.chat_id, outbox.payload(f"第{n}条"), batch="w")
    await queue(harness, "wall", group.chat_id, outbox.payload("照片墙", media=wall), batch="w")
    for n in range(12, 24):
        await queue(harness, f"a:{n}", group.chat_id, outbox.payload(f"第{n}条"), batch="w")

    await harness.deliver()

    assert harness.emulator.rejected_429 == 0
    texts = [message.text or message.caption for message in group.messages()]
    assert len(texts) == 34 and texts[12] == "照片墙" and texts[-1] == "第23条"
    sent_at = [message.date for message in group.messages()]
    for index, first in enumerate(sent_at):
        within_a_minute = [at for at in sent_at[index:] if at - first < 60]
        assert len(within_a_minute) <= 20, (index, len(within_a_minute))
    async with harness.session() as session:
        assert await outbox.batch_counts(session, "w") == {OutboxStatus.SENT: 25}


async def test_quiet_hours_defer_ordinary_messages_but_not_urgent_ones(harness: Harness) -> None:
    person = harness.user(4601, "戊")
    person.started = True
    harness.clock.set(SHANGHAI_NIGHT)
    await queue(harness, "weekly", 4601, outbox.payload("本周小结"))
    await queue(harness, "urgent", 4601, outbox.payload("您的岗位已开始，还没签到"), urgent=True)
    await harness.deliver()
    assert person.texts() == ["您的岗位已开始，还没签到"]

    harness.clock.set(SHANGHAI_NIGHT + dt.timedelta(hours=8))  # 07:30
    await harness.deliver()
    assert person.texts() == ["您的岗位已开始，还没签到", "本周小结"]


async def test_timeouts_are_retried_and_nothing_is_lost(harness: Harness) -> None:
    """A send whose answer never comes is tried again later. A lost request arrives once; a
    request that went through but whose answer was lost arrives again (Telegram has no
    idempotent send), and either way the message ends sent, without looping."""
    lost, late = harness.user(4701, "己"), harness.user(4702, "庚")
    lost.started = late.started = True
    harness.emulator.timeout_delay = 0.5
    token = harness.runtime.settings.bot_token
    bot = Bot(token, base_url=harness.emulator.base_url, request=HTTPXRequest(read_timeout=0.2))
    async with bot:
        sender = Sender(bot, harness.runtime)
        harness.emulator.inject_fault(Fault(kind="timeout", chat_id=4701, effective=False))
        harness.emulator.inject_fault(Fault(kind="timeout", chat_id=4702))
        await queue(harness, "lost", 4701, outbox.payload("明早 7:00 上岗"))
        await queue(harness, "late", 4702, outbox.payload("签到已开放"))
        await sender.pass_once()
        stored = await rows(harness)
        for key in ("lost", "late"):
            assert stored[key].status == OutboxStatus.PENDING and stored[key].attempts == 1
            assert "TimedOut" in (stored[key].last_error or "")
        assert lost.texts() == [] and late.texts() == ["签到已开放"]

        harness.clock.set(max(row.not_before for row in stored.values()))
        await sender.pass_once()
        assert (await sender.pass_once()).attempted == 0
    assert lost.texts() == ["明早 7:00 上岗"]
    assert late.texts() == ["签到已开放", "签到已开放"]
    assert {row.status for row in (await rows(harness)).values()} == {OutboxStatus.SENT}


async def test_a_broadcast_of_3000_messages_keeps_to_telegrams_limits(harness: Harness) -> None:
    harness.emulator.flood_limits = FloodLimits.telegram()
    people = [harness.user(800_000 + n, f"志愿者{n}") for n in range(3000)]
    for person in people:
        person.started = True
    async with harness.session() as session:
        for person in people:
            await outbox.enqueue(
                session,
                key=f"b3000:{person.user_id}",
                chat_id=person.user_id,
                body=outbox.payload("本周岗位已发布"),
                now=harness.clock.now(),
                batch="b3000",
            )
    start = harness.clock.now()

    await harness.deliver()

    assert harness.emulator.rejected_429 == 0
    assert all(person.texts() == ["本周岗位已发布"] for person in people)
    async with harness.session() as session:
        assert await outbox.batch_counts(session, "b3000") == {OutboxStatus.SENT: 3000}
    # 3,000 messages at 30 a second take 100 seconds on the clock, and not much more.
    elapsed = (harness.clock.now() - start).total_seconds()
    assert 99 <= elapsed <= 110, elapsed


async def test_admins_see_the_outbox_with_the_reasons_of_parked_messages(harness: Harness) -> None:
    person = harness.user(4801, "辛")
    person.started = True
    await queue(harness, "ok", 4801, outbox.payload("明早 7:00 上岗"))
    harness.user(4242, "某").started = True
    refusal = Fault(kind="400", chat_id=4242, description="Bad Request: message is too long")
    harness.emulator.inject_fault(refusal)
    await queue(harness, "nobody", 4242, outbox.payload("给不存在的聊天"))
    await queue(harness, "later", 4801, outbox.payload("下周的班次"))
    async with harness.session() as session:
        await outbox.retry_at(
            session,
            (await rows(harness))["later"].id,
            harness.clock.now() + dt.timedelta(hours=1),
            "waits",
            attempt=False,
        )
    await harness.deliver()

    await harness.admin.send_command("outbox")
    await harness.settle()
    text = harness.admin.last().text or ""
    assert text.startswith("📮 发送队列\n待发送：1（已到时间 0）\n已发送：1\n")
    assert "搁置（Telegram 拒收，不再重试）：1" in text
    assert (
        "• 2026年12月1日 08:00 → 4242：Message is too long" in text and "「给不存在的聊天」" in text
    )

    # Only admins: a volunteer is refused and nothing changes.
    await create_unit(harness, "城管局")
    volunteer = harness.user(4802, "壬")
    await join(harness, volunteer, await invite_code(harness, harness.admin, None, "志愿者"), "壬")
    await volunteer.send_command("outbox")
    await harness.settle()
    assert "发送队列" not in (volunteer.last().text or "")
    assert (await rows(harness))["later"].status == OutboxStatus.PENDING


async def test_a_message_past_its_expiry_is_dropped_not_sent(harness: Harness) -> None:
    """Retries can push a message about a moment (a shift's start) past that moment; then it
    is dropped, and says so, rather than arrive when it no longer makes sense."""
    person = harness.user(4901, "癸")
    person.started = True
    harness.emulator.inject_fault(Fault(kind="502", chat_id=4901, count=3))
    expires = harness.clock.now() + dt.timedelta(seconds=30)
    await queue(harness, "soon", 4901, outbox.payload("10 分钟后开始", expires_at=expires))
    for _ in range(3):
        await harness.deliver()
        harness.clock.set((await rows(harness))["soon"].not_before)
    await harness.deliver()
    row = (await rows(harness))["soon"]
    assert row.status == OutboxStatus.DROPPED and row.attempts == 3
    assert row.last_error == "expired before it could be sent"
    assert person.texts() == []


async def test_a_notice_drawn_again_is_drawn_once_for_each_time_it_goes_out(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More notices carrying a Redraw are due than a second's pacing lets go (30 a second, a
    private chat one a second): each is drawn again once, when it is claimed to go out in
    that pass, not again for each pass that claimed it and made it wait. Each chat still reads
    its notices in order, each once, drawn anew."""
    harness.emulator.flood_limits = FloodLimits.telegram()
    drawn: list[tuple[int, ...]] = []

    async def counted(
        session: AsyncSession, subjects: Sequence[Subject], now: dt.datetime, _: Settings
    ) -> list[Message | None]:
        drawn.extend(subject.args for subject in subjects)
        # What is drawn again carries its Redraw still, as the reminders do: held once more
        # (a 429, the quiet hours), it is drawn anew when it goes out.
        return [
            outbox.payload(f"现在 {subject.args[1]}", redraw=Redraw("counted", subject.args))
            for subject in subjects
        ]

    monkeypatch.setattr(bot.sender, "REDRAWS", {"counted": counted})
    people = [harness.user(900_000 + n, f"志愿者{n}") for n in range(40)]
    for person in people:
        person.started = True
    async with harness.session() as session:
        await outbox.enqueue_many(
            session,
            [
                outbox.Queued(
                    f"counted:{person.user_id}:{turn}",
                    person.user_id,
                    outbox.payload("当时", redraw=Redraw("counted", (person.user_id, turn))),
                )
                for turn in (1, 2)
                for person in people
            ],
            now=harness.clock.now(),
        )

    await harness.deliver()

    assert harness.emulator.rejected_429 == 0
    assert all(person.texts() == ["现在 1", "现在 2"] for person in people)
    assert {row.status for row in (await rows(harness)).values()} == {OutboxStatus.SENT}
    assert sorted(drawn) == sorted((person.user_id, turn) for person in people for turn in (1, 2))
