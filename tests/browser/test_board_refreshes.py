"""The board as its refreshes meet it: a wall screen that must never freeze silently and pages
long tables by itself, and a map whose refresh redraws only what changed and leaves the view
where the leader put it."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from typing import Any

import pytest
from aiohttp import web
from selenium.webdriver import ActionChains
from sqlalchemy import select

from bot.board import screens
from bot.board.health import SenderStatus
from bot.board.server import BoardServer
from bot.db.models import (
    Assignment,
    AssignmentStatus,
    BoardScreen,
    CheckIn,
    Member,
    Shift,
    Unit,
)
from bot.services.people.access import Actor
from tests.browser.board_browser_fixtures import mini_app_url
from tests.browser.conftest import Browser
from tests.e2e.board_fixtures import (
    BOARD_SETTINGS,
    init_data,
    local,
    prepare_morning,
    prepare_orders,
    running_board,
)
from tests.harness import ADMIN_ID, Harness


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return dict(BOARD_SETTINGS)


STATUS = "return document.getElementById('board-status').textContent;"


class StallingBoard(BoardServer):
    """A board whose data requests hang while `stalled` is set, as behind a network that went
    away without closing the connection (a wall screen's Wi-Fi dropping)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stalled = asyncio.Event()
        self.released = asyncio.Event()
        # While set, the answer is a reverse proxy's own 403 (a firewall's challenge, a rate
        # limit), not the board's: the link is as good as before. An API gateway's JSON first
        # (an "error", but none of the board's reasons), then an HTML page, in turn.
        self.proxy_refuses = False
        self.proxy_answers = 0

    async def state(self, request: web.Request) -> web.Response:
        if self.stalled.is_set():
            await self.released.wait()
        if self.proxy_refuses:
            self.proxy_answers += 1
            if self.proxy_answers % 2:
                return web.json_response({"error": "Forbidden: rate limit exceeded"}, status=403)
            html = "<html><body><h1>403 Forbidden</h1><hr>nginx</body></html>"
            return web.Response(text=html, status=403, content_type="text/html")
        return await super().state(request)


async def test_a_stalled_connection_shows_offline_with_the_age_of_the_data(
    harness: Harness, browser: Browser
) -> None:
    """A request that never answers must not freeze the wall screen on old figures that look
    live: it gives up, says the connection is lost and since when the data dates, and comes
    back on its own. So does a 403 that is not the board's (a proxy's page, with no verdict of
    the board in it): the screen does not go dark for good over it, its link still valid."""
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

        failures = await browser.run("return Number(document.body.dataset.failures);")
        board.proxy_refuses = True
        harness.clock.set(local(7, 30))
        await browser.wait_for(f"return Number(document.body.dataset.failures) >= {failures + 2};")
        assert board.proxy_answers >= 2  # both kinds of page
        assert (await browser.run(STATUS)).startswith("连接中断，稍后自动重试…")
        assert await browser.run("return document.body.classList.contains('is-denied');") is False
        board.proxy_refuses = False
        await browser.wait_for(
            "return document.getElementById('board-status').textContent === '更新于 07:30';"
        )
        async with harness.session() as session:
            assert await session.scalar(select(BoardScreen.revoked_at)) is None
    finally:
        board.released.set()
        await board.stop()


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
