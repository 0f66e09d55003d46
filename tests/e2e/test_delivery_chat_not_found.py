"""Telegram's 400 "chat not found" for a person's private chat (an id that never started the
bot, a deleted account) means what a 403 "bot was blocked by the user" means: the person cannot
be written to. The member is marked unreachable and their coordinators told once, as for a
blocked member, not each message parked and the next one tried again."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import OutboxMessage, OutboxStatus
from bot.emulator import Fault
from bot.sender import MAX_ATTEMPTS
from bot.services.platform import outbox
from bot.services.platform.notify import notify
from tests.e2e.journeys import create_unit, invite_code, join
from tests.harness import Harness

NOT_FOUND = "Bad Request: chat not found"


async def test_a_private_chat_not_found_marks_the_member_unreachable(harness: Harness) -> None:
    await create_unit(harness, "城管局")
    coordinator = harness.user(4111, "协调")
    await join(
        harness, coordinator, await invite_code(harness, harness.admin, None, "协调员"), "周协调"
    )
    volunteer = harness.user(4112, "志愿")
    await join(
        harness, volunteer, await invite_code(harness, coordinator, None, "志愿者"), "吴志愿"
    )
    before = len(coordinator.messages())
    harness.emulator.inject_fault(
        Fault(kind="400", chat_id=4112, count=2 * MAX_ATTEMPTS, description=NOT_FOUND)
    )

    for key, text in (("r1", "明天 7:00 上岗"), ("r2", "还有 30 分钟")):
        async with harness.session() as session:
            await outbox.enqueue(
                session, key=key, chat_id=4112, body=outbox.payload(text), now=harness.clock.now()
            )
    await _deliver_until_settled(harness, "r1", "r2")

    async with harness.session() as session:
        stored = {
            row.idempotency_key: row
            for row in (await session.scalars(select(OutboxMessage))).all()
            if row.chat_id == 4112
        }
    for key in ("r1", "r2"):
        assert stored[key].status == OutboxStatus.BLOCKED
        assert "chat not found" in (stored[key].last_error or "").lower()
    # The second waited behind the first's retries, and was settled with it.
    assert stored["r1"].attempts == MAX_ATTEMPTS - 1 and stored["r2"].attempts == 0
    member = await harness.member(4112)
    assert member is not None and member.blocked_bot
    # What the coordinator is told of a member who blocked the bot, once.
    told = coordinator.texts()[before:]
    assert len(told) == 1 and "吴志愿" in told[0] and "无法联系" in told[0]
    assert "明天 7:00 上岗" not in volunteer.texts()


async def test_a_member_unreachable_by_chat_not_found_is_reached_again_once_they_write(
    harness: Harness,
) -> None:
    """Telegram also answers "chat not found" for a while to a person it does not know at that
    moment: once they write to the bot again, they are reachable, and what is queued for them
    from then on reaches them."""
    await create_unit(harness, "城管局")
    coordinator = harness.user(4121, "协调")
    await join(
        harness, coordinator, await invite_code(harness, harness.admin, None, "协调员"), "周协调"
    )
    volunteer = harness.user(4122, "志愿")
    await join(
        harness, volunteer, await invite_code(harness, coordinator, None, "志愿者"), "吴志愿"
    )
    harness.emulator.inject_fault(
        Fault(kind="400", chat_id=4122, count=MAX_ATTEMPTS, description=NOT_FOUND)
    )
    async with harness.session() as session:
        await outbox.enqueue(
            session,
            key="lost",
            chat_id=4122,
            body=outbox.payload("明天 7:00 上岗"),
            now=harness.clock.now(),
        )
    await _deliver_until_settled(harness, "lost")
    member = await harness.member(4122)
    assert member is not None and member.blocked_bot

    await volunteer.send_command("start")
    await harness.settle()
    member = await harness.member(4122)
    assert member is not None and not member.blocked_bot

    async with harness.session() as session:
        assert await notify(
            session,
            member,
            lambda t: outbox.payload("还有 30 分钟"),
            key="later",
            now=harness.clock.now(),
            settings=harness.runtime.settings,
        )
    await harness.deliver()
    assert "还有 30 分钟" in volunteer.texts()
    async with harness.session() as session:
        later = await session.scalar(
            select(OutboxMessage).where(OutboxMessage.idempotency_key == "later")
        )
    assert later is not None and later.status == OutboxStatus.SENT


async def test_chat_not_found_for_no_member_is_parked_for_the_admins_to_see(
    harness: Harness,
) -> None:
    """An id nobody joined with (ADMIN_IDS mistyped, an admin who never wrote to the bot) has
    nobody to mark or tell: the message stays in 📮 发送队列 with Telegram's reason, as before,
    not blocked where no one sees it."""
    async with harness.session() as session:
        await outbox.enqueue(
            session,
            key="nobody",
            chat_id=4242,
            body=outbox.payload("给不存在的聊天"),
            now=harness.clock.now(),
        )
    await _deliver_until_settled(harness, "nobody")

    async with harness.session() as session:
        row = await session.scalar(
            select(OutboxMessage).where(OutboxMessage.idempotency_key == "nobody")
        )
    assert row is not None and row.status == OutboxStatus.PARKED
    assert "chat not found" in (row.last_error or "").lower()
    await harness.admin.send_command("outbox")
    await harness.settle()
    text = harness.admin.last().text or ""
    assert "搁置（Telegram 拒收，不再重试）：1" in text
    assert "→ 4242：Chat not found" in text and "「给不存在的聊天」" in text


async def test_a_members_chat_not_found_that_passes_is_retried_not_marked(
    harness: Harness,
) -> None:
    """A member wrote to the bot to join, and a deleted account answers 403: their "chat not
    found" is Telegram not knowing the chat for a while (tdlib/telegram-bot-api#159, #219). It
    is retried as a network error is, and they are marked unreachable only when it lasts."""
    await create_unit(harness, "城管局")
    coordinator = harness.user(4131, "协调")
    await join(
        harness, coordinator, await invite_code(harness, harness.admin, None, "协调员"), "周协调"
    )
    volunteer = harness.user(4132, "志愿")
    await join(
        harness, volunteer, await invite_code(harness, coordinator, None, "志愿者"), "吴志愿"
    )
    before = len(coordinator.messages())
    harness.emulator.inject_fault(Fault(kind="400", chat_id=4132, description=NOT_FOUND))
    async with harness.session() as session:
        await outbox.enqueue(
            session,
            key="once",
            chat_id=4132,
            body=outbox.payload("明天 7:00 上岗"),
            now=harness.clock.now(),
        )
    await harness.deliver()

    row = await _row(harness, "once")
    assert row.status == OutboxStatus.PENDING and row.attempts == 1
    member = await harness.member(4132)
    assert member is not None and not member.blocked_bot
    assert coordinator.texts()[before:] == []

    harness.clock.set(row.not_before)
    await harness.deliver()
    assert (await _row(harness, "once")).status == OutboxStatus.SENT
    assert "明天 7:00 上岗" in volunteer.texts()


async def test_a_member_retried_after_chat_not_found_gets_their_messages_in_order(
    harness: Harness,
) -> None:
    """吴志愿's first message meets "chat not found" and waits its backoff: the message queued
    after it for him waits behind it, not overtaking it once Telegram knows his chat again,
    while 郑志愿's message goes at once."""
    await create_unit(harness, "城管局")
    coordinator = harness.user(4141, "协调")
    await join(
        harness, coordinator, await invite_code(harness, harness.admin, None, "协调员"), "周协调"
    )
    code = await invite_code(harness, coordinator, None, "志愿者")
    volunteer = harness.user(4142, "志愿")
    await join(harness, volunteer, code, "吴志愿")
    other = harness.user(4143, "郑")
    await join(harness, other, code, "郑志愿")
    harness.emulator.inject_fault(Fault(kind="400", chat_id=4142, count=1, description=NOT_FOUND))
    for key, chat_id, text in (
        ("first", 4142, "明天 7:00 上岗"),
        ("second", 4142, "岗位改到 8:00"),
        ("elsewhere", 4143, "后天 9:00 上岗"),
    ):
        async with harness.session() as session:
            await outbox.enqueue(
                session,
                key=key,
                chat_id=chat_id,
                body=outbox.payload(text),
                now=harness.clock.now(),
            )
    await harness.deliver()
    # Telegram knows his chat again at once; the second still waits for the first's retry.
    waiting = await _row(harness, "first")
    assert waiting.status == OutboxStatus.PENDING and waiting.attempts == 1
    assert (await _row(harness, "second")).status == OutboxStatus.PENDING
    assert "岗位改到 8:00" not in volunteer.texts()
    # The other member did not wait for his backoff.
    assert (await _row(harness, "elsewhere")).status == OutboxStatus.SENT
    assert "后天 9:00 上岗" in other.texts()

    harness.clock.set(waiting.not_before)
    await harness.deliver()
    first, second = [await _row(harness, key) for key in ("first", "second")]
    assert first.status == second.status == OutboxStatus.SENT
    told = [text for text in volunteer.texts() if text in ("明天 7:00 上岗", "岗位改到 8:00")]
    assert told == ["明天 7:00 上岗", "岗位改到 8:00"]


