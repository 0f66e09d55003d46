"""The board's ranking against /today's, for the cases the morning of board_fixtures has not:
a unit without shifts today that was checked is ranked with its score, as /today ranks it."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, update

from bot.db.models import Member, Shift
from tests.e2e.board_fixtures import (
    BOARD_SETTINGS,
    COORDINATOR_ID,
    LEADER_ID,
    local,
    mini_app,
    panel,
    prepare_morning,
    running_board,
    state,
)
from tests.e2e.oversight_fixtures import city, recorded_check
from tests.e2e.schedule import DAY, at, post
from tests.harness import ADMIN_ID, Harness


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return dict(BOARD_SETTINGS)


@pytest.mark.parametrize(("language", "idle"), [("zh_Hans", "没有排班"), ("en", "no shifts")])
async def test_a_unit_checked_but_without_shifts_shows_its_score_as_today_does(
    harness: Harness, language: str, idle: str
) -> None:
    """交通局 has no shift today but was checked (40): /today ranks it first with 40 分（差），
    没有排班; the board showed 没有排班 where the score goes, coloured as a poor grade. And in
    English the board said "nothing scheduled" where /today says "no shifts"."""
    town = await city(harness)
    other_post = await post(harness, town.other_unit_id, "人民路-解放路口")
    await recorded_check(harness, other_post, town.other_unit_id, at(DAY, 7, 30), 40)
    await harness.admin.send_command("today")
    await harness.settle()
    text = "\n".join(m.text or "" for m in harness.admin.messages()[-3:])
    assert "1. 交通局：40 分（差），没有排班" in text and "2. 城管局：没有排班" in text
    t = harness.runtime.translator(language)
    assert t("report.row.idle", rank=2, name="城管局").endswith(idle)
    async with running_board(harness) as board:
        _, body = await state(board, mini_app(harness, ADMIN_ID, language_code=language))
    rows = panel(body, "ranking")["rows"]
    assert [row["cells"] for row in rows] == [
        ["1", "交通局", {"zh_Hans": "40 分（差）", "en": "40 (poor)"}[language], idle, "—", "—"],
        ["2", "城管局", idle, "—", "—", "—"],
    ]
    # Only a graded score is coloured: the unit neither scheduled nor checked is not.
    assert [row["tone"] for row in rows] == ["poor", "none"]


async def test_units_of_the_same_score_share_first_place_on_today_and_on_the_board(
    harness: Harness,
) -> None:
    town = await city(harness)
    other_post = await post(harness, town.other_unit_id, "人民路-解放路口")
    await recorded_check(harness, town.post_id, town.unit_id, at(DAY, 7, 20), 40)
    await recorded_check(harness, other_post, town.other_unit_id, at(DAY, 7, 30), 40)
    await harness.admin.send_command("today")
    await harness.settle()
    text = "\n".join(m.text or "" for m in harness.admin.messages()[-3:])
    # Neither is second to the other for its name's sake.
    assert "1. 交通局：40 分（差），没有排班" in text and "1. 城管局：40 分（差），没有排班" in text
    async with running_board(harness) as board:
        _, body = await state(board, mini_app(harness, ADMIN_ID))
    rows = panel(body, "ranking")["rows"]
    assert sorted(row["cells"][:2] for row in rows) == [["1", "交通局"], ["1", "城管局"]]


async def test_a_units_board_on_a_day_without_shifts_says_so(harness: Harness) -> None:
    """The day after the morning of board_fixtures nothing is scheduled: the city's ranking
    lists its units as 没有排班, but a unit's (by post) was a table of headings over nothing, as
    if the board had not loaded; it says there is nothing scheduled today, as the orders panel
    says there are no open orders. The map's popups tell a post with no shift all day from one
    whose shifts are over."""
    morning = await prepare_morning(harness)
    harness.clock.set(local(7, 10) + dt.timedelta(days=1))
    async with harness.session() as session:
        await session.execute(
            update(Member).where(Member.telegram_id == COORDINATOR_ID).values(language="en")
        )
    async with running_board(harness) as board:
        _, body = await state(board, mini_app(harness, LEADER_ID))
        _, english = await state(board, mini_app(harness, COORDINATOR_ID))
    assert panel(body, "ranking")["rows"] == [
        {"cells": ["—", "今天没有排班", "—", "—", "—", "—"], "tone": "none"}
    ]
    assert panel(english, "ranking")["rows"][0]["cells"][1] == "Nothing scheduled today"
    popups = {m["popup"]["title"]: m["popup"] for m in panel(body, "map")["markers"]}
    assert set(popups) == set(morning.posts) - {"垃圾分类点"}
    assert {popup["staffing"] for popup in popups.values()} == {"今天没有班次"}
    async with harness.session() as session:
        assert await session.scalar(select(func.count()).select_from(Shift)) == 5
