"""Direct answers and the outbox share Telegram's overall limit: the answers the bot gives
volunteers leave the sender that much less room in the same second."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import func, select

from bot import answers
from bot.db.models import InboxStatus, InboxUpdate, OutboxStatus
from bot.emulator import Fault, FloodLimits, SimUser
from bot.services.platform import outbox
from tests.e2e.checkin_fixtures import duty, team, today
from tests.e2e.schedule import outbox_to, unit
from tests.e2e.schedule import person as member_of
from tests.harness import Harness

VOLUNTEERS = ("王芳", "李明", "张伟", "刘洋", "陈静", "杨磊")
BROADCAST = 40


async def test_a_broadcast_leaves_room_for_the_check_in_answers_of_the_same_second(
    harness: Harness,
) -> None:
    """Six volunteers ask to check in at 08:01 while a broadcast to forty other members waits
    in the outbox. Telegram takes 30 messages in any one second: the six answers go at once
    (a person is waiting) and the sender fills only what they left of that second, so Telegram
    refuses nothing, and every volunteer and every member gets their message."""
    crew = await team(harness, VOLUNTEERS)
    for index, person in enumerate(crew.volunteers):
        await duty(
            harness, person, crew.unit, today(8, 30), today(10, 30), f"人民路{index + 1}号岗"
        )
    await harness.deliver()
    members = [harness.user(7001 + n, f"成员{n}") for n in range(BROADCAST)]
    for member in members:
        member.started = True
    harness.clock.set(today(8, 1))
    harness.emulator.flood_limits = FloodLimits.telegram()
    async with harness.session() as session:
        for member in members:
            await outbox.enqueue(
                session,
                key=f"broadcast:{member.user_id}",
                chat_id=member.user_id,
                body=outbox.payload("本周岗位已发布"),
                now=harness.clock.now(),
                batch="week",
            )
    before = {person.user_id: len(person.messages()) for person in crew.volunteers}
    start = harness.clock.now()

    await asyncio.gather(*(person.send_command("checkin") for person in crew.volunteers))
    await harness.settle()
    await harness.deliver()

    assert harness.emulator.rejected_429 == 0
    for index, person in enumerate(crew.volunteers):
        [answer] = person.messages()[before[person.user_id] :]
        assert f"人民路{index + 1}号岗" in answer.text and "实时位置" in answer.text
    assert all(member.texts() == ["本周岗位已发布"] for member in members)
    # 46 messages at 30 a second: the last of the broadcast waits for the next second.
    assert harness.clock.now() - start >= dt.timedelta(seconds=1)
    async with harness.session() as session:
        assert await outbox.batch_counts(session, "week") == {OutboxStatus.SENT: BROADCAST}


async def _profile_answers(harness: Harness, volunteer: SimUser, count: int) -> None:
    """`count` /me answered at once: Telegram's burst for one chat is three."""
    for _ in range(count):
        await volunteer.send_command("me")
        await harness.settle()


