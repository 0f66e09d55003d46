"""A leader switches the bot's language with /lang while the board is open in Telegram: at the
next refresh every word of the page is in the new language, the day's curve included (its
legend and axis are drawn once on a canvas and were left in the old one)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from bot.db.models import Member
from tests.browser.board_browser_fixtures import mini_app_url
from tests.browser.conftest import Browser
from tests.e2e.board_fixtures import (
    BOARD_SETTINGS,
    LEADER_ID,
    init_data,
    prepare_morning,
    running_board,
)
from tests.harness import Harness

LEGEND = """
return Array.from(document.querySelectorAll('#panel-now .u-legend .u-series .u-label')).map(
  (label) => label.textContent);
"""
HEADING = "document.querySelector('#panel-now h2').textContent"
# The map's zoom buttons: their tooltip and what a screen reader says.
ZOOM = """
return ['in', 'out'].map((way) => {
  const button = document.querySelector(`.leaflet-control-zoom-${way}`);
  return [button.title, button.getAttribute('aria-label')];
});
"""


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return dict(BOARD_SETTINGS)


async def test_the_curve_speaks_the_new_language_after_lang_without_a_reload(
    harness: Harness, browser: Browser
) -> None:
    await prepare_morning(harness)
    async with running_board(harness) as board:
        await browser.open(mini_app_url(board, init_data(harness, LEADER_ID)))
        await browser.wait_for("return document.querySelectorAll('#panel-now canvas').length;")
        assert await browser.run(LEGEND) == ["时间", "此刻在岗占比"]
        assert await browser.run(ZOOM) == [["放大", "放大"], ["缩小", "缩小"]]
        await browser.run("window.sameDocument = true;")

        # /lang en, as the bot stores it.
        async with harness.session() as session:
            await session.execute(
                update(Member).where(Member.telegram_id == LEADER_ID).values(language="en")
            )
        await browser.wait_for(f"return ({HEADING}) === 'Today on post';")
        assert await browser.wait_for(
            f"const l = (() => {{{LEGEND}}})(); "
            "return l[0] === 'Time' && l[1] === 'Share on post' ? l : null;"
        )
        assert await browser.run("return window.sameDocument === true;")
        assert await browser.run(ZOOM) == [["Zoom in", "Zoom in"], ["Zoom out", "Zoom out"]]
        named = "return document.getElementById('map').getAttribute('aria-label');"
        assert await browser.run(named) == "Posts map"
        canvases = "return document.querySelectorAll('#panel-now canvas').length;"
        assert await browser.run(canvases) == 1  # one chart, made again, not a second one
    async with harness.session() as session:
        language = await session.scalar(
            select(Member.language).where(Member.telegram_id == LEADER_ID)
        )
        assert language == "en"
