"""/export: the ledger spreadsheet, opened with openpyxl, agrees with the tally."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select

from bot.cli import wrote
from bot.db.models import Assignment, AssignmentStatus, Member, Post, Shift, ShiftStatus, Unit
from bot.exportcli import export_ledger
from bot.settings import SettingsError
from tests.conftest import make_settings
from tests.e2e.report_fixtures import COORDINATOR_B_ID, DAY, at, seed_day
from tests.harness import Harness


def _sheets(data: bytes) -> dict[str, list[tuple[Any, ...]]]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


async def test_admin_exports_a_day_and_its_sums_match_the_tally(harness: Harness) -> None:
    """The caption's hours read as /today reads them (10.75, not 10.8)."""
    await seed_day(harness)
    harness.clock.set(at(DAY, "20:30"))
    await harness.admin.send_command("export", "2026-12-01 2026-12-01")
    await harness.settle()
    sent = harness.admin.last()
    assert sent.kind == "document" and sent.file_name == "ledger-2026-12-01-2026-12-01.xlsx"
    assert sent.caption == (
        "📒 全部单位 执勤台账 · 2026年12月1日 至 2026年12月1日：9 条记录，共 10.75 小时"
    )
    assert sent.file_id is not None
    sheets = _sheets(harness.emulator.file_bytes(sent.file_id))
    assert list(sheets) == ["出勤明细", "志愿者时长", "单位汇总", "整改令"]

    attendance = sheets["出勤明细"]
    assert attendance[0][:3] == ("志愿者", "单位", "岗位")
    rows = attendance[1:]
    assert len(rows) == 9  # seats held: the tally's "filled"
    assert sum(row[11] for row in rows) == 10.75  # hours, as in the tally
    statuses = [row[6] for row in rows]
    assert statuses.count("缺勤") == 3 and statuses.count("已签退") == 6
    flags = {row[0]: row[12] for row in rows}
    assert flags["王芳"] == "迟到、离岗"  # late, and her live location left the post
    assert flags["刘强"] == "位置超出范围"
    assert flags["杨磊"] == "照片被标记"
    assert flags["陈静"] == "早退"
    assert flags["张伟"] is None
    first = rows[0]
    assert (first[0], first[2], str(first[3])[:10], str(first[4])) == (
        "张伟", "黄河路-人民路口", "2026-12-01", "07:00:00",
    )  # fmt: skip

    hours = sheets["志愿者时长"][1:]
    assert sum(row[7] for row in hours) == 10.75
    assert sum(row[2] for row in hours) == 9
    assert sum(row[6] for row in hours) == 3  # absent

    units = {row[0]: row for row in sheets["单位汇总"][1:]}
    assert set(units) == {"城管局", "团结社区"}
    # shifts, seats, filled, checked in, on time, late, absent, left early, hours
    assert units["城管局"][1:10] == (3, 6, 6, 5, 4, 1, 1, 1, 8.75)
    assert units["团结社区"][1:10] == (2, 4, 3, 1, 1, 0, 2, 0, 2)
    # No checks and no orders that day: the unit score is the attendance score.
    assert (units["城管局"][22], units["城管局"][23]) == (82.0, "中")
    assert (units["团结社区"][22], units["团结社区"][23]) == (55.0, "差")
    assert sheets["整改令"][1:] == []


async def test_coordinator_exports_their_unit_with_a_button(harness: Harness) -> None:
    await seed_day(harness)
    harness.clock.set(at(DAY, "20:30"))
    coordinator = harness.user(COORDINATOR_B_ID, "团结协调")
    await coordinator.send_command("export")
    await harness.settle()
    assert coordinator.last().buttons() == ["本周", "上周", "本月", "上月", "✖️ 取消"]
    await coordinator.press("本周")
    await harness.settle()
    sent = coordinator.last()
    assert sent.kind == "document" and sent.file_id is not None
    assert (sent.caption or "").startswith("📒 团结社区 执勤台账 · 2026年11月30日 至 2026年12月1日")
    rows = _sheets(harness.emulator.file_bytes(sent.file_id))["出勤明细"][1:]
    assert {row[1] for row in rows} == {"团结社区"}
    assert len(rows) == 3


