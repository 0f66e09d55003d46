"""The scheduler tick, not a command, brings the headquarters group its reports: the daily tally
at SUMMARY_TIME (late, and marked so, when the bot is back the same day after downtime over that
time; never for a day that has ended), the weekly report on Monday morning and the monthly
report on the 1st, each once."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from sqlalchemy import select, update

from bot.db.models import AssignmentStatus, BoundGroup, CheckoutKind, OutboxMessage, Unit
from bot.emulator.groups import SimGroup
from tests.e2e.group_fixtures import HQ_GROUP, UNIT_GROUP, bind_group
from tests.e2e.report_fixtures import DAY, _Builder, at, report_failures, seed_day
from tests.harness import Harness

MONDAY = dt.date(2026, 12, 7)
FIRST = dt.date(2027, 1, 1)
LATE = "（补发：机器人在定时发送时未运行）"


async def tick_at(harness: Harness, moment: dt.datetime) -> None:
    harness.clock.set(moment)
    await harness.tick()


def texts_since(group: SimGroup, seen: int) -> list[str]:
    return [message.text or message.caption or "" for message in group.messages()[seen:]]


async def test_tally_week_and_month_come_from_the_tick_once_and_late_only_the_same_day(
    harness: Harness,
) -> None:
    await seed_day(harness)
    # Bound after 08:00 on the 1st: November's monthly report is not this group's.
    harness.clock.set(at(DAY, "09:00"))
    await bind_group(harness, HQ_GROUP, "创城指挥部", "🏛 全部单位（指挥部）")
    group = harness.emulator.group(HQ_GROUP)
    seen = len(group.messages())

    # Down from 19:00 to 21:30 over SUMMARY_TIME (20:00): back the same evening, the tally
    # comes, once, marked late, with its chart.
    await tick_at(harness, at(DAY, "19:00"))
    assert texts_since(group, seen) == []
    await tick_at(harness, at(DAY, "21:30"))
    await tick_at(harness, at(DAY, "21:31"))
    tally, chart = texts_since(group, seen)
    assert tally.startswith(f"📊 全部单位 · 执勤日报 · 12月1日 周二\n{LATE}\n班次 5 个")
    assert chart == "📊 全部单位 在岗率 · 12月1日 周二"
    seen = len(group.messages())

    # Back only at 23:10, inside the quiet hours (22:00-07:00): the late tally is queued that
    # evening and, not being urgent, waits for 07:00; deferred, not dropped, and not repeated.
    second = DAY + dt.timedelta(days=1)
    await tick_at(harness, at(second, "19:00"))
    await tick_at(harness, at(second, "23:10"))
    assert texts_since(group, seen) == []
    third = DAY + dt.timedelta(days=2)
    await tick_at(harness, at(third, "07:00"))
    await tick_at(harness, at(third, "07:01"))
    deferred = texts_since(group, seen)
    assert len(deferred) == 2 and deferred[0].startswith(
        f"📊 全部单位 · 执勤日报 · 12月2日 周三\n{LATE}\n"
    ), deferred
    seen = len(group.messages())

    # Down from 19:00 that day until the next morning: that day's tally is not sent the next
    # day at all.
    await tick_at(harness, at(third, "19:00"))
    await tick_at(harness, at(DAY + dt.timedelta(days=3), "08:00"))
    assert texts_since(group, seen) == []

    # Monday: nothing at 07:59, the weekly report of the week before at 08:00, once.
    await tick_at(harness, at(MONDAY, "07:59"))
    assert texts_since(group, seen) == []
    await tick_at(harness, at(MONDAY, "08:00"))
    await tick_at(harness, at(MONDAY, "08:30"))
    week = texts_since(group, seen)
    assert len(week) == 2, week
    assert week[0].startswith("📈 全部单位 · 执勤周报 · 2026年11月30日 至 2026年12月6日\n班次 7 个")
    assert LATE not in week[0]
    seen = len(group.messages())

    # The 1st of the month (a Friday): the monthly report of December, once.
    await tick_at(harness, at(FIRST, "08:00"))
    await tick_at(harness, at(FIRST, "08:01"))
    month = texts_since(group, seen)
    assert len(month) == 2, month
    assert month[0].startswith("📅 全部单位 · 执勤月报 · 2026年12月1日 至 2026年12月31日")

    async with harness.session() as session:
        keys = set(
            await session.scalars(
                select(OutboxMessage.idempotency_key).where(OutboxMessage.chat_id == HQ_GROUP)
            )
        )
    assert {key for key in keys if not key.endswith(":chart")} == {
        f"tally:{HQ_GROUP}:2026-12-01",
        f"tally:{HQ_GROUP}:2026-12-02",
        f"week:{HQ_GROUP}:2026-11-30",
        f"month:{HQ_GROUP}:2026-12",
    }


async def test_a_monthly_report_compares_with_the_whole_month_before(harness: Harness) -> None:
    """February's report (sent on 1 March) compares February with all of January, not with
    January 1-28: the month before is a whole month, as the report's own period is. January
    30th's two hours count in the comparison; they were left out, and with them the change."""
    async with harness.session() as session:
        b = _Builder(session)
        unit = await b.unit("北站街道")
        post = await b.post("北站广场", unit, 150)
        volunteer = await b.member("钱多", unit)
        done, normal = AssignmentStatus.CHECKED_OUT, CheckoutKind.NORMAL
        january = await b.shift(post, dt.date(2027, 1, 30), "07:00", "09:00", 1)
        await b.seat(january, volunteer, done, late=0, out="09:00", kind=normal, minutes=120)
        february = await b.shift(post, dt.date(2027, 2, 10), "07:00", "08:00", 1)
        await b.seat(february, volunteer, done, late=0, out="08:00", kind=normal, minutes=60)
    harness.clock.set(at(dt.date(2027, 2, 27), "09:00"))
    await bind_group(harness, HQ_GROUP, "创城指挥部", "🏛 全部单位（指挥部）")
    group = harness.emulator.group(HQ_GROUP)
    seen = len(group.messages())
    await tick_at(harness, at(dt.date(2027, 3, 1), "08:00"))
    await tick_at(harness, at(dt.date(2027, 3, 1), "08:01"))
    month = [text for text in texts_since(group, seen) if "执勤月报" in text]
    assert len(month) == 1, texts_since(group, seen)
    assert month[0].startswith("📅 全部单位 · 执勤月报 · 2027年2月1日 至 2027年2月28日\n")
    assert (
        "较上期（2027年1月1日 至 2027年1月31日）：在岗率 +0 个百分点，准时率 +0 个百分点，"
        "服务时长 -1 小时，缺勤 +0"
    ) in month[0]


