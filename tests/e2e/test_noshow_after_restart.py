"""The no-show decision after an outage waits for the backlog: a volunteer whose location and
photo wait in Telegram's queue (or in the inbox) is not told she is absent, nor are the
coordinators, by the first tick after the bot comes back; whoever really sent nothing still is."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from bot.app import build_application
from bot.db.models import AssignmentStatus
from bot.intake import Intake
from bot.services.duty import jobs as checkin_jobs
from bot.services.platform import inbox
from tests.e2e.checkin_fixtures import (
    assign,
    assignment,
    checkins,
    coordinator,
    near,
    post,
    run_due,
    shift,
    team,
    today,
)
from tests.harness import Harness

ASKED = "您还没有签到"
TOLD = "缺岗"
# Senders with updates waiting after a long outage, in the test of how they are asked for.
WAITING = 3000


async def test_the_first_tick_after_an_outage_marks_nobody_absent_whose_check_in_waits(
    harness: Harness,
) -> None:
    crew = await team(harness, ("王芳", "李明"))
    fang, ming = crew.volunteers
    lead = await coordinator(harness, "城管局", 7001, "赵队长")
    morning = await shift(harness, await post(harness, crew.unit), today(8, 0), today(10, 0))
    fang_seat, ming_seat = [await assign(harness, morning, person) for person in (fang, ming)]
    # The bot goes down; 王芳 sends her location (08:02) and photo (08:03) from the post, and
    # they wait in Telegram's queue. 李明 sends nothing.
    await harness.bot.stop()
    harness.clock.set(today(8, 2))
    await fang.send_location(*near(20))
    harness.clock.set(today(8, 3))
    await fang.send_photo()
    told = {person.user_id: len(person.texts()) for person in (fang, ming, lead)}
    # Back at 08:40, past ABSENT_AFTER_MIN: the scheduler's first tick runs at once, before
    # the queued updates were fetched.
    harness.clock.set(today(8, 40))
    await harness.bot.start()
    await harness.bot.tick()
    await harness.settle()
    said = fang.texts()[told[fang.user_id] :]
    assert not any(ASKED in text for text in said), said
    assert len(said) == 2 and "位置已确认" in said[0], said
    assert "签到成功" in said[1] and "08:03" in said[1] and "准时到岗" in said[1], said
    [record] = await checkins(harness)
    assert record.checked_in_at == today(8, 3) and not record.late
    assert (await assignment(harness, fang_seat)).status is AssignmentStatus.CHECKED_IN
    # Nobody was told anything yet: not about 王芳, and 李明 is judged once the backlog is in.
    assert lead.texts()[told[lead.user_id] :] == []
    assert ming.texts()[told[ming.user_id] :] == []
    assert (await assignment(harness, ming_seat)).status is AssignmentStatus.SIGNED_UP
    # The next tick, the backlog handled: 李明, who sent nothing, is absent; 王芳 is not.
    await harness.tick()
    [asked] = [text for text in ming.texts()[told[ming.user_id] :] if ASKED in text]
    assert "40 分钟" in asked, asked
    [alert] = [text for text in lead.texts()[told[lead.user_id] :] if TOLD in text]
    assert "李明" in alert and "王芳" not in alert, alert
    assert not any(ASKED in text for text in fang.texts())
    assert (await assignment(harness, ming_seat)).status is AssignmentStatus.ABSENT
    assert (await assignment(harness, fang_seat)).status is AssignmentStatus.CHECKED_IN


async def test_a_seat_whose_holder_has_updates_waiting_in_the_inbox_is_not_judged_yet(
    harness: Harness,
) -> None:
    crew = await team(harness, ("王芳", "李明"))
    fang, ming = crew.volunteers
    morning = await shift(harness, await post(harness, crew.unit), today(8, 0), today(10, 0))
    fang_seat, ming_seat = [await assign(harness, morning, person) for person in (fang, ming)]
    # 王芳's location, stored by a process that died before handling it (another worker's
    # row: this bot's sweep leaves it for now); a callback of 李明's that was handled.
    world = harness.emulator.world
    latitude, longitude = near(20)
    location = {"location": {"latitude": latitude, "longitude": longitude}}
    waiting = world.add_message(world.chats[fang.chat_id], location, fang.user_json)
    async with harness.session() as session:
        await inbox.store(
            session,
            [
                (10**9, {"update_id": 10**9, "message": waiting}),
                (10**9 + 1, {"update_id": 10**9 + 1, "callback_query": {"from": ming.user_json}}),
            ],
            harness.clock.now(),
            "dead",
        )
        await inbox.handled(session, 10**9 + 1, harness.clock.now())
        await session.commit()
    harness.clock.set(today(8, 40))
    await run_due(harness, checkin_jobs.mark_absent)
    assert (await assignment(harness, fang_seat)).status is AssignmentStatus.SIGNED_UP
    assert (await assignment(harness, ming_seat)).status is AssignmentStatus.ABSENT
    # Once it is handled (and proved nothing), she is judged like anyone.
    async with harness.session() as session:
        await inbox.handled(session, 10**9, harness.clock.now())
        await session.commit()
    await run_due(harness, checkin_jobs.mark_absent)
    assert (await assignment(harness, fang_seat)).status is AssignmentStatus.ABSENT


async def test_by_webhook_the_backlog_is_in_once_telegram_holds_no_update(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await harness.bot.stop()
    await fang.send_location(*near(20))
    # A bot served by the webhook: Telegram still holds the location, so the no-show waits.
    application = build_application(harness.runtime)
    await application.initialize()
    try:
        intake = application.bot_data["intake"]
        assert isinstance(intake, Intake)
        assert not await intake.backlog_received()
        intake.by_webhook()
        assert not await intake.backlog_received()
        assert harness.emulator.pending_updates() == 1
        # Received (here by the polling bot) and acknowledged: Telegram holds nothing more.
        await harness.bot.start()
        await harness.settle()
        assert harness.emulator.pending_updates() == 0
        assert await intake.backlog_received()
        # And it stays so, whatever arrives later.
        await fang.send_text("你好")
        assert await intake.backlog_received()
        await harness.settle()
    finally:
        await application.shutdown()


async def test_thousands_waiting_in_the_inbox_are_read_by_the_statement_not_bound_one_each(
    harness: Harness,
) -> None:
    """After a long outage thousands of people may have updates waiting: the no-show reads
    who they are from the inbox in its own statement, with no bound parameter per sender
    (PostgreSQL takes 32,767 at most, and the tick's no-show would fail)."""
    crew = await team(harness, ("王芳", "李明"))
    fang, ming = crew.volunteers
    morning = await shift(harness, await post(harness, crew.unit), today(8, 0), today(10, 0))
    fang_seat, ming_seat = [await assign(harness, morning, person) for person in (fang, ming)]
    # Telegram's ids pass 2**31; an update of a kind without a sender (a poll) is stored too.
    others = [2**33 + n for n in range(WAITING)]
    updates: list[tuple[int, dict[str, object]]] = [
        (10**9 + n, {"update_id": 10**9 + n, "callback_query": {"from": {"id": sender}}})
        for n, sender in enumerate(others)
    ]
    updates.append((2 * 10**9, {"update_id": 2 * 10**9, "poll": {"id": "7"}}))
    updates.append(
        (2 * 10**9 + 1, {"update_id": 2 * 10**9 + 1, "message": {"from": fang.user_json}})
    )
    async with harness.session() as session:
        await inbox.store(session, updates, harness.clock.now(), "dead")
        await session.commit()
    bound: list[int] = []

    def record(_conn: Any, _cursor: Any, _statement: str, parameters: Any, *_: Any) -> None:
        bound.append(len(parameters or ()))

    harness.clock.set(today(8, 40))
    engine = harness.database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        await run_due(harness, checkin_jobs.mark_absent)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert (await assignment(harness, fang_seat)).status is AssignmentStatus.SIGNED_UP
    assert (await assignment(harness, ming_seat)).status is AssignmentStatus.ABSENT
    assert bound and max(bound) < 100, max(bound)
