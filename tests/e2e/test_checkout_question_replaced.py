"""An early /checkout whose reason is asked for, and another command begun instead of the
reason (a street report on the way out): she left when she sent /checkout, so that is what
counts, not the whole shift when the automatic check-out comes an hour after its end."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import AssignmentStatus, CheckoutKind, Dialogue, DialogueKind
from tests.e2e.checkin_fixtures import (
    assignment,
    checkins,
    early_checkout_asked,
    team,
    today,
)
from tests.harness import Harness


async def test_a_street_report_begun_instead_of_the_reason_keeps_the_early_leave(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    seat = await early_checkout_asked(harness, fang, crew.unit)
    assert "10:00 才结束" in (fang.last().text or "")
    # On her way out she sees a problem and reports it rather than typing the reason.
    harness.clock.set(today(9, 27))
    await fang.send_command("report")
    await harness.settle()
    await harness.deliver()
    assert (
        "🕘 您 09:25 发出的签退已记下：「黄河路-人民路口」的班次按 09:25 提前离岗签退"
        "（未说明原因），计入服务时长 1 小时 15 分钟。"
    ) in fang.texts()[-2:], fang.texts()[-2:]
    [record] = await checkins(harness)
    assert record.checked_out_at == today(9, 25) and record.credited_minutes == 75
    assert record.checkout_kind is CheckoutKind.EARLY and record.early_reason is None
    assert (await assignment(harness, seat)).status is AssignmentStatus.CHECKED_OUT
    async with harness.session() as session:
        kinds = list(await session.scalars(select(Dialogue.kind)))
    assert kinds == [DialogueKind.STREET_REPORT]  # the report goes on

    # Nothing reminds her to check out at the end, and the automatic check-out changes nothing.
    seen = len(fang.texts())
    for hour in (10, 11):
        harness.clock.set(today(hour, 0))
        await harness.tick()
        await harness.deliver()
    assert len(fang.texts()) == seen, fang.texts()[seen:]
    [record] = await checkins(harness)
    assert record.checked_out_at == today(9, 25) and record.credited_minutes == 75
    assert record.checkout_kind is CheckoutKind.EARLY


async def test_the_leave_is_told_before_the_question_of_the_command_begun(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await early_checkout_asked(harness, fang, crew.unit)
    harness.clock.set(today(9, 27))
    await fang.send_command("report")
    await harness.settle()
    await harness.deliver()
    # The report's question is what she answers next: it comes last, under the note.
    told, asked = fang.messages()[-2:]
    assert (told.text or "").startswith("🕘 您 09:25 发出的签退已记下"), told.text
    assert asked.text == "📷 随手拍：请拍一张问题的照片发过来。"
    assert asked.buttons() == ["✖️ 取消"]


async def test_the_replaced_question_keeps_no_cancel_button(harness: Harness) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await early_checkout_asked(harness, fang, crew.unit)
    question = fang.last().message_id
    assert fang.last().buttons() == ["✖️ 取消"]
    harness.clock.set(today(9, 27))
    await fang.send_command("report")
    await harness.settle()
    await harness.deliver()
    # The leave is recorded: a ✖️ left there would answer 已取消 over a check-out that stands.
    [shown] = [sent for sent in fang.messages() if sent.message_id == question]
    assert shown.buttons() == []