async def _row(harness: Harness, key: str) -> OutboxMessage:
    async with harness.session() as session:
        row = await session.scalar(
            select(OutboxMessage).where(OutboxMessage.idempotency_key == key)
        )
    assert row is not None
    return row


async def _deliver_until_settled(harness: Harness, *keys: str) -> None:
    """Deliver, moving the clock to each retry, until none of the messages `keys` is pending."""
    for _ in range(len(keys) * MAX_ATTEMPTS):
        await harness.deliver()
        pending = [
            row
            for row in [await _row(harness, key) for key in keys]
            if row.status == OutboxStatus.PENDING
        ]
        if not pending:
            return
        # The next retry: a message due already waits behind it, in its chat.
        now = harness.clock.now()
        harness.clock.set(min(row.not_before for row in pending if row.not_before > now))


async def test_a_chat_held_behind_a_retry_does_not_hold_up_the_other_chats(
    harness: Harness,
) -> None:
    """An admin id that never wrote to the bot (ADMIN_IDS mistyped) has a day of notices queued,
    each waiting behind the one retried after "chat not found": they are due, but must not take
    the places of a pass's reading, and 吴志愿's notice, queued after them, goes at once."""
    volunteer = harness.user(4151, "吴")
    await volunteer.send_command("start")
    await harness.settle()
    unknown = 4159
    for n in range(60):
        async with harness.session() as session:
            await outbox.enqueue(
                session,
                key=f"admin:{n}",
                chat_id=unknown,
                body=outbox.payload(f"通知 {n}"),
                now=harness.clock.now(),
            )
    await harness.deliver()
    assert (await _row(harness, "admin:0")).status == OutboxStatus.PENDING
    async with harness.session() as session:
        await outbox.enqueue(
            session,
            key="shift",
            chat_id=4151,
            body=outbox.payload("明天 7:00 上岗"),
            now=harness.clock.now(),
        )
    await harness.deliver()
    assert (await _row(harness, "shift")).status == OutboxStatus.SENT
    assert "明天 7:00 上岗" in volunteer.texts()


async def test_the_notices_waiting_behind_a_no_member_chat_not_found_are_parked_with_it(
    harness: Harness,
) -> None:
    """The notices queued for an id nobody joined with wait behind the first one's retries: when
    it is parked, so are they, each as it would have been, not each tried again in turn for as
    long (a mistyped ADMIN_IDS would pile up more than its retries can settle)."""
    for n in range(3):
        async with harness.session() as session:
            await outbox.enqueue(
                session,
                key=f"nobody:{n}",
                chat_id=4243,
                body=outbox.payload(f"通知 {n}"),
                now=harness.clock.now(),
            )
    await _deliver_until_settled(harness, "nobody:0")

    for n in range(3):
        row = await _row(harness, f"nobody:{n}")
        assert row.status == OutboxStatus.PARKED, n
        assert "chat not found" in (row.last_error or "").lower()
    await harness.admin.send_command("outbox")
    await harness.settle()
    assert "搁置（Telegram 拒收，不再重试）：3" in (harness.admin.last().text or "")
