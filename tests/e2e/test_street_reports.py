"""Members report street problems (随手拍): routed to the unit of the zone, of the nearest post,
or dispatched by hand; a report near an open one of the same kind today is linked to it; the
reporter hears every step; admins upload zones; every wrong input is answered."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select, update

from bot.buttons import UnitArchive
from bot.db.models import (
    Category,
    Dialogue,
    ReportStatus,
    RouteMethod,
    StreetReport,
    Unit,
    Zone,
)
from bot.emulator import Fault
from tests.e2e.oversight_fixtures import city, geojson, near, report, square, street_reports
from tests.e2e.schedule import DAY, at, press_and_settle, unit
from tests.harness import Harness

ROAD = [[104.06, 30.65], [104.07, 30.66]]
ZONE_FILE = geojson(
    ("城管局", "黄河路段", square(near(), 200)),
    # Touching the first along its northern edge: allowed.
    ("交通局", "人民路段", square(near(400), 200)),
)


async def upload_zones(harness: Harness, data: bytes, name: str = "zones.geojson") -> str:
    admin = harness.admin
    await admin.send_command("zones")
    await harness.settle()
    await admin.send_document(name, data, "application/geo+json")
    await harness.settle()
    return admin.last().text or ""


async def test_a_report_inside_a_zone_goes_to_that_unit(harness: Harness) -> None:
    town = await city(harness)
    text = await upload_zones(harness, ZONE_FILE)
    assert "✅ 已从「zones.geojson」导入 2 个包干区" in text
    assert "· 城管局：1 个" in text and "· 交通局：1 个" in text
    assert await harness.count(Zone) == 2
    wang = town.volunteers[0]
    # In 交通局's zone, though 城管局's post is nearer than REPORT_ROUTE_NEAREST_M.
    text = await report(harness, wang, near(290))
    assert "已转交「交通局」（在其包干区内）" in text
    [filed] = await street_reports(harness)
    assert filed.status is ReportStatus.ROUTED and filed.route_method is RouteMethod.ZONE
    await harness.deliver()
    notice = town.other_coordinator.last()
    assert "有人反映了您单位负责的地方的问题" in (notice.caption or "")
    assert "共享单车堆在盲道上" in (notice.caption or "")
    assert town.coordinator.messages() == []
    assert await harness.count(Dialogue) == 0


async def test_a_zone_of_an_archived_unit_no_longer_takes_reports(harness: Harness) -> None:
    town = await city(harness)
    await upload_zones(harness, ZONE_FILE)
    admin = harness.admin
    await admin.send_command("units")
    await harness.settle()
    await admin.press_data(UnitArchive(town.other_unit_id, True, 0).pack(), admin.last().message_id)
    await harness.settle()
    assert admin.answered_callbacks[-1]["text"].startswith("已归档「交通局」")
    # In 交通局's old zone: the unit left the campaign, so the nearest post's unit answers.
    text = await report(harness, town.volunteers[0], near(290))
    assert "已转交「城管局」（离其岗位 290 米）" in text, text
    [filed] = await street_reports(harness)
    assert filed.status is ReportStatus.ROUTED
    assert (filed.unit_id, filed.route_method) == (town.unit_id, RouteMethod.NEAREST_POST)
    await harness.deliver()
    assert "有人反映了您单位负责的地方的问题" in (town.coordinator.last().caption or "")
    assert town.other_coordinator.messages() == []


async def test_without_zones_the_nearest_post_decides_and_far_away_an_inspector_dispatches(
    harness: Harness,
) -> None:
    town = await city(harness)
    wang, li = town.volunteers
    text = await report(harness, wang, near(100), category="乱扔垃圾", text=None)
    assert "已转交「城管局」（离其岗位 100 米）" in text
    # 5 km away from every post: nobody answers for the place.
    text = await report(harness, li, near(5000))
    assert "督查员会分派给责任单位" in text
    first, second = await street_reports(harness)
    assert first.route_method is RouteMethod.NEAREST_POST and first.route_distance_m is not None
    assert second.status is ReportStatus.NEW and second.unit_id is None
    await harness.deliver()
    inspector = town.inspector
    assert "请分派给责任单位" in (inspector.last().caption or "")
    assert inspector.last().buttons() == ["📮 分派给单位", "🚫 不予受理"]
    assert "请分派给责任单位" in (harness.admin.last().caption or "")
    text = await press_and_settle(harness, inspector, "📮 分派给单位")
    assert f"把随手拍 #{second.id} 分派给哪个单位？" in text
    text = await press_and_settle(harness, inspector, "交通局")
    assert f"✅ 随手拍 #{second.id} 已分派给「交通局」。" in text
    await harness.deliver()
    assert f"您的随手拍 #{second.id} 已转交「交通局」" in (li.last().text or "")
    assert "有人反映了您单位负责的地方的问题" in (town.other_coordinator.last().caption or "")
    [_, dispatched] = await street_reports(harness)
    assert dispatched.route_method is RouteMethod.HAND and dispatched.unit_id == town.other_unit_id


async def test_a_unit_archived_while_the_dispatch_list_is_open_is_refused_and_left_off_the_list(
    harness: Harness,
) -> None:
    """The inspector opens the units to send a report to; 交通局 is archived meanwhile. Its
    button is refused, the list is drawn again without it, and the report still waits."""
    town = await city(harness)
    await report(harness, town.volunteers[0], near(5000))
    [waiting] = await street_reports(harness)
    await harness.deliver()
    inspector = town.inspector
    text = await press_and_settle(harness, inspector, "📮 分派给单位")
    listed = inspector.last()
    first_shown = listed.buttons()
    assert "交通局" in first_shown and "城管局" in first_shown
    async with harness.session() as session:
        await session.execute(
            update(Unit).where(Unit.id == town.other_unit_id).values(archived=True)
        )
        await session.commit()

    await inspector.press("交通局", listed.message_id)
    await harness.settle()
    assert inspector.answered_callbacks[-1]["text"] == (
        "「交通局」已归档，不能再把随手拍分派给它，请选其他单位。"
    )
    assert inspector.last().message_id == listed.message_id
    assert inspector.last().text == text
    assert inspector.last().buttons() == [label for label in first_shown if label != "交通局"]
    [still] = await street_reports(harness)
    assert still.status is ReportStatus.NEW and still.unit_id is None

    text = await press_and_settle(harness, inspector, "城管局")
    assert f"✅ 随手拍 #{waiting.id} 已分派给「城管局」。" in text
    [dispatched] = await street_reports(harness)
    assert dispatched.unit_id == town.unit_id


async def test_a_second_report_of_the_same_problem_nearby_is_linked_and_both_hear_the_outcome(
    harness: Harness,
) -> None:
    town = await city(harness)
    wang, li = town.volunteers
    await report(harness, wang, near(100))
    text = await report(harness, li, near(120))
    first, second = await street_reports(harness)
    assert f"今天 50 米内已有人反映了同样的问题（#{first.id}），已合并" in text
    assert second.status is ReportStatus.DUPLICATE and second.duplicate_of_id == first.id
    # Another category at the same spot is a report of its own.
    await report(harness, li, near(120), category="设施损坏")
    third = (await street_reports(harness))[-1]
    assert third.status is ReportStatus.ROUTED
    await harness.deliver()
    coordinator_notices = [m.caption or "" for m in town.coordinator.messages()]
    assert len([c for c in coordinator_notices if "有人反映" in c]) == 2

    # The inspector orders the first fixed: both reporters hear it, each of their own report.
    await town.inspector.send_command("orders")
    await harness.settle()
    text = await press_and_settle(harness, town.inspector, "📷 待处理随手拍（2）")
    assert f"#{first.id} 乱停车 · 城管局" in text and f"#{third.id} 设施损坏 · 城管局" in text
    text = await press_and_settle(harness, town.inspector, f"随手拍 #{first.id}")
    assert "共享单车堆在盲道上" in text and "责任单位：城管局（离其岗位 100 米）" in text
    await press_and_settle(harness, town.inspector, "📝 下整改令")
    await press_and_settle(harness, town.inspector, "✅ 下发")
    await harness.deliver()
    for reporter, own in ((wang, first), (li, second)):
        assert f"您的随手拍 #{own.id}：已向「城管局」下发整改令" in (reporter.last().text or "")
    # Li's own list says where the merged report stands, as the notices told him.
    await li.send_command("report")
    await harness.settle()
    listed = li.last().text or ""
    assert f"#{second.id} 乱停车 · " in listed, listed
    assert f"已合并到 #{first.id}（整改中）" in listed, listed
    merged = (await street_reports(harness))[1]
    assert merged.status is ReportStatus.DUPLICATE and merged.duplicate_of_id == first.id


async def test_a_photo_captioned_suishoupai_starts_a_report(harness: Harness) -> None:
    town = await city(harness)
    wang = town.volunteers[0]
    await wang.send_photo(caption="随手拍")
    await harness.settle()
    assert "问题在哪里？" in (wang.last().text or "")
    await wang.send_location(*near(60))
    await harness.settle()
    await press_and_settle(harness, wang, "占道经营")
    text = await press_and_settle(harness, wang, "✅ 提交")
    assert "已转交「城管局」" in text
    # Any other caption outside a dialogue is not a report.
    await wang.send_photo(caption="看看")
    await harness.settle()
    assert "没看懂这条消息" in (wang.last().text or "")
    assert await harness.count(StreetReport) == 1
    # The picture sent as a file is asked again as a photo, and opens no report.
    await wang.send_document("IMG_0001.jpg", b"\xff\xd8\xff", "image/jpeg", caption="随手拍")
    await harness.settle()
    assert wang.last().text == "这是一个文件。请直接发送照片（不要选「以文件发送」）。"
    assert await harness.count(Dialogue) == 0


async def test_wrong_input_in_a_report_changes_nothing(harness: Harness) -> None:
    town = await city(harness)
    wang = town.volunteers[0]
    await wang.send_command("report")
    await harness.settle()
    await wang.send_location(*near(60))
    await harness.settle()
    assert "请先发一张问题的照片" in (wang.last().text or "")
    # A line before the photo is the report's text, as an order reply's line-before-photo is
    # (and, as in a caption, the word 随手拍 before it is not).
    await wang.send_text("随手拍：路口有垃圾")
    await harness.settle()
    assert wang.last().text == "📝 说明已记下。请再发一张问题的照片。"
    assert wang.last().buttons() == ["✖️ 取消"]
    await wang.send_photo(forwarded=True)
    await harness.settle()
    assert "这是转发的照片" in (wang.last().text or "")
    await wang.send_photo()
    await harness.settle()
    await wang.send_text("在人民路")
    await harness.settle()
    assert "请用下面的按钮发送问题所在的位置" in (wang.last().text or "")
    await wang.send_venue(*near(60), "人民公园", "人民路 1 号")
    await harness.settle()
    assert "这是一个地点（场所）" in (wang.last().text or "")
    await wang.send_location(*near(60))
    await harness.settle()
    await wang.send_text("乱停车")
    await harness.settle()
    assert "请用上面的按钮继续" in (wang.last().text or "")
    await press_and_settle(harness, wang, "乱停车")
    await wang.send_text("x" * 400)
    await harness.settle()
    assert "文字请写 1 到 300 个字" in (wang.last().text or "")
    assert await harness.count(StreetReport) == 0
    # Submitted without another line, the one typed before the photo is its description.
    await press_and_settle(harness, wang, "✅ 提交")
    [filed] = await street_reports(harness)
    assert (filed.category, filed.description) == (Category.PARKING, "路口有垃圾")
    assert await harness.count(Dialogue) == 0

    # A forwarded photo captioned 随手拍 is refused and opens no report: a location sent next is
    # a check-in, not the report's place.
    await wang.send_photo(caption="随手拍", forwarded=True)
    await harness.settle()
    assert "这是转发的照片" in (wang.last().text or "")
    assert await harness.count(Dialogue) == 0


async def test_bad_zone_files_are_refused_naming_each_problem(harness: Harness) -> None:
    await city(harness)
    line = json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"unit": "城管局"},
                    "geometry": {
                        "type": "LineString",
                        "coordinates": [[104.06, 30.65], [104.07, 30.66]],
                    },
                }
            ],
        }
    ).encode()
    text = await upload_zones(harness, line)
    assert "❌ 「zones.geojson」没有导入：1 个问题，什么都没有改。" in text
    assert "第 1 个要素：是 LineString，不是多边形" in text
    overlapping = geojson(
        ("城管局", "黄河路段", square(near(), 200)),
        ("交通局", "人民路段", square(near(300), 200)),
        ("不存在局", "X 段", square(near(5000), 100)),
    )
    text = await upload_zones(harness, overlapping)
    assert "第 3 个要素：没有名为「不存在局」的单位。" in text
    assert "第 1 个要素：「黄河路段」（城管局）与第 2 个要素「人民路段」（交通局）重叠。" in text
    # 52 problems: the first 50 listed, and a line says how many more there are.
    unknown = [("不存在局", f"段{n}", square(near(400 * n), 100)) for n in range(52)]
    text = await upload_zones(harness, geojson(*unknown))
    assert "52 个问题" in text and "第 50 个要素" in text and "第 51 个要素" not in text
    assert "……还有 2 个问题未列出。" in text
    text = await upload_zones(harness, b"not json")
    assert "不是 GeoJSON 文件" in text
    # Nested past Python's stack, or a number past its digit limit: still "not JSON".
    for unreadable in (b"[" * 50_000, b'{"type": ' + b"9" * 5000 + b"}"):
        assert "不是 GeoJSON 文件" in await upload_zones(harness, unreadable)
    strange = json.loads(geojson(("城管局", "黄河路段", square(near(), 200))))
    strange["features"][0]["properties"] = "城管局"
    text = await upload_zones(harness, json.dumps(strange).encode())
    assert "第 1 个要素：没有写明单位（properties.unit）。" in text
    await harness.admin.send_document("zones.txt", b"{}")
    await harness.settle()
    assert "不是 .geojson 或 .json 文件" in (harness.admin.last().text or "")
    await harness.admin.send_text("黄河路")
    await harness.settle()
    assert "请发送 GeoJSON 文件" in (harness.admin.last().text or "")
    # Telegram failing to hand the file over is said, and the dialogue still waits for it.
    harness.emulator.inject_fault(Fault(kind="502", method="getFile"))
    await harness.admin.send_document("zones.geojson", ZONE_FILE, "application/geo+json")
    await harness.settle()
    assert harness.admin.last().text == "刚才没能从 Telegram 取到这个文件。请稍后再发一次。"
    assert await harness.count(Zone) == 0
    assert await harness.count(Dialogue) == 1
    # The same file sent outside /zones: the admin is told to send /zones first; nothing changes.
    await harness.admin.send_command("cancel")
    await harness.settle()
    await harness.admin.send_document("责任区.GeoJSON", ZONE_FILE, "application/geo+json")
    await harness.settle()
    assert harness.admin.last().text == (
        "收到「责任区.GeoJSON」。要导入包干区，请先发送 /zones，再发送这个文件。"
    )
    assert await harness.count(Zone) == 0 and await harness.count(Dialogue) == 0


async def test_the_queue_of_reports_to_decide_turns_its_pages(harness: Harness) -> None:
    """Twelve reports routed to 城管局 wait for an inspector: ten a page, oldest first, and a
    next page with the other two. A page turned after reports were decided lands on the last
    page there still is."""
    town = await city(harness)
    reporter = await harness.member(town.volunteers[0].user_id)
    assert reporter is not None
    async with harness.session() as session:
        for minutes in range(12):
            when = at(DAY, 7) + dt.timedelta(minutes=minutes)
            session.add(
                StreetReport(
                    reporter_id=reporter.id,
                    category=Category.PARKING,
                    description=f"第{minutes + 1}条",
                    latitude=30.6586,
                    longitude=104.0648 + minutes * 0.01,
                    status=ReportStatus.ROUTED,
                    unit_id=town.unit_id,
                    route_method=RouteMethod.HAND,
                    created_at=when,
                    updated_at=when,
                )
            )
    ids = [filed.id for filed in sorted(await street_reports(harness), key=lambda r: r.id)]
    inspector = town.inspector
    await inspector.send_command("orders")
    await harness.settle()
    text = await press_and_settle(harness, inspector, "📷 待处理随手拍（12）")
    assert "第 1–10 件，共 12 件" in text, text
    first_page = inspector.last().buttons()
    assert first_page == [*(f"随手拍 #{n}" for n in ids[:10]), "下一页 ▶️"], first_page
    text = await press_and_settle(harness, inspector, "下一页 ▶️")
    assert "第 11–12 件，共 12 件" in text, text
    assert inspector.last().buttons() == [f"随手拍 #{n}" for n in ids[10:]] + ["◀️ 上一页"]
    await press_and_settle(harness, inspector, "◀️ 上一页")
    assert inspector.last().buttons() == first_page
    # Meanwhile the last two are dismissed: the next page is gone, the first one shows.
    async with harness.session() as session:
        for filed in await session.scalars(select(StreetReport).where(StreetReport.id > ids[9])):
            filed.status = ReportStatus.DISMISSED
    text = await press_and_settle(harness, inspector, "下一页 ▶️")
    assert "共 12 件" not in text and "第 1" not in text, text
    assert inspector.last().buttons() == [f"随手拍 #{n}" for n in ids[:10]]


async def test_an_invalid_zone_is_explained_in_the_admins_language(harness: Harness) -> None:
    """A polygon whose edges cross (a bow tie, a common slip when drawing) is refused with the
    reason in the admin's words and where it is, not GEOS's English."""
    await city(harness)
    bowtie = [[104.0, 30.0], [104.01, 30.01], [104.01, 30.0], [104.0, 30.01], [104.0, 30.0]]
    text = await upload_zones(harness, geojson(("城管局", "黄河路段", bowtie)))
    assert "第 1 个要素：多边形无效：边线自相交，在 30.00500, 104.00500 附近。" in text
    assert "Self-intersection" not in text
    few = [[104.0, 30.0], [104.01, 30.01], [104.0, 30.0], [104.0, 30.0]]
    text = await upload_zones(harness, geojson(("城管局", "黄河路段", few)))
    assert "多边形无效" in text and "[" not in text


async def test_a_zone_names_its_unit_in_any_case_and_spacing(harness: Harness) -> None:
    """As a spreadsheet or /tag does: "traffic  police" is the unit Traffic Police."""
    await city(harness)
    await unit(harness, "Traffic Police")
    text = await upload_zones(
        harness, geojson(("traffic  police", "Ring road", square(near(east_m=3000), 200)))
    )
    assert "✅ 已从「zones.geojson」导入 1 个包干区" in text, text
    assert "· Traffic Police：1 个" in text
    async with harness.session() as session:
        [zone] = (await session.scalars(select(Zone))).all()
        unit_name = await session.scalar(select(Unit.name).where(Unit.id == zone.unit_id))
    assert unit_name == "Traffic Police"


async def test_a_note_of_invisible_marks_alone_is_refused_as_blank(harness: Harness) -> None:
    """Zero-width spaces and direction marks draw nothing: as the report's text, or as the
    reason a report is dismissed, they are refused as an empty one is, and nothing is kept."""
    town = await city(harness)
    wang, admin = town.volunteers[0], harness.admin
    invisible = "\u200b\u2060\u200e \u200b\ufeff"
    answer = await report(harness, wang, near(1000, 1000), text=invisible)
    assert "文字请写 1 到 300 个字" in answer, answer
    assert await harness.count(StreetReport) == 0
    # Still at the text: a real line goes through, marks in it dropped.
    await wang.send_text("盲道\u200b被占")
    await harness.settle()
    [filed] = await street_reports(harness)
    assert filed.description == "盲道被占"

    await admin.send_command("orders")
    await harness.settle()
    await press_and_settle(harness, admin, "📷 待处理随手拍（1）")
    await press_and_settle(harness, admin, f"随手拍 #{filed.id}")
    await press_and_settle(harness, admin, "🚫 不予受理")
    await admin.send_text(invisible)
    await harness.settle()
    assert admin.last().text == "请写明原因（2 到 300 个字）。"
    [still] = await street_reports(harness)
    assert still.status is ReportStatus.NEW and still.status_note is None
    await admin.send_text("不属于\u200b创文范围")
    await harness.settle()
    await harness.deliver()
    assert "不予受理：不属于创文范围" in (wang.last().text or "")
    [dismissed] = await street_reports(harness)
    assert dismissed.status is ReportStatus.DISMISSED
    assert dismissed.status_note == "不属于创文范围"
