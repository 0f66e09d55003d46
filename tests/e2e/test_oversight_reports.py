"""The oversight figures in what leaders read, against a hand-built day: the day's tally (checks
by kind and their score, the discrepancy, street reports, orders with the reply rate, the unit
score and its parts), the headquarters weekly bulletin (ranking with grades and the orders still
open by unit), and the ledger's orders sheet."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from bot.db.models import CheckIn, Unit
from bot.services.duty import jobs as checkin_jobs
from tests.e2e.checkin_fixtures import run_due
from tests.e2e.order_fixtures import ordered, reply
from tests.e2e.oversight_fixtures import (
    City,
    bind_headquarters,
    checked_in,
    city,
    near,
    orders,
    recorded_check,
    report,
    rows,
    submit_check,
)
from tests.e2e.schedule import DAY, at, post, press_and_settle, shift
from tests.harness import Harness


async def a_day(harness: Harness) -> City:
    """12-01: a shift of 4 at 黄河路-人民路口 from 07:00, two checked in and on post all along.
    08:00 a daily check sees 2 (score 80); 10:00 a covert spot check sees 1 (score 70, one
    checked in but not seen). A litter report becomes an order, replied at 11:00 and accepted at
    12:00; a damaged facility report becomes an order nobody answers (due 12-04 12:00)."""
    town = await city(harness)
    shift_id = await shift(harness, town.post_id, day=DAY, start=7, end=19)
    for volunteer in town.volunteers:
        await checked_in(harness, shift_id, volunteer, at(DAY, 7, 0))
    await submit_check(harness, town.inspector, "日查 · 明查", "2")
    harness.clock.set(at(DAY, 10))
    await submit_check(harness, town.inspector, "抽查 · 暗访", "1")
    harness.clock.set(at(DAY, 10, 30))
    await ordered(harness, town)
    harness.clock.set(at(DAY, 11))
    await reply(harness, town, "已清运")
    await harness.deliver()
    harness.clock.set(at(DAY, 12))
    await press_and_settle(harness, town.inspector, "✅ 验收办结")
    await press_and_settle(harness, town.inspector, "不用")
    await report(harness, town.volunteers[1], near(200), category="设施损坏", text="路灯杆倾斜")
    await town.inspector.send_command("orders")
    await harness.settle()
    await press_and_settle(harness, town.inspector, "📷 待处理随手拍（1）")
    await press_and_settle(harness, town.inspector, "随手拍 #2")
    await press_and_settle(harness, town.inspector, "📝 下整改令")
    await press_and_settle(harness, town.inspector, "✅ 下发")
    await harness.deliver()
    return town


async def test_the_day_s_tally_shows_checks_reports_orders_and_the_unit_score(
    harness: Harness,
) -> None:
    town = await a_day(harness)
    admin = harness.admin
    # Before the evening tally the covert check is not counted yet.
    harness.clock.set(at(DAY, 19, 59))
    await admin.send_command("today")
    await harness.settle()
    text = "\n".join(admin.texts()[-3:])
    assert "督查 1 次（日查 1），平均 80 分；与签到不符 0 处" in text
    harness.clock.set(at(DAY, 20, 30))
    await admin.send_command("today")
    await harness.settle()
    text = "\n".join(m.text or "" for m in admin.messages()[-3:])
    assert "🕵️ 督查与整改：" in text
    assert "督查 2 次（日查 1、抽查 1），平均 75 分；与签到不符 1 处" in text
    assert "随手拍 2 条，转交单位 2 条" in text
    assert "整改令下发 2 件：回复 1 件（按期 1 件）；超期未回复 0 件，未办结共 1 件" in text
    # The second order, due 12-04, is not replied yet but has time left: not in the reply rate.
    assert "回复整改率 100%，按期办结率 —（到期 0 件），整改用时中位数 1.5 小时" in text
    assert "⚠️ 督查与签到不符 1 处：" in text
    assert "10:00 黄河路-人民路口（城管局）：签到 2 人，现场看到 1 人（签到：李明、王芳）" in text
    # Attendance: 2 of 4 seats on time, so 0.6 × 50% + 0.4 × 100% = 70; checks 75; orders 100.
    # 0.5 × 70 + 0.3 × 75 + 0.2 × 100 = 77.5, graded 中 (fair) from 60.
    assert "综合得分：77.5 分（中）" in text
    assert "得分构成：出勤 70，督查 75，整改 100" in text
    assert "1. 城管局：77.5 分（中），在岗率 50%" in text
    assert "，督查 75 分，回复整改率 100%" in text
    # The check-ins themselves hold nothing odd, but a check found one of the two not on post:
    # the tally does not say "no anomalies" under that discrepancy.
    assert "✅ 没有异常" not in text
    assert "✅ 签到记录本身没有异常（督查发现的不符见上）。" in text

    # The day's shift is auto-checked-out; 李明 also served 19:00-20:00 there, unchecked. The
    # covert check saw one of the two checked in at 10:00, and nobody can say which: neither is
    # among the most reliable on that shift, 李明 is on the one nobody contradicted.
    late = await shift(harness, town.post_id, day=DAY, start=19, end=20)
    await checked_in(harness, late, town.volunteers[1], at(DAY, 19, 0))
    harness.clock.set(at(DAY, 21, 0))
    assert await run_due(harness, checkin_jobs.auto_checkout) == 3
    await admin.send_command("today")
    await harness.settle()
    text = "\n".join(m.text or "" for m in admin.messages()[-3:])
    assert "🏅 最可靠的志愿者：\n1. 李明（城管局）：1 个班次，1 小时" in text, text
    assert "王芳（城管局）" not in text and "2. " not in text.split("🏅")[1], text
    credited = [c.credited_minutes for c in await rows(harness, CheckIn)]
    assert credited == [720, 720, 60]


async def test_the_weekly_bulletin_lists_the_orders_still_open_by_unit(harness: Harness) -> None:
    await a_day(harness)
    group = await bind_headquarters(harness)
    # Monday 12-07 08:00: the report of the week 11-30 to 12-06.
    harness.clock.set(at(DAY + dt.timedelta(days=6), 8, 0))
    await harness.tick()
    text = "\n".join(group.texts())
    assert "📌 未办结的整改令 1 件（按单位）：" in text
    assert "· 城管局：1 件（超期 1 件）" in text
    # Both orders fell due that week; the first was accepted in time.
    assert "回复整改率 50%，按期办结率 50%（到期 2 件）" in text
    assert "超期未回复 1 件" in text


async def test_the_ledger_has_the_orders_and_each_unit_s_oversight(harness: Harness) -> None:
    town = await a_day(harness)
    harness.clock.set(at(DAY, 20, 30))
    await harness.admin.send_command("export", "2026-12-01 2026-12-01")
    await harness.settle()
    sent = harness.admin.last()
    assert sent.file_id is not None
    book = load_workbook(io.BytesIO(harness.emulator.file_bytes(sent.file_id)), read_only=True)
    lines = list(book["整改令"].iter_rows(values_only=True))
    assert lines[0][:7] == ("编号", "单位", "类别", "来源", "地点", "问题", "状态")
    first, second = lines[1:]
    assert first[:7] == (1, "城管局", "乱扔垃圾", "随手拍", None, "垃圾桶满溢", "已办结")
    assert first[11] == "是" and first[13] == "否"
    assert second[2] == "设施损坏" and second[6] == "已下发待签收" and second[11] == "否"
    units = {row[0]: row for row in book["单位汇总"].iter_rows(values_only=True)}
    # checks, check score, discrepancies, reports, issued, replied, on time, overdue
    assert units["城管局"][11:19] == (2, 75, 1, 2, 2, 1, 1, 0)
    # The unreplied order is due 12-04: the day's reply rate is the replied one's.
    assert units["城管局"][19] == 1 and units["城管局"][22] == 77.5
    assert len(await orders(harness)) == 2
    del town


@pytest.mark.parametrize("settings_overrides", [{"inspection_round_weights": "40,60"}])
async def test_a_unit_s_own_report_weighs_its_check_rounds_as_the_ranking_does(
    harness: Harness,
) -> None:
    """INSPECTION_ROUND_WEIGHTS=40,60: the week so far (Monday and Tuesday) is two rounds;
    Monday's check scored 100, Tuesday's 50, so the unit's check score is 0.4 × 100 + 0.6 × 50."""
    town = await city(harness)
    await shift(harness, town.post_id, day=DAY - dt.timedelta(days=1), start=7, end=9)
    await recorded_check(
        harness, town.post_id, town.unit_id, at(DAY - dt.timedelta(days=1), 10), 100
    )
    await recorded_check(harness, town.post_id, town.unit_id, at(DAY, 7, 30), 50)
    await harness.admin.send_command("week")
    await harness.settle()
    city_text = "\n".join(m.text or "" for m in harness.admin.messages()[-3:])
    assert "1. 城管局：26.2 分（差），在岗率 0%" in city_text
    assert "，督查 70 分" in city_text
    await town.coordinator.send_command("week")
    await harness.settle()
    unit_text = "\n".join(m.text or "" for m in town.coordinator.messages()[-3:])
    # The same unit and week: the same score as the ranking gives it.
    assert "综合得分：26.2 分（差）" in unit_text
    assert "得分构成：出勤 0，督查 70，整改 —" in unit_text


