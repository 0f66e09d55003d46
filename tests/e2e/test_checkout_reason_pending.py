"""After /checkout asked why she leaves early: /checkin, with her shift still running and no
next one open, tells her what is true (the check-out waits for its reason); a location for the
next shift that closes the first one and is then refused still tells her the first was closed."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import CheckoutKind, Dialogue, DialogueKind
from tests.e2e.checkin_fixtures import (
    check_in,
    checkins,
    duty,
    early_checkout_asked,
    near,
    team,
    today,
)
from tests.harness import Harness


async def _dialogue_kinds(harness: Harness, telegram_id: int) -> list[DialogueKind]:
    async with harness.session() as session:
        return list(
            await session.scalars(select(Dialogue.kind).where(Dialogue.telegram_id == telegram_id))
        )


async def test_checkin_while_the_early_check_out_waits_for_its_reason_says_so(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await early_checkout_asked(harness, fang, crew.unit)
    harness.clock.set(today(9, 30))
    await fang.send_command("checkin")
    await harness.settle()
    assert fang.last().text == (
        "您在「黄河路-人民路口」的签退还在等提前离岗的原因：请直接回复一句原因，"
        "或发送 /cancel 留在岗位上。"
    ), fang.last().text
    [record] = await checkins(harness)
    assert record.checked_out_at is None
    assert await _dialogue_kinds(harness, fang.user_id) == [DialogueKind.CHECKOUT]
    # The reason, sent now, closes it as of 09:25.
    await fang.send_text("家里有急事")
    await harness.settle()
    [record] = await checkins(harness)
    assert record.checked_out_at == today(9, 25) and record.early_reason == "家里有急事"


async def test_a_refused_location_past_the_question_still_tells_of_the_early_check_out(
    harness: Harness,
) -> None:
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
    await fang.send_location(*near(3000))
    await harness.settle()
    told, refused = fang.texts()[-2:]
    assert told == (
        "🕘 您 09:25 发出的签退已记下：「黄河路-人民路口」的班次按 09:25 提前离岗签退"
        "（未说明原因），计入服务时长 1 小时 15 分钟。"
    ), told
    assert refused.startswith("📍 您距「人民公园东门」还有"), refused
    [record] = await checkins(harness)
    assert record.checked_out_at == today(9, 25) and record.credited_minutes == 75
    assert record.checkout_kind is CheckoutKind.EARLY and record.early_reason is None
    assert await _dialogue_kinds(harness, fang.user_id) == []
