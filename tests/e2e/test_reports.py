"""Groups bound for tallies, /today, /week, /month in groups and in private, and refusals."""

from __future__ import annotations

import datetime as dt
import io

import matplotlib.image
import numpy as np
from matplotlib.colors import to_rgb
from sqlalchemy import select

from bot.db.models import (
    Assignment,
    AssignmentStatus,
    AuditEntry,
    BoundGroup,
    CheckIn,
    Dialogue,
    Member,
    OutboxMessage,
    OutboxStatus,
    Post,
    Shift,
    Unit,
)
from bot.emulator import SentMessage
from bot.services.reports.chart import GRADE_COLOURS
from bot.services.reports.scoring import Grade
from tests.e2e.group_fixtures import HQ_GROUP, UNIT_GROUP, bind_group
from tests.e2e.report_fixtures import (
    COORDINATOR_B_ID,
    DAY,
    LEADER_ID,
    VOLUNTEER_ID,
    at,
    seed_day,
)
from tests.harness import Harness

HQ_TALLY = """📊 全部单位 · 执勤日报 · 12月1日 周二
班次 5 个，需 10 人次，已报名 9 人次
到岗 6 人次：准时 5，迟到 1；缺勤 3，早退 1
在岗率 60%，准时率 83%，服务时长 10.75 小时
综合得分：69.3 分（中）

🏆 单位排名（按得分）：
1. 城管局：82 分（中），在岗率 83%，准时 4/5，缺勤 1
2. 团结社区：55 分（差），在岗率 25%，准时 1/1，缺勤 2
3. 实验学校：没有排班

🚫 无人到岗的班次 1 个：
· 14:00–16:00 和平街（团结社区）

⚠️ 异常：签到位置超出范围 1，照片被标记 1，早退 1，离岗 1
· 07:40 王芳 离开了「黄河路-人民路口」（实时位置显示不在岗）
· 08:00 杨磊 在「垃圾分类点」的签到照片被标记
· 10:00 刘强 在「解放路口」签到，距岗位 400 米
· 11:00 陈静 提前离开「解放路口」

🏅 最可靠的志愿者：
1. 张伟（城管局）：1 个班次，2 小时
2. 周杰（城管局）：1 个班次，2 小时"""

UNIT_TALLY_EN = """📊 城管局 · daily tally · Tue 1 Dec
3 shifts, 6 seats, 6 filled
Checked in 5: on time 4, late 1; absent 1, left early 1
On-post rate 83%, punctuality 80%, 8.75 hours served
Score: 82 (fair)

📍 Posts by score:
1. 解放路口: 100 (good), on-post 100%, on time 2/2, absent 0
2. 黄河路-人民路口: 71.7 (fair), on-post 75%, on time 2/3, absent 1

⚠️ Anomalies: checked in out of range 1, flagged photos 0, left early 1, left their post 1
· 07:40 王芳 left their post “黄河路-人民路口” (live location away from it)
· 10:00 刘强 checked in at “解放路口” 400 m away
· 11:00 陈静 left “解放路口” early

🏅 Most reliable volunteers:
1. 张伟 (城管局): shifts 1, 2 h
2. 周杰 (城管局): shifts 1, 2 h"""


async def test_headquarters_group_gets_every_figure_of_the_day(harness: Harness) -> None:
    day = await seed_day(harness)
    group = harness.emulator.group(HQ_GROUP, "创城指挥部")
    await group.send_command(harness.admin, "setgroup")
    await harness.settle()
    assert "创城指挥部" in (group.last().text or "")
    assert group.last().buttons()[:4] == ["🏛 全部单位（指挥部）", "团结社区", "城管局", "实验学校"]
    await group.press(harness.admin, "🏛 全部单位（指挥部）")
    await harness.settle()
    assert "本群已绑定到：全部单位" in (group.last().text or "")
    async with harness.session() as session:
        bound = await session.get(BoundGroup, HQ_GROUP)
        assert bound is not None
        assert (bound.unit_id, bound.language, bound.title) == (None, "zh_Hans", "创城指挥部")
        audit = await session.scalar(select(AuditEntry).where(AuditEntry.action == "group.bind"))
        assert audit is not None and audit.after == {"chat_id": HQ_GROUP, "unit_id": None}

    harness.clock.set(at(DAY, "20:30"))
    await group.send_command(harness.admin, "today")
    await harness.settle()
    text, chart = group.messages()[-2:]
    assert text.text == HQ_TALLY
    assert chart.kind == "photo"
    assert chart.caption == "📊 全部单位 在岗率 · 12月1日 周二"
    assert chart.file_id is not None
    assert harness.emulator.file_bytes(chart.file_id).startswith(b"\x89PNG")
    assert day.units["城管局"] > 0


