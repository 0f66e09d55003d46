"""`dutybot demo` plays its whole story against the emulator: the broadcast is delivered, the
day's check-ins, reminders and escalations happen, and the tally and its chart come out."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.cli import main
from bot.db.engine import Database
from bot.db.models import Assignment, AssignmentStatus, CheckIn, Member, Post, Shift


async def _street_statuses(url: str) -> tuple[dict[str, AssignmentStatus], int]:
    """Who was on the 09:30 shift on 春熙路步行街 and how it ended; how many check-ins."""
    database = Database(url)
    try:
        async with database.session() as session:
            rows = await session.execute(
                select(Member.display_name, Assignment.status)
                .join(Assignment, Assignment.member_id == Member.id)
                .join(Shift, Shift.id == Assignment.shift_id)
                .join(Post, Post.id == Shift.post_id)
                .where(Post.name == "春熙路步行街")
            )
            statuses = dict(rows.all())
            checked_in = int(await session.scalar(select(func.count()).select_from(CheckIn)) or 0)
    finally:
        await database.dispose()
    return statuses, checked_in


def test_demo_plays_the_day_and_writes_the_chart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out

    # The broadcast reaches the five volunteers; the progress message ends at the final count.
    assert out.count("🤖 📣 可报名的班次，点按钮报名：") == 5
    assert "🤖✏️ ✅ 发送完成（共 5 人）：送达 5，被屏蔽 0，失败 0" in out
    assert "⏳ 已加入候补，排第 1 位" in out
    # The scheduler: reminders, check-in open, late nudge, left the post, no-show, auto check-out.
    assert "⏰ 上岗提醒：12月2日 周三 07:00–09:00 · 黄河路-人民路口，距开始还有 12 小时。" in out
    assert "📍 签到已开放：12月2日 周三 09:30–11:30 · 春熙路步行街" in out
    assert "已开始 6 分钟，您还没有签到" in out
    assert "您好像离开了「黄河路-人民路口」" in out
    assert "🚨 缺岗：12月2日 周三 09:30–11:30 · 春熙路步行街" in out
    assert "系统已自动为您签退" in out
    # Check-ins: too far then closer, on time with a live location, late; an early check-out.
    assert "您距「黄河路-人民路口」还有 600 米（在岗位南方）" in out
    assert "📡 正在共享实时位置" in out
    assert "⚠️ 迟到 20 分钟，已记录。" in out
    assert "提前离岗原因：家里有急事" in out
    # The coordinator's roster and the day's tally.
    assert "1. 李明 — ☑️ 已签退 · 06:50 签到 · 在岗率 85% · 计 2 小时" in out
    assert "3. 张伟 — ☑️ 已签退 · 09:50 签到 · 迟到 20 分钟 · 计 1 小时 40 分钟" in out
    assert "[📷 照片 · 陈静] [✏️ 更正 · 陈静]" in out
    assert "🏅 本月服务时长在「城管局」排第 1 名（共 4 人）" in out
    assert "到岗 4 人次：准时 3，迟到 1；缺勤 1，早退 1" in out
    assert "早退 1，离岗 1" in out and "李明 离开了「黄河路-人民路口」（实时位置显示不在岗）" in out
    # The swap: 李明 gives Saturday's morning shift away, 张伟 takes it, the roster follows.
    # It is offered to the other volunteers, not to the coordinator, who does not stand on posts.
    assert out.count("🤖 🔁 李明 转让一个班次：") == 4
    assert "✅ 换岗完成：现在由您负责 12月5日 周六 09:00–11:00 · 人民公园东门" in out
    assert "已由 张伟 接班，您不用再去了。" in out
    assert "1. 张伟 — ⏳ 未到" in out
    # Oversight: a street report becomes an order, replied to and accepted; a covert check's
    # order reaches the unit only with the evening tally.
    assert "✅ 已收到随手拍 #1（乱扔垃圾），已转交「城管局」（离其岗位 60 米）" in out
    assert "📤 「城管局」回复了整改令 #1，请验收：" in out
    assert "✅ 您的随手拍 #1 已由「城管局」整改完毕" in out
    assert "得分 65（扣 35 分：缺岗（每缺 1 人） −30、周边乱停车 −5）" in out
    assert "问题：缺岗（每缺 1 人） ×3；周边乱停车" in out
    covert = out.index("(nothing reaches the unit yet: the check was covert)")
    assert "📝 整改令 #2 · 岗位问题" in out[covert:]
    # The evening tally counts the covert check now that the unit may see it.
    assert "督查 1 次（抽查 1），平均 65 分；与签到不符 0 处" in out[covert:]
    # The covert check's order, just published, still has its deadline ahead: not yet unreplied.
    assert "回复整改率 100%，按期办结率 —（到期 0 件），整改用时中位数 3.3 小时" in out[covert:]
    # The rotation: next week filled fairly, 王芳's leave approved, her seat taken by another.
    assert "共 19 个空位，排上 19 个，分给 5 人。" in out
    assert "✅ 已排班（12月7日 周一 至 12月13日 周日）：19 个名额，5 人" in out
    assert out.count("🤖 📋 王协调 给您排了") == 5
    assert "原因：出差去省里培训" in out and "✅ 已批准 王芳 请假" in out
    assert "接下了请假空出的班次：12月7日 周一 17:00–19:00 · 黄河路-人民路口" in out

    chart = tmp_path / "demo-tally.png"
    assert f"📈 the tally's chart is saved at {chart}" in out
    assert chart.read_bytes().startswith(b"\x89PNG")
    statuses, checked_in = asyncio.run(
        _street_statuses(f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}")
    )
    assert statuses == {
        "张伟": AssignmentStatus.CHECKED_OUT,
        "陈静": AssignmentStatus.CHECKED_OUT,
        "刘强": AssignmentStatus.ABSENT,
    }
    assert checked_in == 4
    assert list((tmp_path / "photos" / "2026-12-02").iterdir())
