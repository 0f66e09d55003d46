"""A wall screen whose unit is archived says so and shows nothing; the link is not revoked, and
when the unit is restored the screen shows the board again by itself: nobody walks up to a
screen on the wall to reload it. Both for a screen showing the board when the unit is archived
and for one (re)loaded while it is."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from bot.db.models import BoardScreen, Unit
from tests.browser.board_browser_fixtures import DENIED, markers
from tests.browser.conftest import Browser
from tests.e2e.board_fixtures import BOARD_SETTINGS, prepare_morning, running_board
from tests.e2e.board_server_fixtures import screen_link
from tests.harness import Harness

PANELS_SHOWN = """
return !document.getElementById('board-panels').hidden
  && document.getElementById('board-denied').hidden
  && !document.body.classList.contains('is-denied');
"""


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return dict(BOARD_SETTINGS)


async def _archive(harness: Harness, unit_id: int, archived: bool) -> None:
    async with harness.session() as session:
        await session.execute(update(Unit).where(Unit.id == unit_id).values(archived=archived))


async def test_a_wall_screen_shows_its_unit_again_by_itself_once_the_unit_is_restored(
    harness: Harness, browser: Browser
) -> None:
    morning = await prepare_morning(harness)
    unit_id = morning.units["团结社区"]
    screen, token = await screen_link(harness, unit_id, "zh_Hans")
    async with running_board(harness) as board:
        await browser.open(f"{board.local_url}/screen/{token}")
        assert len(await markers(browser, 1)) == 1
        await browser.run("window.sameDocument = true;")

        await _archive(harness, unit_id, True)
        assert (await browser.wait_for(DENIED)).startswith("这个大屏链接所属的单位已归档")
        assert await browser.run("return document.querySelectorAll('path.post-marker').length") == 0

        # Restored: the same page, untouched, shows the unit's board again.
        await _archive(harness, unit_id, False)
        assert len(await markers(browser, 1)) == 1
        assert await browser.wait_for(PANELS_SHOWN)
        assert await browser.run("return window.sameDocument === true;")
        assert await browser.errors("127.0.0.1:9/", "403") == []
    async with harness.session() as session:
        row = await session.scalar(select(BoardScreen).where(BoardScreen.id == screen.id))
        assert row is not None and row.revoked_at is None


async def test_a_wall_screen_loaded_while_its_unit_is_archived_comes_back_once_restored(
    harness: Harness, browser: Browser
) -> None:
    morning = await prepare_morning(harness)
    unit_id = morning.units["团结社区"]
    _, token = await screen_link(harness, unit_id, "zh_Hans")
    await _archive(harness, unit_id, True)
    async with running_board(harness) as board:
        await browser.open(f"{board.local_url}/screen/{token}")
        assert (await browser.wait_for(DENIED)).startswith("这个大屏链接所属的单位已归档")

        await _archive(harness, unit_id, False)
        assert len(await markers(browser, 1)) == 1
        assert await browser.wait_for(PANELS_SHOWN)
