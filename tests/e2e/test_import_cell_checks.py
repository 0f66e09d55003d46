"""Cells the import cannot read as the coordinator meant them are named, not lost: a formula
written by a script without its value (openpyxl writes "=A1+1" and computes nothing) makes its
row a bad row naming the cell, in /import and in `dutybot import`; and a file with two columns
under one header is refused naming the header and both columns, rather than the later one
silently winning."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import Workbook

from bot.db.models import Post, Role, Shift
from bot.importcli import import_file
from tests.conftest import make_settings
from tests.e2e.import_fixtures import CSV_HEADER, schedule_xlsx
from tests.e2e.schedule import command, person, press_and_settle, unit
from tests.harness import Harness

WHERE: list[object] = ["甲路口", "traffic", "城管局", 30.1, 104.1, None]
# `dutybot import` reads the day of the machine it runs on: a day next year is ahead of it.
AHEAD = f"{dt.date.today().year + 1}-03-02"


def _formulas(day: str = "2026-12-05") -> bytes:
    """Row 2 is fine; row 3's end (L3) and capacity (M3) are formulas with no saved value."""
    return schedule_xlsx(
        [
            [*WHERE, day, None, None, None, "07:00", "09:00", 4],
            [*WHERE, day, None, None, None, "10:00", '=K3+"2:00"', "=M2"],
        ]
    )


async def test_a_formula_without_its_value_is_a_bad_row_naming_the_cells(
    harness: Harness,
) -> None:
    unit_id = await unit(harness)
    coordinator = await person(harness, 9501, unit_id, role=Role.COORDINATOR)
    await command(harness, coordinator, "import")

    await coordinator.send_document("schedule.xlsx", _formulas())
    await harness.settle()

    text = coordinator.last().text or ""
    assert "「schedule.xlsx」没有导入：1 处错误" in text, text
    assert (
        "第 3 行：2 个单元格（L3、M3）是公式，文件里没有保存算出的值："
        "请用 Excel 或 WPS 打开并保存这个文件，或直接填入数值"
    ) in text, text
    assert await harness.count(Post) == 0 and await harness.count(Shift) == 0

    # Saved with the values, the same rows import.
    fixed = schedule_xlsx(
        [
            [*WHERE, "2026-12-05", None, None, None, "07:00", "09:00", 4],
            [*WHERE, "2026-12-06", None, None, None, "07:00", "09:00", 4],
        ]
    )
    await coordinator.send_document("schedule.xlsx", fixed)
    await harness.settle()
    assert "检查通过" in (coordinator.last().text or "")
    await press_and_settle(harness, coordinator, "✅ 确认导入")
    assert await harness.count(Shift) == 2


@pytest.mark.parametrize(
    ("language", "said"),
    [
        (
            "zh_Hans",
            "第 3 行：2 个单元格（L3、M3）是公式，文件里没有保存算出的值："
            "请用 Excel 或 WPS 打开并保存这个文件，或直接填入数值",
        ),
        (
            "en",
            "row 3: 2 cells (L3, M3) hold formulas with no saved value: "
            "open and save the file in Excel or WPS, or type the values",
        ),
        (
            "zh_Hant",
            "第 3 行：2 個儲存格（L3、M3）是公式，檔案裡沒有儲存算出的值："
            "請用 Excel 或 WPS 開啟並儲存這個檔案，或直接填入數值",
        ),
    ],
)
async def test_the_command_line_names_the_formula_cells_too(
    harness: Harness,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    language: str,
    said: str,
) -> None:
    await unit(harness)
    file = tmp_path / "schedule.xlsx"
    file.write_bytes(_formulas(AHEAD))
    settings = make_settings(harness.database.url, default_language=language)

    code = await import_file(settings, str(file), dry_run=True)

    assert code == 1
    assert said.lower() in capsys.readouterr().err.lower()
    assert await harness.count(Post) == 0 and await harness.count(Shift) == 0


def _one_formula_cell() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(CSV_HEADER.split(",")))
    sheet.append([*WHERE, AHEAD, None, None, None, "07:00", "09:00", "=2+2"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def test_one_formula_cell_is_named_in_the_singular(
    harness: Harness, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await unit(harness)
    file = tmp_path / "schedule.xlsx"
    file.write_bytes(_one_formula_cell())
    settings = make_settings(harness.database.url, default_language="en")

    assert await import_file(settings, str(file), dry_run=True) == 1
    assert "1 cell (M2) holds a formula with no saved value" in capsys.readouterr().err


async def test_two_columns_under_one_header_refuse_the_file(harness: Harness) -> None:
    unit_id = await unit(harness)
    coordinator = await person(harness, 9502, unit_id, role=Role.COORDINATOR)
    await command(harness, coordinator, "import")
    data = (
        "岗位,类型,单位,纬度,经度,日期,开始时间,结束时间,人数,备注,人数\n"
        "甲路口,traffic,城管局,30.1,104.1,2026-12-05,07:00,09:00,4,,6\n"
    ).encode()

    await coordinator.send_document("schedule.csv", data, mime_type="text/csv")
    await harness.settle()

    text = coordinator.last().text or ""
    assert "表头「人数」出现了两次：I 列和 K 列。请删去或改名其中一列，再发送文件。" in text, text
    assert await harness.count(Post) == 0 and await harness.count(Shift) == 0


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "The header “capacity” heads two columns, I and K."),
        ("zh_Hant", "表頭「capacity」出現了兩次：I 欄和 K 欄。"),
    ],
)
async def test_two_columns_under_one_header_are_named_in_every_language(
    harness: Harness,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    language: str,
    said: str,
) -> None:
    await unit(harness)
    file = tmp_path / "schedule.csv"
    file.write_text(
        "post,type,unit,latitude,longitude,date,start,end,capacity,notes,Capacity\n"
        f"甲路口,traffic,城管局,30.1,104.1,{AHEAD},07:00,09:00,4,,6\n",
        encoding="utf-8",
    )
    settings = make_settings(harness.database.url, default_language=language)

    assert await import_file(settings, str(file), dry_run=True) == 1
    assert said in capsys.readouterr().err
    assert await harness.count(Post) == 0 and await harness.count(Shift) == 0
