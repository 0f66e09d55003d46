"""A shift still short of people a day ahead: coordinators are told, seats offered again."""

from __future__ import annotations

import datetime as dt

from bot.db.models import Role
from bot.services.schedule import understaffed
from tests.e2e.schedule import DAY, command, outbox_to, person, post, press_and_settle, shift, unit
from tests.harness import Harness


async def _alert(harness: Harness) -> int:
    async with harness.session() as session:
        return await understaffed.alert(session, harness.clock.now(), harness.runtime.settings)


async def test_short_shift_alerts_coordinators_and_offers_seats_once(harness: Harness) -> None:
    unit_id = await unit(harness)
    post_id = await post(harness, unit_id)
    tomorrow = DAY + dt.timedelta(days=1)
    short = await shift(harness, post_id, tomorrow, 7, 9, capacity=3)
    later = await shift(harness, post_id, DAY + dt.timedelta(days=3), 7, 9, capacity=1)
    clashing = await shift(
        harness, await post(harness, unit_id, "乙路口"), tomorrow, 8, 10, capacity=1
    )
    coordinator = await person(harness, 9801, unit_id, role=Role.COORDINATOR)
    seated = await person(harness, 9802, unit_id)
    busy = await person(harness, 9803, unit_id)
    free = await person(harness, 9804, unit_id)
    await command(harness, seated, "shifts")
    await press_and_settle(harness, seated, "✋ 报名 1")  # the short shift
    await command(harness, busy, "shifts")
    await press_and_settle(harness, busy, "✋ 报名 2")  # the clashing one
    assert clashing and later

    # Tomorrow 07:00 is 23 hours away: inside the 24-hour window; the later shift is not.
    assert await _alert(harness) == 2
    alert = (await outbox_to(harness, coordinator.user_id))[-1].payload
    assert "人手不足" in alert["text"] and "还差 2 人（1/3）" in alert["text"]
    assert alert["text"].endswith("\n已把空缺推送给本单位 1 名可报名的志愿者。")
    assert alert["buttons"] == [[["📋 查看班次", f"sc:{short}"]]]
    offer = (await outbox_to(harness, free.user_id))[-1].payload
    assert "还差 2 人" in offer["text"] and offer["buttons"] == [[["✋ 报名", f"su:{short}"]]]
    assert await outbox_to(harness, busy.user_id) == []
    assert await outbox_to(harness, seated.user_id) == []
    assert await _alert(harness) == 0
    harness.clock.advance(days=2)
    assert await _alert(harness) == 4  # the later shift: its coordinator and three volunteers
    alert = (await outbox_to(harness, coordinator.user_id))[-1].payload
    assert alert["text"].endswith("\n已把空缺推送给本单位 3 名可报名的志愿者。")


async def test_a_short_shift_nobody_may_take_asks_the_coordinator_to_assign(
    harness: Harness,
) -> None:
    unit_id = await unit(harness)
    party_only = await shift(
        harness, await post(harness, unit_id), DAY + dt.timedelta(days=1), required_tag="党员"
    )
    coordinator = await person(harness, 9811, unit_id, role=Role.COORDINATOR)
    volunteer = await person(harness, 9812, unit_id)
    assert await _alert(harness) == 1
    alert = (await outbox_to(harness, coordinator.user_id))[-1].payload
    assert "人手不足" in alert["text"]
    assert alert["text"].endswith(
        "\n本单位目前没有能报名这个班次的志愿者，请点下面的按钮手动安排。"
    )
    assert alert["buttons"] == [[["📋 查看班次", f"sc:{party_only}"]]]
    assert await outbox_to(harness, volunteer.user_id) == []
