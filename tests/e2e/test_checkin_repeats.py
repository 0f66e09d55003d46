"""A check-in happens once however often its updates come: the same update delivered twice,
one update handled by two processes at once, and the photo sent again after a failure."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import Update

from bot.db.models import AssignmentStatus, Dialogue
from bot.services.duty import checkin as checkin_service
from tests.e2e.checkin_fixtures import assignment, checkins, duty, near, redeliver_last, team, today
from tests.harness import Harness


async def test_the_same_update_delivered_twice_checks_in_once(harness: Harness) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    await fang.send_location(*near())
    await fang.send_photo()
    await harness.settle()
    sent = len(fang.messages())

    await redeliver_last(harness, fang.user_id)
    assert len(await checkins(harness)) == 1
    assert len(fang.messages()) == sent

    await fang.send_location(*near())
    await harness.settle()
    assert "您已在「黄河路-人民路口」签到" in fang.last().text


async def test_an_update_handled_twice_at_once_keeps_only_the_first_handling(
    harness: Harness,
) -> None:
    """Two processes that take up one update (a row left by a worker thought dead) both run
    the handler; the inbox record at the end of the transaction lets only the first count."""
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    await fang.send_location(*near())
    await harness.settle()
    location = harness.emulator.world.updates.history[-1].payload
    async with harness.session() as session:
        before = await session.get(Dialogue, fang.user_id)
    assert before is not None and before.step == "photo"
    sent = len(fang.messages())

    application = harness.bot.application
    assert application is not None
    harness.clock.advance(minutes=1)
    # The handler would start the photo step afresh: rolled back, and nothing sent.
    await application.process_update(Update.de_json(location, application.bot))
    async with harness.session() as session:
        after = await session.get(Dialogue, fang.user_id)
    assert after is not None and (after.step, after.data, after.updated_at) == (
        before.step,
        before.data,
        before.updated_at,
    )
    assert len(fang.messages()) == sent

    await fang.send_photo()
    await harness.settle()
    assert "签到成功" in fang.last().text
    sent = len(fang.messages())
    # Now the handler refuses ("already checked in"): the refusal is not sent either.
    await application.process_update(Update.de_json(location, application.bot))
    assert len(fang.messages()) == sent
    assert len(await checkins(harness)) == 1


async def test_sending_the_photo_again_after_a_failure_completes_the_check_in(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    seat = await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    await fang.send_location(*near())
    await harness.settle()

    real = checkin_service.write_checkin
    calls = 0

    async def crash_once(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionError("database went away")
        return await real(*args, **kwargs)

    monkeypatch.setattr(checkin_service, "write_checkin", crash_once)
    await fang.send_photo()
    await harness.settle()
    assert "出了问题" in fang.last().text
    assert await checkins(harness) == []
    # The failed update was answered and is done: Telegram sending it again changes nothing.
    told = len(fang.texts())
    await redeliver_last(harness, fang.user_id)
    assert len(fang.texts()) == told and await checkins(harness) == []

    await fang.send_photo()
    await harness.settle()
    assert "签到成功" in fang.last().text
    assert len(await checkins(harness)) == 1
    assert (await assignment(harness, seat)).status == AssignmentStatus.CHECKED_IN
