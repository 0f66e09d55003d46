"""A report of the past stays as it was: a check-in is judged late or far from its post when it
is made (the flags saved on it), not again by the post's radius or LATE_AFTER_MIN of today."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
from sqlalchemy import select

from bot.buttons import PostRadius
from bot.db.models import Assignment, CheckIn, Member, Post
from bot.emulator import SentMessage
from tests.e2e.report_fixtures import DAY, at, seed_day
from tests.harness import Harness

NEXT_WEEK = DAY + dt.timedelta(days=7)


def _sheets(data: bytes) -> dict[str, list[tuple[Any, ...]]]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


async def _month_and_ledger(harness: Harness) -> tuple[list[str], dict[str, list[Any]]]:
    """The admin's /month (this month so far) and last week's ledger (/export)."""
    admin = harness.admin
    before = len(admin.messages())
    await admin.send_command("month")
    await harness.settle()
    texts = [m.text or "" for m in admin.messages()[before:] if m.kind == "text"]
    await admin.send_command("export", "2026-11-30 2026-12-06")
    await harness.settle()
    sent: SentMessage = admin.last()
    assert sent.kind == "document" and sent.file_id is not None
    return texts, _sheets(harness.emulator.file_bytes(sent.file_id))


async def test_resizing_a_post_or_changing_late_after_min_leaves_past_reports_as_they_were(
    harness: Harness,
) -> None:
    day = await seed_day(harness)
    harness.clock.set(at(NEXT_WEEK, "10:00"))
    texts, sheets = await _month_and_ledger(harness)
    assert "到岗 6 人次：准时 5，迟到 1；缺勤 4，早退 1" in texts[0]
    assert "异常：签到位置超出范围 1，照片被标记 1，早退 1，离岗 1" in texts[0]
    assert "12月1日 周二 10:00 刘强 在「解放路口」签到，距岗位 400 米" in texts[0]
    flags = {row[0]: row[12] for row in sheets["出勤明细"][1:]}
    assert (flags["王芳"], flags["刘强"]) == ("迟到、离岗", "位置超出范围")

    # 刘强 checked in 400 m from 解放路口, then 100 m wide; its coordinator widens it to 500 m.
    # And the campaign now counts a check-in late only after 15 minutes (王芳 was 12 late).
    admin = harness.admin
    report = [m for m in admin.messages() if m.kind == "text"][-1]
    await admin.press_data(PostRadius(day.posts["解放路口"], 500).pack(), report.message_id)
    await harness.settle()
    card = next(m for m in admin.messages() if m.message_id == report.message_id)
    assert "解放路口" in (card.text or "") and "500" in (card.text or "")  # the post's card
    harness.runtime.settings = harness.runtime.settings.model_copy(update={"late_after_min": 15})

    assert await _month_and_ledger(harness) == (texts, sheets)
    async with harness.session() as session:
        post = await session.get(Post, day.posts["解放路口"])
        assert post is not None and post.radius_m == 500
        rows = await session.execute(
            select(Member.display_name, CheckIn.late, CheckIn.far, CheckIn.minutes_late)
            .join(Assignment, Assignment.id == CheckIn.assignment_id)
            .join(Member, Member.id == Assignment.member_id)
            .where(Member.display_name.in_(["王芳", "刘强"]))
            .order_by(Member.display_name)
        )
        assert sorted(rows.all()) == [("刘强", False, True, 0), ("王芳", True, False, 12)]