async def test_an_archived_unit_s_group_gets_no_more_reports_and_leaves_later_rankings(
    harness: Harness,
) -> None:
    """团结社区 leaves the campaign on the evening of 1 December: its group, still bound, gets
    no daily tally, weekly or monthly report from then on; headquarters' reports rank it only
    for a period it had duty in (the week and the month of 1 December), not for the days after."""
    await seed_day(harness)
    harness.clock.set(at(DAY, "09:00"))
    await bind_group(harness, HQ_GROUP, "创城指挥部", "🏛 全部单位（指挥部）")
    await bind_group(harness, UNIT_GROUP, "团结社区群", "团结社区")
    hq, unit_group = harness.emulator.group(HQ_GROUP), harness.emulator.group(UNIT_GROUP)
    await tick_at(harness, at(DAY, "20:00"))
    await tick_at(harness, at(DAY, "20:01"))
    assert texts_since(unit_group, len(unit_group.messages()) - 2)[0].startswith(
        "📊 团结社区 · 执勤日报 · 12月1日 周二"
    )
    async with harness.session() as session:
        await session.execute(update(Unit).where(Unit.name == "团结社区").values(archived=True))
    seen_unit = len(unit_group.messages())

    second = DAY + dt.timedelta(days=1)
    seen = len(hq.messages())
    await tick_at(harness, at(second, "20:00"))
    await tick_at(harness, at(second, "20:01"))
    daily = texts_since(hq, seen)
    assert daily[0].startswith("📊 全部单位 · 执勤日报 · 12月2日 周三"), daily
    assert "团结社区" not in daily[0] and "实验学校" in daily[0]

    seen = len(hq.messages())
    await tick_at(harness, at(MONDAY, "08:00"))
    await tick_at(harness, at(MONDAY, "08:01"))
    week = texts_since(hq, seen)
    assert week[0].startswith("📈 全部单位 · 执勤周报 · 2026年11月30日 至 2026年12月6日"), week
    assert "团结社区" in week[0]  # it had duty that week

    seen = len(hq.messages())
    following = MONDAY + dt.timedelta(days=7)
    await tick_at(harness, at(following, "08:00"))
    await tick_at(harness, at(following, "08:01"))
    week = texts_since(hq, seen)
    assert week[0].startswith("📈 全部单位 · 执勤周报 · 2026年12月7日 至 2026年12月13日"), week
    assert "团结社区" not in week[0] and "实验学校" in week[0]

    await tick_at(harness, at(FIRST, "08:00"))
    await tick_at(harness, at(FIRST, "08:01"))
    assert texts_since(unit_group, seen_unit) == []
    async with harness.session() as session:
        keys = list(
            await session.scalars(
                select(OutboxMessage.idempotency_key).where(OutboxMessage.chat_id == UNIT_GROUP)
            )
        )
    assert sorted(key for key in keys if key.startswith(("tally:", "week:", "month:"))) == [
        f"tally:{UNIT_GROUP}:2026-12-01",
        f"tally:{UNIT_GROUP}:2026-12-01:chart",
    ]


