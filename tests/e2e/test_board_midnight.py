"""The board at the day's boundary, on the injected clock: a shift that starts at midnight
opens its check-in the evening before (CHECKIN_OPEN_BEFORE_MIN, 30), and whoever checks in then
is on the map at once, listed apart as early for it and counted in the figures' early arrivals,
not left out until midnight because the shift belongs to tomorrow. At midnight the shift is
under way and they are on post; the day's figures are the new day's."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from bot.board.server import SnapshotCache
from bot.db.models import CheckIn, Shift
from tests.e2e.board_fixtures import BOARD_SETTINGS, local, mini_app, panel, running_board, state
from tests.e2e.checkin_fixtures import assign, check_in, post, shift, team
from tests.harness import ADMIN_ID, Harness

ENGLISH_ADMIN = 610_099
HANT_ADMIN = 610_098


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {**BOARD_SETTINGS, "admin_ids": [ADMIN_ID, ENGLISH_ADMIN, HANT_ADMIN]}


async def _look(
    harness: Harness, board: Any, viewer: int = ADMIN_ID, **options: Any
) -> tuple[Any, dict[str, str]]:
    status, body = await state(board, mini_app(harness, viewer, **options))
    assert status == 200, body
    [marker] = panel(body, "map")["markers"]
    figures = {item["key"]: item["value"] for item in panel(body, "now")["figures"]}
    return marker, figures


async def test_an_early_check_in_before_midnight_for_a_shift_at_midnight_shows_at_once(
    harness: Harness,
) -> None:
    harness.clock.set(local(20, 0))
    crew = await team(harness, ["王芳"])
    row = await post(harness, crew.unit, "人民路口")
    midnight = local(0, 0) + dt.timedelta(days=1)
    night = await shift(harness, row, midnight, midnight + dt.timedelta(hours=2))
    await assign(harness, night, crew.volunteers[0])
    async with running_board(harness) as board:
        board.scenes, board.cache = SnapshotCache(0), SnapshotCache(0)
        # 23:00, before its check-in opens: today has nothing more for the post.
        harness.clock.set(local(23, 0))
        marker, figures = await _look(harness, board)
        assert (marker["popup"]["staffing"], marker["popup"]["shifts"]) == ("今天没有班次", [])

        harness.clock.set(local(23, 45))
        await check_in(harness, crew.volunteers[0])
        assert "23:45 到岗（班次 00:00–02:00）" in (crew.volunteers[0].last().text or "")
        marker, figures = await _look(harness, board)
        popup = marker["popup"]
        assert marker["state"] == "idle"
        assert (popup["staffing"], popup["shifts"]) == ("下一班次", ["00:00–02:00"])
        assert popup["early"]["label"] == "下一班次 00:00–02:00 已提前签到 1 人"
        assert [p["name"] for p in popup["early"]["people"]] == ["王芳"]
        assert (figures["early"], figures["on_post"], figures["seats"]) == ("1", "0/0", "0")

        # The last second of the day, then midnight: the shift is under way, she is on post.
        harness.clock.set(midnight - dt.timedelta(seconds=1))
        _, figures = await _look(harness, board)
        assert (figures["early"], figures["on_post"]) == ("1", "0/0")
        harness.clock.set(midnight)
        marker, figures = await _look(harness, board)
        assert marker["state"] == "short" and marker["popup"]["early"] is None
        assert marker["popup"]["staffing"] == "在岗 1/4 人"
        assert (figures["early"], figures["on_post"], figures["seats"]) == ("0", "1/4", "4")
    async with harness.session() as session:
        [row_] = await session.scalars(select(CheckIn))
        assert row_.checked_in_at == local(23, 45)


async def test_shifts_of_tomorrow_open_before_midnight_are_not_headed_as_today(
    harness: Harness,
) -> None:
    """At 23:50 the check-in of two shifts after midnight (00:00 and 00:15) is open: the popup
    lists them, under a heading that does not call them today's."""
    harness.clock.set(local(20, 0))
    crew = await team(harness, ["王芳"])
    row = await post(harness, crew.unit, "人民路口")
    midnight = local(0, 0) + dt.timedelta(days=1)
    for start in (midnight, midnight + dt.timedelta(minutes=15)):
        await shift(harness, row, start, start + dt.timedelta(hours=2))
    async with running_board(harness) as board:
        board.scenes, board.cache = SnapshotCache(0), SnapshotCache(0)
        harness.clock.set(local(23, 50))
        marker, _ = await _look(harness, board)
        popup = marker["popup"]
        assert popup["shifts"] == ["00:00–02:00", "00:15–02:15"]
        assert popup["staffing"] == "接下来的班次"
        english, _ = await _look(harness, board, ENGLISH_ADMIN, language_code="en")
        assert english["popup"]["staffing"] == "Next shifts"
        hant, _ = await _look(harness, board, HANT_ADMIN, language_code="zh-hant")
        assert hant["popup"]["staffing"] == "接下來的班次"

        # A shift of today still to come beside them: no longer all today's either.
        await shift(harness, row, local(23, 55), local(23, 59))
        marker, _ = await _look(harness, board)
        assert marker["popup"]["shifts"] == ["23:55–23:59", "00:00–02:00", "00:15–02:15"]
        assert marker["popup"]["staffing"] == "接下来的班次"
    async with harness.session() as session:
        assert len((await session.scalars(select(Shift))).all()) == 3
