"""The board's rectification orders: the Orders panel (by unit for the city, a unit's own for a
unit, a covert check's order hidden from the unit until the daily tally), the open orders
gauge of /metrics, and the read-only Open311 GeoReport v2 endpoint."""

from __future__ import annotations

import json
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.board_fixtures import (
    BOARD_SETTINGS,
    COORDINATOR_ID,
    LEADER_ID,
    REPORTER_PHONE,
    database_down,
    get,
    local,
    mini_app,
    panel,
    prepare_morning,
    prepare_orders,
    running_board,
    state,
)
from tests.harness import ADMIN_ID, Harness

KEY = "open-data-key"


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {**BOARD_SETTINGS, "open311_api_keys": [KEY, "second-key"]}


def cells(data: dict[str, Any]) -> list[list[str]]:
    return [row["cells"] for row in data["rows"]]


# -- the Orders panel ---------------------------------------------------------------------------


async def test_the_city_sees_open_and_overdue_orders_by_unit(harness: Harness) -> None:
    morning = await prepare_morning(harness)
    await prepare_orders(harness, morning)
    async with running_board(harness) as board:
        status, body = await state(board, mini_app(harness, ADMIN_ID))
    assert status == 200
    orders = panel(body, "orders")
    assert orders["columns"] == ["单位", "未办结", "已超期", "待验收"]
    # Headquarters counts every open order, the covert check's too; most open first, then name.
    assert cells(orders) == [["团结社区", "2", "0", "0"], ["城管局", "2", "1", "1"]]
    assert [row["tone"] for row in orders["rows"]] == ["none", "poor"]


async def test_a_unit_sees_its_own_orders_and_a_covert_one_only_once_published(
    harness: Harness,
) -> None:
    morning = await prepare_morning(harness)
    orders = await prepare_orders(harness, morning)
    async with running_board(harness) as board:
        _, community = await state(board, mini_app(harness, COORDINATOR_ID))
        _, city = await state(board, mini_app(harness, LEADER_ID))
    assert cells(panel(community, "orders")) == [
        [f"#{orders.ids['acked']}", "设施损坏", "2026年12月1日 12:00", "已签收", "垃圾分类点"]
    ]
    assert cells(panel(city, "orders")) == [
        [
            f"#{orders.ids['overdue']}",
            "乱扔垃圾",
            "2026年12月1日 06:00（已超期）",
            "已下发待签收",
            "人民路口",
        ],
        [f"#{orders.ids['replied']}", "乱停车", "2026年12月2日 07:00", "已回复待验收", "解放路口"],
    ]
    assert [row["tone"] for row in panel(city, "orders")["rows"]] == ["poor", "none"]
    # After the daily tally (20:00) the unit sees the covert check's order too.
    harness.clock.set(local(20, 1))
    async with running_board(harness) as board:
        _, later = await state(board, mini_app(harness, COORDINATOR_ID))
    assert [row[0] for row in cells(panel(later, "orders"))] == [
        f"#{orders.ids['acked']}",
        f"#{orders.ids['covert']}",
    ]


async def test_a_unit_without_open_orders_is_told_so(harness: Harness) -> None:
    await prepare_morning(harness)
    async with running_board(harness) as board:
        _, body = await state(board, mini_app(harness, LEADER_ID))
    assert cells(panel(body, "orders")) == [["没有未办结的整改令", "—", "—", "—", "—"]]


# -- /metrics -----------------------------------------------------------------------------------


async def test_metrics_gauge_the_open_orders_by_state_and_overdue(harness: Harness) -> None:
    morning = await prepare_morning(harness)
    await prepare_orders(harness, morning)
    async with running_board(harness) as board:
        status, _, text = await get(board, "/metrics")
    assert status == 200
    family = next(
        f for f in text_string_to_metric_families(text) if f.name == "dutybot_orders_open"
    )
    assert family.type == "gauge" and family.documentation
    found = {
        (sample.labels["state"], sample.labels["overdue"]): sample.value
        for sample in family.samples
    }
    assert found == {
        ("issued", "true"): 1,  # the overdue one
        ("issued", "false"): 1,  # the covert check's, counted for operators
        ("acknowledged", "true"): 0,
        ("acknowledged", "false"): 1,
        ("replied", "true"): 0,
        ("replied", "false"): 1,
        ("returned", "true"): 0,
        ("returned", "false"): 0,
    }


# -- Open311 ------------------------------------------------------------------------------------


async def open311(board: Any, path: str, key: str | None = KEY) -> tuple[int, Any, str]:
    separator = "&" if "?" in path else "?"
    query = f"{separator}api_key={key}" if key is not None else ""
    return await get(board, f"/open311/v2/{path}{query}")


