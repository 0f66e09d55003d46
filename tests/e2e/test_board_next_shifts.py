"""With no shift under way at a post, its popup names the day's next shifts (the first three
windows, then how many more), not only the first; the figures panel counts the early arrivals
that the popups list apart, in the viewer's language.

The post 人民路口 has two shifts of one seat, 07:00-09:00 (王芳) and 09:00-11:00 (李娜); the
test adds more later in the day."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from bot.board.server import SnapshotCache
from bot.db.models import Shift, ShiftStatus
from tests.e2e.board_fixtures import BOARD_SETTINGS, local, mini_app, panel, running_board, state
from tests.e2e.board_server_fixtures import shifts_in_a_row
from tests.e2e.checkin_fixtures import check_in
from tests.harness import ADMIN_ID, Harness

ENGLISH_ADMIN = 610_099
HANT_ADMIN = 610_098


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {**BOARD_SETTINGS, "admin_ids": [ADMIN_ID, ENGLISH_ADMIN, HANT_ADMIN]}


async def _body(harness: Harness, board: Any, viewer: int = ADMIN_ID, **options: Any) -> Any:
    status, body = await state(board, mini_app(harness, viewer, **options))
    assert status == 200
    return body


def _popup(body: Any) -> dict[str, Any]:
    [marker] = panel(body, "map")["markers"]
    popup: dict[str, Any] = marker["popup"]
    return popup


def _figures(body: Any) -> dict[str, tuple[str, str]]:
    return {f["key"]: (f["label"], f["value"]) for f in panel(body, "now")["figures"]}


async def _more_shifts(harness: Harness, post_id: int, starts: list[int]) -> None:
    async with harness.session() as session:
        session.add_all(
            Shift(
                post_id=post_id,
                starts_at=local(start),
                ends_at=local(start + 1),
                capacity=1,
                status=ShiftStatus.SCHEDULED,
                created_at=harness.clock.now(),
            )
            for start in starts
        )


async def test_the_popup_names_the_next_shifts_of_the_day_and_how_many_more(
    harness: Harness,
) -> None:
    row = await shifts_in_a_row(harness)
    await _more_shifts(harness, row.post.id, [14, 16, 18])
    async with running_board(harness) as board:
        board.scenes, board.cache = SnapshotCache(0), SnapshotCache(0)
        harness.clock.set(local(6, 0))
        body = await _body(harness, board)
        popup = _popup(body)
        assert popup["staffing"] == "今天接下来的班次"
        assert popup["shifts"] == ["07:00–09:00", "09:00–11:00", "14:00–15:00"]
        assert popup["more"] == "还有 2 个班次"
        english = _popup(await _body(harness, board, ENGLISH_ADMIN, language_code="en"))
        assert english["staffing"] == "Next shifts today"
        assert english["more"] == "and 2 more shifts"
        hant = _popup(await _body(harness, board, HANT_ADMIN, language_code="zh-hant"))
        assert hant["staffing"] == "今天接下來的班次"
        assert hant["more"] == "還有 2 個班次"

        # 15:30, between shifts: the one under way is gone, two remain, no "more" line.
        harness.clock.set(local(15, 30))
        popup = _popup(await _body(harness, board))
        assert (popup["shifts"], popup["more"]) == (["16:00–17:00", "18:00–19:00"], None)
        english = _popup(await _body(harness, board, ENGLISH_ADMIN, language_code="en"))
        assert english["staffing"] == "Next shifts today"

        # 17:30: one left, named alone as the next shift.
        harness.clock.set(local(17, 30))
        popup = _popup(await _body(harness, board))
        assert (popup["staffing"], popup["shifts"]) == ("下一班次", ["18:00–19:00"])
    async with harness.session() as session:
        assert await session.scalar(select(func.count()).select_from(Shift)) == 5


async def test_one_more_shift_reads_singular_in_english(harness: Harness) -> None:
    row = await shifts_in_a_row(harness)
    await _more_shifts(harness, row.post.id, [14, 16])
    async with running_board(harness) as board:
        board.scenes, board.cache = SnapshotCache(0), SnapshotCache(0)
        english = _popup(await _body(harness, board, ENGLISH_ADMIN, language_code="en"))
    assert english["shifts"] == ["07:00–09:00", "09:00–11:00", "14:00–15:00"]
    assert english["more"] == "and 1 more shift"


async def test_the_figures_count_the_early_arrivals_in_three_languages(
    harness: Harness,
) -> None:
    row = await shifts_in_a_row(harness)
    async with running_board(harness) as board:
        board.scenes, board.cache = SnapshotCache(0), SnapshotCache(0)
        harness.clock.set(local(6, 40))
        assert _figures(await _body(harness, board))["early"] == ("提前签到", "0")
        await check_in(harness, row.first)
        assert _figures(await _body(harness, board))["early"] == ("提前签到", "1")
        english = _figures(await _body(harness, board, ENGLISH_ADMIN, language_code="en"))
        assert english["early"] == ("Checked in early", "1")
        hant = _figures(await _body(harness, board, HANT_ADMIN, language_code="zh-hant"))
        assert hant["early"] == ("提前簽到", "1")
        # 07:05, the shift under way: 王芳 counts on post, no longer early.
        harness.clock.set(local(7, 5))
        figures = _figures(await _body(harness, board))
        assert (figures["early"][1], figures["on_post"][1]) == ("0", "1/1")
