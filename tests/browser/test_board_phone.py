"""The board as a leader meets it on a phone: a Telegram Mini App about 360 px wide, in the
viewer's language and Telegram's theme, and a wall screen that must never freeze silently."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from typing import Any
from urllib.parse import quote

import pytest
from aiohttp import web
from selenium.webdriver import ActionChains
from sqlalchemy import select, update

from bot.board import screens
from bot.board.health import SenderStatus
from bot.board.server import BoardServer
from bot.db.models import (
    Assignment,
    AssignmentStatus,
    CheckIn,
    Member,
    Post,
    Shift,
    Unit,
)
from bot.services.people.access import Actor
from tests.browser.conftest import Browser
from tests.browser.test_board_browser import mini_app_url
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
from tests.harness import ADMIN_ID, Harness

PHONE = (360, 740)
LONG_PLACE = "Garbage sorting point at the north gate of Tuanjie Community"

STATUS = "return document.getElementById('board-status').textContent;"
ORDERS = """
return Array.from(document.querySelectorAll('#panel-orders tbody tr')).map(
  (row) => Array.from(row.cells).map((cell) => cell.textContent));
"""


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return dict(BOARD_SETTINGS)


async def phone(browser: Browser) -> None:
    await asyncio.to_thread(browser.driver.set_window_size, *PHONE)


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


class StallingBoard(BoardServer):
    """A board whose data requests hang while `stalled` is set, as behind a network that went
    away without closing the connection (a wall screen's Wi-Fi dropping)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stalled = asyncio.Event()
        self.released = asyncio.Event()

    async def state(self, request: web.Request) -> web.Response:
        if self.stalled.is_set():
            await self.released.wait()
        return await super().state(request)


async def test_a_stalled_connection_shows_offline_with_the_age_of_the_data(
    harness: Harness, browser: Browser
) -> None:
    """A request that never answers must not freeze the wall screen on old figures that look
    live: it gives up, says the connection is lost and since when the data dates, and comes
    back on its own."""
    morning = await prepare_morning(harness)
    settings = harness.runtime.settings
    admin = Actor.of(ADMIN_ID, None, settings.admin_ids)
    async with harness.session() as session:
        screen = await screens.create(
            session, admin, unit_id=None, language="zh_Hans", now=harness.clock.now()
        )
    token = screens.token_of(screen, settings)
    board = StallingBoard(harness.runtime, sender=lambda: SenderStatus(running=True, leading=True))
    await board.start(listen="127.0.0.1", port=0)
    try:
        await browser.open(f"{board.local_url}/screen/{token}")
        await browser.wait_for(
            f"return document.querySelectorAll('path.post-marker').length === {len(morning.posts)};"
        )
        assert await browser.run(STATUS) == "更新于 07:10"
        board.stalled.set()
        harness.clock.set(local(7, 20))  # the figures the screen shows grow old
        offline = await browser.wait_for(
            "const s = document.getElementById('board-status');"
            "return s.classList.contains('offline') ? s.textContent : '';"
        )
        day = local(7, 10)
        weekday = "一二三四五六日"[day.weekday()]
        age = f"更新于 {day.month}月{day.day}日 周{weekday} 07:10"
        assert offline == f"连接中断，稍后自动重试… · {age}"
        board.stalled.clear()
        board.released.set()
        await browser.wait_for(
            "const s = document.getElementById('board-status');"
            "return !s.classList.contains('offline') && s.textContent === '更新于 07:20';"
        )
    finally:
        board.released.set()
        await board.stop()


TELEGRAM_EVENTS = """
window.telegramEvents = [];
window.TelegramWebviewProxy = {
  postEvent: (type, data) => window.telegramEvents.push([type, JSON.parse(data)]),
};
"""


async def in_telegram(browser: Browser) -> None:
    """Pages opened from now on find Telegram's bridge, as in the Android and iOS apps, and
    record what they post to it."""
    await asyncio.to_thread(
        browser.driver.execute_cdp_cmd,
        "Page.addScriptToEvaluateOnNewDocument",
        {"source": TELEGRAM_EVENTS},
    )


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
    assert ["web_app_ready", {}] in events
    assert ["web_app_expand", {}] in events
    assert ["web_app_setup_swipe_behavior", {"allow_vertical_swipe": False}] in events


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
        assert await browser.errors("127.0.0.1:9/") == []


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


WALL = (1920, 1080)
RANKED = """
const box = document.querySelector('#panel-ranking .table-scroll');
const seen = box.getBoundingClientRect();
const head = box.querySelector('th').getBoundingClientRect();
return Array.from(box.querySelectorAll('tbody tr')).filter((row) => {
  const r = row.getBoundingClientRect();
  return r.top >= head.bottom - 0.5 && r.bottom <= seen.bottom + 0.5;
}).map((row) => row.cells[0].textContent);
"""


async def test_a_wall_screen_of_a_big_city_shows_every_panel_and_pages_long_tables(
    harness: Harness, browser: Browser
) -> None:
    """Nobody scrolls a wall screen: with sixty units the ranking ran off the bottom and the
    orders panel was never seen. The board fits the screen, each table pages through its rows
    by itself, one screenful a refresh, back to the top after the last."""
    morning = await prepare_morning(harness)
    await prepare_orders(harness, morning)
    async with harness.session() as session:
        session.add_all(
            Unit(
                name=f"第{number}街道办事处社区居民委员会",
                require_swap_approval=False,
                created_at=harness.clock.now() - dt.timedelta(days=10),
            )
            for number in range(1, 59)
        )
    settings = harness.runtime.settings
    admin = Actor.of(ADMIN_ID, None, settings.admin_ids)
    async with harness.session() as session:
        screen = await screens.create(
            session, admin, unit_id=None, language="zh_Hans", now=harness.clock.now()
        )
    token = screens.token_of(screen, settings)
    await asyncio.to_thread(browser.driver.set_window_size, *WALL)
    async with running_board(harness) as board:
        await browser.open(f"{board.local_url}/screen/{token}")
        await browser.wait_for(
            "return document.querySelectorAll('#panel-ranking tbody tr').length;"
        )
        layout = await browser.run(
            """
            const root = document.documentElement;
            const orders = document.querySelector('#panel-orders h2').getBoundingClientRect();
            return [root.scrollHeight <= window.innerHeight, orders.bottom <= window.innerHeight];
            """
        )
        assert layout == [True, True]
        first = await browser.run(RANKED)
        assert first[0] == "1" and 5 < len(first) < 60
        # Page by page, every unit of the ranking shows, then the first page again.
        shown, previous = set(first), first
        for _ in range(20):
            if len(shown) == 60:
                break
            previous = await browser.wait_for(
                f"const r = (() => {{{RANKED}}})();"
                f"return r.length && r[0] !== {json.dumps(previous[0])} ? r : null;"
            )
            shown.update(previous)
        assert shown == {str(rank) for rank in range(1, 61)}
        await browser.wait_for(f"const r = (() => {{{RANKED}}})(); return r[0] === '1';")


COUNT_REDRAWS = """
window.redraws = {style: 0, popup: 0};
const setStyle = L.Path.prototype.setStyle;
L.Path.prototype.setStyle = function (...args) {
  window.redraws.style += 1;
  return setStyle.apply(this, args);
};
const setPopupContent = L.Layer.prototype.setPopupContent;
L.Layer.prototype.setPopupContent = function (...args) {
  window.redraws.popup += 1;
  return setPopupContent.apply(this, args);
};
"""


async def test_a_refresh_redraws_only_the_markers_that_changed(
    harness: Harness, browser: Browser
) -> None:
    """A city's 2,000 markers were all restyled and given a new popup every refresh: on a phone
    the map stuttered every few seconds. Now a refresh touches only a marker whose state
    changed, and the popup open on screen follows the news."""
    morning = await prepare_morning(harness)
    async with running_board(harness) as board:
        await browser.open(mini_app_url(board, init_data(harness, ADMIN_ID)))
        await browser.wait_for(
            f"return document.querySelectorAll('path.post-marker').length === {len(morning.posts)};"
        )
        await browser.run(
            "document.querySelector(`path.post-marker[data-post='${arguments[0]}']`)"
            ".dispatchEvent(new MouseEvent('click', {bubbles: true}));",
            morning.posts["解放路口"],
        )
        popup = "return document.querySelector('.leaflet-popup-content').innerText;"
        assert "在岗 1/3 人" in await browser.wait_for(popup)
        await browser.run(COUNT_REDRAWS)
        refreshes = int(await browser.run("return document.body.dataset.refreshes;"))
        await browser.wait_for(f"return document.body.dataset.refreshes > {refreshes + 1};")
        assert await browser.run("return window.redraws;") == {"style": 0, "popup": 0}

        # 刘强 arrives at 解放路口, still short (2 of 3): its open popup shows him; 陈静
        # arrives at 黄河路口, the only seat: that marker alone turns green.
        async with harness.session() as session:
            for name, post_name in (("刘强", "解放路口"), ("陈静", "黄河路口")):
                assignment = await session.scalar(
                    select(Assignment)
                    .join(Member, Member.id == Assignment.member_id)
                    .join(Shift, Shift.id == Assignment.shift_id)
                    .where(Member.display_name == name, Shift.post_id == morning.posts[post_name])
                )
                assert assignment is not None
                assignment.status = AssignmentStatus.CHECKED_IN
                session.add(
                    CheckIn(
                        assignment_id=assignment.id,
                        checked_in_at=local(7, 11),
                        latitude=30.6586,
                        longitude=104.0648,
                        distance_m=20.0,
                        accuracy_m=10.0,
                        live=False,
                        photo_file_id=f"photo-{name}",
                        photo_file_unique_id=f"u-{name}",
                        photo_flagged=False,
                        minutes_late=11,
                        late=True,  # over LATE_AFTER_MIN when checked in, as checkin.py judges
                    )
                )
        harness.clock.set(local(7, 12))
        shown = await browser.wait_for(
            f"const t = (() => {{{popup}}})(); return t.includes('刘强') ? t : null;"
        )
        assert "在岗 2/3 人" in shown and "07:11 签到" in shown
        await browser.wait_for(
            "return document.querySelector(`path.post-marker[data-post='${arguments[0]}']`)"
            ".getAttribute('data-state') === 'staffed';",
            morning.posts["黄河路口"],
        )
        assert (await browser.run("return window.redraws;"))["style"] == 1


PANE = "return document.querySelector('.leaflet-map-pane').style.transform;"


async def test_a_refresh_leaves_the_map_where_the_leader_dragged_it(
    harness: Harness, browser: Browser
) -> None:
    """With a post's popup open, a leader drags the map to look around: each refresh pulled
    the map back to the popup (Leaflet pans to a popup whose content is updated)."""
    morning = await prepare_morning(harness)
    async with running_board(harness) as board:
        await browser.open(mini_app_url(board, init_data(harness, ADMIN_ID)))
        await browser.wait_for(
            f"return document.querySelectorAll('path.post-marker').length === {len(morning.posts)};"
        )
        await browser.run(
            "document.querySelector(`path.post-marker[data-post='${arguments[0]}']`)"
            ".dispatchEvent(new MouseEvent('click', {bubbles: true}));",
            morning.posts["解放路口"],
        )
        await browser.wait_for("return document.querySelector('.leaflet-popup-content');")
        before = await browser.run(PANE)

        def drag() -> None:
            area = browser.driver.find_element("id", "map")
            ActionChains(browser.driver).move_to_element_with_offset(
                area, 10, 10
            ).click_and_hold().move_by_offset(300, 300).release().perform()

        await asyncio.to_thread(drag)
        dragged = await browser.wait_for(
            f"const p = (() => {{{PANE}}})(); return p !== {json.dumps(before)} ? p : null;"
        )
        refreshes = int(await browser.run("return document.body.dataset.refreshes;"))
        await browser.wait_for(f"return document.body.dataset.refreshes > {refreshes + 1};")
        assert await browser.run(PANE) == dragged
        assert await browser.run("return document.querySelector('.leaflet-popup-content');")


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