async def test_a_unit_checked_but_without_shifts_is_ranked_with_its_score(
    harness: Harness,
) -> None:
    """交通局 has no shift today but was checked (40): scored and ranked on that check."""
    town = await city(harness)
    other_post = await post(harness, town.other_unit_id, "人民路-解放路口")
    await recorded_check(harness, other_post, town.other_unit_id, at(DAY, 7, 30), 40)
    await harness.admin.send_command("today")
    await harness.settle()
    text = "\n".join(m.text or "" for m in harness.admin.messages()[-3:])
    line = next(line for line in text.splitlines() if "交通局：" in line)
    assert line == "1. 交通局：40 分（差），没有排班，督查 40 分，回复整改率 —", text
    # A unit neither scheduled nor checked says only that.
    assert "2. 城管局：没有排班" in text


async def test_the_ledger_shows_a_check_score_of_zero(harness: Harness) -> None:
    """A check that found an empty post scores 0: the ledger shows 0, not the empty cell of a
    unit nobody checked."""
    town = await city(harness)
    await recorded_check(harness, town.post_id, town.unit_id, at(DAY, 7, 30), 0)
    await harness.admin.send_command("export", "2026-12-01 2026-12-01")
    await harness.settle()
    sent = harness.admin.last()
    assert sent.file_id is not None
    book = load_workbook(io.BytesIO(harness.emulator.file_bytes(sent.file_id)), read_only=True)
    units = {row[0]: row for row in book["单位汇总"].iter_rows(values_only=True)}
    assert units["城管局"][11:13] == (1, 0)


