"""`dutybot run` wires the scheduler tick into PTB's JobQueue and starts the outbox sender
beside the Application: with both running on their own (no test driving them), a reminder that
is due reaches the volunteer, and stopping the bot stops the sender. The check-in notice waits
for the updates received while the bot was down, so the long polling of `dutybot run` runs too."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from bot.app import build_application
from bot.intake import Intake
from bot.runtime import Runtime
from bot.services.platform import outbox, outbox_claim
from tests.conftest import START, ZONE
from tests.e2e.checkin_fixtures import assign, post, shift, team
from tests.emulator.transport_fixtures import eventually
from tests.harness import Harness


async def test_the_job_queue_ticks_and_the_sender_delivers_on_their_own(harness: Harness) -> None:
    crew = await team(harness, ("王芳",))
    (fang,) = crew.volunteers
    start = dt.datetime.combine(START.date(), dt.time(20, 0), tzinfo=ZONE)
    evening = await shift(
        harness, await post(harness, crew.unit), start, start + dt.timedelta(hours=2)
    )
    await assign(harness, evening, fang)
    harness.clock.set(start - dt.timedelta(minutes=29))  # check-in opens at 19:30
    seen = len(fang.texts())

    # The test's own bot stops polling; a production-style one takes over.
    await harness.bot.stop()
    runtime = Runtime(
        settings=harness.runtime.settings.model_copy(update={"scheduler_tick_seconds": 1}),
        db=harness.runtime.db,
        clock=harness.clock,
    )
    application = build_application(runtime, background=True)
    await application.initialize()
    assert application.post_init is not None and application.post_stop is not None
    await application.post_init(application)
    await application.start()
    intake = application.bot_data["intake"]
    assert isinstance(intake, Intake)
    stop = asyncio.Event()
    polling = asyncio.create_task(intake.poll(stop))
    try:
        # The job queue's first run comes about a second after the start.
        await eventually(lambda: len(fang.texts()) > seen, "the scheduled check-in notice", 20)
        texts = fang.texts()[seen:]
        assert len(texts) == 1 and texts[0].startswith("📍 签到已开放"), texts
    finally:
        stop.set()
        await polling
        await application.stop()
        await application.post_stop(application)
        await application.shutdown()
    sender_task = application.bot_data["sender_task"]
    assert isinstance(sender_task, asyncio.Task) and sender_task.done()


async def test_on_sqlite_the_sender_frees_a_dead_process_s_claims_at_start(
    harness: Harness,
) -> None:
    """After a crash, the rows the dead process had claimed would wait out their two-minute
    lease; on SQLite the lock file proves no other process runs, so start-up frees them all."""
    if not harness.database.is_sqlite:
        pytest.skip("on PostgreSQL a new leader frees them (tests/e2e/test_outbox_processes.py)")
    crew = await team(harness, ("王芳", "李明"))
    async with harness.session() as session:
        for index, person in enumerate(crew.volunteers):
            await outbox.enqueue(
                session,
                key=f"notice:{index}",
                chat_id=person.user_id,
                body=outbox.payload(f"通知 {index}"),
                now=harness.clock.now(),
            )
        claimed = await outbox_claim.claim_due(session, harness.clock.now(), "deadhost:4242")
    assert len(claimed) == 2  # held by a process that is gone, for two more minutes
    await harness.bot.stop()

    application = build_application(harness.runtime, background=True)
    await application.initialize()
    assert application.post_init is not None and application.post_stop is not None
    await application.post_init(application)
    await application.start()
    try:
        # The clock stands still: only freeing the claims lets them go.
        for index, person in enumerate(crew.volunteers):
            await eventually(lambda p=person, i=index: f"通知 {i}" in p.texts(), "the notice", 20)
    finally:
        await application.stop()
        await application.post_stop(application)
        await application.shutdown()