async def test_open311_needs_a_key_and_gives_nothing_without_the_right_one(
    harness: Harness,
) -> None:
    morning = await prepare_morning(harness)
    await prepare_orders(harness, morning)
    async with running_board(harness) as board:
        for path in ("services.json", "requests.json", "requests/order-1.json"):
            for key in (None, "", "wrong", KEY + "x"):
                status, body, text = await open311(board, path, key)
                assert status == 403, (path, key)
                assert body == [{"code": 403, "description": "a valid api_key is required"}]
                assert "人民路口" not in text and "城管局" not in text
        assert (await open311(board, "services.json", "second-key"))[0] == 200


async def test_open311_is_off_without_keys(harness: Harness) -> None:
    harness.runtime.settings = harness.runtime.settings.model_copy(update={"open311_api_keys": []})
    async with running_board(harness) as board:
        for path in ("services.json", "requests.json", "requests/report-1.json"):
            assert (await open311(board, path))[0] == 404


async def test_open311_with_the_database_down_answers_503_in_its_error_form(
    harness: Harness,
) -> None:
    async with running_board(harness) as board:
        async with database_down(harness):
            for path in ("requests.json", "requests/report-1.json"):
                status, body, _ = await open311(board, path)
                assert status == 503, path
                assert body == [
                    {"code": 503, "description": "the service is unavailable, try again later"}
                ]
        assert (await open311(board, "requests.json"))[0] == 200


async def test_open311_services_are_the_report_kinds_and_orders(harness: Harness) -> None:
    async with running_board(harness) as board:
        status, services, _ = await open311(board, "services.json?lang=en")
    assert status == 200
    assert [service["service_code"] for service in services] == [
        "report-parking",
        "report-litter",
        "report-vending",
        "report-facility",
        "report-conduct",
        "report-other",
        "order",
    ]
    assert services[0] == {
        "service_code": "report-parking",
        "service_name": "Illegal parking",
        "description": "Street report: Illegal parking",
        "metadata": False,
        "type": "realtime",
        "keywords": "",
        "group": "Street reports",
    }
    assert services[-1]["service_name"] == "Rectification order"


async def test_open311_requests_show_reports_and_published_orders_only(harness: Harness) -> None:
    morning = await prepare_morning(harness)
    orders = await prepare_orders(harness, morning)
    async with running_board(harness) as board:
        status, found, text = await open311(board, "requests.json")
    assert status == 200
    ids = [item["service_request_id"] for item in found]
    # Newest first; the covert check's order (07:00 today) is not published before 20:00.
    assert ids == [
        f"report-{orders.reports['routed']}",
        *sorted(
            (f"order-{orders.ids[name]}" for name in ("overdue", "replied", "accepted", "acked")),
            key=lambda text: -int(text.split("-")[1]),
        ),
        f"report-{orders.reports['dismissed']}",
    ]
    assert f"order-{orders.ids['covert']}" not in text
    # Nobody's identity, no phone number, no photo address.
    assert REPORTER_PHONE not in text and "13800138000" not in text
    for name in ("城管志愿者", "城管督查", "张伟", "reporter", "issued_by", "media_url"):
        assert name not in text
    report = found[0]
    assert report == {
        "service_request_id": f"report-{orders.reports['routed']}",
        "status": "open",
        "status_notes": "已转交",
        "service_name": "乱停车",
        "service_code": "report-parking",
        "description": "人行道上停满了车（川A***），有事打我电话 ***",
        "agency_responsible": "城管局",
        "service_notice": None,
        "requested_datetime": "2026-12-01T06:30:00+08:00",
        "updated_datetime": "2026-12-01T06:30:00+08:00",
        "expected_datetime": None,
        "address": None,
        "lat": 30.659,
        "long": 104.065,
    }
    overdue = next(i for i in found if i["service_request_id"] == f"order-{orders.ids['overdue']}")
    assert overdue["service_code"] == "order" and overdue["status"] == "open"
    assert overdue["agency_responsible"] == "城管局"
    assert overdue["expected_datetime"] == "2026-12-01T06:00:00+08:00"
    assert overdue["lat"] is not None and overdue["long"] is not None  # the post's place


