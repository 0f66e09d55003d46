"""A coordinator corrects attendance after the day's tally went out: the tally is not sent
again, /today reads the corrected figures, and a volunteer recorded as present by hand (a
phone that died) counts as on post but is not among the most reliable volunteers, whose
check-ins prove their time on post."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import CheckIn, OutboxMessage
from tests.e2e.checkin_fixtures import check_in, coordinator, duty, team, today
from tests.e2e.checkin_refusal_fixtures import marked_present
from tests.e2e.group_fixtures import HQ_GROUP, bind_group
from tests.harness import Harness


async def test_a_correction_after_the_tally_shows_in_today_and_a_manual_record_is_not_top(
    harness: Harness,
) -> None:
    crew = await team(harness, ["王芳", "李娜"])
    fang, na = crew.volunteers
    li = await coordinator(harness, "城管局", 6001, "李协调")
    await bind_group(harness, HQ_GROUP, "创城指挥部", "🏛 全部单位（指挥部）")
    group = harness.emulator.group(HQ_GROUP)
    await duty(harness, fang, crew.unit, today(8, 0), today(12, 0))
    await duty(harness, na, crew.unit, today(8, 0), today(10, 0), post_name="解放路口")

    harness.clock.set(today(7, 55))
    await check_in(harness, na)  # on time, in range, with a photo
    harness.clock.set(today(11, 5))
    await harness.tick()  # 李娜 is checked out automatically an hour after her shift

    harness.clock.set(today(20, 0))
    await harness.tick()
    tally = group.messages()[-2].text or ""
    assert "到岗 1 人次：准时 1，迟到 0；缺勤 1，早退 0" in tally, tally
    sent = len(group.messages())

    # 20:30: 王芳's phone had died; her coordinator records her as present.
    harness.clock.set(today(20, 30))
    assert "已更正：王芳 · 黄河路-人民路口，计入 4 小时" in await marked_present(harness, li)

    await harness.tick()
    assert len(group.messages()) == sent  # the day's tally is not sent again

    await group.send_command(harness.admin, "today")
    await harness.settle()
    text = group.messages()[sent].text or ""
    assert "到岗 2 人次：准时 2，迟到 0；缺勤 0，早退 0" in text, text
    assert "服务时长 6 小时" in text
    assert text.endswith("🏅 最可靠的志愿者：\n1. 李娜（城管局）：1 个班次，2 小时"), text

    async with harness.session() as session:
        records = list(await session.scalars(select(CheckIn).order_by(CheckIn.id)))
        keys = list(
            await session.scalars(
                select(OutboxMessage.idempotency_key).where(OutboxMessage.chat_id == HQ_GROUP)
            )
        )
    assert [(r.manual, r.photo_file_id is None, r.credited_minutes) for r in records] == [
        (False, False, 120),
        (True, True, 240),
    ]
    assert sorted(key for key in keys if key.startswith("tally:")) == [
        f"tally:{HQ_GROUP}:2026-12-01",
        f"tally:{HQ_GROUP}:2026-12-01:chart",
    ]
