"""An open board follows the city without anyone reloading it: a post a coordinator adds comes
onto the map and into its view, an archived one leaves it; and a page left open across an
upgrade of the bot loads the new script by itself, once."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest
from aiohttp import web
from selenium.webdriver import ActionChains
from sqlalchemy import select

from bot.board import screens
from bot.board.server import BoardServer
from bot.db.models import Post, PostType, Unit
from bot.emulator import SimUser
from bot.services.people.access import Actor
from tests.browser.board_browser_fixtures import mini_app_url
from tests.browser.conftest import Browser
from tests.e2e.board_fixtures import (
    BOARD_SETTINGS,
    COORDINATOR_ID,
    database_down,
    init_data,
    prepare_morning,
    running_board,
)
from tests.e2e.schedule import command, press_and_settle
from tests.harness import ADMIN_ID, Harness

# Where a marker is on screen ([left, top, width, height]), or null when it is not on the map.
PLACE = """
const path = document.querySelector(`path.post-marker[data-post='${arguments[0]}']`);
if (!path) { return null; }
const r = path.getBoundingClientRect();
return [Math.round(r.left), Math.round(r.top), Math.round(r.width), Math.round(r.height)];
"""
# Whether a marker is drawn inside the map's box: one outside the view is no dot at all.
IN_VIEW = """
const path = document.querySelector(`path.post-marker[data-post='${arguments[0]}']`);
if (!path) { return false; }
const box = document.getElementById('map').getBoundingClientRect();
const r = path.getBoundingClientRect();
return r.width > 0 && r.height > 0 && r.left >= box.left && r.right <= box.right
  && r.top >= box.top && r.bottom <= box.bottom;
