"""The popup of a post with no shift under way, in a real headless Chromium: the day's next
three shifts, then a line saying how many more there are, in the viewer's language and plural
form; and the line follows the day when shifts are added or cancelled while the popup is open.

人民路口 has 07:00-09:00 and 09:00-11:00 (shifts_in_a_row); the test adds 14:00 and 16:00, and
later 18:00, each of one hour. The clock stays at 06:00."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select, update

from bot.db.models import Shift, ShiftStatus
from tests.browser.board_browser_fixtures import mini_app_url
from tests.browser.conftest import Browser
from tests.e2e.board_fixtures import BOARD_SETTINGS, init_data, local, running_board
from tests.e2e.board_server_fixtures import shifts_in_a_row
from tests.harness import ADMIN_ID, Harness

ENGLISH_ADMIN = 610_097
OPEN_POPUP = """
const path = document.querySelector('path.post-marker');
if (!path) { return false; }
path.dispatchEvent(new MouseEvent('click', {bubbles: true}));
return true;
"""
# The popup's lines top to bottom and its shift lines as the page shows them, or null while it
# is closed.
POPUP = """
const box = document.querySelector('.leaflet-popup-content .popup');
if (!box) { return null; }
const more = box.querySelector('.popup-more');
const look = (node) => {
  const style = getComputedStyle(node);
  return [style.fontStyle, style.color, style.fontSize].join(' ');
};
const shift = box.querySelector('.popup-shift');
return {
  lines: Array.from(box.children).map((line) => line.innerText),
  shifts: Array.from(box.querySelectorAll('.popup-shift')).map((line) => line.innerText),
  more: more ? more.innerText : null,
  last: box.lastElementChild.innerText,
  // How the line of more looks beside a time line: a viewer tells them apart.
  looks_apart: more && shift ? look(more) !== look(shift) : null,
};
"""


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {**BOARD_SETTINGS, "admin_ids": [ADMIN_ID, ENGLISH_ADMIN]}


async def _add_shifts(harness: Harness, post_id: int, starts: list[int]) -> None:
    async with harness.session() as session:
        session.add_all(
            Shift(
                post_id=post_id,
                starts_at=local(start),
                ends_at=local(start + 1),
                capacity=1,
                status=ShiftStatus.SCHEDULED,
                created_at=harness.clock.now(),
            )
            for start in starts
        )


async def _popup(browser: Browser, last: str) -> dict[str, Any]:
    """The open popup, once its last shift line reads `last`."""
    found: dict[str, Any] = await browser.wait_for(
        f"const p = (() => {{{POPUP}}})(); return p && p.last === {last!r} ? p : null;"
    )
    return found


async def test_the_popup_says_how_many_more_shifts_and_follows_the_day(
    harness: Harness, browser: Browser, tmp_path: Any
) -> None:
    row = await shifts_in_a_row(harness)
    await _add_shifts(harness, row.post.id, [14, 16])
    async with running_board(harness) as board:
        init = init_data(harness, ENGLISH_ADMIN, language_code="en")
        await browser.open(mini_app_url(board, init, language="en"))
        await browser.wait_for(OPEN_POPUP)
        await browser.run("window.sameDocument = true;")
        # The heading above the shifts it heads, the line of more last.
        assert (await _popup(browser, "and 1 more shift"))["lines"] == [
            "人民路口",
            "城管局",
            "No shift now",
            "Next shifts today",
            "07:00–09:00",
            "09:00–11:00",
            "14:00–15:00",
            "and 1 more shift",
        ]
        first = await _popup(browser, "and 1 more shift")
        # The line of more is a note under the shifts, not one more time line.
        assert first["shifts"] == ["07:00–09:00", "09:00–11:00", "14:00–15:00"]
        assert (first["more"], first["looks_apart"]) == ("and 1 more shift", True)

        # A shift added while the popup is open: the line counts it, in the plural, no reload.
        await _add_shifts(harness, row.post.id, [18])
        popup = await _popup(browser, "and 2 more shifts")
        assert popup["shifts"] == ["07:00–09:00", "09:00–11:00", "14:00–15:00"]
        assert popup["more"] == "and 2 more shifts"
        assert await browser.run("return window.sameDocument === true;")
        await browser.screenshot(tmp_path / "more-shifts-en.png")

        # The same post as a Chinese-speaking admin sees it.
        await browser.open(mini_app_url(board, init_data(harness, ADMIN_ID)))
        await browser.wait_for(OPEN_POPUP)
        popup = await _popup(browser, "还有 2 个班次")
        assert popup["lines"][3:] == [
            "今天接下来的班次",
            "07:00–09:00",
            "09:00–11:00",
            "14:00–15:00",
            "还有 2 个班次",
        ]

        # Two of the afternoon's shifts cancelled: three left, no line of more.
        async with harness.session() as session:
            await session.execute(
                update(Shift)
                .where(Shift.starts_at.in_([local(16), local(18)]))
                .values(status=ShiftStatus.CANCELLED)
            )
        popup = await _popup(browser, "14:00–15:00")
        assert popup["lines"][3:] == [
            "今天接下来的班次",
            "07:00–09:00",
            "09:00–11:00",
            "14:00–15:00",
        ]
        assert popup["more"] is None
        assert await browser.errors("127.0.0.1:9/") == []  # the tiles nobody serves
    async with harness.session() as session:
        statuses = await session.execute(select(Shift.status, func.count()).group_by(Shift.status))
        assert dict(statuses.tuples().all()) == {
            ShiftStatus.SCHEDULED: 3,
            ShiftStatus.CANCELLED: 2,
        }
