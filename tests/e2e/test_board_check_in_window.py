"""The board decides who is early from the check-in window (CHECKIN_OPEN_BEFORE_MIN, here 60),
not from which shift starts next or which calendar day a shift is on: two shifts just after
midnight at one post, 00:00-02:00 (李娜) and 00:30-02:00 (王芳), both open for check-in in the
last hour of the evening. Whoever checks in for either is listed apart as early and counted in
the figures, from the very minute their window opens."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from bot.board.server import SnapshotCache
from bot.db.models import Assignment, CheckIn, Member
from tests.e2e.board_fixtures import BOARD_SETTINGS, local, mini_app, panel, running_board, state
from tests.e2e.checkin_fixtures import assign, check_in, post, shift, team
from tests.harness import ADMIN_ID, Harness


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {**BOARD_SETTINGS, "checkin_open_before_min": 60}


async def _look(harness: Harness, board: Any) -> tuple[Any, dict[str, str]]:
    status, body = await state(board, mini_app(harness, ADMIN_ID))
    assert status == 200, body
    [marker] = panel(body, "map")["markers"]
    figures = {item["key"]: item["value"] for item in panel(body, "now")["figures"]}
    return marker, figures


def _early(marker: Any) -> tuple[str, list[str]] | None:
    early = marker["popup"]["early"]
    if early is None:
        return None
    return early["label"], [person["name"] for person in early["people"]]


async def test_a_shift_after_midnight_is_early_from_its_window_not_from_the_next_start(
    harness: Harness,
) -> None:
    harness.clock.set(local(20, 0))
    crew = await team(harness, ["王芳", "李娜"])
    wang, li = crew.volunteers
    row = await post(harness, crew.unit, "人民路口")
    midnight = local(0, 0) + dt.timedelta(days=1)
    first = await shift(harness, row, midnight, midnight + dt.timedelta(hours=2))
    second = await shift(
        harness, row, midnight + dt.timedelta(minutes=30), midnight + dt.timedelta(hours=2)
    )
    await assign(harness, first, li)
    await assign(harness, second, wang)
    async with running_board(harness) as board:
        board.scenes, board.cache = SnapshotCache(0), SnapshotCache(0)
        # 23:30 sharp, the 00:30 shift's check-in opens: 王芳 checks in for it at once.
        harness.clock.set(local(23, 30))
        await check_in(harness, wang)
        assert "23:30 到岗（班次 00:30–02:00）" in (wang.last().text or "")
        marker, figures = await _look(harness, board)
        assert marker["state"] == "idle"
        assert _early(marker) == ("下一班次 00:30–02:00 已提前签到 1 人", ["王芳"])
        assert (figures["early"], figures["on_post"]) == ("1", "0/0")

        # 23:45: 李娜 checks in for 00:00. Both are early, under both windows.
        harness.clock.set(local(23, 45))
        await check_in(harness, li)
        assert "23:45 到岗（班次 00:00–02:00）" in (li.last().text or "")
        marker, figures = await _look(harness, board)
        assert _early(marker) == (
            "接下来的班次 00:00–02:00、00:30–02:00 已提前签到 2 人",
            ["李娜", "王芳"],
        )
        assert (figures["early"], figures["on_post"]) == ("2", "0/0")

        # Midnight: 李娜's shift is under way, she is on post; 王芳 is still early for 00:30.
        harness.clock.set(midnight)
        marker, figures = await _look(harness, board)
        assert (marker["state"], marker["popup"]["staffing"]) == ("short", "在岗 1/4 人")
        assert [person["name"] for person in marker["popup"]["people"]] == ["李娜"]
        assert _early(marker) == ("下一班次 00:30–02:00 已提前签到 1 人", ["王芳"])
        assert (figures["early"], figures["on_post"]) == ("1", "1/4")
    async with harness.session() as session:
        rows = await session.execute(
            select(Member.display_name, Assignment.shift_id, CheckIn.checked_in_at)
            .join(Assignment, Assignment.id == CheckIn.assignment_id)
            .join(Member, Member.id == Assignment.member_id)
            .order_by(CheckIn.checked_in_at)
        )
        assert [tuple(found) for found in rows] == [
            ("王芳", second.id, local(23, 30)),
            ("李娜", first.id, local(23, 45)),
        ]