async def test_unit_group_in_english_ranks_its_posts(harness: Harness) -> None:
    await seed_day(harness)
    await bind_group(harness, UNIT_GROUP, "城管局执勤群", "城管局")
    group = harness.emulator.group(UNIT_GROUP)
    await group.press(harness.admin, "English（英文）")
    await harness.settle()
    assert (group.last().text or "").startswith("✅ This group is bound to: 城管局.")
    assert harness.admin.answered_callbacks[-1].get("text") == (
        "Reports in this group are now in English."
    )
    async with harness.session() as session:
        bound = await session.get(BoundGroup, UNIT_GROUP)
        assert bound is not None and bound.language == "en" and bound.unit is not None
        assert bound.unit.name == "城管局"

    harness.clock.set(at(DAY, "20:30"))
    leader = harness.user(LEADER_ID, "李领导")
    await group.send_command(leader, "today")
    await harness.settle()
    assert group.messages()[-2].text == UNIT_TALLY_EN
    assert group.last().caption == "📊 城管局 on-post rate · Tue 1 Dec"


async def test_private_today_is_the_leaders_unit_and_the_whole_city_for_admins(
    harness: Harness,
) -> None:
    await seed_day(harness)
    harness.clock.set(at(DAY, "20:30"))
    leader = harness.user(LEADER_ID, "李领导")
    await leader.send_command("today")
    await harness.admin.send_command("today")
    await harness.settle()
    leader_text = leader.messages()[-2].text or ""
    assert leader_text.startswith("📊 城管局 · 执勤日报 · 12月1日 周二")
    assert "📍 各岗位情况（按得分）：" in leader_text
    assert leader.last().kind == "photo"
    assert harness.admin.messages()[-2].text == HQ_TALLY
    # The trend is the last seven days, 25 November to 1 December, though only the last two
    # had shifts: their points are drawn at the right of the week, not stretched over it.
    chart = leader.last()
    assert chart.file_id is not None
    pixels = matplotlib.image.imread(io.BytesIO(harness.emulator.file_bytes(chart.file_id)))
    lower = pixels[pixels.shape[0] // 2 :, :, :3]
    line = np.all(np.abs(lower - to_rgb("#2c3e50")) < 0.02, axis=2)
    columns = np.nonzero(line.any(axis=0))[0]
    assert columns.min() > 0.6 * pixels.shape[1], (columns.min(), pixels.shape[1])


async def test_a_day_without_shifts_gets_its_text_and_no_empty_chart(harness: Harness) -> None:
    await seed_day(harness)
    # Friday has no shifts: the tally says so, and no chart of empty bars follows.
    harness.clock.set(at(DAY, "20:30") + dt.timedelta(days=3))
    leader = harness.user(LEADER_ID, "李领导")
    before = len(leader.messages())
    await leader.send_command("today")
    await harness.settle()
    answers = leader.messages()[before:]
    assert [message.kind for message in answers] == ["text"]
    assert "这段时间没有排班。" in (answers[0].text or "")
    assert "📊 城管局 · 执勤日报 · 12月4日 周五" in (answers[0].text or "")

    # A day, week or month typed after the command is that one's, not today's quietly: the
    # tally of Tuesday the 1st, last week whole against the week before, November whole.
    for command, args, header in (
        ("today", "12-01", "📊 城管局 · 执勤日报 · 12月1日 周二\n班次"),
        ("week", "11-24", "📈 城管局 · 执勤周报 · 2026年11月23日 至 2026年11月29日"),
        ("month", "11月", "📅 城管局 · 执勤月报 · 2026年11月1日 至 2026年11月30日"),
    ):
        before = len(leader.messages())
        await leader.send_command(command, args)
        await harness.settle()
        first = leader.messages()[before].text or ""
        assert first.startswith(header), (command, args, first)
    # The week that holds today is that week so far, as without a day; November whole is
    # compared with October whole.
    await leader.send_command("week", "11-30")
    await harness.settle()
    assert (leader.messages()[-2].text or "").startswith(
        "📈 城管局 · 执勤周报 · 2026年11月30日 至 2026年12月4日"
    )
    november = next(
        m.text or "" for m in leader.messages() if "执勤月报 · 2026年11月1日" in (m.text or "")
    )
    assert "较上期（2026年10月1日 至 2026年10月31日）" in november, november
    # A day to come, or words it cannot read, are answered with what the command takes.
    for args, answer in (
        ("12-05", "2026年12月5日 还没到：只能查看今天及以前的统计。"),
        ("昨天吧", "没看懂日期。"),
    ):
        before = len(leader.messages())
        await leader.send_command("today", args)
        await harness.settle()
        [refusal] = leader.messages()[before:]
        assert (refusal.text or "").startswith(answer), (args, refusal.text)


async def test_week_and_month_compare_with_the_period_before(harness: Harness) -> None:
    await seed_day(harness)
    harness.clock.set(at(DAY, "20:30"))
    await harness.admin.send_command("week")
    await harness.settle()
    week = harness.admin.messages()[-2].text or ""
    assert week.startswith("📈 全部单位 · 执勤周报 · 2026年11月30日 至 2026年12月1日")
    # Monday 30 Nov (2 seats, 1 checked in, 2 h) and Tuesday 1 Dec together.
    assert "班次 6 个，需 12 人次，已报名 10 人次" in week
    assert "到岗 7 人次：准时 6，迟到 1；缺勤 3，早退 1" in week
    assert "服务时长 12.75 小时" in week
    # Nothing was scheduled the week before, so rates have nothing to compare with, and the
    # change of hours is the 12.75 hours above, to the same decimals.
    assert (
        "较上期（2026年11月23日 至 2026年11月24日）：在岗率 —，准时率 —，"
        "服务时长 +12.75 小时，缺勤 +3"
    ) in week
    assert "🏆 单位排名（按得分）：" in week
    # Scored this week and not the week before: new on the ranking, not a change left unsaid.
    assert "1. 城管局：78.3 分（中），在岗率 75%，准时 5/6，缺勤 1（新上榜）\n" in week
    assert "2. 团结社区：55 分（差），在岗率 25%，准时 1/1，缺勤 2（新上榜）\n" in week
    assert "3. 实验学校：没有排班\n" in week
    assert "⚠️ 异常：签到位置超出范围 1，照片被标记 1，早退 1，离岗 1" in week
    assert "· 12月1日 周二 07:40 王芳 离开了「黄河路-人民路口」（实时位置显示不在岗）" in week

    await harness.admin.send_command("month")
    await harness.settle()
    month = harness.admin.messages()[-2].text or ""
    # December so far is only the 1st; November 1st is the period before.
    assert month.startswith("📅 全部单位 · 执勤月报 · 12月1日 周二")
    assert "较上期（2026年11月1日 至 2026年11月1日）" in month
    assert "班次 5 个，需 10 人次，已报名 9 人次" in month


async def test_group_refusals_are_clear_and_change_nothing(harness: Harness) -> None:
    await seed_day(harness)
    group = harness.emulator.group(HQ_GROUP, "创城指挥部")
    coordinator = harness.user(COORDINATOR_B_ID, "团结协调")
    await group.send_command(coordinator, "setgroup")
    await harness.settle()
    assert "没有权限" in (group.last().text or ""), group.texts()

    await group.send_command(harness.admin, "today")
    await harness.settle()
    assert group.last().text == "本群还没有绑定。请管理员在群里发送 /setgroup。"

    await group.send_command(harness.admin, "setgroup")
    await harness.settle()
    await group.press(coordinator, "城管局")
    await harness.settle()
    assert await harness.count(BoundGroup) == 0

    # Someone else's ✖️ on the admin's picker neither closes it nor ends their own dialogue.
    volunteer = harness.user(VOLUNTEER_ID, "学校志愿者")
    await volunteer.send_command("unavailable")
    await harness.settle()
    picker = group.last()
    await group.press(volunteer, "✖️ 取消")
    await harness.settle()
    assert volunteer.answered_callbacks[-1]["text"] == "抱歉，您没有权限执行这个操作。"
    assert group.last().text == picker.text and "✖️ 取消" in group.last().buttons()
    async with harness.session() as session:
        assert await session.get(Dialogue, VOLUNTEER_ID) is not None
    await group.press(harness.admin, "✖️ 取消")
    await harness.settle()
    assert group.last().text == "已取消。" and group.last().buttons() == []
    async with harness.session() as session:
        assert await session.get(Dialogue, VOLUNTEER_ID) is not None

    await volunteer.send_command("today")
    await volunteer.send_command("export")
    await harness.settle()
    assert all("没有权限" in text for text in volunteer.texts()[-2:]), volunteer.texts()


async def test_rebinding_and_unbinding(harness: Harness) -> None:
    await seed_day(harness)
    await bind_group(harness, HQ_GROUP, "创城指挥部", "团结社区")
    group = harness.emulator.group(HQ_GROUP)
    await group.send_command(harness.admin, "setgroup")
    await harness.settle()
    assert (group.last().text or "").startswith("目前绑定：团结社区（报告语言：简体中文")
    await group.press(harness.admin, "🔕 解除绑定")
    await harness.settle()
    assert group.last().text == "本群已解除绑定，不再接收报告。"
    assert await harness.count(BoundGroup) == 0


async def test_report_commands_in_the_wrong_chat_or_by_the_wrong_person(harness: Harness) -> None:
    await seed_day(harness)
    harness.clock.set(at(DAY, "20:30"))
    await bind_group(harness, HQ_GROUP, "创城指挥部", "🏛 全部单位（指挥部）")
    group = harness.emulator.group(HQ_GROUP)
    stranger = harness.user(999_111, "路人")
    volunteer = harness.user(VOLUNTEER_ID, "学校志愿者")
    leader = harness.user(LEADER_ID, "李领导")
    before = len(group.messages())

    # The ledger holds people's hours: it is sent in a private chat only, and said so.
    await group.send_command(harness.admin, "export")
    await group.send_command(stranger, "today")
    await group.send_command(volunteer, "week")
    await harness.settle()
    assert group.texts()[before:] == [
        "/export 要在与我的私聊中使用：点我的头像进入私聊，再发送 /export。",
        "您还没有注册。请向所在单位的协调员索取邀请链接，点开即可注册。",
        "抱歉，您没有权限执行这个操作。",
    ]
    assert all(sent.kind == "text" for sent in group.messages()[before:])

    await volunteer.send_command("week")
    await volunteer.send_command("month")
    await leader.send_command("export", "2026-12-01")
    await leader.send_command("setgroup")
    await harness.settle()
    assert volunteer.texts()[-2:] == ["抱歉，您没有权限执行这个操作。"] * 2
    # Only admins bind groups: a leader is refused, not sent to a group that refuses them too.
    assert leader.texts()[-2:] == ["抱歉，您没有权限执行这个操作。"] * 2
    assert all(sent.kind == "text" for sent in leader.messages())
    assert await harness.count(BoundGroup) == 1


async def test_a_tally_too_long_for_one_message_is_split_in_order(harness: Harness) -> None:
    """A city with hundreds of units: the ranking alone is longer than a Telegram message."""
    await seed_day(harness)
    names = [f"第{n:03d}社区新时代文明实践志愿服务队" for n in range(1, 261)]
    async with harness.session() as session:
        session.add_all(
            Unit(name=name, require_swap_approval=False, created_at=at(DAY, "00:00"))
            for name in names
        )
        # Bound in the morning, after the monthly report's time (the binding journey is
        # tested above)
        session.add(
            BoundGroup(
                chat_id=HQ_GROUP,
                title="创城指挥部",
                unit_id=None,
                language="zh_Hans",
                bound_by=harness.admin.user_id,
                bound_at=at(DAY, "09:00"),
            )
        )
        await session.commit()
    group = harness.emulator.group(HQ_GROUP, "创城指挥部")

    def check(sent: list[SentMessage]) -> None:
        *texts, chart = sent
        assert len(texts) >= 2 and all(len(part.text or "") <= 4096 for part in texts)
        assert chart.kind == "photo" and chart.caption == "📊 全部单位 在岗率 · 12月1日 周二"
        whole = "\n".join(part.text or "" for part in texts)
        assert whole.startswith("📊 全部单位 · 执勤日报 · 12月1日 周二")
        assert "🏅 最可靠的志愿者：" in (texts[-1].text or "")
        # Every unit once, in rank order, none cut in two.
        ranked = [line for line in whole.split("\n") if "：没有排班" in line]
        assert ranked == [f"{rank}. {name}：没有排班" for rank, name in enumerate(
            sorted(["实验学校", *names]), start=3
        )]  # fmt: skip

    # Asked for in the group...
    harness.clock.set(at(DAY, "19:00"))
    await group.send_command(harness.admin, "today")
    await harness.settle()
    asked = group.messages()
    check(asked)

    # ...and sent at SUMMARY_TIME through the outbox, in as many parts.
    harness.clock.set(at(DAY, "20:00"))
    await harness.tick()
    scheduled = group.messages()[len(asked) :]
    check(scheduled)
    assert len(scheduled) == len(asked)


async def test_setgroup_pages_through_many_units(harness: Harness) -> None:
    """Telegram takes at most 100 buttons in a keyboard; a city may have more units."""
    names = [f"第{n:03d}社区" for n in range(1, 131)]
    async with harness.session() as session:
        session.add_all(
            Unit(name=name, require_swap_approval=False, created_at=at(DAY, "00:00"))
            for name in names
        )
        await session.commit()
    group = harness.emulator.group(UNIT_GROUP, "第125社区执勤群")
    await group.send_command(harness.admin, "setgroup")
    await harness.settle()
    first = group.last()
    assert "单位第 1–20 个，共 130 个" in (first.text or "")
    assert first.buttons()[:3] == ["🏛 全部单位（指挥部）", "第001社区", "第002社区"]
    assert first.buttons()[-2:] == ["下一页 ▶️", "✖️ 取消"] and len(first.buttons()) == 23

    for _ in range(6):
        await group.press(harness.admin, "下一页 ▶️")
        await harness.settle()
    last = group.last()
    assert last.message_id == first.message_id  # the same message, edited
    assert "单位第 121–130 个，共 130 个" in (last.text or "")
    assert last.buttons()[-4:] == ["第129社区", "第130社区", "◀️ 上一页", "✖️ 取消"]
    await group.press(harness.admin, "◀️ 上一页")
    await harness.settle()
    assert "单位第 101–120 个" in (group.last().text or "")
    await group.press(harness.admin, "第111社区")
    await harness.settle()
    assert "本群已绑定到：第111社区" in (group.last().text or "")
    async with harness.session() as session:
        bound = await session.get(BoundGroup, UNIT_GROUP)
        assert bound is not None and bound.unit is not None and bound.unit.name == "第111社区"


async def test_a_week_without_shifts_after_one_without_shifts_compares_nothing(
    harness: Harness,
) -> None:
    """Nothing scheduled this week nor the week before: the report says so, without a line of
    dashes and zeros against the week before."""
    await seed_day(harness)
    # The week of 14 December and the one before have no shifts.
    harness.clock.set(at(DAY + dt.timedelta(days=14), "20:30"))
    await harness.admin.send_command("week")
    await harness.settle()
    week = "\n".join(m.text or "" for m in harness.admin.messages()[-2:])
    assert "这段时间没有排班。" in week
    assert "较上期" not in week


async def test_someone_still_on_post_is_not_among_the_most_reliable_with_no_hours(
    harness: Harness,
) -> None:
    """At 19:30 周杰 is on the evening shift, checked in on time and not yet out: nothing is
    credited to him yet, so he is not listed as one of the most reliable with "0 小时"; the
    list ranks minutes credited, and only 张伟 has any that were clean."""
    await seed_day(harness)
    async with harness.session() as session:
        jie = await session.scalar(
            select(CheckIn)
            .join(Assignment, Assignment.id == CheckIn.assignment_id)
            .join(Member, Member.id == Assignment.member_id)
            .where(Member.display_name == "周杰")
        )
        assert jie is not None
        jie.checked_out_at, jie.checkout_kind, jie.credited_minutes = None, None, None
        zhou = await session.get(Assignment, jie.assignment_id)
        assert zhou is not None
        zhou.status = AssignmentStatus.CHECKED_IN
    harness.clock.set(at(DAY, "19:30"))
    await harness.admin.send_command("today")
    await harness.settle()
    text = harness.admin.messages()[-2].text or ""
    assert "到岗 6 人次" in text  # he is on post, and counted as checked in
    top = text.split("🏅 最可靠的志愿者：\n", 1)[1]
    assert top == "1. 张伟（城管局）：1 个班次，2 小时"


async def test_a_chart_of_units_with_long_names_still_shows_its_bars(harness: Harness) -> None:
    """Unit names may be 64 characters long. The chart /today sends keeps its bars readable:
    城管局's 83 % bar (fair: orange) spans a good part of the picture, not a sliver beside a
    name that took the whole width."""
    await seed_day(harness)
    async with harness.session() as session:
        for name, long_name in (("城管局", "城" * 64), ("团结社区", "W" * 64)):
            unit = await session.scalar(select(Unit).where(Unit.name == name))
            assert unit is not None
            unit.name = long_name
    harness.clock.set(at(DAY, "20:30"))
    await harness.admin.send_command("today")
    await harness.settle()
    chart = harness.admin.last()
    assert chart.kind == "photo" and chart.file_id is not None
    pixels = matplotlib.image.imread(io.BytesIO(harness.emulator.file_bytes(chart.file_id)))
    width = pixels.shape[1]
    orange = np.all(np.abs(pixels[:, :, :3] - to_rgb(GRADE_COLOURS[Grade.FAIR])) < 0.02, axis=2)
    widest = max(int(row.sum()) for row in orange)
    assert widest > width // 4, (widest, width)


async def test_a_name_with_dollar_signs_is_drawn_as_written_and_the_tally_goes_out(
    harness: Harness,
) -> None:
    """Names are typed by people: a unit called 团结社区$_$ is not a formula. The chart drew
    text between two $ as mathematics, so such a name stopped the drawing: /today answered
    nothing after its text and the scheduled tally was never queued, tick after tick."""
    await seed_day(harness)
    async with harness.session() as session:
        unit = await session.scalar(select(Unit).where(Unit.name == "团结社区"))
        assert unit is not None
        unit.name = "团结社区$_$"
        session.add(
            BoundGroup(
                chat_id=HQ_GROUP,
                title="创城指挥部",
                unit_id=None,
                language="zh_Hans",
                bound_by=harness.admin.user_id,
                bound_at=at(DAY, "09:00"),
            )
        )
    group = harness.emulator.group(HQ_GROUP, "创城指挥部")
    harness.clock.set(at(DAY, "20:00"))
    await harness.tick()
    text, chart = group.messages()
    assert "2. 团结社区$_$：55 分（差）" in (text.text or "")
    assert chart.kind == "photo" and chart.file_id is not None
    assert harness.emulator.file_bytes(chart.file_id).startswith(b"\x89PNG")
    async with harness.session() as session:
        keys = set(
            await session.scalars(
                select(OutboxMessage.idempotency_key).where(
                    OutboxMessage.status == OutboxStatus.SENT
                )
            )
        )
    assert {f"tally:{HQ_GROUP}:2026-12-01", f"tally:{HQ_GROUP}:2026-12-01:chart"} <= keys


async def test_a_volunteer_who_moved_to_another_unit_is_ranked_once_on_all_their_hours(
    harness: Harness,
) -> None:
    """张伟 served 团结社区's 和平街 on Monday, then moved to 城管局 and served there on Tuesday:
    the week's most reliable volunteers list him once, on his four hours, with both units (the
    latest first), not twice with two hours each, taking a place someone else had."""
    day = await seed_day(harness)
    async with harness.session() as session:
        monday = await session.scalar(
            select(Shift).where(Shift.starts_at == at(DAY - dt.timedelta(days=1), "07:00"))
        )
        assert monday is not None
        monday.post_id = day.posts["和平街"]
    harness.clock.set(at(DAY, "20:30"))
    await harness.admin.send_command("week")
    await harness.settle()
    week = harness.admin.messages()[-2].text or ""
    top = week.split("🏅 最可靠的志愿者：\n", 1)[1]
    assert top.split("\n") == [
        "1. 张伟（城管局、团结社区）：2 个班次，4 小时",
        "2. 周杰（城管局）：1 个班次，2 小时",
    ]
    async with harness.session() as session:
        served = (
            await session.execute(
                select(Post.unit_id, CheckIn.credited_minutes)
                .join(Assignment, Assignment.id == CheckIn.assignment_id)
                .join(Shift, Shift.id == Assignment.shift_id)
                .join(Post, Post.id == Shift.post_id)
                .where(
                    Assignment.member_id == day.members["张伟"], Shift.starts_at < at(DAY, "23:00")
                )
            )
        ).all()
    assert sorted(served) == sorted([(day.units["团结社区"], 120), (day.units["城管局"], 120)])
