"""A whole duty day walked with the clock and the scheduler tick: reminders, the check-in window
opening, one volunteer on time, one late, one who never comes (asked, and the coordinator
told), the check-out reminder, the automatic check-out, and the evening tally in the unit's
group. Then the same day again with the bot down for part of it."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import (
    Assignment,
    AssignmentStatus,
    AuditEntry,
    CheckIn,
    CheckoutKind,
    OutboxMessage,
)
from bot.emulator import SimUser
from tests.e2e.checkin_fixtures import assign, check_in, coordinator, post, shift, team
from tests.e2e.duty_day_fixtures import DAY_BEFORE, on, tick_at
from tests.e2e.group_fixtures import bind_group
from tests.harness import Harness

UNIT_GROUP = -100_777


def new_texts(person: SimUser, seen: int) -> list[str]:
    return person.texts()[seen:]


async def statuses(harness: Harness, ids: list[int]) -> list[AssignmentStatus]:
    async with harness.session() as session:
        rows = {row.id: row for row in await session.scalars(select(Assignment))}
    return [rows[assignment_id].status for assignment_id in ids]


async def test_a_whole_duty_day(harness: Harness) -> None:
    crew = await team(harness, ("王芳", "李强", "张伟"))
    fang, qiang, wei = crew.volunteers
    boss = await coordinator(harness, "城管局", 5100, "周协调")
    await bind_group(harness, UNIT_GROUP, "城管局执勤群", "城管局")
    group = harness.emulator.group(UNIT_GROUP)
    morning = await shift(harness, await post(harness, crew.unit), on(7), on(9))
    ids = [await assign(harness, morning, person) for person in crew.volunteers]
    seen = {person.user_id: len(person.texts()) for person in (fang, qiang, wei, boss)}

    # The evening before: nothing at 18:59, the 12-hour reminder at 19:00, once.
    await tick_at(harness, on(18, 59, DAY_BEFORE))
    assert new_texts(fang, seen[fang.user_id]) == []
    await tick_at(harness, on(19, 0, DAY_BEFORE))
    await tick_at(harness, on(19, 1, DAY_BEFORE))
    for person in (fang, qiang, wei):
        texts = new_texts(person, seen[person.user_id])
        assert len(texts) == 1, texts
        assert texts[0].startswith("⏰ 上岗提醒：12月2日 周三 07:00–09:00 · 黄河路-人民路口")
        # The 12-hour cut-off has come: swapping is what is left, not cancelling in /my.
        assert "还有 12 小时" in texts[0] and "请用 /swap 换岗" in texts[0]
        seen[person.user_id] += 1

    # 06:30, inside quiet hours: check-in opens, with the location button. The 30-minute
    # reminder falls on the same minute and is said by this one message.
    await tick_at(harness, on(6, 30))
    for person in (fang, qiang, wei):
        texts = new_texts(person, seen[person.user_id])
        assert len(texts) == 1, texts
        assert texts[0].startswith("📍 签到已开放：12月2日 周三 07:00–09:00")
        keyboard = person.reply_keyboard()
        assert keyboard is not None and keyboard[0][0]["request_location"] is True
        seen[person.user_id] += 1

    harness.clock.set(on(6, 45))
    await check_in(harness, fang)
    seen[fang.user_id] = len(fang.texts())

    # 07:06: the two who are not there yet are nudged; 王芳 is not.
    await tick_at(harness, on(7, 6))
    assert new_texts(fang, seen[fang.user_id]) == []
    for person in (qiang, wei):
        texts = new_texts(person, seen[person.user_id])
        assert len(texts) == 1 and texts[0].startswith("⌛ 12月2日 周三 07:00–09:00"), texts
        assert "已开始 6 分钟" in texts[0]
        seen[person.user_id] += 1

    harness.clock.set(on(7, 10))
    await check_in(harness, qiang)
    seen[qiang.user_id] = len(qiang.texts())

    # 07:30: 张伟 is absent: asked whether he is coming, and the coordinator is told.
    seen[boss.user_id] = len(boss.texts())  # the understaffed alert of the evening before
    await tick_at(harness, on(7, 30))
    assert await statuses(harness, ids) == [
        AssignmentStatus.CHECKED_IN,
        AssignmentStatus.CHECKED_IN,
        AssignmentStatus.ABSENT,
    ]
    asked = wei.last()
    assert asked.text is not None and asked.text.startswith("⚠️ 12月2日 周三 07:00–09:00")
    assert asked.buttons() == ["🚶 在路上，马上到", "🙅 今天来不了"]
    told = new_texts(boss, seen[boss.user_id])
    assert len(told) == 1 and told[0].startswith("🚨 缺岗：12月2日 周三 07:00–09:00")
    assert "1/4 人开班后仍未签到：张伟" in told[0]
    assert boss.last().buttons() == ["📋 查看班次"]
    seen[boss.user_id] += 1
    for person in (fang, qiang):
        assert new_texts(person, seen[person.user_id]) == []

    await wei.press("🙅 今天来不了")
    await harness.settle()
    await harness.deliver()
    assert wei.last().text is not None and wei.last().text.startswith("已告知协调员")
    assert new_texts(boss, seen[boss.user_id]) == [
        "🙅 张伟 回复：今天来不了 12月2日 周三 07:00–09:00 · 黄河路-人民路口。请安排人员顶岗。"
    ]
    seen[boss.user_id] += 1
    # Pressing again tells nobody twice.
    await wei.press_data(f"ns.n:{ids[2]}", asked.message_id)
    await harness.settle()
    await harness.deliver()
    assert new_texts(boss, seen[boss.user_id]) == []

    # The coordinator opens the shift from the alert.
    await boss.press("📋 查看班次")
    await harness.settle()
    assert "张伟" in (boss.last().text or "")
    seen[boss.user_id] = len(boss.texts())

    # 09:00: the two on post are reminded to check out; 王芳 does, with the button.
    await tick_at(harness, on(9, 0))
    for person in (fang, qiang):
        assert person.last().text == (
            "🏁 「黄河路-人民路口」的班次 09:00 结束了，辛苦了！离开时请点「签退」。"
        )
        assert person.last().buttons() == ["🏁 签退"]
    await fang.press("🏁 签退")
    await harness.settle()

    # 10:00: 李强's forgotten check-out is closed, credited to the end of the shift.
    await tick_at(harness, on(10, 0))
    assert qiang.last().text is not None and "自动为您签退" in qiang.last().text
    async with harness.session() as session:
        records = {row.assignment_id: row for row in await session.scalars(select(CheckIn))}
        answer = await session.scalar(
            select(AuditEntry).where(AuditEntry.action == "noshow.not_coming")
        )
    assert records[ids[0]].checkout_kind is CheckoutKind.NORMAL
    assert records[ids[0]].credited_minutes == 120
    assert records[ids[1]].checkout_kind is CheckoutKind.AUTO
    assert records[ids[1]].credited_minutes == 110
    assert records[ids[1]].late and not records[ids[0]].late
    assert answer is not None and answer.object_id == ids[2]

    # 20:00: the day's tally reaches the unit's group.
    before = len(group.messages())
    await tick_at(harness, on(20, 0))
    tally = group.texts()[before]
    assert "城管局" in tally and "12月2日" in tally
    assert "张伟" not in new_texts(fang, seen[fang.user_id])

    # Nothing of the day was queued twice, and everything queued went out.
    async with harness.session() as session:
        rows = list(await session.scalars(select(OutboxMessage)))
    keys = [row.idempotency_key for row in rows]
    assert len(keys) == len(set(keys))
    assert {row.status.value for row in rows} == {"sent"}


async def test_a_restart_sends_what_still_makes_sense_once(harness: Harness) -> None:
    crew = await team(harness, ("王芳", "李强"))
    fang, qiang = crew.volunteers
    boss = await coordinator(harness, "城管局", 5100, "周协调")
    morning = await shift(harness, await post(harness, crew.unit), on(7), on(9))
    ids = [await assign(harness, morning, person) for person in crew.volunteers]
    await tick_at(harness, on(18, 0, DAY_BEFORE))
    seen = {person.user_id: len(person.texts()) for person in (fang, qiang, boss)}

    # Down from 18:00 the evening before until 06:50: the 12-hour reminder is superseded by
    # the check-in notice, which is sent once, however many ticks run.
    await harness.bot.stop()
    harness.clock.set(on(6, 50))
    await harness.bot.start()
    for _ in range(3):
        await tick_at(harness, on(6, 50))
    for person in (fang, qiang):
        texts = new_texts(person, seen[person.user_id])
        assert len(texts) == 1 and texts[0].startswith("📍 签到已开放"), texts
        seen[person.user_id] += 1

    harness.clock.set(on(6, 55))
    await check_in(harness, fang)
    seen[fang.user_id] = len(fang.texts())

    # Down again from 06:55 to 07:40: the late nudge's time has passed (it is not sent), the
    # no-show question and the coordinator's alert still make sense and go out once.
    await harness.bot.stop()
    harness.clock.set(on(7, 40))
    await harness.bot.start()
    await tick_at(harness, on(7, 40))
    await tick_at(harness, on(7, 41))
    texts = new_texts(qiang, seen[qiang.user_id])
    assert len(texts) == 1 and texts[0].startswith("⚠️ 12月2日 周三 07:00–09:00"), texts
    assert "已开始 40 分钟" in texts[0]
    assert new_texts(fang, seen[fang.user_id]) == []
    told = new_texts(boss, seen[boss.user_id])
    assert len(told) == 1 and "李强" in told[0]
    assert (await statuses(harness, ids))[1] is AssignmentStatus.ABSENT

    # Down over the end of the shift and the automatic check-out: back at 12:00, 王芳 is
    # checked out automatically; the check-out reminder, stale by now, is not sent.
    seen[fang.user_id] = len(fang.texts())
    await harness.bot.stop()
    harness.clock.set(on(12, 0))
    await harness.bot.start()
    await tick_at(harness, on(12, 0))
    texts = new_texts(fang, seen[fang.user_id])
    assert len(texts) == 1 and "自动为您签退" in texts[0], texts