async def test_open311_masks_the_names_of_members_typed_into_a_description(
    harness: Harness,
) -> None:
    """An inspector's note names the volunteer they saw; a reporter signs their report: open
    data shows neither name (nor one written in Latin letters), only the rest of the words."""
    from sqlalchemy import update

    from bot.db.models import Member, RectificationOrder, StreetReport

    morning = await prepare_morning(harness)
    orders = await prepare_orders(harness, morning)
    async with harness.session() as session:
        session.add(
            Member(
                telegram_id=630_001,
                display_name="Li",
                phone="+8613700137000",
                unit_id=morning.units["城管局"],
                registered_at=harness.clock.now(),
            )
        )
        await session.execute(
            update(RectificationOrder)
            .where(RectificationOrder.id == orders.ids["overdue"])
            .values(description="玩手机；城管志愿者在岗玩手机，团结协调已到场")
        )
        await session.execute(
            update(StreetReport)
            .where(StreetReport.id == orders.reports["routed"])
            .values(description="城管志愿者报告：Lily 说 li 的车又停在人行道上")
        )
        await session.commit()
    async with running_board(harness) as board:
        status, found, text = await open311(board, "requests.json")
    assert status == 200
    described = {item["service_request_id"]: item["description"] for item in found}
    assert described[f"order-{orders.ids['overdue']}"] == "玩手机；***在岗玩手机，***已到场"
    assert (
        described[f"report-{orders.reports['routed']}"] == "***报告：Lily 说 *** 的车又停在人行道上"
    )
    for name in ("城管志愿者", "团结协调"):
        assert name not in text


async def test_open311_filters(harness: Harness) -> None:
    morning = await prepare_morning(harness)
    orders = await prepare_orders(harness, morning)

    async def ids(query: str) -> list[str]:
        status, found, text = await open311(harness_board, f"requests.json?{query}")
        assert status == 200, text
        return sorted(item["service_request_id"] for item in found)

    report, dismissed = orders.reports["routed"], orders.reports["dismissed"]
    async with running_board(harness) as harness_board:
        assert await ids("status=closed") == sorted(
            [f"order-{orders.ids['accepted']}", f"report-{dismissed}"]
        )
        assert await ids("service_code=report-parking,report-other") == sorted(
            [f"report-{report}", f"report-{dismissed}"]
        )
        assert await ids("service_code=order&status=open") == sorted(
            f"order-{orders.ids[name]}" for name in ("overdue", "replied", "acked")
        )
        assert await ids("start_date=2026-12-01T00:00:00%2B08:00") == [f"report-{report}"]
        assert await ids("start_date=2026-11-29T00:00:00Z&end_date=2026-11-30T12:00:00Z") == sorted(
            [f"report-{dismissed}", *(f"order-{orders.ids[n]}" for n in ("overdue", "replied"))]
            + [f"order-{orders.ids[n]}" for n in ("accepted", "acked")]
        )
        covert = f"order-{orders.ids['covert']}"
        assert await ids(f"service_request_id={covert},report-{report}") == [f"report-{report}"]
        status, body, _ = await open311(harness_board, "requests.json?status=maybe")
        assert status == 400 and body[0]["code"] == 400
        status, body, _ = await open311(harness_board, "requests.json?service_code=nope")
        assert status == 400
        status, one, _ = await open311(harness_board, f"requests/report-{report}.json")
        assert status == 200 and [item["service_request_id"] for item in one] == [
            f"report-{report}"
        ]
        assert (await open311(harness_board, f"requests/{covert}.json"))[0] == 404
        assert (await open311(harness_board, "requests/order-99999.json"))[0] == 404
        assert (await open311(harness_board, "requests/anything.json"))[0] == 404
        # Out of range: an unknown request or a bad filter, never a 500 (PostgreSQL's INTEGER
        # ids end at 2**31 - 1; other scripts' digits are no id).
        arabic_indic = str(report).translate({ord(d): 0x660 + int(d) for d in "0123456789"})
        for path in (
            f"requests/report-{arabic_indic}.json",
            "requests/order-2147483648.json",
            "requests/report-99999999999999999999.json",
        ):
            status, body, _ = await open311(harness_board, path)
            assert (status, body[0]["code"]) == (404, 404), path
        for query in (
            "service_request_id=report-99999999999999999999",
            "end_date=9999-12-31T23:59:59.999999%2B00:00",
            "end_date=0001-01-02T00:00:00%2B00:00",
            "start_date=0001-01-01T00:00:00",
        ):
            status, body, _ = await open311(harness_board, f"requests.json?{query}")
            assert (status, body[0]["code"]) == (400, 400), query
    # Published at the daily tally: then the covert check's order is open data too.
    harness.clock.set(local(20, 1))
    async with running_board(harness) as harness_board:
        status, one, _ = await open311(harness_board, f"requests/{covert}.json")
    assert status == 200 and json.dumps(one, ensure_ascii=False).count("covert") == 1
