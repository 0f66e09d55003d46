"""The board inside Telegram: it speaks the viewer's language when opened without one, takes
Telegram's theme and follows its changes, and keeps a downward drag for the map."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from sqlalchemy import update

from bot.db.models import (
    Member,
)
from tests.browser.board_browser_fixtures import in_telegram, mini_app_url, phone
from tests.browser.conftest import Browser
from tests.e2e.board_fixtures import (
    BOARD_SETTINGS,
    LEADER_ID,
    init_data,
    prepare_morning,
    running_board,
)
from tests.harness import Harness


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    # Tiles as AMap serves them, from webrd01 to webrd04 (no such host here: none loads).
    return {**BOARD_SETTINGS, "map_tile_url": AMAP_LIKE}


AMAP_LIKE = "http://webrd0{switch:1,2,3,4}.tiles.invalid/{z}/{x}/{y}.png"
TILE_HOSTS = """
return Array.from(new Set(Array.from(document.querySelectorAll('img.leaflet-tile'))
  .map((tile) => new URL(tile.src).host))).sort();
"""


async def test_opened_without_a_language_the_page_speaks_the_viewers(
    harness: Harness, browser: Browser
) -> None:
    """The direct link t.me/<bot>/board (or a menu button set before /lang) opens BOARD_URL
    without the viewer's language: the headings follow the language the data comes in, not
    the default Chinese around English figures."""
    await prepare_morning(harness)
    async with harness.session() as session:
        await session.execute(
            update(Member).where(Member.telegram_id == LEADER_ID).values(language="en")
        )
    await phone(browser)
    async with running_board(harness) as board:
        url = mini_app_url(board, init_data(harness, LEADER_ID)).replace("?lang=zh_Hans", "")
        assert "lang=" not in url.split("#")[0]
        await browser.open(url)
        await browser.wait_for("return document.body.dataset.refreshes;")
        page = await browser.run(
            """
            return {
              lang: document.documentElement.lang,
              title: document.title,
              heading: document.querySelector('.board-header h1').textContent,
              panels: Array.from(document.querySelectorAll('.panel h2')).map((h) => h.textContent),
              status: document.getElementById('board-status').textContent,
            };
            """
        )
        assert page == {
            "lang": "en",
            "title": "Live board",
            "heading": "Live board 城管局",
            "panels": ["Posts map", "Today on post", "Ranking", "Rectification orders"],
            "status": "Updated 07:10",
        }
        # Offline, it says so in the viewer's language too.
        await board.stop()
        status = await browser.wait_for(
            "const s = document.getElementById('board-status');"
            "return s.classList.contains('offline') ? s.textContent : '';"
        )
        assert "Connection lost" in status


async def test_in_telegram_a_downward_drag_pans_the_map_instead_of_closing_the_board(
    harness: Harness, browser: Browser
) -> None:
    """Telegram minimises a Mini App on a downward swipe, so panning the map down closed the
    board: the page tells Telegram to leave vertical swipes to it (the header still closes)."""
    await prepare_morning(harness)
    await in_telegram(browser)
    await phone(browser)
    async with running_board(harness) as board:
        await browser.open(mini_app_url(board, init_data(harness, LEADER_ID)))
        await browser.wait_for("return document.body.dataset.refreshes;")
        events = await browser.run("return window.telegramEvents;")
        # Nothing on the map takes the Mini App away from the board (it has no way back): no
        # link to Leaflet's site in the map's corner, where a thumb panning the map lands.
        assert await browser.run(LEAVING) == []
        credit = await browser.run(
            "return document.querySelector('.leaflet-control-attribution').textContent;"
        )
        assert "Leaflet" in credit and "OpenStreetMap" in credit
        # Leaflet asks the tiles of the subdomains the template names, not its a, b, c.
        hosts = await browser.run(TILE_HOSTS)
        assert len(hosts) > 1 and set(hosts) <= {f"webrd0{n}.tiles.invalid" for n in "1234"}
    assert ["web_app_ready", {}] in events
    assert ["web_app_expand", {}] in events
    assert ["web_app_setup_swipe_behavior", {"allow_vertical_swipe": False}] in events


# Links on the map that would load another page in the Mini App (Leaflet's own buttons are "#").
LEAVING = """
return Array.from(document.querySelectorAll('#map a[href]'))
  .map((link) => link.getAttribute('href'))
  .filter((href) => !href.startsWith('#'));
"""

DARK = {
    "bg_color": "#17212b",
    "secondary_bg_color": "#232e3c",
    "section_bg_color": "#17212b",
    "text_color": "#f5f5f5",
    "hint_color": "#708499",
    "subtitle_text_color": "#708499",
    "destructive_text_color": "#ec3942",
}
LIGHT = {"bg_color": "#ffffff", "secondary_bg_color": "#efeff4", "text_color": "#000000"}
COLOURS = """
const style = (selector) => getComputedStyle(document.querySelector(selector));
return {
  page: style('body').backgroundColor,
  card: style('.panel').backgroundColor,
  text: style('.figure dd').color,
  label: style('.figure dt').color,
  cell: style('#panel-ranking td').color,
  popup: style('.leaflet-popup-content-wrapper').backgroundColor,
  popupText: style('.leaflet-popup-content-wrapper').color,
  scheme: document.documentElement.style.colorScheme,
};
"""


async def test_the_mini_app_takes_telegrams_dark_theme_and_follows_its_changes(
    harness: Harness, browser: Browser
) -> None:
    """A leader in Telegram's night mode gets the board in Telegram's colours, popups included,
    not a white page; switching Telegram back to day recolours it without a reload."""
    morning = await prepare_morning(harness)
    await in_telegram(browser)
    await phone(browser)
    async with running_board(harness) as board:
        url = mini_app_url(board, init_data(harness, LEADER_ID))
        await browser.open(url + "&tgWebAppThemeParams=" + quote(json.dumps(DARK), safe=""))
        await browser.wait_for("return document.querySelectorAll('#panel-ranking td').length;")
        await browser.run(
            "document.querySelector(`path.post-marker[data-post='${arguments[0]}']`)"
            ".dispatchEvent(new MouseEvent('click', {bubbles: true}));",
            morning.posts["人民路口"],
        )
        await browser.wait_for("return document.querySelector('.leaflet-popup-content');")
        assert await browser.run(COLOURS) == {
            "page": "rgb(35, 46, 60)",
            "card": "rgb(23, 33, 43)",
            "text": "rgb(245, 245, 245)",
            "label": "rgb(112, 132, 153)",
            "cell": "rgb(245, 245, 245)",
            "popup": "rgb(23, 33, 43)",
            "popupText": "rgb(245, 245, 245)",
            "scheme": "dark",
        }
        await browser.run("window.sameDocument = true;")
        await browser.run(
            "window.Telegram.WebView.receiveEvent('theme_changed', {theme_params: arguments[0]});",
            LIGHT,
        )
        colours = await browser.run(COLOURS)
        assert colours["page"] == "rgb(239, 239, 244)"
        assert colours["card"] == "rgb(255, 255, 255)"
        assert colours["text"] == "rgb(0, 0, 0)"
        assert colours["scheme"] == "light"
        assert await browser.run("return window.sameDocument === true;")
        assert await browser.errors(".tiles.invalid/") == []