async def test_an_archived_unit_is_ranked_only_for_a_period_it_has_figures_in(
    harness: Harness,
) -> None:
    town = await city(harness)
    other_post = await post(harness, town.other_unit_id, "人民路-解放路口")
    await recorded_check(harness, other_post, town.other_unit_id, at(DAY, 7, 30), 40)
    async with harness.session() as session:
        await session.execute(
            update(Unit)
            .where(Unit.id.in_([town.unit_id, town.other_unit_id]))
            .values(archived=True)
        )
    await harness.admin.send_command("today")
    await harness.settle()
    text = "\n".join(m.text or "" for m in harness.admin.messages()[-3:])
    # 交通局 was checked today and stays in today's ranking; 城管局 had nothing and is gone.
    assert "1. 交通局：40 分（差）" in text and "城管局" not in text


async def week_ledger(harness: Harness) -> tuple[tuple[object, ...], tuple[object, ...]]:
    """The ledger of the week 12-01..12-06: 城管局's oversight figures (issued, replied, replied
    on time, overdue, reply rate, on-time rate, median hours to fix) and its one order's line."""
    await harness.admin.send_command("export", "2026-12-01 2026-12-06")
    await harness.settle()
    sent = harness.admin.last()
    assert sent.file_id is not None, harness.admin.texts()[-2:]
    book = load_workbook(io.BytesIO(harness.emulator.file_bytes(sent.file_id)), read_only=True)
    units = {row[0]: row for row in book["单位汇总"].iter_rows(values_only=True)}
    [line] = list(book["整改令"].iter_rows(values_only=True))[1:]
    return tuple(units["城管局"][15:22]), line


