"""/hours: a volunteer's hours this month and in total, and their place within the unit."""

from __future__ import annotations

import datetime as dt

from bot.emulator import SimUser
from tests.e2e.checkin_fixtures import check_in, checkins, duty, team, today
from tests.e2e.journeys import invite_code, join
from tests.e2e.schedule import press_and_settle
from tests.harness import Harness


async def hours(harness: Harness, person: SimUser) -> str:
    await person.send_command("hours")
    await harness.settle()
    return person.last().text or ""


async def test_hours_rank_within_the_unit_this_month(harness: Harness) -> None:
    crew = await team(harness, ("王芳", "李雷", "韩梅"))
    fang, lei, mei = crew.volunteers
    school = await team(harness, ("赵六",), unit_name="教育局", first_id=5101)
    outsider = school.volunteers[0]
    for person in (fang, lei, mei):
        await duty(
            harness, person, crew.unit, today(8, 0), today(10, 0), post_name=person.first_name
        )
    await duty(harness, outsider, school.unit, today(8, 0), today(10, 0), post_name="学校门口")

    await check_in(harness, fang)
    await check_in(harness, outsider)
    harness.clock.set(today(8, 30))
    await check_in(harness, lei)  # late: 1.5 hours
    harness.clock.set(today(10, 0))
    for person in (fang, lei, outsider):
        await person.send_command("checkout")
        await harness.settle()
    harness.clock.set(today(10, 5))

    text = await hours(harness, fang)
    assert "本月：2 小时（1 班）" in text
    assert "🏅 本月服务时长在「城管局」排第 1 名（共 2 人）。" in text
    text = await hours(harness, lei)
    assert "本月：1 小时 30 分钟（1 班）" in text
    assert "🏅 本月服务时长在「城管局」排第 2 名（共 2 人）。" in text
    assert "本月在「城管局」还没有记入的服务时长。" in await hours(harness, mei)
    # The other unit's volunteer ranks only among their own.
    assert "🏅 本月服务时长在「教育局」排第 1 名（共 1 人）" in await hours(harness, outsider)

    records = await checkins(harness)
    assert sorted(r.credited_minutes or 0 for r in records) == [90, 120, 120]


async def test_one_who_left_for_another_unit_keeps_their_place_in_the_old_units_month(
    harness: Harness,
) -> None:
    """王芳 served at 城管局 this morning, then left it from /me and joined 教育局: 城管局's
    ranking for the month still counts her hours (what was served stays where it was served),
    and 教育局's does not take them in."""
    crew = await team(harness, ("王芳", "李雷"))
    fang, lei = crew.volunteers
    school = await team(harness, ("赵六",), unit_name="教育局", first_id=5101)
    outsider = school.volunteers[0]
    for person in (fang, lei):
        await duty(
            harness, person, crew.unit, today(8, 0), today(10, 0), post_name=person.first_name
        )
    await duty(harness, outsider, school.unit, today(8, 0), today(10, 0), post_name="学校门口")
    await check_in(harness, fang)
    await check_in(harness, outsider)
    harness.clock.set(today(8, 30))
    await check_in(harness, lei)
    harness.clock.set(today(10, 0))
    for person in (fang, lei, outsider):
        await person.send_command("checkout")
        await harness.settle()
    harness.clock.set(today(10, 5))

    await fang.send_command("me")
    await harness.settle()
    await press_and_settle(harness, fang, "🚪 退出本单位")
    await press_and_settle(harness, fang, "是，退出本单位")
    code = await invite_code(harness, harness.admin, "教育局", "志愿者")
    await join(harness, fang, code, "王芳")

    assert "🏅 本月服务时长在「城管局」排第 2 名（共 2 人）。" in await hours(harness, lei)
    assert "本月在「教育局」还没有记入的服务时长。" in await hours(harness, fang)
    assert "🏅 本月服务时长在「教育局」排第 1 名（共 1 人）" in await hours(harness, outsider)


async def test_hours_on_a_night_shift_past_midnight_names_the_day_of_the_check_in(
    harness: Harness,
) -> None:
    crew = await team(harness)
    fang = crew.volunteers[0]
    await duty(harness, fang, crew.unit, today(22, 0), today(23, 0) + dt.timedelta(hours=3))
    harness.clock.set(today(22, 5))
    await check_in(harness, fang)
    assert "正在岗：黄河路-人民路口，22:05 签到。" in await hours(harness, fang)
    harness.clock.set(today(0, 30) + dt.timedelta(days=1))
    text = await hours(harness, fang)
    assert "正在岗：黄河路-人民路口，2026年12月1日 22:05 签到。" in text, text
    [record] = await checkins(harness)
    assert record.checked_in_at == today(22, 5) and record.checked_out_at is None