async def test_export_refuses_a_bad_range(harness: Harness) -> None:
    await seed_day(harness)
    wrong = (
        "yesterday",
        "2026-12-05 2026-12-01",
        "2025-01-01 2026-12-01",
        "2027-01-01",
        # A slip of the keyboard in the year: refused, not an overflow on the way.
        "0001-01-01",
        "12-01 12-02 12-03",
    )
    for args in wrong:
        await harness.admin.send_command("export", args)
    await harness.settle()
    unreadable = (
        "没看懂日期范围。请这样写：/export 11-01至11-30 或 /export 2026-12-01 2026-12-07"
        "（起止日期，最长一年），或直接用按钮选择。"
    )
    assert harness.admin.texts()[-len(wrong) :] == [
        unreadable,
        "结束日期 2026年12月1日 早于开始日期 2026年12月5日。"
        "请先写开始日期，例如 /export 2026-12-01 2026-12-07。",
        "2025年1月1日 至 2026年12月1日 超过一年；一次最多导出一年，请分段导出。",
        "2027年1月1日 还没到：只能导出今天及以前的记录。",
        unreadable,
        unreadable,
    ]
    assert all(sent.kind == "text" for sent in harness.admin.messages())


async def test_export_reads_dates_as_the_other_commands_do(harness: Harness) -> None:
    await seed_day(harness)
    for args in ("12-01", "１２－０１ 2026/12/01", "12月1日"):
        await harness.admin.send_command("export", args)
        await harness.settle()
        sent = harness.admin.last()
        assert sent.kind == "document", args
        assert "2026年12月1日" in (sent.caption or ""), args


async def test_command_line_export_writes_the_same_ledger(harness: Harness, tmp_path: Path) -> None:
    await seed_day(harness)
    settings = make_settings(harness.database.url, reports_dir=str(tmp_path))
    path, rows = await export_ledger(
        settings,
        first="2026-12-01",
        last=None,
        unit_name="城管局",
        language="en",
        out=None,
        now=at(DAY, "20:30"),
    )
    assert rows == 6
    assert path == tmp_path / "ledger-2026-12-01-2026-12-01.xlsx"
    assert wrote(rows, path) == f"dutybot: wrote 6 attendance rows to {path}"
    assert wrote(1, path) == f"dutybot: wrote 1 attendance row to {path}"
    sheets = _sheets(_read(path))
    assert list(sheets) == ["Attendance", "Hours per volunteer", "Units", "Rectification orders"]
    assert sum(row[11] for row in sheets["Attendance"][1:]) == 8.75


def _read(path: Path) -> bytes:
    return path.read_bytes()


async def test_command_line_export_of_a_database_never_migrated_writes_an_empty_ledger(
    tmp_path: Path,
) -> None:
    fresh = tmp_path / "fresh.sqlite3"
    settings = make_settings(f"sqlite+aiosqlite:///{fresh}", reports_dir=str(tmp_path))
    path, rows = await export_ledger(
        settings,
        first="2026-12-01",
        last=None,
        unit_name=None,
        language=None,
        out=str(tmp_path / "ledger.xlsx"),
        now=at(DAY, "20:30"),
    )
    assert (path, rows) == (tmp_path / "ledger.xlsx", 0)
    assert list(_sheets(_read(path))) == ["出勤明细", "志愿者时长", "单位汇总", "整改令"]


async def test_command_line_export_says_why_a_range_is_refused(tmp_path: Path) -> None:
    settings = make_settings(f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}")
    for first, last, reason in (
        ("2026-12-05", "2026-12-01", "--until is before --from"),
        ("2025-01-01", "2026-12-01", "at most a year at a time"),
        ("2027-01-01", None, "--from is after today"),
        (
            "someday",
            None,
            "expected --from [--until] as dates such as 2026-12-01, or 12-01 for the one "
            "closest to today",
        ),
    ):
        with pytest.raises(SettingsError, match=re.escape(reason)):
            await export_ledger(
                settings,
                first=first,
                last=last,
                unit_name=None,
                language=None,
                out=None,
                now=at(DAY, "20:30"),
            )
    # A date without its year is taken, as the line says (and /export takes one).
    settings = settings.model_copy(update={"reports_dir": str(tmp_path)})
    path, _ = await export_ledger(
        settings,
        first="11-30",
        last="12-01",
        unit_name=None,
        language=None,
        out=None,
        now=at(DAY, "20:30"),
    )
    assert path == tmp_path / "ledger-2026-11-30-2026-12-01.xlsx"