async def test_a_picker_shown_before_a_unit_was_archived_does_not_bind_the_group_to_it(
    harness: Harness,
) -> None:
    """/setgroup listed 团结社区; the unit is archived before the admin presses it: the group
    is not bound to a unit whose reports it would never get (the bot would have promised the
    tally at 20:00); the admin is told why, and the group stays as it was."""
    await seed_day(harness)
    group = harness.emulator.group(UNIT_GROUP, "团结社区群")
    await group.send_command(harness.admin, "setgroup")
    await harness.settle()
    assert "团结社区" in group.last().buttons()
    async with harness.session() as session:
        await session.execute(update(Unit).where(Unit.name == "团结社区").values(archived=True))
    await group.press(harness.admin, "团结社区")
    await harness.settle()
    said = [message.text or "" for message in group.messages()] + [
        str(answer.get("text") or "") for answer in harness.admin.answered_callbacks
    ]
    assert any("「团结社区」已归档，不能绑定到群接收报告" in text for text in said), said
    assert await harness.count(BoundGroup) == 0


async def test_a_unit_created_after_a_period_is_not_ranked_in_its_report(harness: Harness) -> None:
    """新城社区 joins the campaign on the morning of 1 January, before the monthly report of
    December goes out: December's bulletin does not rank it as a unit that scheduled nothing
    (it did not exist); January's first tally lists it."""
    await seed_day(harness)
    harness.clock.set(at(DAY, "09:00"))
    await bind_group(harness, HQ_GROUP, "创城指挥部", "🏛 全部单位（指挥部）")
    hq = harness.emulator.group(HQ_GROUP)
    async with harness.session() as session:
        session.add(
            Unit(name="新城社区", created_at=at(FIRST, "07:00"), require_swap_approval=False)
        )
    seen = len(hq.messages())
    await tick_at(harness, at(FIRST, "08:00"))
    await tick_at(harness, at(FIRST, "08:01"))
    month = texts_since(hq, seen)
    assert month[0].startswith("📅 全部单位 · 执勤月报 · 2026年12月1日 至 2026年12月31日"), month
    assert "新城社区" not in month[0] and "实验学校" in month[0]
    seen = len(hq.messages())
    await tick_at(harness, at(FIRST, "20:00"))
    await tick_at(harness, at(FIRST, "20:01"))
    daily = texts_since(hq, seen)
    assert daily[0].startswith("📊 全部单位 · 执勤日报 · 1月1日 周五"), daily
    assert "新城社区" in daily[0]


