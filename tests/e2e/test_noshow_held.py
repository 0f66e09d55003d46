"""The no-show's ⚠️ question and 🚨 alert are queued at the tick and may wait in the outbox (a
429, Telegram out of reach): they are judged again when they go out. A volunteer who checked in
meanwhile is not asked whether she is coming, nor is the coordinator told she is missing; one
still missing is, by the alert naming only those still missing."""

from __future__ import annotations

from bot.db.models import AssignmentStatus, OutboxStatus
from bot.services.duty import jobs
from tests.e2e.checkin_fixtures import (
    assign,
    assignment,
    check_in,
    coordinator,
    outbox_texts,
    post,
    run_due,
    shift,
    team,
    today,
)
from tests.e2e.schedule import outbox_to
from tests.harness import Harness


async def test_a_volunteer_who_checked_in_before_the_no_show_went_out_is_not_asked(
    harness: Harness,
) -> None:
    crew = await team(harness, ("王芳", "李强"))
    fang, qiang = crew.volunteers
    lead = await coordinator(harness, "城管局", 7001, "赵队长")
    on_post = await shift(harness, await post(harness, crew.unit), today(8, 0), today(10, 0))
    fang_seat = await assign(harness, on_post, fang)
    qiang_seat = await assign(harness, on_post, qiang)
    await harness.deliver()
    harness.clock.set(today(8, 31))
    assert await run_due(harness, jobs.mark_absent) == 3  # two questions, one alert
    assert any(text.startswith("🚨") for text in await outbox_texts(harness, lead.user_id))
    seen, told = len(fang.texts()), len(lead.texts())

    # 08:32: the queued messages have not gone out yet; 王芳 checks in.
    harness.clock.set(today(8, 32))
    await check_in(harness, fang)
    assert (await assignment(harness, fang_seat)).status is AssignmentStatus.CHECKED_IN
    await harness.deliver()

    assert not any("暂记为缺岗" in text for text in fang.texts()[seen:]), fang.texts()[seen:]
    alerts = [text for text in lead.texts()[told:] if text.startswith("🚨")]
    assert len(alerts) == 1 and "李强" in alerts[0] and "王芳" not in alerts[0], alerts
    assert "1/4" in alerts[0], alerts
    assert (await assignment(harness, qiang_seat)).status is AssignmentStatus.ABSENT
    assert any("暂记为缺岗" in text for text in qiang.texts())
    [asked] = [
        r for r in await outbox_to(harness, fang.user_id) if r.idempotency_key.startswith("noshow:")
    ]
    assert asked.status is OutboxStatus.DROPPED
