"""Two posts of one crossing at the same coordinates (人民路口东 with no shift now, 人民路口西
with a shift under way and nobody there): their dots lie one on the other. What a leader taps
there names both posts, and the dot on top is the one that needs attention (red), never a grey
one hiding it."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.db.models import Shift
from tests.browser.board_browser_fixtures import markers, mini_app_url
from tests.browser.conftest import Browser
from tests.e2e.board_fixtures import BOARD_SETTINGS, COLORS, init_data, local, running_board
from tests.e2e.checkin_fixtures import post, shift, team
from tests.harness import ADMIN_ID, Harness

# The dot a finger on the spot reaches: the topmost element at the centre of the dots.
TAP = """
const path = document.querySelector('path.post-marker');
const box = path.getBoundingClientRect();
const top = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
const dot = top.closest('path.post-marker');
dot.dispatchEvent(new MouseEvent('click', {bubbles: true}));
return [Number(dot.getAttribute('data-post')), dot.getAttribute('fill')];
"""
TITLES = """
const titles = document.querySelectorAll('.leaflet-popup-content .popup-title');
return titles.length ? Array.from(titles).map((title) => title.textContent) : null;
"""


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return dict(BOARD_SETTINGS)


async def test_posts_at_one_spot_show_the_one_needing_attention_and_name_them_all(
    harness: Harness, browser: Browser
) -> None:
    harness.clock.set(local(6, 0))
    crew = await team(harness, ["王芳"])
    west = await post(harness, crew.unit, "人民路口西")
    east = await post(harness, crew.unit, "人民路口东")  # added last: Leaflet draws it on top
    await shift(harness, west, local(7), local(9))
    harness.clock.set(local(7, 30))
    async with running_board(harness) as board:
        await browser.open(mini_app_url(board, init_data(harness, ADMIN_ID)))
        assert await markers(browser, 2) == {west.id: COLORS["empty"], east.id: COLORS["idle"]}
        tapped = await browser.run(TAP)
        assert tapped == [west.id, COLORS["empty"]]
        assert await browser.wait_for(TITLES) == ["人民路口西", "人民路口东"]

        # East's shift starts: both red, both still named where either is tapped.
        await shift(harness, east, local(7, 30), local(9))
        harness.clock.set(local(7, 30) + dt.timedelta(seconds=1))
        await markers(browser, 2)
        await browser.wait_for(
            "return Array.from(document.querySelectorAll('path.post-marker'))"
            f".every((p) => p.getAttribute('fill') === {COLORS['empty']!r});"
        )
        await browser.run("document.querySelector('.leaflet-popup-close-button').click();")
        await browser.wait_for("return !document.querySelector('.leaflet-popup');")
        await browser.run(TAP)
        assert sorted(await browser.wait_for(TITLES)) == ["人民路口东", "人民路口西"]


async def test_an_open_popup_of_a_spot_follows_every_post_there_at_each_refresh(
    harness: Harness, browser: Browser
) -> None:
    """The popup of the spot is open (tapped on 人民路口西, red) when 人民路口东's shift starts:
    at the refresh that turns 东's dot red, the popup says so of 东 too, not what 东 was a
    refresh before (a leader reading it would see a grey post under a red dot)."""
    harness.clock.set(local(6, 0))
    crew = await team(harness, ["王芳"])
    west = await post(harness, crew.unit, "人民路口西")
    east = await post(harness, crew.unit, "人民路口东")
    await shift(harness, west, local(7), local(9))
    harness.clock.set(local(7, 30))
    async with running_board(harness) as board:
        await browser.open(mini_app_url(board, init_data(harness, ADMIN_ID)))
        assert await markers(browser, 2) == {west.id: COLORS["empty"], east.id: COLORS["idle"]}
        assert await browser.run(TAP) == [west.id, COLORS["empty"]]
        assert await browser.wait_for(TITLES) == ["人民路口西", "人民路口东"]

        await shift(harness, east, local(7, 30), local(9))
        harness.clock.set(local(7, 30) + dt.timedelta(seconds=1))
        # Read in one go, the moment 东's dot turns red: the dot and the popup at once.
        seen = await browser.wait_for(
            f"const dot = document.querySelector('path.post-marker[data-post=\"{east.id}\"]');"
            f"if (dot.getAttribute('fill') !== {COLORS['empty']!r}) {{ return null; }}"
            "return Array.from(document.querySelectorAll('.leaflet-popup-content .popup')).map("
            "(box) => [box.querySelector('.popup-title').textContent,"
            " box.querySelector('.popup-state').textContent]);"
        )
        assert seen == [["人民路口西", "无人到岗"], ["人民路口东", "无人到岗"]]
    async with harness.session() as session:
        posts = await session.scalars(select(Shift.post_id).order_by(Shift.starts_at))
        assert list(posts) == [west.id, east.id]