"""
REFRESHES = "return Number(document.body.dataset.refreshes || 0);"
FAILURES = "return Number(document.body.dataset.failures || 0);"
OFFLINE = (
    "const line = document.getElementById('board-status');"
    "return line && line.classList.contains('offline');"
)
BUILD = "return JSON.parse(document.getElementById('board-config').textContent).build;"
# Some 40 km north-east of the prepared morning's posts: outside the view fitted to them.
FAR = (30.95, 104.45)


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return dict(BOARD_SETTINGS)


async def _wall_screen(harness: Harness, board: BoardServer) -> str:
    settings = harness.runtime.settings
    admin = Actor.of(ADMIN_ID, None, settings.admin_ids)
    async with harness.session() as session:
        screen = await screens.create(
            session, admin, unit_id=None, language="zh_Hans", now=harness.clock.now()
        )
    return f"{board.local_url}/screen/{screens.token_of(screen, settings)}"


async def _new_post(harness: Harness, coordinator: SimUser, name: str) -> int:
    """The coordinator of 团结社区 adds a post with /newpost, as in the chat; its id."""
    await command(harness, coordinator, "newpost")
    await coordinator.send_text(name)
    await harness.settle()
    await press_and_settle(harness, coordinator, "文明交通劝导岗")
    await coordinator.send_location(*FAR)
    await harness.settle()
    text = await press_and_settle(harness, coordinator, "默认 150 米")
    assert f"已新建岗位「{name}」" in text, text
    async with harness.session() as session:
        post_id = await session.scalar(select(Post.id).where(Post.name == name))
    assert post_id is not None
    return post_id


async def _refreshes(browser: Browser, more: int) -> None:
    """Until the page has drawn `more` fresh snapshots."""
    seen = int(await browser.run(REFRESHES))
    await browser.wait_for(f"return Number(document.body.dataset.refreshes) >= {seen + more};")


async def _failures(browser: Browser, more: int) -> None:
    """Until the page has failed `more` more polls (and said it is offline)."""
    seen = int(await browser.run(FAILURES))
    await browser.wait_for(f"return Number(document.body.dataset.failures) >= {seen + more};")


async def test_a_post_a_coordinator_adds_comes_into_an_untouched_wall_screens_view(
    harness: Harness, browser: Browser
) -> None:
    morning = await prepare_morning(harness)
    async with running_board(harness) as board:
        await browser.open(await _wall_screen(harness, board))
        for post_id in morning.posts.values():
            await browser.wait_for(IN_VIEW, post_id)
        await browser.run("window.sameDocument = true;")

        coordinator = harness.user(COORDINATOR_ID, "团结协调")
        added = await _new_post(harness, coordinator, "城北新岗")

        # Nobody touches a wall screen: the map takes in the new post, and keeps the others.
        await browser.wait_for(IN_VIEW, added)
        for post_id in morning.posts.values():
            assert await browser.run(IN_VIEW, post_id), post_id
        legend = await browser.run(
            "return document.querySelector('.legend-item.state-idle').textContent;"
        )
        assert legend == "此刻无班次2"

        # Archived: it leaves the map at the next refresh.
        await command(harness, coordinator, "posts")
        await press_and_settle(harness, coordinator, "城北新岗")
        assert "已归档" in await press_and_settle(harness, coordinator, "🗂 归档")
        await browser.wait_for(f"return !(() => {{{PLACE}}})();", added)
        assert await browser.run("return window.sameDocument === true;")  # never reloaded
        assert await browser.errors("127.0.0.1:9/") == []


async def test_a_leader_moving_the_map_is_not_pulled_away_by_a_new_post(
    harness: Harness, browser: Browser
) -> None:
    """Someone looking around the map themselves keeps their view: the new post is on the map,
    out of their view, and the view does not jump to it."""
    morning = await prepare_morning(harness)
    async with running_board(harness) as board:
        await browser.open(mini_app_url(board, init_data(harness, ADMIN_ID)))
        watched = morning.posts["人民路口"]
        await browser.wait_for(IN_VIEW, watched)

        def drag() -> None:
            area = browser.driver.find_element("id", "map")
            ActionChains(browser.driver).move_to_element(area).click_and_hold().move_by_offset(
                60, 40
            ).release().perform()

        before = await browser.run(PLACE, watched)
        await asyncio.to_thread(drag)
        await browser.wait_for(
            f"const p = (() => {{{PLACE}}})(); return JSON.stringify(p) !== "
            f"{json.dumps(json.dumps(before, separators=(',', ':')))};",
            watched,
        )
        await _refreshes(browser, 1)
        dragged = await browser.run(PLACE, watched)

        added = await _new_post(harness, harness.user(COORDINATOR_ID, "团结协调"), "城北新岗")
        await browser.wait_for(
            "return document.querySelector(`path.post-marker[data-post='${arguments[0]}']`);",
            added,
        )
        await _refreshes(browser, 2)
        assert await browser.run(PLACE, watched) == dragged
        assert not await browser.run(IN_VIEW, added)


async def test_a_page_open_across_an_upgrade_reloads_itself_once(
    harness: Harness, browser: Browser
) -> None:
    """The bot is upgraded while a wall screen shows the board: the screen loads the new page
    (and script) by itself, once; while the server fails, it does not reload at all."""
    morning = await prepare_morning(harness)
    async with running_board(harness) as board:
        await browser.open(await _wall_screen(harness, board))
        old = await browser.run(BUILD)
        assert old == board.build and old
        await browser.wait_for(IN_VIEW, morning.posts["人民路口"])
        await browser.run("window.sameDocument = true;")

        # Upgraded, but its database not up yet: every answer fails, nothing reloads.
        async with database_down(harness):
            board.build = "0123456789ab"
            await browser.wait_for(OFFLINE)
            await _failures(browser, 3)
            assert await browser.run("return window.sameDocument === true;")

        # Up again: the page reloads into the new build and stays there.
        await browser.wait_for("return window.sameDocument === undefined;")
        assert await browser.wait_for(BUILD) == "0123456789ab"
        scripts = await browser.run(
            "return Array.from(document.scripts).map((s) => s.src).filter((s) => s);"
        )
        assert scripts and all(src.endswith("?v=0123456789ab") for src in scripts), scripts
        # Its style sheets too, Leaflet's and uPlot's included, and its icon: every file the
        # page fetched from the board's static folder came under the new build's name.
        fetched = await browser.run(
            "return performance.getEntriesByType('resource').map((r) => r.name)"
            ".filter((name) => name.includes('/static/'));"
        )
        sheets = [name for name in fetched if ".css" in name]
        icons = [name for name in fetched if "favicon.svg" in name]
        assert len(sheets) == 3 and len(icons) == 1 and len(fetched) == 7, fetched
        assert all(name.endswith("?v=0123456789ab") for name in fetched), fetched
        await browser.wait_for(IN_VIEW, morning.posts["人民路口"])
        await browser.run("window.sameDocument = true;")
        await _refreshes(browser, 3)
        assert await browser.run("return window.sameDocument === true;")


async def test_a_page_served_an_older_build_than_the_data_reloads_only_once(
    harness: Harness, browser: Browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Mid-upgrade behind a load balancer, the page may come from a replica still on the old
    build while the data comes from an upgraded one: one reload, then no loop."""
    morning = await prepare_morning(harness)
    async with running_board(harness) as board:
        url = await _wall_screen(harness, board)
        page: Callable[..., web.Response] = board._page

        def old_page(*args: Any, **kwargs: Any) -> web.Response:
            served, board.build = board.build, "old-replica"
            try:
                return page(*args, **kwargs)
            finally:
                board.build = served

        monkeypatch.setattr(board, "_page", old_page)
        await browser.open(url)
        await browser.run("window.sameDocument = true;")
        # The data says another build: the page reloads once ...
        await browser.wait_for("return window.sameDocument === undefined;")
        await browser.wait_for(IN_VIEW, morning.posts["人民路口"])
        assert await browser.run(BUILD) == "old-replica"
        # ... and, served the old page again, goes on showing the board instead of looping.
        await browser.run("window.sameDocument = true;")
        await _refreshes(browser, 3)
        assert await browser.run("return window.sameDocument === true;")


