"""The most hours a correction may credit is the shift's length, said as /hours says a length
(1 小时 40 分钟), not as a fraction of an hour cut to six digits (1.66667)."""

from __future__ import annotations

from tests.e2e.checkin_fixtures import check_in, checkins, coordinator, duty, team, today
from tests.harness import Harness


async def test_the_limit_of_an_hours_correction_reads_as_a_length(harness: Harness) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    li = await coordinator(harness, "城管局", 6001, "李协调")
    await duty(harness, fang, crew.unit, today(8, 0), today(9, 40))
    await check_in(harness, fang)
    harness.clock.set(today(9, 40))
    await fang.send_command("checkout")
    await harness.settle()

    await li.send_command("roster")
    await harness.settle()
    await li.press("✏️ 更正 · 王芳")
    await harness.settle()
    await li.press("⏱ 调整服务时长")
    await harness.settle()
    asked = li.last().text or ""
    assert asked.endswith("最多 1 小时 40 分钟）："), asked
    await li.send_text("2")
    await harness.settle()
    assert li.last().text == "请输入 0 到 1 小时 40 分钟之间的时长，如 1.5 或 1:30。"
    await li.send_text("1:40")
    await harness.settle()
    await li.send_text("现场核实全程在岗")
    await harness.settle()
    assert "计入 1 小时 40 分钟" in (li.last().text or "")
    [record] = await checkins(harness)
    assert record.credited_override == 100