async def test_hours_stay_with_the_unit_they_were_served_in_after_a_move(harness: Harness) -> None:
    """王芳 served at 城管局 that day, then left it and joined 团结社区: the ledger's hours per
    volunteer name 城管局 for them, as the attendance sheet does; her new unit is not theirs."""
    await seed_day(harness)
    async with harness.session() as session:
        fang = await session.scalar(select(Member).where(Member.display_name == "王芳"))
        other = await session.scalar(select(Unit).where(Unit.name == "团结社区"))
        assert fang is not None and other is not None
        fang.unit_id = other.id
    harness.clock.set(at(DAY, "20:30"))
    await harness.admin.send_command("export", "2026-12-01 2026-12-01")
    await harness.settle()
    sent = harness.admin.last()
    assert sent.file_id is not None
    sheets = _sheets(harness.emulator.file_bytes(sent.file_id))
    served = {row[1] for row in sheets["出勤明细"][1:] if row[0] == "王芳"}
    assert served == {"城管局"}
    assert [row[1] for row in sheets["志愿者时长"][1:] if row[0] == "王芳"] == ["城管局"]


async def test_an_overnight_shift_s_end_says_its_day(harness: Harness) -> None:
    """王芳 holds 22:00 to 02:00 the night of the 1st: the ledger's row of the 1st ends on the
    2nd, written with its date, not 02:00 as if before it began; a day shift's end stays a time."""
    await seed_day(harness)
    async with harness.session() as session:
        fang = await session.scalar(select(Member).where(Member.display_name == "王芳"))
        post = await session.scalar(select(Post).where(Post.name == "解放路口"))
        assert fang is not None and post is not None
        night = Shift(
            post_id=post.id,
            starts_at=at(DAY, "22:00"),
            ends_at=at(DAY, "02:00") + dt.timedelta(days=1),
            capacity=2,
            status=ShiftStatus.SCHEDULED,
            created_at=at(DAY, "00:00"),
        )
        session.add(night)
        await session.flush()
        session.add(
            Assignment(
                shift_id=night.id,
                member_id=fang.id,
                status=AssignmentStatus.SIGNED_UP,
                created_at=at(DAY, "00:00"),
                updated_at=at(DAY, "00:00"),
            )
        )
    harness.clock.set(at(DAY, "20:30"))
    await harness.admin.send_command("export", "2026-12-01")
    await harness.settle()
    sent = harness.admin.last()
    assert sent.file_id is not None
    data = harness.emulator.file_bytes(sent.file_id)
    rows = _sheets(data)["出勤明细"][1:]
    ends = {(row[0], row[4]): row[5] for row in rows if row[0] in ("王芳", "张伟")}
    assert ends[("王芳", dt.time(22, 0))] == dt.datetime(2026, 12, 2, 2, 0), ends
    assert ends[("张伟", dt.time(7, 0))] == dt.time(9, 0), ends
    # Shown with its day in the sheet, the other ends as times.
    shown = {
        cell.number_format
        for cell in openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]["F"][1:]
        if cell.value is not None
    }
    assert shown == {"hh:mm", "yyyy-mm-dd hh:mm"}, shown


