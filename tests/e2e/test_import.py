"""The schedule spreadsheet: template, import with a preview, every bad row reported, all or
nothing."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from bot.db.models import AssignmentStatus, Dialogue, Post, Role, Shift, ShiftStatus
from tests.e2e.import_fixtures import CSV_HEADER, csv_bytes
from tests.e2e.schedule import ZONE, at, command, person, post, press_and_settle, shift, unit
from tests.e2e.swap_fixtures import seat
from tests.harness import Harness

DEC_5 = dt.date(2026, 12, 5)


async def test_template_is_an_xlsx_with_the_columns(harness: Harness) -> None:
    unit_id = await unit(harness)
    coordinator = await person(harness, 9001, unit_id, role=Role.COORDINATOR)
    await command(harness, coordinator, "template")
    document = coordinator.last()
    assert document.kind == "document" and document.file_name == "dutybot-schedule.xlsx"
    assert document.data is not None
    workbook = load_workbook(io.BytesIO(document.data))
    rows = list(workbook["排班表"].iter_rows(values_only=True))
    assert rows[0][:13] == (
        "岗位",
        "类型",
        "单位",
        "纬度",
        "经度",
        "签到半径（米）",
        "日期",
        "星期",
        "开始日期",
        "结束日期",
        "开始时间",
        "结束时间",
        "人数",
    )
    assert rows[1][:3] == ("黄河路-人民路口", "交通劝导", "城管局")
    assert rows[2][1] == "文明引导" and rows[2][7] == "周一至周五"
    assert "每行一个班次" in str(workbook["填写说明"]["A1"].value)

    # The template itself imports as it is.
    await command(harness, coordinator, "import")
    await coordinator.send_document("dutybot-schedule.xlsx", document.data)
    await harness.settle()
    assert "新建岗位 2 个" in (coordinator.last().text or "")
    assert "新建班次 6 个" in (coordinator.last().text or "")


@pytest.mark.parametrize("settings_overrides", [{"default_post_radius_m": 200}])
async def test_template_states_the_configured_default_radius(harness: Harness) -> None:
    unit_id = await unit(harness)
    coordinator = await person(harness, 9002, unit_id, role=Role.COORDINATOR)
    await command(harness, coordinator, "template")
    document = coordinator.last()
    assert document.data is not None
    workbook = load_workbook(io.BytesIO(document.data))
    assert list(workbook["排班表"].iter_rows(values_only=True))[1][5] == 200
    help_lines = [row[0] for row in workbook["填写说明"].iter_rows(values_only=True)]
    assert "签到半径：米，可空，默认 200" in help_lines


async def test_bad_rows_are_each_reported_and_nothing_is_created(harness: Harness) -> None:
    unit_id = await unit(harness)
    coordinator = await person(harness, 9101, unit_id, role=Role.COORDINATOR)
    await command(harness, coordinator, "import")
    data = csv_bytes(
        "甲路口,traffic,城管局,30.1,104.1,,2026-12-05,,,,07:00,09:00,4",
        "乙路口,traffic,不存在局,30.1,104.1,,2026-12-05,,,,07:00,09:00,4",
        "丙路口,traffic,城管局,30.1,104.1,,2026-12-05,,,,09:00,07:00,4",
        "丁路口,traffic,城管局,95,104.1,,2026-12-05,,,,07:00,09:00,4",
        "戊路口,traffic,城管局,30.1,104.1,,2026-12-05,,,,07:00,09:00,-2",
        "己路口,traffic,城管局,30.1,104.1,,2026-11-20,,,,07:00,09:00,4",
        "甲路口,traffic,城管局,30.1,104.1,,2026-12-05,,,,07:00,09:00,4",
        "庚路口,bus,城管局,30.1,104.1,,2026-12-05,,,,07:00,09:00,4",
        "辛路口,traffic,城管局,30.1,104.1,,2026-12-05,,,,07:00,09:00,②",
        "壬路口,traffic,城管局,30.1,104.1,²,2026-12-05,,,,07:00,09:00,4",
        "癸路口,traffic,城管局,30.1,104.1,,0001-01-01,,,,07:00,09:00,4",
        "子路口,traffic,城管局,30.1,104.1,,2026-12-05,,,,07:00,09:00," + "9" * 5000,
        # One midnight twice is no shift (00:00 to 24:00 would be the whole day).
        "丑路口,traffic,城管局,30.1,104.1,,2026-12-05,,,,00:00,00:00,4",
    )
    before = len(coordinator.messages())
    await coordinator.send_document("schedule.csv", data, mime_type="text/csv")
    await harness.settle()
    # The 5,000-digit cell is quoted by its first characters, so the answer stays one message.
    answers = coordinator.messages()[before:]
    assert len(answers) == 1
    text = answers[0].text or ""
    assert "「schedule.csv」没有导入：12 处错误" in text
    for line in (
        "第 3 行：没有叫「不存在局」的单位",
        "第 4 行：结束时间早于开始时间",
        "第 5 行：坐标不对",
        "第 6 行：人数「-2」不是 1 到 500 之间的整数",
        "第 7 行：2026-11-20 已经过去了",
        "第 8 行：与第 2 行重复",
        "第 9 行：类型「bus」不对",
        "第 10 行：人数「②」不是 1 到 500 之间的整数",
        "第 11 行：签到范围要在 10 到 5000 米之间",
        "第 12 行：日期「0001-01-01」不对，应如 2026-12-01 或 12月1日",
        "第 13 行：人数「" + "9" * 39 + "…」不是 1 到 500 之间的整数",
        "第 14 行：结束时间早于开始时间",
    ):
        assert line in text, line
    assert await harness.count(Post) == 0 and await harness.count(Shift) == 0

    # The dialogue waits for a corrected file; wrong kinds of input get their own answer.
    await coordinator.send_photo()
    await harness.settle()
    assert "这里需要一个文件" in (coordinator.last().text or "")
    await coordinator.send_document("notes.pdf", b"%PDF-1.4")
    await harness.settle()
    assert "「notes.pdf」不是 .xlsx 或 .csv 文件" in (coordinator.last().text or "")
    await coordinator.send_document("broken.xlsx", b"not a zip")
    await harness.settle()
    assert "读不了这个文件" in (coordinator.last().text or "")
    await coordinator.send_document("cols.csv", b"post,unit\nx,y\n")
    await harness.settle()
    assert "缺少列：开始时间、结束时间、人数" in (coordinator.last().text or "")

    draft = csv_bytes("甲路口,traffic,城管局,30.1,104.1,,2026-12-05,,,,07:00,09:00,4")
    await coordinator.send_document("schedule.csv", draft, mime_type="text/csv")
    await harness.settle()
    draft_preview = coordinator.last()
    assert "新建班次 1 个" in (draft_preview.text or "")
    await coordinator.send_sticker()
    await harness.settle()
    assert coordinator.last().text == (
        "请点上面的「确认导入」或「取消」；要改用另一个文件，直接发送它。"
    )

    # A corrected file sent at the preview is read and previewed in its place.
    fixed = csv_bytes(
        "甲路口,traffic,城管局,30.1,104.1,,2026-12-05,,,,07:00,09:00,4",
        "乙路口,hygiene,城管局,30.2,104.2,200,,mon-fri,2026-12-07,2026-12-11,17:00,19:00,2",
        # Until the end of the day: 24:00 is the midnight that ends 12-05.
        "丙路口,patrol,城管局,30.3,104.3,,2026-12-05,,,,22:00,24:00,2",
    )
    old_confirm = draft_preview.button_data("✅ 确认导入")
    assert old_confirm is not None
    await coordinator.send_document("schedule.csv", fixed, mime_type="text/csv")
    # The draft's ✅ 确认导入, pressed as the corrected file arrives: it stands for neither.
    await coordinator.press_data(old_confirm, draft_preview.message_id)
    await harness.settle()
    assert await harness.count(Shift) == 0
    assert coordinator.answered_callbacks[-1]["text"].startswith("这个按钮属于您之前未做完的")
    preview = coordinator.last().text or ""
    assert "检查通过" in preview and "新建岗位 3 个" in preview and "新建班次 7 个" in preview
    [draft_now] = [m for m in coordinator.messages() if m.message_id == draft_preview.message_id]
    assert draft_now.buttons() == []
    assert await harness.count(Shift) == 0
    text = await press_and_settle(harness, coordinator, "✅ 确认导入")
    assert "已导入「schedule.csv」" in text
    async with harness.session() as session:
        created = list((await session.scalars(select(Post).order_by(Post.name))).all())
        series = {s.series_id for s in (await session.scalars(select(Shift))).all()}
        [night] = list(await session.scalars(select(Shift).join(Post).where(Post.name == "丙路口")))
    assert [(p.name, p.radius_m) for p in created] == [
        ("丙路口", 150),
        ("乙路口", 200),
        ("甲路口", 150),
    ]
    assert (night.starts_at, night.ends_at) == (at(DEC_5, 22), at(DEC_5 + dt.timedelta(days=1), 0))
    assert await harness.count(Shift) == 7 and len(series) == 3
    assert await harness.count(Dialogue) == 0


async def test_reimport_changes_existing_shifts_and_leaves_the_same_ones(harness: Harness) -> None:
    unit_id = await unit(harness)
    other = await unit(harness, "交警队")
    post_id = await post(harness, unit_id, "甲路口")
    await shift(harness, post_id, capacity=2)  # tomorrow 07:00-09:00
    coordinator = await person(harness, 9201, unit_id, role=Role.COORDINATOR)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["岗位", "单位", "日期", "开始", "结束", "人数"])
    sheet.append(["甲路口", "城管局", "2026-12-02", "07:00", "09:00", 5])
    sheet.append(["甲路口", "交警队", "2026-12-02", "07:00", "09:00", 5])
    buffer = io.BytesIO()
    workbook.save(buffer)
    await command(harness, coordinator, "import")
    await coordinator.send_document("周计划.xlsx", buffer.getvalue())
    await harness.settle()
    assert "第 3 行：您不能给「交警队」排班" in (coordinator.last().text or "")
    assert other

    workbook.active.delete_rows(3)  # type: ignore[union-attr]
    # This week's file again: a row of a shift already begun (today 07:00, as it stands) is
    # left as it is, not refused as past; changed, it would be.
    begun = await shift(harness, post_id, DEC_5 - dt.timedelta(days=4), 7, 9, capacity=3)
    workbook.active.append(["甲路口", "城管局", "2026-12-01", "07:00", "09:00", 3])  # type: ignore[union-attr]
    buffer = io.BytesIO()
    workbook.save(buffer)
    await coordinator.send_document("周计划.xlsx", buffer.getvalue())
    await harness.settle()
    assert "新建班次 0 个，修改 1 个，不变 1 个" in (coordinator.last().text or "")
    await press_and_settle(harness, coordinator, "✅ 确认导入")
    async with harness.session() as session:
        found = (await session.scalars(select(Shift).order_by(Shift.starts_at))).all()
        assert [s.capacity for s in found] == [3, 5]
    workbook.active["F3"] = 4  # type: ignore[index]
    buffer = io.BytesIO()
    workbook.save(buffer)
    await command(harness, coordinator, "import")
    await coordinator.send_document("周计划.xlsx", buffer.getvalue())
    await harness.settle()
    assert "第 3 行：2026-12-01 已经过去了" in (coordinator.last().text or "")

    # As it stands but naming someone in 人员 who is not on it: the row would put them on a
    # shift already begun, refused as past, not counted unchanged while nobody is put on it.
    zhao = await person(harness, 9202, unit_id, "赵六")
    workbook.active["F3"] = 3  # type: ignore[index]
    workbook.active["G1"] = "人员"  # type: ignore[index]
    workbook.active["G3"] = "赵六"  # type: ignore[index]
    buffer = io.BytesIO()
    workbook.save(buffer)
    await command(harness, coordinator, "import")
    await coordinator.send_document("周计划.xlsx", buffer.getvalue())
    await harness.settle()
    assert "第 3 行：2026-12-01 已经过去了" in (coordinator.last().text or "")
    # On it (checked in): the row names who is there and is left alone.
    await seat(harness, begun, zhao.user_id, AssignmentStatus.CHECKED_IN)
    await coordinator.send_document("周计划.xlsx", buffer.getvalue())
    await harness.settle()
    assert "新建班次 0 个，修改 0 个，不变 2 个" in (coordinator.last().text or "")
    # Its post given another place by the begun row alone: refused, the post is not moved.
    workbook.active.delete_rows(2)  # type: ignore[union-attr]
    workbook.active["H1"], workbook.active["I1"] = "纬度", "经度"  # type: ignore[index]
    workbook.active["H2"], workbook.active["I2"] = 31.5, 105.5  # type: ignore[index]
    buffer = io.BytesIO()
    workbook.save(buffer)
    await coordinator.send_document("周计划.xlsx", buffer.getvalue())
    await harness.settle()
    assert "第 2 行：2026-12-01 已经过去了" in (coordinator.last().text or "")


async def test_reimport_with_corrected_notes_changes_them_and_tells_the_people_on_it(
    harness: Harness,
) -> None:
    unit_id = await unit(harness)
    coordinator = await person(harness, 9301, unit_id, role=Role.COORDINATOR)
    volunteer = await person(harness, 9302, unit_id, "小李")
    header = CSV_HEADER + ",notes"
    first = f"{header}\n甲路口,traffic,城管局,30.1,104.1,,2026-12-05,,,,07:00,09:00,4,穿红马甲\n"
    await command(harness, coordinator, "import")
    await coordinator.send_document("week.csv", first.encode(), mime_type="text/csv")
    await harness.settle()
    await press_and_settle(harness, coordinator, "✅ 确认导入")
    async with harness.session() as session:
        created = (await session.scalars(select(Shift))).one()
    await volunteer.send_command("shifts")
    await harness.settle()
    await volunteer.press(next(b for b in volunteer.last().buttons() if b.startswith("✋")))
    await harness.settle()

    corrected = first.replace("穿红马甲", "穿黄马甲")
    await command(harness, coordinator, "import")
    await coordinator.send_document("week.csv", corrected.encode(), mime_type="text/csv")
    await harness.settle()
    assert "新建班次 0 个，修改 1 个" in (coordinator.last().text or "")
    await press_and_settle(harness, coordinator, "✅ 确认导入")
    async with harness.session() as session:
        shift_row = await session.get(Shift, created.id)
        assert shift_row is not None and shift_row.notes == "穿黄马甲"
    await harness.deliver()
    assert "穿黄马甲" in (volunteer.last().text or "")


async def test_reimport_with_another_tag_is_a_row_error_not_silently_kept(harness: Harness) -> None:
    """An existing shift's required tag is not changed by an import (people without it may be
    on the shift): the row says so, rather than the preview calling the shift unchanged."""
    unit_id = await unit(harness)
    coordinator = await person(harness, 9311, unit_id, role=Role.COORDINATOR)
    header = CSV_HEADER + ",tag"
    first = f"{header}\n甲路口,traffic,城管局,30.1,104.1,,2026-12-05,,,,07:00,09:00,4,\n"
    await command(harness, coordinator, "import")
    await coordinator.send_document("week.csv", first.encode(), mime_type="text/csv")
    await harness.settle()
    await press_and_settle(harness, coordinator, "✅ 确认导入")

    tagged = first.replace(",4,\n", ",4,党员\n")
    await command(harness, coordinator, "import")
    await coordinator.send_document("week.csv", tagged.encode(), mime_type="text/csv")
    await harness.settle()
    text = coordinator.last().text or ""
    assert "「week.csv」没有导入：1 处错误" in text
    assert "第 2 行：2026-12-05 的班次已经有了，导入不能修改它的限定标签" in text
    async with harness.session() as session:
        assert (await session.scalars(select(Shift))).one().required_tag is None


async def test_a_cancelled_morning_shift_is_named_by_its_local_day(harness: Harness) -> None:
    """07:00 in Shanghai is 23:00 UTC the day before: the row names the local day."""
    unit_id = await unit(harness)
    shift_id = await shift(harness, await post(harness, unit_id, "甲路口"))  # 12-02 07:00
    async with harness.session() as session:
        row = await session.get(Shift, shift_id)
        assert row is not None
        row.status = ShiftStatus.CANCELLED
    coordinator = await person(harness, 9321, unit_id, role=Role.COORDINATOR)
    await command(harness, coordinator, "import")
    data = csv_bytes("甲路口,traffic,城管局,30.1,104.1,,2026-12-02,,,,07:00,09:00,4")
    await coordinator.send_document("week.csv", data, mime_type="text/csv")
    await harness.settle()
    assert "第 2 行：2026-12-02 这个班次已取消，不能再改" in (coordinator.last().text or "")


async def test_a_longer_shift_that_would_overlap_someones_next_seat_is_a_bad_row(
    harness: Harness,
) -> None:
    """A corrected end reaching into another shift of someone on it is refused in the preview,
    with its row, as the shift card refuses that time; not offered and then refused at ✅."""
    unit_id = await unit(harness)
    morning = await shift(harness, await post(harness, unit_id, "甲路口"), start=7, end=9)
    later = await shift(harness, await post(harness, unit_id, "乙路口"), start=9, end=11)
    coordinator = await person(harness, 9331, unit_id, role=Role.COORDINATOR)
    await person(harness, 9332, unit_id, "小李")
    await seat(harness, morning, 9332)
    await seat(harness, later, 9332)
    await command(harness, coordinator, "import")
    data = csv_bytes("甲路口,,城管局,,,,2026-12-02,,,,07:00,10:00,4")
    await coordinator.send_document("week.csv", data, mime_type="text/csv")
    await harness.settle()
    text = coordinator.last().text or ""
    assert "第 2 行：2026-12-02 这个班次改不了时间：小李 在新的时间已有别的班次（1 人）" in text
    assert "✅ 确认导入" not in coordinator.last().buttons()
    async with harness.session() as session:
        row = await session.get(Shift, morning)
        assert row is not None and row.ends_at.astimezone(ZONE).hour == 9


async def test_a_tag_written_as_a_command_is_a_row_error_in_the_preview(harness: Harness) -> None:
    """/tag refuses a tag beginning with "/"; so does the preview, rather than the confirm
    failing the whole file."""
    unit_id = await unit(harness)
    coordinator = await person(harness, 9321, unit_id, role=Role.COORDINATOR)
    data = (
        CSV_HEADER + ",tag\n甲路口,traffic,城管局,30.1,104.1,,2026-12-05,,,,07:00,09:00,4,/党员\n"
    ).encode()
    await command(harness, coordinator, "import")
    await coordinator.send_document("week.csv", data, mime_type="text/csv")
    await harness.settle()
    text = coordinator.last().text or ""
    assert "「week.csv」没有导入：1 处错误" in text, text
    assert "第 2 行：标签不能以 / 开头，最多 32 个字" in text
    assert await harness.count(Shift) == 0