async def test_an_answers_429_holds_the_senders_notices_to_that_chat(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A volunteer's fourth answer within the second meets Telegram's 429 (retry after 1 s).
    While the answer waits it out, the sender has a notice due for the same volunteer: it holds
    it back for the rest of the second instead of earning a second 429, and sends it after."""
    waits: list[float] = []
    waiting, resume = asyncio.Event(), asyncio.Event()

    async def wait_out(seconds: float) -> None:
        waits.append(seconds)
        waiting.set()
        await resume.wait()
        harness.clock.advance(seconds=seconds)

    monkeypatch.setattr(answers, "wait_out", wait_out)
    volunteer = await member_of(harness, 5301, await unit(harness), "王芳")
    volunteer.started = True
    harness.clock.set(today(9, 0))
    harness.emulator.flood_limits = FloodLimits.telegram()
    await _profile_answers(harness, volunteer, 3)
    await volunteer.send_command("me")
    await asyncio.wait_for(waiting.wait(), 10)
    assert harness.emulator.rejected_429 == 1
    async with harness.session() as session:
        await outbox.enqueue(
            session,
            key="notice:5301",
            chat_id=volunteer.user_id,
            body=outbox.payload("明早 7 点集合"),
            now=harness.clock.now(),
        )
    sender = harness.bot.sender
    assert sender is not None

    try:
        held = await sender.pass_once()
    finally:
        resume.set()

    assert held.attempted == 0 and held.wait == pytest.approx(1.0)
    assert harness.emulator.rejected_429 == 1
    await harness.settle()
    harness.clock.advance(seconds=1)
    await harness.deliver()
    assert waits == [1]
    assert harness.emulator.rejected_429 == 1
    assert volunteer.texts()[-2].startswith("👤 我的资料") and volunteer.texts()[-1] == (
        "明早 7 点集合"
    )
    async with harness.session() as session:
        [notice] = await outbox_to(harness, volunteer.user_id)
        assert notice.status == OutboxStatus.SENT


async def test_a_later_answer_to_a_chat_told_to_wait_waits_the_rest_of_it(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An answer that met 429 three times is kept for later; the volunteer writes again 0.4 s
    on. That answer waits the 0.6 s Telegram still asked for, and goes out without a 429."""
    waits: list[float] = []
    moving = False

    async def wait_out(seconds: float) -> None:
        waits.append(seconds)
        if moving:
            harness.clock.advance(seconds=seconds)

    monkeypatch.setattr(answers, "wait_out", wait_out)
    volunteer = await member_of(harness, 5302, await unit(harness), "李明")
    volunteer.started = True
    harness.clock.set(today(9, 0))
    harness.emulator.flood_limits = FloodLimits.telegram()
    await _profile_answers(harness, volunteer, 4)
    assert harness.emulator.rejected_429 == 3
    assert len(volunteer.texts()) == 3

    moving = True
    harness.clock.advance(seconds=0.4)
    await _profile_answers(harness, volunteer, 1)

    assert waits[-1] == pytest.approx(0.6)
    assert harness.emulator.rejected_429 == 3
    assert len(volunteer.texts()) == 4 and volunteer.texts()[-1].startswith("👤 我的资料")
    async with harness.session() as session:
        kept = await session.scalar(
            select(func.count()).where(InboxUpdate.status == InboxStatus.ANSWERING)
        )
    assert kept == 1


async def test_a_buttons_429_holds_only_the_person_who_pressed(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """王芳 picks English and Telegram answers the button's answer 429 (retry after 3 s): its
    flood limit for answers is the person's. While her answer waits it out, 李明's /me is
    answered at once and the sender's notice to him goes out; only her own notice waits."""
    waits: list[float] = []
    waiting, resume = asyncio.Event(), asyncio.Event()

    async def wait_out(seconds: float) -> None:
        waits.append(seconds)
        waiting.set()
        await resume.wait()
        harness.clock.advance(seconds=seconds)

    monkeypatch.setattr(answers, "wait_out", wait_out)
    team_unit = await unit(harness)
    fang = await member_of(harness, 5311, team_unit, "王芳")
    ming = await member_of(harness, 5312, team_unit, "李明")
    fang.started = ming.started = True
    harness.clock.set(today(9, 0))
    await fang.send_command("lang")
    await harness.settle()
    harness.emulator.inject_fault(Fault(kind="429", method="answerCallbackQuery", retry_after=3))

    await fang.press("English（英文）")
    await asyncio.wait_for(waiting.wait(), 10)
    shown = ming.sent_count
    await ming.send_command("me")
    try:
        await ming.wait_sent(shown + 1, timeout=5)
        async with harness.session() as session:
            for person in (fang, ming):
                await outbox.enqueue(
                    session,
                    key=f"notice:{person.user_id}",
                    chat_id=person.user_id,
                    body=outbox.payload("明早 7 点集合"),
                    now=harness.clock.now(),
                )
        sender = harness.bot.sender
        assert sender is not None
        passed = await sender.pass_once()
    finally:
        resume.set()

    assert ming.texts()[-2].startswith("👤 我的资料") and ming.texts()[-1] == "明早 7 点集合"
    assert passed.attempted == 1 and passed.wait == pytest.approx(3.0)
    assert waits == [3]
    await harness.settle()
    assert fang.answered_callbacks != []
    assert "明早 7 点集合" not in fang.texts()
    await harness.deliver()
    assert fang.texts()[-1] == "明早 7 点集合"
    member = await harness.member(fang.user_id)
    assert member is not None and member.language == "en"
    notices = await outbox_to(harness, fang.user_id) + await outbox_to(harness, ming.user_id)
    assert [notice.status for notice in notices] == [OutboxStatus.SENT] * 2
