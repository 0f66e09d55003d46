"""A live location shared before the check-in opens, which meets the opening on its way to the
bot: the share or a move of it is sent just before the opening and handled just after the
scheduler's tick has run the opening (the tick does not wait for updates in flight). The
volunteer gets one clear outcome, at once, and never "it will be taken when check-in opens"
once it has.

Also: the check-in-open notice of another seat of the same volunteer, whose check-in the
waiting share is not for, is not held back by the wait.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import event, select

from bot.db.models import AssignmentStatus, Dialogue, OutboxMessage
from bot.emulator import SimUser
from bot.scheduler import tick
from bot.services.duty import reminders
from bot.services.schedule import seat_scan
from tests.e2e.checkin_fixtures import assignment, checkins, duty, near, team, today
from tests.harness import Harness

# An 08:00 shift's check-in opens at 07:45.
OPENS_15 = {"checkin_open_before_min": 15}
OPENING = today(7, 45)
JUST_BEFORE = OPENING - dt.timedelta(seconds=10)
JUST_AFTER = OPENING + dt.timedelta(seconds=5)


def opening_notices(person: SimUser) -> list[str]:
    return [text for text in person.texts() if "签到已开放" in text and "发送我的位置" in text]


def will_be_taken(person: SimUser) -> list[str]:
    return [text for text in person.texts() if "签到开放后" in text]


async def dialogue_of(harness: Harness, person: SimUser) -> Dialogue | None:
    async with harness.session() as session:
        return await session.scalar(select(Dialogue).where(Dialogue.telegram_id == person.user_id))


async def _tick_before_it_is_handled(harness: Harness) -> None:
    """The opening's tick runs while what was sent just before it waits in Telegram's queue;
    the bot then fetches and handles it."""
    harness.clock.set(OPENING)
    await tick(harness.runtime)
    harness.clock.set(JUST_AFTER)
    await harness.bot.start()
    await harness.settle()
    await harness.deliver()


async def _later_ticks_say_nothing(harness: Harness, person: SimUser) -> None:
    """Nothing more about the share: not at the next ticks, nor when a wait from the opening
    would end (08:15). (The late nudge at 08:05 is another matter: no check-in yet.)"""
    told = len(person.texts())
    for moment in (OPENING + dt.timedelta(seconds=30), today(7, 46), today(8, 16)):
        harness.clock.set(moment)
        await harness.tick()
        await harness.deliver()
    said = [text for text in person.texts()[told:] if "您还没有签到" not in text]
    assert said == []


@pytest.mark.parametrize("settings_overrides", [OPENS_15])
async def test_a_first_share_sent_before_the_opening_and_handled_after_its_tick_is_taken_at_once(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    seat = await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    seen = len(fang.texts())
    # At the post, she shares her live location ten seconds before the opening; the bot reads
    # it only after the opening's tick has told her the check-in is open.
    await harness.bot.stop()
    harness.clock.set(JUST_BEFORE)
    await fang.send_location(*near(20), live_period=8 * 3600)
    await _tick_before_it_is_handled(harness)

    told = fang.texts()[seen:]
    # The notice the tick queued, unsent when the share was answered, is dropped: it would
    # come after the answer and ask for the location just taken.
    assert opening_notices(fang) == [] and will_be_taken(fang) == [], told
    [answer] = [text for text in told if text not in opening_notices(fang)]
    assert "位置已确认" in answer and "照片" in answer, told
    waiting = await dialogue_of(harness, fang)
    assert waiting is not None and waiting.step == "photo"
    assert waiting.data["assignment_id"] == seat and waiting.data["position"]["live"]
    # Located as of the opening, as the opening takes a share sent before it.
    assert dt.datetime.fromisoformat(waiting.data["located_at"]) == OPENING
    await _later_ticks_say_nothing(harness, fang)
    await fang.send_photo()
    await harness.settle()
    assert "签到成功" in (fang.last().text or "")
    [record] = await checkins(harness)
    assert record.live and record.checked_in_at == today(8, 16)


@pytest.mark.parametrize("settings_overrides", [{**OPENS_15, "checkin_require_photo": False}])
async def test_without_a_photo_such_a_first_share_is_one_check_in_confirmed_once(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    seat = await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    seen = len(fang.texts())
    await harness.bot.stop()
    harness.clock.set(JUST_BEFORE)
    await fang.send_location(*near(20), live_period=8 * 3600)
    await _tick_before_it_is_handled(harness)

    told = fang.texts()[seen:]
    assert will_be_taken(fang) == [], told
    [confirmed] = [text for text in told if "签到成功" in text]
    assert "07:45" in confirmed, confirmed
    [record] = await checkins(harness)
    assert record.live and record.checked_in_at == OPENING
    assert (await assignment(harness, seat)).status is AssignmentStatus.CHECKED_IN
    assert await dialogue_of(harness, fang) is None
    await _later_ticks_say_nothing(harness, fang)
    assert len(await checkins(harness)) == 1


@pytest.mark.parametrize("settings_overrides", [OPENS_15])
async def test_such_a_first_share_out_of_range_is_waited_on_as_one_on_the_way(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    seen = len(fang.texts())
    await harness.bot.stop()
    harness.clock.set(JUST_BEFORE)
    shared = await fang.send_location(*near(2000), live_period=8 * 3600)
    await _tick_before_it_is_handled(harness)

    # Told how far she is and to keep sharing, not that it will be taken at the opening.
    told = fang.texts()[seen:]
    assert will_be_taken(fang) == [], told
    [answer] = [text for text in told if text not in opening_notices(fang)]
    assert "继续共享实时位置" in answer and "走到岗位范围内" in answer, answer
    # Her move into range checks her location, with no tick between.
    harness.clock.set(today(7, 50))
    await fang.update_live_location(shared["message_id"], *near(20))
    await harness.settle()
    assert "位置已确认" in (fang.last().text or ""), fang.texts()[seen:]
    # The wait ran from the opening: at 08:15 nothing is told, as it ended with the arrival.
    await _later_ticks_say_nothing(harness, fang)


@pytest.mark.parametrize("settings_overrides", [OPENS_15])
async def test_a_move_sent_before_the_opening_and_handled_after_its_tick_is_taken_at_once(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(7, 30))
    shared = await fang.send_location(*near(2000), live_period=8 * 3600)
    await harness.settle()
    seen = len(fang.texts())
    # She reaches the post ten seconds before the opening; the move is read after the
    # opening's tick judged the position known then (2 km away) and sent the notice.
    await harness.bot.stop()
    harness.clock.set(JUST_BEFORE)
    await fang.update_live_location(shared["message_id"], *near(20))
    await _tick_before_it_is_handled(harness)

    told = fang.texts()[seen:]
    assert opening_notices(fang) == [], told
    [answer] = [text for text in told if text not in opening_notices(fang)]
    assert "位置已确认" in answer and "照片" in answer, told
    waiting = await dialogue_of(harness, fang)
    assert waiting is not None and waiting.step == "photo"
    assert dt.datetime.fromisoformat(waiting.data["located_at"]) == OPENING
    await _later_ticks_say_nothing(harness, fang)


async def _notice_keys(harness: Harness) -> list[str]:
    async with harness.session() as session:
        keys = await session.scalars(
            select(OutboxMessage.idempotency_key).where(
                OutboxMessage.idempotency_key.like("%checkin-open%")
            )
        )
        return list(keys)


@pytest.mark.parametrize("settings_overrides", [OPENS_15])
async def test_the_wait_holds_back_the_notice_of_its_own_seat_only(harness: Harness) -> None:
    """Two seats of hers in the same minutes, on two posts: the share waits for the opening of
    the 08:00 seat (07:45); the 08:05 seat's check-in opens at 07:50, and its notice does not
    wait on a share the opening takes for the other seat."""
    crew = await team(harness)
    fang = crew.volunteers[0]
    first = await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    second = await duty(harness, fang, crew.unit, today(8, 5), today(9, 0), post_name="人民路口")
    harness.clock.set(today(7, 40))
    await fang.send_location(*near(20), live_period=8 * 3600)
    await harness.settle()
    assert will_be_taken(fang), fang.texts()
    # 07:50: the bot was down from before 07:45 till now. The notices are judged (another
    # process's tick) while the opening has still to take the share.
    harness.clock.set(today(7, 50))
    async with harness.session() as session:
        await reminders.checkin_open(session, today(7, 50), harness.runtime.settings)
    assert await _notice_keys(harness) == [seat_scan.checkin_open_key(second)]
    # The opening takes the share for the 08:00 seat, as of 07:45.
    await harness.tick()
    await harness.deliver()
    assert await _notice_keys(harness) == [seat_scan.checkin_open_key(second)]
    waiting = await dialogue_of(harness, fang)
    assert waiting is not None and waiting.step == "photo"
    assert waiting.data["assignment_id"] == first
    [notice] = opening_notices(fang)
    assert "人民路口" in notice and "黄河路" not in notice, notice


@pytest.mark.parametrize("settings_overrides", [OPENS_15])
async def test_a_move_on_the_way_that_is_still_too_far_writes_nothing(harness: Harness) -> None:
    """Refused on the way, a move changes nothing, so it holds nothing either: only the move
    that reaches the post, which writes, makes sure the wait is still there."""
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    harness.clock.set(today(7, 50))
    shared = await fang.send_location(*near(2000), live_period=8 * 3600)
    await harness.settle()
    assert "继续共享实时位置" in (fang.last().text or "")
    told = len(fang.texts())

    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    engine = harness.database.engine.sync_engine
    harness.clock.set(today(7, 52))
    event.listen(engine, "before_cursor_execute", record)
    try:
        await fang.update_live_location(shared["message_id"], *near(1200))
        await harness.settle()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert [s for s in statements if s.lstrip().upper().startswith("UPDATE DIALOGUES")] == []
    assert len(fang.texts()) == told
    # The move that reaches the post is the check-in's location.
    harness.clock.set(today(7, 55))
    await fang.update_live_location(shared["message_id"], *near(20))
    await harness.settle()
    assert "位置已确认" in (fang.last().text or "")
    waiting = await dialogue_of(harness, fang)
    assert waiting is not None and waiting.step == "photo"