async def test_a_wall_screen_comes_back_by_itself_after_the_bot_restarts(
    harness: Harness, browser: Browser
) -> None:
    """The bot restarts (a deploy of the same build, a crash): while nothing listens the
    screen says it is offline; once the board listens again the screen is live again, on the
    same page (same build: nothing to reload), without anyone touching it."""
    morning = await prepare_morning(harness)
    async with running_board(harness) as board:
        await browser.open(await _wall_screen(harness, board))
        await browser.wait_for(IN_VIEW, morning.posts["人民路口"])
        await browser.run("window.sameDocument = true;")
        port = int(board.local_url.split(":")[2].split("/")[0])

        await board.stop()
        await browser.wait_for(OFFLINE)
        await _failures(browser, 2)

        await board.start(listen="127.0.0.1", port=port)
        await _refreshes(browser, 2)
        assert not await browser.run(OFFLINE)
        assert await browser.run("return window.sameDocument === true;")
        assert await browser.run(IN_VIEW, morning.posts["人民路口"])


async def test_a_city_without_posts_yet_shows_an_empty_live_board(
    harness: Harness, browser: Browser
) -> None:
    """The first day: an admin puts the city's board on a wall screen before any unit has a
    post. The board is live (its status is the time of its data, not "loading"), the map says
    there are no posts, and nothing on the page fails; the first post then comes on the map."""
    async with running_board(harness) as board:
        await browser.open(await _wall_screen(harness, board))
        await _refreshes(browser, 2)
        legend = await browser.run(
            "return Array.from(document.querySelectorAll('#panel-map .legend li'))"
            ".map((li) => li.className);"
        )
        assert "legend-empty" in legend, legend
        assert not await browser.run(OFFLINE)
        status = await browser.run("return document.getElementById('board-status').textContent;")
        assert status and "加载" not in status, status
        markers = "return document.querySelectorAll('path.post-marker').length;"
        assert await browser.run(markers) == 0

        async with harness.session() as session:
            unit = Unit(name="城管局", require_swap_approval=False, created_at=harness.clock.now())
            session.add(unit)
            await session.flush()
            post = Post(
                unit_id=unit.id,
                name="人民路口",
                type=PostType.TRAFFIC,
                latitude=30.6586,
                longitude=104.0648,
                radius_m=150,
                archived=False,
                created_at=harness.clock.now(),
            )
            session.add(post)
            await session.flush()
            post_id = post.id
        await browser.wait_for(IN_VIEW, post_id)
        assert await browser.errors("127.0.0.1:9/") == []
