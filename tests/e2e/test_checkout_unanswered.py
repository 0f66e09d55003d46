"""An early check-out whose reason never came: /checkout said when the volunteer left, so that
is what counts. The automatic check-out closes it as an early leave at the moment /checkout was
sent (no reason given), not as the whole shift; the check-out button pressed later, while the
question still waits, keeps that moment too."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, select

from bot.db.models import (
    AssignmentStatus,
    CheckoutKind,
    Dialogue,
    DialogueKind,
    OutboxMessage,
)
from bot.services.duty import jobs
from tests.e2e.checkin_fixtures import (
    assignment,
    check_in,
    checkins,
    duty,
    early_checkout_asked,
    near,
    team,
    today,
)
from tests.harness import Harness


async def test_an_early_check_out_left_unanswered_is_closed_when_it_was_sent(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    seat = await early_checkout_asked(harness, fang, crew.unit)
    assert "10:00 才结束" in (fang.last().text or "")
    # She walks away without a reason; the automatic check-out comes an hour after the end.
    harness.clock.set(today(11, 0))
    await harness.tick()
    await harness.deliver()
    told = fang.last().text or ""
    assert "09:25" in told and "1 小时 15 分钟" in told and "原因" in told, told
    [record] = await checkins(harness)
    assert record.checked_out_at == today(9, 25) and record.credited_minutes == 75
    assert record.checkout_kind is CheckoutKind.EARLY and record.early_reason is None
    assert (await assignment(harness, seat)).status is AssignmentStatus.CHECKED_OUT
    # A reason sent after all finds nothing left to check out of, and ends the question.
    await fang.send_text("家里有急事")
    await harness.settle()
    assert fang.last().text == "您现在没有签到，不需要签退。"
    assert await harness.count(Dialogue) == 0
    [record] = await checkins(harness)
    assert record.checked_out_at == today(9, 25) and record.credited_minutes == 75


async def test_the_check_out_button_pressed_after_an_unanswered_early_check_out_keeps_its_time(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await early_checkout_asked(harness, fang, crew.unit)
    # The check-in's button, pressed at 10:05 after the end: she left at 09:25 all the same.
    harness.clock.set(today(10, 0))
    await harness.tick()
    await harness.deliver()
    harness.clock.set(today(10, 5))
    await fang.press("🏁 签退")
    await harness.settle()
    assert "10:00 才结束" in (fang.last().text or ""), fang.texts()[-2:]
    await fang.send_text("家里有急事")
    await harness.settle()
    done = fang.last().text or ""
    assert "09:25" in done and "1 小时 15 分钟" in done, done
    [record] = await checkins(harness)
    assert record.checked_out_at == today(9, 25) and record.credited_minutes == 75
    assert record.checkout_kind is CheckoutKind.EARLY and record.early_reason == "家里有急事"


async def test_the_automatic_check_out_reads_the_unanswered_questions_in_one_statement(
    harness: Harness,
) -> None:
    # The automatic check-out closes every forgotten check-out of the hour at once: whether
    # each volunteer left a question unanswered is read for all of them together, not with a
    # statement per check-in (a thousand shifts end at the same hour).
    crew = await team(harness, ("王芳", "李娜", "张伟", "刘强"))
    for index, person in enumerate(crew.volunteers):
        await duty(harness, person, crew.unit, today(8, 0), today(10, 0), f"岗位{index}")
    harness.clock.set(today(8, 10))
    for person in crew.volunteers:
        await check_in(harness, person)
    harness.clock.set(today(9, 25))
    await crew.volunteers[0].send_command("checkout")
    await harness.settle()
    read: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "FROM dialogues" in statement:
            read.append(statement)

    harness.clock.set(today(11, 0))
    async with harness.session() as session:
        event.listen(session.bind.sync_engine, "before_cursor_execute", record)
        try:
            await jobs.auto_checkout(session, harness.clock.now(), harness.runtime.settings)
            await session.commit()
        finally:
            event.remove(session.bind.sync_engine, "before_cursor_execute", record)
    assert len(read) <= 1, read
    records = {record.assignment_id: record for record in await checkins(harness)}
    assert len(records) == 4
    kinds = sorted(record.checkout_kind.value for record in records.values())
    assert kinds == sorted([CheckoutKind.EARLY.value] + [CheckoutKind.AUTO.value] * 3), kinds
    early = [r for r in records.values() if r.checkout_kind is CheckoutKind.EARLY]
    assert early[0].checked_out_at == today(9, 25) and early[0].credited_minutes == 75


async def test_checking_in_to_the_next_shift_keeps_the_unanswered_early_check_out(
    harness: Harness,
) -> None:
    # Back to back: at 09:35 she sends /checkout and walks to the next post without a reason;
    # /checkin there at 09:50 does not close the first shift at 09:50 but when she left.
    crew = await team(harness)
    fang = crew.volunteers[0]
    first = await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    await duty(harness, fang, crew.unit, today(10, 0), today(12, 0), post_name="人民公园东门")
    harness.clock.set(today(8, 0))
    await check_in(harness, fang)
    harness.clock.set(today(9, 35))
    await fang.send_command("checkout")
    await harness.settle()
    assert "10:00 才结束" in (fang.last().text or "")
    harness.clock.set(today(9, 50))
    await fang.send_command("checkin")
    await harness.settle()
    told, asked = fang.texts()[-2:]
    assert told == (
        "🕘 您 09:35 发出的签退已记下：「黄河路-人民路口」的班次按 09:35 提前离岗签退"
        "（未说明原因），计入服务时长 1 小时 35 分钟。"
    ), told
    assert "人民公园东门" in asked, asked
    [record] = await checkins(harness)
    assert record.checked_out_at == today(9, 35) and record.credited_minutes == 95
    assert record.checkout_kind is CheckoutKind.EARLY and record.early_reason is None
    assert (await assignment(harness, first)).status is AssignmentStatus.CHECKED_OUT
    # The check-in goes on as any other.
    await fang.send_location(*near(20))
    await harness.settle()
    await fang.send_photo()
    await harness.settle()
    assert "签到成功" in (fang.last().text or "")
    earlier, later = await checkins(harness)
    assert earlier.checked_out_at == today(9, 35) and earlier.checkout_kind is CheckoutKind.EARLY
    assert later.checked_out_at is None and later.checked_in_at == today(9, 50)


async def test_a_location_for_the_next_shift_keeps_the_unanswered_early_check_out(
    harness: Harness,
) -> None:
    # The first shift over, its early /checkout unanswered: a location sent for the next one
    # is its check-in, and the first stays an early leave at 09:25, not a check-out at 10:00.
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    await duty(harness, fang, crew.unit, today(10, 0), today(12, 0), post_name="人民公园东门")
    harness.clock.set(today(8, 10))
    await check_in(harness, fang)
    harness.clock.set(today(9, 25))
    await fang.send_command("checkout")
    await harness.settle()
    harness.clock.set(today(10, 5))
    await fang.send_location(*near(20))
    await harness.settle()
    told, asked = fang.texts()[-2:]
    assert "09:25" in told and "未说明原因" in told and "1 小时 15 分钟" in told, told
    assert "位置已确认" in asked, asked
    [record] = await checkins(harness)
    assert record.checked_out_at == today(9, 25) and record.credited_minutes == 75
    assert record.checkout_kind is CheckoutKind.EARLY and record.early_reason is None
    await fang.send_photo()
    await harness.settle()
    assert "签到成功" in (fang.last().text or "")
    earlier, later = await checkins(harness)
    assert earlier.checked_out_at == today(9, 25) and later.checked_out_at is None


async def test_a_location_at_the_next_post_before_the_first_ends_is_its_check_in(
    harness: Harness,
) -> None:
    # The question waits for a reason, not for a location: once she has sent /checkout she is
    # not on post, so her location at the next post is the check-in there.
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    await duty(harness, fang, crew.unit, today(10, 0), today(12, 0), post_name="人民公园东门")
    harness.clock.set(today(8, 0))
    await check_in(harness, fang)
    harness.clock.set(today(9, 35))
    await fang.send_command("checkout")
    await harness.settle()
    harness.clock.set(today(9, 50))
    await fang.send_location(*near(20))
    await harness.settle()
    told, asked = fang.texts()[-2:]
    assert "09:35" in told and "未说明原因" in told, told
    assert "位置已确认" in asked, asked
    [record] = await checkins(harness)
    assert record.checked_out_at == today(9, 35) and record.checkout_kind is CheckoutKind.EARLY
    assert record.early_reason is None
    async with harness.session() as session:
        [kind] = await session.scalars(select(Dialogue.kind))
    assert kind is DialogueKind.CHECKIN


async def test_the_end_of_the_shift_asks_for_the_missing_reason_not_for_a_check_out(
    harness: Harness,
) -> None:
    # She has checked out (at 09:25); the end's reminder would tell her to tap "check out"
    # once more. It reminds her of the one thing still open: the reason.
    crew = await team(harness, ("王芳", "李娜"))
    fang, na = crew.volunteers
    await duty(harness, fang, crew.unit, today(8, 0), today(10, 0))
    await duty(harness, na, crew.unit, today(8, 0), today(10, 0), post_name="人民公园东门")
    harness.clock.set(today(8, 10))
    await check_in(harness, fang)
    await check_in(harness, na)
    harness.clock.set(today(9, 25))
    await fang.send_command("checkout")
    await harness.settle()
    harness.clock.set(today(10, 0))
    await harness.tick()
    await harness.deliver()
    reminded = fang.last()
    assert reminded.text == (
        "🕘 您 09:25 发出了签退，还没说明提前离岗的原因，请直接回复一句原因。"
        "11:00 前没有回复的，按 09:25 提前离岗签退（未说明原因）。"
    ), reminded.text
    assert reminded.buttons() == []
    # Who is still on post gets the usual reminder, with its button.
    assert "离开时请点「签退」" in (na.last().text or "") and na.last().buttons() == ["🏁 签退"]
    [record, _] = await checkins(harness)
    assert record.checked_out_at is None
    async with harness.session() as session:
        [kind] = await session.scalars(
            select(Dialogue.kind).where(Dialogue.telegram_id == fang.user_id)
        )
    assert kind is DialogueKind.CHECKOUT
    # The reason, sent now, closes it as of 09:25.
    await fang.send_text("家里有急事")
    await harness.settle()
    [record, _] = await checkins(harness)
    assert record.checked_out_at == today(9, 25) and record.early_reason == "家里有急事"


async def test_cancelling_the_reason_after_its_reminder_still_brings_the_check_out_reminder(
    harness: Harness,
) -> None:
    # The end reminds her of the missing reason; she answers /cancel (she stays on post after
    # all). She is now one more volunteer still checked in after the end, and the next tick
    # reminds her to check out, with the button, as it does everyone else.
    crew = await team(harness)
    fang = crew.volunteers[0]
    await early_checkout_asked(harness, fang, crew.unit)
    harness.clock.set(today(10, 0))
    await harness.tick()
    await harness.deliver()
    assert "还没说明提前离岗的原因" in (fang.last().text or ""), fang.last().text
    await fang.send_command("cancel")
    await harness.settle()
    assert await harness.count(Dialogue) == 0
    harness.clock.set(today(10, 5))
    await harness.tick()
    await harness.deliver()
    reminded = fang.last()
    assert "离开时请点「签退」" in (reminded.text or ""), fang.texts()[-3:]
    assert reminded.buttons() == ["🏁 签退"]
    seen = len(fang.messages())
    # Each reminder went once, and a further tick sends neither again.
    harness.clock.set(today(10, 10))
    await harness.tick()
    await harness.deliver()
    assert len(fang.messages()) == seen, fang.texts()[seen:]
    async with harness.session() as session:
        keys = sorted(
            await session.scalars(
                select(OutboxMessage.idempotency_key).where(
                    OutboxMessage.chat_id == fang.user_id,
                    OutboxMessage.idempotency_key.like("checkin:%:end%"),
                )
            )
        )
    assert len(keys) == 2 and len(set(keys)) == 2, keys
    [record] = await checkins(harness)
    assert record.checked_out_at is None