async def test_one_group_that_cannot_have_its_report_does_not_keep_it_from_the_others(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """Three groups are bound: 团结社区's group holds a row the bot cannot render for (a
    language no catalog has, as a row written by hand or by another version reads), the bot was
    removed from 实验学校's group while it was not running (Telegram answers 403), and
    headquarters' group comes after both. Headquarters still gets its tally at 20:00; the removed
    group loses its binding as a gone chat does; the broken one is left as it is, and nothing
    else of its goes out, but it stops nobody. Tried again at every tick, its failure is logged
    with its traceback once that day (not at every tick) and counted once for the operator's
    monitoring."""
    await seed_day(harness)
    harness.clock.set(at(DAY, "09:00"))
    broken_chat, school_chat = -100_444, -100_333
    await bind_group(harness, broken_chat, "团结社区群", "团结社区")
    await bind_group(harness, school_chat, "实验学校群", "实验学校")
    await bind_group(harness, HQ_GROUP, "创城指挥部", "🏛 全部单位（指挥部）")
    async with harness.session() as session:
        await session.execute(
            update(BoundGroup).where(BoundGroup.chat_id == broken_chat).values(language="xx")
        )
    school, hq = harness.emulator.group(school_chat), harness.emulator.group(HQ_GROUP)
    await school.remove_bot(harness.admin, tell_bot=False)
    seen = len(hq.messages())
    failures = report_failures("daily")

    with caplog.at_level(logging.DEBUG, logger="bot.services.reports.jobs"):
        await tick_at(harness, at(DAY, "20:00"))
        await tick_at(harness, at(DAY, "20:01"))
        await tick_at(harness, at(DAY, "20:02"))
    tally = texts_since(hq, seen)
    assert len(tally) == 2 and tally[0].startswith("📊 全部单位 · 执勤日报 · 12月1日 周二"), tally

    async with harness.session() as session:
        keys = set(
            await session.scalars(
                select(OutboxMessage.idempotency_key).where(
                    OutboxMessage.idempotency_key.like("tally:%")
                )
            )
        )
        bound = set(await session.scalars(select(BoundGroup.chat_id)))
    assert f"tally:{HQ_GROUP}:2026-12-01" in keys
    assert not any(key.startswith(f"tally:{broken_chat}:") for key in keys), keys
    assert bound == {broken_chat, HQ_GROUP}
    logged = [r for r in caplog.records if r.name == "bot.services.reports.jobs"]
    loud = [r for r in logged if r.levelno >= logging.WARNING]
    assert len(loud) == 1 and loud[0].exc_info and str(broken_chat) in loud[0].getMessage(), loud
    assert len(logged) == 3 and not any(r.exc_info for r in logged[1:]), logged
    assert report_failures("daily") == failures + 1


@pytest.mark.parametrize("settings_overrides", [{"scheduler_tick_seconds": 900}])
async def test_a_tally_on_the_first_tick_after_its_time_is_not_marked_late(
    harness: Harness,
) -> None:
    """SCHEDULER_TICK_SECONDS=900: a bot that ticks every 15 minutes reaches 20:00's tally at
    the first tick after it, 20:14 say. It was running all along: the tally does not say it was
    sent late because the bot was not running. Back from downtime later than a tick could
    explain (20:30), it does."""
    await seed_day(harness)
    harness.clock.set(at(DAY, "09:00"))
    await bind_group(harness, HQ_GROUP, "创城指挥部", "🏛 全部单位（指挥部）")
    group = harness.emulator.group(HQ_GROUP)
    seen = len(group.messages())
    await tick_at(harness, at(DAY, "19:59"))
    await tick_at(harness, at(DAY, "20:14"))
    tally, chart = texts_since(group, seen)
    assert tally.startswith("📊 全部单位 · 执勤日报 · 12月1日 周二\n班次 5 个"), tally
    assert chart == "📊 全部单位 在岗率 · 12月1日 周二"
    seen = len(group.messages())

    second = DAY + dt.timedelta(days=1)
    await tick_at(harness, at(second, "19:55"))
    await tick_at(harness, at(second, "20:30"))
    [late, _] = texts_since(group, seen)
    assert late.startswith(f"📊 全部单位 · 执勤日报 · 12月2日 周三\n{LATE}\n"), late


@pytest.mark.parametrize(
    "settings_overrides",
    [{"scheduler_tick_seconds": 900, "summary_time": "23:55", "quiet_hours": "01:00-07:00"}],
)
async def test_a_tally_whose_first_tick_falls_after_midnight_is_still_sent(
    harness: Harness,
) -> None:
    """SUMMARY_TIME=23:55 and a tick every 15 minutes: a bot running all along reaches the 1st's
    tally at its first tick after 23:55, 00:05 on the 2nd. It is sent then (once, not marked
    late), not lost because the day it tallies has just ended. (A day without shifts: its text
    alone, no chart to draw.)"""
    harness.clock.set(at(DAY, "09:00"))
    await bind_group(harness, HQ_GROUP, "创城指挥部", "🏛 全部单位（指挥部）")
    group = harness.emulator.group(HQ_GROUP)
    seen = len(group.messages())
    second = DAY + dt.timedelta(days=1)
    await tick_at(harness, at(DAY, "23:50"))
    await tick_at(harness, at(second, "00:05"))
    await tick_at(harness, at(second, "00:20"))
    [tally] = texts_since(group, seen)
    assert tally.startswith("📊 全部单位 · 执勤日报 · 12月1日 周二\n"), tally
    async with harness.session() as session:
        keys = set(await session.scalars(select(OutboxMessage.idempotency_key)))
    assert f"tally:{HQ_GROUP}:2026-12-01" in keys
    assert not any(key.startswith(f"tally:{HQ_GROUP}:2026-12-02") for key in keys), keys