async def test_a_reopened_order_leaves_the_figures_of_its_first_round_as_they_were(
    harness: Harness,
) -> None:
    """Issued 12-01 08:00, due 12-02 08:00, replied late at 12-02 10:00 and accepted. A week
    later the follow-up finds a relapse and reopens it with a fresh deadline. The week
    12-01..12-06 keeps its figures: the reply was late then and stays late, and the order stays
    due that week, not in the week of its fresh deadline."""
    town = await city(harness)
    inspector = town.inspector
    await ordered(harness, town)
    harness.clock.set(at(DAY + dt.timedelta(days=1), 10))
    await reply(harness, town, "已清运")
    await harness.deliver()
    harness.clock.set(at(DAY + dt.timedelta(days=1), 11))
    await press_and_settle(harness, inspector, "✅ 验收办结")
    await press_and_settle(harness, inspector, "7 天后回头看")
    before, line = await week_ledger(harness)
    # issued 1, replied 1, on time 0, overdue 0; reply rate 100%, on-time rate 0 (due 1);
    # fixed in 27 hours
    assert before == (1, 1, 0, 0, 1, 0, 27), before
    assert line[11] == "否" and line[15] == line[8], line
    harness.clock.set(at(DAY + dt.timedelta(days=8), 11, 30))
    await harness.tick()
    await press_and_settle(harness, inspector, "🔁 复发，重新交办")
    [order] = await orders(harness)
    assert order.reopened == 1 and order.deadline_at > harness.clock.now()
    after, line = await week_ledger(harness)
    assert after == before, (before, after)
    # The fresh deadline is shown; replied on time is still read against the first one.
    assert line[11] == "否" and line[14] == 1 and line[15] != line[8], line


async def test_a_reopened_order_stays_accepted_on_time_in_the_week_it_was(
    harness: Harness,
) -> None:
    """Issued 12-01 08:00, replied at 10:00 and accepted at 11:00, well before its deadline. A
    week later the follow-up finds a relapse and reopens it, which clears the acceptance. The
    week 12-01..12-06 keeps its on-time rate and its time to fix; so it does once the order is
    accepted again."""
    town = await city(harness)
    inspector = town.inspector
    await ordered(harness, town)
    harness.clock.set(at(DAY, 10))
    await reply(harness, town, "已清运")
    await harness.deliver()
    harness.clock.set(at(DAY, 11))
    await press_and_settle(harness, inspector, "✅ 验收办结")
    await press_and_settle(harness, inspector, "7 天后回头看")
    before, _ = await week_ledger(harness)
    # issued 1, replied 1, on time 1, overdue 0; both rates 100%; fixed in 3 hours
    assert before == (1, 1, 1, 0, 1, 1, 3), before
    harness.clock.set(at(DAY + dt.timedelta(days=7), 11, 30))
    await harness.tick()
    await press_and_settle(harness, inspector, "🔁 复发，重新交办")
    reopened, _ = await week_ledger(harness)
    assert reopened == before, (before, reopened)
    await harness.deliver()
    await reply(harness, town, "再次清运")
    await harness.deliver()
    await press_and_settle(harness, inspector, "✅ 验收办结")
    [order] = await orders(harness)
    assert order.accepted_at == harness.clock.now()
    again, _ = await week_ledger(harness)
    assert again == before, (before, again)


async def test_a_unit_without_shifts_reads_in_its_own_report_the_score_it_is_ranked_with(
    harness: Harness,
) -> None:
    """交通局 has no shift today but was checked (40): headquarters ranks it with 40, and its
    own /today gives the same score, with what it is made of."""
    town = await city(harness)
    other_post = await post(harness, town.other_unit_id, "人民路-解放路口")
    await recorded_check(harness, other_post, town.other_unit_id, at(DAY, 7, 30), 40)
    await town.other_coordinator.send_command("today")
    await harness.settle()
    text = "\n".join(m.text or "" for m in town.other_coordinator.messages()[-3:])
    assert "这段时间没有排班。" in text
    assert "综合得分：40 分（差）" in text
    assert "得分构成：出勤 —，督查 40，整改 —" in text
    # A unit with nothing at all still reads only that it had no shifts.
    await town.coordinator.send_command("today")
    await harness.settle()
    text = "\n".join(m.text or "" for m in town.coordinator.messages()[-3:])
    assert "这段时间没有排班。" in text and "综合得分" not in text


async def test_an_archived_unit_still_owing_an_old_order_is_not_ranked_a_week_later(
    harness: Harness,
) -> None:
    """城管局 was given an order on 12-01 and archived (merged) with it still open. A week
    later it has no shifts, checks or orders in the day: it is not in the day's ranking, though
    the open order is still counted."""
    town = await city(harness)
    await ordered(harness, town)
    async with harness.session() as session:
        await session.execute(update(Unit).where(Unit.id == town.unit_id).values(archived=True))
    harness.clock.set(at(DAY + dt.timedelta(days=7), 12))
    await harness.admin.send_command("today")
    await harness.settle()
    text = "\n".join(m.text or "" for m in harness.admin.messages()[-3:])
    assert "城管局：" not in text, text
    assert "未办结共 1 件" in text
