"""An order drafted for a unit archived while the draft was open (or for a check another
inspector has issued an order from meanwhile) can never be issued: Issue says why and ends the
draft, its buttons gone, rather than leaving a draft that takes every deadline typed and
refuses every Issue until Cancel. Nothing is issued."""

from __future__ import annotations

from sqlalchemy import update

from bot.buttons import UnitArchive
from bot.db.models import Dialogue, OutboxMessage, Unit
from tests.e2e.oversight_fixtures import (
    checked_in,
    city,
    near,
    orders,
    report,
    street_reports,
    submit_check,
)
from tests.e2e.schedule import DAY, at, command, press_and_settle, shift
from tests.harness import Harness

ARCHIVED = "「城管局」已归档，不能再向它下发整改令。"


async def test_issue_after_the_unit_was_archived_ends_the_draft(harness: Harness) -> None:
    town = await city(harness)
    inspector, admin = town.inspector, harness.admin
    await report(harness, town.volunteers[0], near(60), category="乱扔垃圾", text="垃圾桶满溢")
    [filed] = await street_reports(harness)
    await command(harness, inspector, "orders")
    await press_and_settle(harness, inspector, "📷 待处理随手拍（1）")
    await press_and_settle(harness, inspector, f"随手拍 #{filed.id}")
    await press_and_settle(harness, inspector, "📝 下整改令")
    draft = inspector.last().message_id
    # The unit leaves the campaign while the inspector weighs the deadline.
    await command(harness, admin, "units")
    await admin.press_data(UnitArchive(town.unit_id, True, 0).pack(), admin.last().message_id)
    await harness.settle()
    sent = await harness.count(OutboxMessage)

    await inspector.press("✅ 下发", message_id=draft)
    await harness.settle()
    assert inspector.answered_callbacks[-1]["text"] == ARCHIVED
    pressed = next(m for m in inspector.messages() if m.message_id == draft)
    assert pressed.text == ARCHIVED and pressed.buttons() == []
    assert await harness.count(Dialogue) == 0
    assert await orders(harness) == []
    assert await harness.count(OutboxMessage) == sent

    # A deadline typed next is no part of a draft any more.
    await inspector.send_text("48")
    await harness.settle()
    assert "整改时限" not in (inspector.last().text or "")
    assert await harness.count(Dialogue) == 0


async def test_a_check_of_a_unit_archived_since_drafts_no_order_that_would_refuse(
    harness: Harness,
) -> None:
    """📝 下整改令 on a check whose unit was archived after it: the refusal comes at the tap,
    not as a draft whose ✅ 下发 could only refuse."""
    town = await city(harness)
    shift_id = await shift(harness, town.post_id, day=DAY, start=7, end=19)
    await checked_in(harness, shift_id, town.volunteers[0], at(DAY, 7, 0))
    await submit_check(harness, town.inspector, "日查 · 明查", "0")
    async with harness.session() as session:
        await session.execute(update(Unit).where(Unit.id == town.unit_id).values(archived=True))
    shown = len(town.inspector.messages())

    await press_and_settle(harness, town.inspector, "📝 下整改令")
    assert town.inspector.answered_callbacks[-1]["text"] == ARCHIVED
    assert all("✅ 下发" not in m.buttons() for m in town.inspector.messages()[shown:])
    assert await harness.count(Dialogue) == 0
    assert await orders(harness) == []
