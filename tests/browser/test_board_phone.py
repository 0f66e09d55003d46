"""The board as a leader meets it on a phone: a Telegram Mini App about 360 px wide, in the
viewer's language and Telegram's theme, and a wall screen that must never freeze silently."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import update

from bot.db.models import Member, Post
from tests.browser.conftest import Browser
from tests.browser.test_board_browser import mini_app_url
from tests.e2e.board_fixtures import (
    BOARD_SETTINGS,
    COORDINATOR_ID,
    LEADER_ID,
    init_data,
    prepare_morning,
    prepare_orders,
    running_board,
)
from tests.harness import Harness

PHONE = (360, 740)
LONG_PLACE = "Garbage sorting point at the north gate of the Tuanjie Community compound"

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