async def test_export_takes_a_typed_range_as_broadcast_and_rotate_do(harness: Harness) -> None:
    """/export reads its days with timespec.parse_day_range, the reader of /broadcast, /rotate
    and /unavailable: 至, ~, a spaced dash, or two dates; a year-less day is the past one."""
    await seed_day(harness)
    harness.clock.set(at(DAY, "20:30"))
    typed = (
        "11-01至11-30",
        "11-01~11-30",
        "11-01 - 11-30",
        "11-01 11-30",
        "11月1日到11月30日",
        "2026-11-01 至 2026-11-30",
        # A dash right after a day written in Chinese, or between days written with slashes
        # or dots, can only part two days.
        "11月1日-11月30日",
        "2026年11月1日-2026年11月30日",
        "11/01-11/30",
        "2026/11/01-2026/11/30",
        "2026.11.01-2026.11.30",
    )
    for args in typed:
        await harness.admin.send_command("export", args)
        await harness.settle()
        sent = harness.admin.last()
        assert sent.kind == "document", args
        assert (sent.caption or "").startswith(
            "📒 全部单位 执勤台账 · 2026年11月1日 至 2026年11月30日"
        ), args
    # In December, a year-less day of the first half of the year is this year's, the one
    # past, not next year's that is a little nearer: June is exported, not refused as a month
    # that has not come yet.
    for args, caption in (
        ("06-01至06-30", "2026年6月1日 至 2026年6月30日"),
        ("6月1日", "2026年6月1日 至 2026年6月1日"),
    ):
        await harness.admin.send_command("export", args)
        await harness.settle()
        sent = harness.admin.last()
        assert sent.kind == "document", (args, sent.text)
        assert (sent.caption or "").startswith(f"📒 全部单位 执勤台账 · {caption}"), args
    # A range with its end left off is not read as one day: refused, nothing sent.
    for half in ("11-01至", "11-01 -"):
        await harness.admin.send_command("export", half)
        await harness.settle()
        sent = harness.admin.last()
        assert sent.kind == "text", half
        assert (sent.text or "").startswith("没看懂日期范围。"), half


async def test_text_people_typed_stays_text_in_the_workbook_never_a_formula(
    harness: Harness,
) -> None:
    """A name, a post or a note that begins with "=" (a volunteer's Telegram name is theirs to
    choose) is written as the text it is: a spreadsheet program opening the ledger shows it and
    runs nothing (no formula such as =HYPERLINK or =1+2 reaching the coordinator's office)."""
    await seed_day(harness)
    typed = '=HYPERLINK("http://example.com","张伟")'
    async with harness.session() as session:
        zhang = await session.scalar(select(Member).where(Member.display_name == "张伟"))
        assert zhang is not None
        zhang.display_name = typed
    harness.clock.set(at(DAY, "20:30"))
    await harness.admin.send_command("export", "2026-12-01")
    await harness.settle()
    sent = harness.admin.last()
    assert sent.kind == "document" and sent.file_id is not None
    book = openpyxl.load_workbook(io.BytesIO(harness.emulator.file_bytes(sent.file_id)))
    formulas = [
        (sheet.title, cell.coordinate)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
    assert formulas == []
    attendance = book.worksheets[0]
    names = [cell.value for cell in attendance["A"][1:]]
    assert names.count(typed) == 1
    hours = book.worksheets[1]
    assert [cell.value for cell in hours["A"][1:]].count(typed) == 1


async def test_control_characters_people_typed_are_dropped_and_the_export_still_comes(
    harness: Harness,
) -> None:
    """A name, a post or a unit holding a control character (a pasted name may carry a bell or
    a vertical tab, which an .xlsx cannot hold; PostgreSQL holds no NUL, SQLite does) is
    written without it: the coordinator gets the ledger, not an internal error."""
    await seed_day(harness)
    async with harness.session() as session:
        zhang = await session.scalar(select(Member).where(Member.display_name == "张伟"))
        unit = await session.scalar(select(Unit).where(Unit.name == "城管局"))
        post = await session.scalar(select(Post).where(Post.name == "解放路口"))
        assert zhang is not None and unit is not None and post is not None
        zhang.display_name = "张\x01伟\x07"
        unit.name = "城管\x0b局"
        post.name = "解放\x1f路口\x08"
    harness.clock.set(at(DAY, "20:30"))
    await harness.admin.send_command("export", "2026-12-01")
    await harness.settle()
    sent = harness.admin.last()
    assert sent.kind == "document" and sent.file_id is not None
    sheets = _sheets(harness.emulator.file_bytes(sent.file_id))
    attendance = sheets["出勤明细"][1:]
    assert len(attendance) == 9
    assert [row[0] for row in attendance].count("张伟") == 1
    assert {row[2] for row in attendance if row[1] == "城管局"} == {"黄河路-人民路口", "解放路口"}
    assert "城管局" in {row[0] for row in sheets["单位汇总"][1:]}
    # What the database holds is left as it is: only the workbook drops the characters.
    async with harness.session() as session:
        assert await session.scalar(select(Unit.name).where(Unit.id == unit.id)) == "城管\x0b局"
