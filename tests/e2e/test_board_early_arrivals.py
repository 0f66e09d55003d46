"""Check-in opens before a shift starts: a volunteer who checks in early for the next shift at a
post shows in the post's popup at once, listed apart as early for that shift, and is not counted
on post (the popup's 在岗 x/y, the map's colour, the figure of seats under way) until it starts.

The post 人民路口 has two shifts of one seat: 07:00-09:00 held by 王芳, 09:00-11:00 by 李娜;
both check in through the bot, each before their shift."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bot.board.server import SnapshotCache
from bot.db.models import Assignment, CheckIn, Member
from tests.e2e.board_fixtures import (
    BOARD_SETTINGS,
    local,
    mini_app,
    panel,
    running_board,
    state,
)
from tests.e2e.board_server_fixtures import shifts_in_a_row
from tests.e2e.checkin_fixtures import assign, check_in, post, shift, team
from tests.harness import ADMIN_ID, Harness

ENGLISH_ADMIN = 610_099  # an admin reading in English
HANT_ADMIN = 610_098  # an admin reading in Traditional Chinese


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {**BOARD_SETTINGS, "admin_ids": [ADMIN_ID, ENGLISH_ADMIN, HANT_ADMIN]}


async def _popup(harness: Harness, board: Any, viewer: int = ADMIN_ID, **options: Any) -> Any:
    status, body = await state(board, mini_app(harness, viewer, **options))
    assert status == 200
    [marker] = panel(body, "map")["markers"]
    figures = {item["key"]: item["value"] for item in panel(body, "now")["figures"]}
    legend = {item["state"]: item["count"] for item in panel(body, "map")["legend"]}
    # The panel's early arrivals are the popups' own, summed over the posts.
    assert figures["early"] == str(len((marker["popup"]["early"] or {"people": []})["people"]))
    return marker["state"], marker["popup"], figures["on_post"], legend


def _people(items: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(item["name"], item["time"]) for item in items]


async def test_an_early_check_in_for_the_next_shift_shows_apart_and_is_not_counted_on_post(
    harness: Harness,
) -> None:
    row = await shifts_in_a_row(harness)
    wang, li = row.first, row.second
    async with running_board(harness) as board:
        # Every request reads afresh, as once a refresh interval has passed: the test moves
        # the clock, not the wall time the server's caches go by.
        board.scenes, board.cache = SnapshotCache(0), SnapshotCache(0)
        # 06:40, no shift under way: 王芳 checks in for 07:00.
        harness.clock.set(local(6, 40))
        await check_in(harness, wang)
        marker_state, popup, on_post, legend = await _popup(harness, board)
        assert marker_state == "idle" and legend["idle"] == 1
        assert popup["shifts"] == ["07:00–09:00", "09:00–11:00"]
        assert popup["staffing"] == "今天接下来的班次"
        assert popup["people"] == []
        assert popup["early"]["label"] == "下一班次 07:00–09:00 已提前签到 1 人"
        assert _people(popup["early"]["people"]) == [("王芳", "06:40 签到")]
        assert on_post == "0/0"

        # 08:40, 王芳's shift under way: 李娜 checks in for 09:00, shown beside 王芳, not
        # counted in the 在岗 1/1 of the shift under way.
        harness.clock.set(local(8, 40))
        await check_in(harness, li)
        marker_state, popup, on_post, legend = await _popup(harness, board)
        assert marker_state == "staffed" and legend["staffed"] == 1
        assert popup["shifts"] == ["07:00–09:00"] and popup["staffing"] == "在岗 1/1 人"
        assert _people(popup["people"]) == [("王芳", "06:40 签到")]
        assert popup["early"]["label"] == "下一班次 09:00–11:00 已提前签到 1 人"
        assert _people(popup["early"]["people"]) == [("李娜", "08:40 签到")]
        assert on_post == "1/1"
        _, english, _, _ = await _popup(harness, board, ENGLISH_ADMIN, language_code="en")
        assert english["early"]["label"] == (
            "1 person checked in early for the next shift, 09:00–11:00"
        )

        # 09:05: 李娜's shift is under way and she is on post in it; nobody is early.
        harness.clock.set(local(9, 5))
        marker_state, popup, on_post, _ = await _popup(harness, board)
        assert popup["shifts"] == ["09:00–11:00"] and popup["staffing"] == "在岗 1/1 人"
        assert _people(popup["people"]) == [("李娜", "08:40 签到")]
        assert popup["early"] is None
        assert (marker_state, on_post) == ("staffed", "1/1")
    async with harness.session() as session:
        rows = await session.execute(
            select(Member.display_name, CheckIn.checked_in_at, CheckIn.late)
            .join(Assignment, Assignment.id == CheckIn.assignment_id)
            .join(Member, Member.id == Assignment.member_id)
            .order_by(CheckIn.id)
        )
        assert [(name, at, late) for name, at, late in rows] == [
            ("王芳", local(6, 40), False),
            ("李娜", local(8, 40), False),
        ]


async def test_early_arrivals_for_two_shifts_are_named_as_shifts_in_three_languages(
    harness: Harness,
) -> None:
    """07:00-09:00 and 07:15-09:15 at one post, both open for check-in at 06:50: 王芳 checks in
    for the first, 李娜 for the second. The line under them names both shifts, and says so."""
    harness.clock.set(local(6, 0))
    crew = await team(harness, ["王芳", "李娜"])
    row = await post(harness, crew.unit, "人民路口")
    first = await shift(harness, row, local(7, 0), local(9, 0))
    second = await shift(harness, row, local(7, 15), local(9, 15))
    await assign(harness, first, crew.volunteers[0])
    await assign(harness, second, crew.volunteers[1])
    async with running_board(harness) as board:
        board.scenes, board.cache = SnapshotCache(0), SnapshotCache(0)
        harness.clock.set(local(6, 50))
        for person in crew.volunteers:
            await check_in(harness, person)
        _, popup, on_post, _ = await _popup(harness, board)
        assert popup["early"]["label"] == "接下来的班次 07:00–09:00、07:15–09:15 已提前签到 2 人"
        assert [p["name"] for p in popup["early"]["people"]] == ["王芳", "李娜"]
        assert on_post == "0/0"
        _, english, _, _ = await _popup(harness, board, ENGLISH_ADMIN, language_code="en")
        assert english["early"]["label"] == (
            "2 people checked in early for the next shifts: 07:00–09:00, 07:15–09:15"
        )
        _, hant, _, _ = await _popup(harness, board, HANT_ADMIN, language_code="zh-hant")
        assert hant["early"]["label"] == "接下來的班次 07:00–09:00、07:15–09:15 已提前簽到 2 人"

        # 07:05: the first is under way, 王芳 on post; 李娜 alone is early, for one shift.
        harness.clock.set(local(7, 5))
        _, english, _, _ = await _popup(harness, board, ENGLISH_ADMIN, language_code="en")
        assert english["early"]["label"] == (
            "1 person checked in early for the next shift, 07:15–09:15"
        )
    async with harness.session() as session:
        assert len((await session.scalars(select(CheckIn))).all()) == 2
