"""/import with a file that cannot be read or fetched: a clear answer, nothing changed, and the
coordinator may send another file."""

from __future__ import annotations

from bot.db.models import Dialogue, Role, Shift
from bot.emulator import Fault
from tests.e2e.import_fixtures import broken_content_types, csv_bytes, rows_numbered_again
from tests.e2e.schedule import command, person, post, unit
from tests.harness import Harness


async def test_a_spreadsheet_that_does_not_parse_is_refused_as_unreadable(
    harness: Harness,
) -> None:
    unit_id = await unit(harness)
    coordinator = await person(harness, 9301, unit_id, role=Role.COORDINATOR)
    await command(harness, coordinator, "import")

    await coordinator.send_document("schedule.xlsx", broken_content_types())
    await harness.settle()

    assert coordinator.last().text == "读不了这个文件。请发送 .xlsx 或 .csv（UTF-8 或 GBK）排班表。"
    assert await harness.count(Shift) == 0
    # Still waiting for a file.
    assert await harness.count(Dialogue) == 1


async def test_spreadsheets_sent_at_once_that_do_not_parse_are_refused_once(
    harness: Harness,
) -> None:
    unit_id = await unit(harness)
    coordinator = await person(harness, 9304, unit_id, role=Role.COORDINATOR)
    await command(harness, coordinator, "import")
    before = len(coordinator.messages())

    # Two files chosen at once and sent grouped: Telegram delivers one album, a message per
    # file, and each is refused by the same words.
    await coordinator.send_document_album(
        [("week1.xlsx", broken_content_types()), ("week2.xlsx", broken_content_types())]
    )
    await harness.settle()

    unreadable = "读不了这个文件。请发送 .xlsx 或 .csv（UTF-8 或 GBK）排班表。"
    assert coordinator.texts()[before:] == [unreadable]
    assert await harness.count(Shift) == 0
    assert await harness.count(Dialogue) == 1
    # A file sent after the album is answered again.
    await coordinator.send_document("week3.xlsx", broken_content_types())
    await harness.settle()
    assert coordinator.texts()[before:] == [unreadable, unreadable]


async def test_a_file_telegram_does_not_hand_over_is_asked_again(harness: Harness) -> None:
    unit_id = await unit(harness)
    coordinator = await person(harness, 9302, unit_id, role=Role.COORDINATOR)
    await command(harness, coordinator, "import")
    harness.emulator.inject_fault(Fault(kind="502", method="getFile"))

    await coordinator.send_document("schedule.csv", b"post,type\n", mime_type="text/csv")
    await harness.settle()

    assert coordinator.last().text == "刚才没能从 Telegram 取到这个文件。请稍后再发一次。"
    assert await harness.count(Shift) == 0
    assert await harness.count(Dialogue) == 1


async def test_notes_too_long_are_a_row_error_not_cut(harness: Harness) -> None:
    unit_id = await unit(harness)
    coordinator = await person(harness, 9303, unit_id, role=Role.COORDINATOR)
    await command(harness, coordinator, "import")
    header = "post,type,unit,latitude,longitude,date,start,end,capacity,notes"
    row = "甲路口,traffic,城管局,30.1,104.1,2026-12-05,07:00,09:00,4," + "集" * 501
    await coordinator.send_document(
        "schedule.csv", f"{header}\n{row}\n".encode(), mime_type="text/csv"
    )
    await harness.settle()
    text = coordinator.last().text or ""
    assert "「schedule.csv」没有导入：1 处错误" in text and "第 2 行：备注最多 500 个字" in text
    assert await harness.count(Shift) == 0


async def test_a_csv_cell_past_the_csv_readers_limit_is_refused_as_unreadable(
    harness: Harness,
) -> None:
    """A stray quote opening a cell makes the rest of a long file one cell: past Python's csv
    limit (131,072 characters) the reader raises, and that is an unreadable file, not a fault."""
    unit_id = await unit(harness)
    coordinator = await person(harness, 9305, unit_id, role=Role.COORDINATOR)
    await command(harness, coordinator, "import")
    row = "甲路口,traffic,城管局,30.1,104.1,,2026-12-05,,,,07:00,09:00,4"
    data = csv_bytes('"' + row, *[row.replace("甲", f"{n}号") for n in range(3000)])

    await coordinator.send_document("schedule.csv", data, mime_type="text/csv")
    await harness.settle()

    assert coordinator.last().text == "读不了这个文件。请发送 .xlsx 或 .csv（UTF-8 或 GBK）排班表。"
    assert await harness.count(Shift) == 0
    assert await harness.count(Dialogue) == 1


async def test_blank_rows_do_not_push_the_last_shifts_out_of_the_file(harness: Harness) -> None:
    """Blank rows between weeks are skipped, not counted against the 2,000-row limit: the
    shifts after them are all read, none silently left out."""
    unit_id = await unit(harness)
    coordinator = await person(harness, 9306, unit_id, role=Role.COORDINATOR)
    await command(harness, coordinator, "import")
    week = [f"{n}号路口,traffic,城管局,30.1,104.1,,2026-12-05,,,,07:00,09:00,4" for n in range(30)]
    blank = [",,,,,,,,,,,,"] * 2000
    data = csv_bytes(*week, *blank, *[row.replace("12-05", "12-06") for row in week])

    await coordinator.send_document("schedule.csv", data, mime_type="text/csv")
    await harness.settle()

    preview = coordinator.last().text or ""
    assert "「schedule.csv」共 60 行，检查通过" in preview and "新建班次 60 个" in preview
    assert await harness.count(Shift) == 0


async def test_a_file_of_more_shifts_than_one_import_takes_is_refused_once(
    harness: Harness,
) -> None:
    """Daily rows for a year on an existing post: past 5,000 shifts the file is refused at the
    row that goes over, once, and the rows after it are not spread into days and looked up one
    by one (a 100-row file of them held the coordinator's chat for minutes)."""
    unit_id = await unit(harness)
    await post(harness, unit_id, "甲路口")
    coordinator = await person(harness, 9307, unit_id, role=Role.COORDINATOR)
    await command(harness, coordinator, "import")
    rows = [
        f"甲路口,,城管局,,,,,每天,2026-12-02,2027-12-01,{hour:02d}:00,23:59,1" for hour in range(17)
    ]
    await coordinator.send_document("year.csv", csv_bytes(*rows), mime_type="text/csv")
    await harness.settle()

    text = coordinator.last().text or ""
    assert text.splitlines()[:2] == [
        "❌ 「year.csv」没有导入：1 处错误。什么都没有改动。",
        "第 15 行：一次最多导入 5000 个班次",
    ]
    assert await harness.count(Shift) == 0


async def test_a_sheet_numbering_its_rows_again_is_refused_before_it_is_read(
    harness: Harness,
) -> None:
    """A hostile sheet repeating <row r="1"> kept openpyxl reading for minutes (it skips a row
    numbered again without counting it): the rows are counted before it reads them, and the
    file is refused as too large, nothing imported."""
    unit_id = await unit(harness)
    coordinator = await person(harness, 9307, unit_id, role=Role.COORDINATOR)
    await command(harness, coordinator, "import")

    await coordinator.send_document("schedule.xlsx", rows_numbered_again(100_000))
    await harness.settle()

    assert coordinator.last().text == "文件太大了（最多 2 MB、2000 行）。请分成几个文件。"
    assert await harness.count(Shift) == 0
    # Still waiting for a file.
    assert await harness.count(Dialogue) == 1
