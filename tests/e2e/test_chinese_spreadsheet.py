"""A Chinese coordinator's spreadsheet: /template speaks the coordinator's language, and a sheet
made by hand (a merged title above the header, a 序号 column, types in words, times such as
7点30 and Excel time cells, dates such as 12月4日 and Excel date cells) is read as meant."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from bot.db.models import Post, PostType, Role, Shift
from tests.e2e.schedule import at, command, person, press_and_settle, unit
from tests.harness import Harness

DEC_4 = dt.date(2026, 12, 4)


async def template_rows(
    harness: Harness, telegram_id: int, language: str
) -> list[tuple[object, ...]]:
    unit_id = await unit(harness, f"单位{telegram_id}")
    coordinator = await person(
        harness, telegram_id, unit_id, role=Role.COORDINATOR, language=language
    )
    await command(harness, coordinator, "template")
    data = coordinator.last().data
    assert data is not None
    workbook = load_workbook(io.BytesIO(data))
    return list(workbook.worksheets[0].iter_rows(values_only=True))


async def test_the_template_comes_in_the_coordinators_language(harness: Harness) -> None:
    simplified = await template_rows(harness, 9301, "zh_Hans")
    assert simplified[0][:6] == ("岗位", "类型", "单位", "纬度", "经度", "签到半径（米）")
    assert simplified[0][10:13] == ("开始时间", "结束时间", "人数")
    assert simplified[1][1] == "交通劝导" and simplified[2][7] == "周一至周五"
    assert simplified[1][6] == dt.datetime(2026, 12, 2)  # a date cell, as Excel keeps dates
    traditional = await template_rows(harness, 9302, "zh_Hant")
    assert traditional[0][:3] == ("崗位", "類型", "單位") and traditional[0][12] == "人數"
    assert traditional[1][1] == "交通勸導" and traditional[2][7] == "週一至週五"
    english = await template_rows(harness, 9303, "en")
    assert english[0][:3] == ("post", "type", "unit") and english[1][1] == "traffic"


def hand_made_sheet() -> bytes:
    """What a coordinator makes in Excel: a merged title, a line under it, then the header."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["城管局 12月志愿服务排班表"])
    sheet.merge_cells("A1:J1")
    sheet.append(["填表人：王协调", None, None, "填表日期：2026年12月1日"])
    sheet.append(
        ["序号", "岗位", "类型", "单位", "纬度", "经度", "日期", "开始时间", "结束时间", "人数"]
    )
    rows = [
        (1, "甲路口", "交通劝导", 30.65, 104.06, "12月4日", "7:30", "9:00", "4人"),
        (2, "乙广场", "文明引導", 30.66, 104.07, "2026/12/4", "7点30", "9点", 2),
        (3, "丙社区", "卫生", 30.67, 104.08, "2026年12月4日", "7:30:00", "下午5点", 3),
        (4, "丁小区", "垃圾分類", 30.68, 104.09, DEC_4, dt.time(7, 30), dt.time(9, 0), 2),
        (5, "戊街道", "巡查", 30.69, 104.10, "12月4日（周五）", 0.3125, 0.375, 2),
        (6, "己公园", "其他", 30.70, 104.11, dt.datetime(2026, 12, 4), "7時30分", "09:00", 1),
    ]
    for number, name, kind, latitude, longitude, day, start, end, capacity in rows:
        sheet.append([number, name, kind, "城管局", latitude, longitude, day, start, end, capacity])
    for number in range(7, 11):  # numbered rows left empty
        sheet.append([number])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


async def test_a_hand_made_chinese_sheet_is_read_as_meant(harness: Harness) -> None:
    unit_id = await unit(harness)
    coordinator = await person(harness, 9311, unit_id, role=Role.COORDINATOR)
    await command(harness, coordinator, "import")
    await coordinator.send_document("12月排班.xlsx", hand_made_sheet())
    await harness.settle()
    preview = coordinator.last().text or ""
    assert preview.startswith("📄 「12月排班.xlsx」共 6 行，检查通过。"), coordinator.texts()[-2:]
    await press_and_settle(harness, coordinator, "✅ 确认导入")
    async with harness.session() as session:
        posts = {p.name: p.type for p in (await session.scalars(select(Post))).all()}
        shifts = list((await session.scalars(select(Shift).order_by(Shift.id))).all())
    assert posts == {
        "甲路口": PostType.TRAFFIC,
        "乙广场": PostType.CIVILITY,
        "丙社区": PostType.HYGIENE,
        "丁小区": PostType.SORTING,
        "戊街道": PostType.PATROL,
        "己公园": PostType.OTHER,
    }
    assert [s.starts_at for s in shifts] == [at(DEC_4, 7, 30)] * 6
    assert [s.ends_at for s in shifts] == [at(DEC_4, 9)] * 2 + [at(DEC_4, 17)] + [at(DEC_4, 9)] * 3
    assert [s.capacity for s in shifts] == [4, 2, 3, 2, 2, 1]


async def test_chinese_types_in_the_english_interface_and_a_bad_weekday(harness: Harness) -> None:
    unit_id = await unit(harness)
    coordinator = await person(harness, 9321, unit_id, role=Role.COORDINATOR, language="en")
    text = (
        "post,type,unit,latitude,longitude,date,start,end,capacity\n"
        "甲路口,交通劝导,城管局,30.65,104.06,12月4日,7点30,9:00,2\n"
        "乙广场,巡邏,城管局,30.66,104.07,12月4日（周四）,7:30,9:00,2\n"
        "丙社区,清扫,城管局,30.67,104.08,12月4日,7:30,9:00,2\n"
    )
    await command(harness, coordinator, "import")
    await coordinator.send_document("plan.csv", text.encode(), mime_type="text/csv")
    await harness.settle()
    reply = coordinator.last().text or ""
    assert "was not imported: 2 problems" in reply
    assert "Row 3: date “12月4日（周四）” is wrong" in reply  # 4 December is a Friday
    assert "Row 4: type “清扫” is not one of" in reply
    assert "Row 2" not in reply


async def test_the_templates_example_rows_are_in_the_coordinators_language(
    harness: Harness,
) -> None:
    """The example rows' post names, tag and notes are written for the reader too: no
    Simplified Chinese in an English or a Traditional template."""
    english = await template_rows(harness, 9311, "en")
    examples = [english[1][0], english[1][14], english[2][0], english[2][13]]
    assert all(isinstance(cell, str) and cell.isascii() for cell in examples), examples
    traditional = await template_rows(harness, 9312, "zh_Hant")
    assert traditional[1][0] == "黃河路-人民路口" and traditional[1][14] == "穿紅馬甲"
    assert traditional[2][0] == "人民公園東門" and traditional[2][13] == "黨員"
    simplified = await template_rows(harness, 9313, "zh_Hans")
    assert simplified[1][0] == "黄河路-人民路口" and simplified[2][13] == "党员"
