"""The board on a phone, a Telegram Mini App about 360 px wide: every table, figure and popup
fits its card and the map, and the page never scrolls sideways."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import update

from bot.db.models import (
    Member,
    Post,
    Unit,
)
from tests.browser.board_browser_fixtures import mini_app_url, phone
from tests.browser.conftest import Browser
from tests.e2e.board_fixtures import (
    BOARD_SETTINGS,
    COORDINATOR_ID,
    LEADER_ID,
    init_data,
    local,
    prepare_morning,
    prepare_orders,
    running_board,
)
from tests.harness import Harness


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return dict(BOARD_SETTINGS)


LONG_PLACE = "Garbage sorting point at the north gate of Tuanjie Community"

STATUS = "return document.getElementById('board-status').textContent;"
ORDERS = """
return Array.from(document.querySelectorAll('#panel-orders tbody tr')).map(
  (row) => Array.from(row.cells).map((cell) => cell.textContent));
"""


async def test_on_a_phone_every_table_fits_its_card_in_english(
    harness: Harness, browser: Browser
) -> None:
    """A coordinator reading in English: the unit's orders (five columns, a long place name)
    stay inside the card, every cell readable, and the page never scrolls sideways."""
    morning = await prepare_morning(harness)
    await prepare_orders(harness, morning)
    async with harness.session() as session:
        await session.execute(
            update(Post).where(Post.id == morning.posts["垃圾分类点"]).values(name=LONG_PLACE)
        )
        await session.execute(
            update(Member).where(Member.telegram_id == COORDINATOR_ID).values(language="en")
        )
    await phone(browser)
    async with running_board(harness) as board:
        await browser.open(mini_app_url(board, init_data(harness, COORDINATOR_ID), "en"))
        rows = await browser.wait_for(
            f"const r = (() => {{{ORDERS}}})(); return r.length ? r : null;"
        )
        assert rows[0][-1] == LONG_PLACE
        overflow = await browser.run(
            """
            const root = document.documentElement;
            const out = [];
            if (root.scrollWidth > root.clientWidth) out.push(['page', root.scrollWidth]);
            for (const panel of document.querySelectorAll('.panel')) {
              const box = panel.getBoundingClientRect();
              for (const table of panel.querySelectorAll('table')) {
                if (table.getBoundingClientRect().width > table.parentNode.clientWidth + 0.5) {
                  out.push([panel.id, 'table', table.getBoundingClientRect().width]);
                }
              }
              for (const cell of panel.querySelectorAll('th, td')) {
                const r = cell.getBoundingClientRect();
                if (r.right > box.right + 0.5 || cell.scrollWidth > cell.clientWidth + 1) {
                  out.push([panel.id, cell.textContent]);
                }
              }
            }
            return out;
            """
        )
        assert overflow == []


async def test_the_curves_legend_reads_the_latest_share_when_nobody_points_at_it(
    harness: Harness, browser: Browser
) -> None:
    """On a wall screen nobody hovers the chart: its legend said 时间: — 此刻在岗占比: — all day,
    as if there were no figure. It shows the latest point: now, 3 of the 6 seats under way."""
    await prepare_morning(harness)
    await phone(browser)
    async with running_board(harness) as board:
        await browser.open(mini_app_url(board, init_data(harness, LEADER_ID)))
        await browser.wait_for("return document.querySelectorAll('#panel-now canvas').length;")
        legend = await browser.run(
            "return Array.from(document.querySelectorAll('#panel-now .u-legend .u-series')).map("
            "(row) => row.textContent);"
        )
        figure = await browser.run(
            "return document.querySelector('#panel-now .figure-on_post dd').textContent;"
        )
        assert figure == "3/6"
        assert legend == ["时间07:10", "此刻在岗占比50%"]
        # It moves on with the board.
        harness.clock.set(local(7, 25))
        await browser.wait_for(
            "return document.querySelector('#panel-now .u-legend .u-series').textContent"
            " === '时间07:25';"
        )


# A name a coordinator may type (64 characters at most): one long word (a code, a road in
# pinyin written without spaces) gives the browser no place to break a line.
UNBROKEN = "RenminLuJiefangDadaoJiaochakouDongbeijiaoDitieErhaoxianCChukou"


async def test_a_post_with_a_very_long_name_keeps_its_popup_on_a_phones_map(
    harness: Harness, browser: Browser
) -> None:
    """The popup of a post whose name is one long word stays inside its bubble and the map on
    a phone, every line readable, as the tables' cells do; a unit named so does not push the
    page sideways from the header. (Leaflet's popups grew to 300 px of text plus margins,
    wider than a phone's map, whose edge cut them off.)"""
    morning = await prepare_morning(harness)
    async with harness.session() as session:
        await session.execute(
            update(Post).where(Post.id == morning.posts["人民路口"]).values(name=UNBROKEN)
        )
        await session.execute(
            update(Unit).where(Unit.id == morning.units["城管局"]).values(name=UNBROKEN + "局")
        )
    await phone(browser)
    async with running_board(harness) as board:
        await browser.open(mini_app_url(board, init_data(harness, LEADER_ID)))
        await browser.wait_for("return document.querySelectorAll('path.post-marker').length;")
        await browser.run(
            "document.querySelector(`path.post-marker[data-post='${arguments[0]}']`)"
            ".dispatchEvent(new MouseEvent('click', {bubbles: true}));",
            morning.posts["人民路口"],
        )
        text = await browser.wait_for(
            "const p = document.querySelector('.leaflet-popup-content'); return p && p.innerText;"
        )
        assert UNBROKEN in text.replace("\n", "")
        # Leaflet pans the map to show the whole popup (animated): the layout after that.
        overflow: object = None
        for _ in range(50):
            overflow = await browser.run(POPUP_OVERFLOW)
            if overflow == []:
                break
            await asyncio.sleep(0.1)
        assert overflow == []


# What of an open popup does not fit: its text past its bubble, the bubble past the map.
POPUP_OVERFLOW = """
const out = [];
const content = document.querySelector('.leaflet-popup-content');
const bubble = document.querySelector('.leaflet-popup-content-wrapper').getBoundingClientRect();
const map = document.getElementById('map').getBoundingClientRect();
if (content.scrollWidth > content.clientWidth + 1) {
  out.push(['text wider than its bubble', content.scrollWidth, content.clientWidth]);
}
if (bubble.left < map.left - 0.5 || bubble.right > map.right + 0.5) {
  out.push(['bubble past the map', [bubble.left, bubble.right], [map.left, map.right]]);
}
const root = document.documentElement;
if (root.scrollWidth > root.clientWidth) {
  const wide = Array.from(document.body.querySelectorAll('*')).filter(
    (e) => e.getBoundingClientRect().right > root.clientWidth + 0.5
      && !e.closest('.leaflet-pane'));
  out.push(['page', root.scrollWidth, wide.slice(0, 3).map((e) => e.textContent.slice(0, 30))]);
}
return out;
"""
