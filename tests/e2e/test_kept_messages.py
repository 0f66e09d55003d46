"""A message people still need is not replaced by the next screen: the 🚨 no-show alert (who is
missing, their phone) stays when the coordinator opens the shift from it, and a group's binding
confirmation stays when the report language is picked."""

from __future__ import annotations

from bot.db.models import BoundGroup
from tests.e2e.checkin_fixtures import coordinator, duty, team, today
from tests.harness import Harness

GROUP = -100_515


async def test_the_shift_opened_from_a_no_show_alert_comes_as_a_new_message(
    harness: Harness,
) -> None:
    crew = await team(harness, ("张伟",))
    boss = await coordinator(harness, "城管局", 5901, "陈协调")
    await duty(harness, crew.volunteers[0], crew.unit, today(9, 0), today(11, 0))
    harness.clock.set(today(9, 30))
    await harness.tick()
    alert = boss.last()
    assert alert.text is not None and alert.text.startswith("🚨 缺岗：")
    assert "张伟 +8613800000000" in alert.text
    shown = len(boss.messages())

    await boss.press("📋 查看班次")
    await harness.settle()
    assert len(boss.messages()) == shown + 1
    card = boss.last()
    assert card.message_id != alert.message_id
    assert (card.text or "").startswith("📋 12月1日 周二 09:00–11:00") and "张伟" in card.text
    kept = next(m for m in boss.messages() if m.message_id == alert.message_id)
    assert kept.text == alert.text and kept.buttons() == ["📋 查看班次"]


async def test_picking_the_report_language_keeps_the_binding_confirmation(
    harness: Harness,
) -> None:
    await team(harness, ("王芳",))
    group = harness.emulator.group(GROUP, "城管局执勤群")
    await group.send_command(harness.admin, "setgroup")
    await harness.settle()
    await group.press(harness.admin, "城管局")
    await harness.settle()
    confirmation = group.last()
    assert (confirmation.text or "").startswith("✅ 本群已绑定到：城管局。")

    await group.press(harness.admin, "English（英文）")
    await harness.settle()
    assert group.last().message_id == confirmation.message_id
    text = group.last().text or ""
    assert text.startswith("✅ This group is bound to: 城管局.")
    assert "Reports are in English" in text
    assert "English" in group.last().buttons()
    toast = harness.admin.answered_callbacks[-1]
    assert toast.get("text") == "Reports in this group are now in English."
    async with harness.session() as session:
        bound = await session.get(BoundGroup, GROUP)
    assert bound is not None and bound.language == "en"

    # The language it already has: the confirmation already says so, nothing to edit.
    edits = harness.emulator.sent_count("editMessageText")
    await group.press(harness.admin, "English")
    await harness.settle()
    assert harness.emulator.sent_count("editMessageText") == edits
    assert harness.emulator.refused("editMessageText") == []
    assert group.last().text == text
