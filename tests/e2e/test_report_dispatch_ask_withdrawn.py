"""A street report nobody answers for by place asks the inspectors to pass it on; once it is
decided, the requests not sent yet are withdrawn: also the one queued for someone who has
stopped being an inspector since, and in one statement however many were asked."""

from __future__ import annotations

from sqlalchemy import delete, select

from bot.db.models import Member, MemberRole, OutboxMessage, OutboxStatus, ReportStatus, Role
from tests.e2e.oversight_fixtures import city, near, report, street_reports
from tests.e2e.schedule import press_and_settle
from tests.e2e.swap_fixtures import member
from tests.harness import Harness

ASK = "请分派给责任单位"


async def test_a_request_to_someone_no_longer_an_inspector_is_withdrawn_too(
    harness: Harness,
) -> None:
    town = await city(harness)
    former = await member(harness, 8005, town.unit_id, "钱督查", role=Role.INSPECTOR)
    # 5 km away from every post: the inspectors (钱督查 among them) are asked to pass it on.
    await report(harness, town.volunteers[1], near(5000))
    [waiting] = await street_reports(harness)
    assert waiting.status is ReportStatus.NEW
    async with harness.session() as session:
        found = await session.scalar(select(Member).where(Member.telegram_id == former.user_id))
        assert found is not None
        asked = await session.scalar(
            select(OutboxMessage).where(OutboxMessage.chat_id == former.user_id)
        )
        assert asked is not None and asked.status is OutboxStatus.PENDING
        # Not an inspector any more, before the request went out.
        await session.execute(
            delete(MemberRole).where(
                MemberRole.member_id == found.id, MemberRole.role == Role.INSPECTOR
            )
        )
    admin = harness.admin
    await admin.send_command("orders")
    await harness.settle()
    await press_and_settle(harness, admin, "📷 待处理随手拍（1）")
    await press_and_settle(harness, admin, f"随手拍 #{waiting.id}")
    await press_and_settle(harness, admin, "🚫 不予受理")
    await admin.send_text("不属于创文范围")
    await harness.settle()
    [dismissed] = await street_reports(harness)
    assert dismissed.status is ReportStatus.DISMISSED
    await harness.deliver()
    assert not any(ASK in (m.caption or m.text or "") for m in former.messages())
    assert not any(ASK in (m.caption or m.text or "") for m in town.inspector.messages())
    async with harness.session() as session:
        rows = list(
            await session.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.chat_id.in_([former.user_id, town.inspector.user_id])
                )
            )
        )
    assert {row.status for row in rows} == {OutboxStatus.DROPPED}, rows
    assert all(":decided-" in row.idempotency_key for row in rows)
