"""The board of a big day and a big city, on a phone and a wall screen: a crowded post's popup
stays inside the map, every name in it reachable; figures by the ten thousand stay in their
boxes."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select, update

from bot.board import screens
from bot.board.panels import PanelContext, PanelData
from bot.board.standard import NowPanel
from bot.db.models import (
    Assignment,
    AssignmentStatus,
    CheckIn,
    Member,
    MemberRole,
    Role,
    Shift,
)
from bot.services.people.access import Actor
from tests.browser.board_browser_fixtures import mini_app_url, phone
from tests.browser.conftest import Browser
from tests.e2e.board_fixtures import (
    BOARD_SETTINGS,
    LEADER_ID,
    init_data,
    local,
    prepare_morning,
    running_board,
)
from tests.harness import ADMIN_ID, Harness

CROWD = 40

# Where an open popup leaves the map, vertically, and whether its last name can be reached.
POPUP_FIT = """
const bubble = document.querySelector('.leaflet-popup-content-wrapper').getBoundingClientRect();
const map = document.getElementById('map').getBoundingClientRect();
const content = document.querySelector('.leaflet-popup-content');
const out = [];
if (bubble.top < map.top - 0.5 || bubble.bottom > map.bottom + 0.5) {
  out.push(['bubble past the map', [bubble.top, bubble.bottom], [map.top, map.bottom]]);
}
const people = content.querySelectorAll('.popup-person');
const last = people[people.length - 1];
last.scrollIntoView({block: 'nearest'});
const seen = last.getBoundingClientRect();
if (seen.bottom > map.bottom + 0.5 || seen.top < map.top - 0.5) {
  out.push(['last name out of reach', [seen.top, seen.bottom]]);
}
return [people.length, out];
"""
SCROLLED = "return document.querySelector('.leaflet-popup-content').scrollTop;"
REFRESHES = "Number(document.body.getAttribute('data-refreshes'))"


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return dict(BOARD_SETTINGS)


async def test_a_crowded_posts_popup_scrolls_inside_the_map_on_a_phone(
    harness: Harness, browser: Browser
) -> None:
    """A big crossing at rush hour has forty volunteers on post: its popup lists them all, and
    on a phone (a map some 400 px tall) the list scrolls inside the bubble instead of running
    past the map's edge, where nobody could read or reach it. Scrolled down to the last names,
    the list stays there across the refreshes (the popup is built again at each), instead of
    jumping back to the top every BOARD_REFRESH_SECONDS while the leader reads it."""
    morning = await prepare_morning(harness)
    post_id = morning.posts["人民路口"]
    async with harness.session() as session:
        shift = await session.scalar(select(Shift).where(Shift.post_id == post_id))
        assert shift is not None
        await session.execute(update(Shift).where(Shift.id == shift.id).values(capacity=CROWD + 2))
        for number in range(CROWD):
            member = Member(
                telegram_id=630_000 + number,
                display_name=f"志愿者{number + 1:02d}",
                language="zh_Hans",
                unit_id=morning.units["城管局"],
                registered_at=local(6),
                blocked_bot=False,
                active=True,
            )
            member.role_rows.append(MemberRole(role=Role.VOLUNTEER))
            session.add(member)
            await session.flush()
            assignment = Assignment(
                shift_id=shift.id,
                member_id=member.id,
                status=AssignmentStatus.CHECKED_IN,
                created_at=local(6),
                updated_at=local(6),
            )
            session.add(assignment)
            await session.flush()
            session.add(
                CheckIn(
                    assignment_id=assignment.id,
                    checked_in_at=local(6, 55),
                    latitude=30.6586,
                    longitude=104.0648,
                    distance_m=20.0,
                    accuracy_m=10.0,
                    live=False,
                    minutes_late=0,
                    late=False,
                )
            )
    await phone(browser)
    async with running_board(harness) as board:
        await browser.open(mini_app_url(board, init_data(harness, LEADER_ID)))
        await browser.wait_for("return document.querySelectorAll('path.post-marker').length;")
        await browser.run(
            "document.querySelector(`path.post-marker[data-post='${arguments[0]}']`)"
            ".dispatchEvent(new MouseEvent('click', {bubbles: true}));",
            post_id,
        )
        await browser.wait_for("return document.querySelector('.leaflet-popup-content');")
        # Leaflet pans the map to show the popup (animated): the layout after that.
        fit: object = None
        for _ in range(50):
            fit = await browser.run(POPUP_FIT)
            if fit == [CROWD + 2, []]:
                break
            await asyncio.sleep(0.1)
        assert fit == [CROWD + 2, []]
        # The leader scrolls halfway down the list; two refreshes later it is still there.
        scrolled = await browser.run(
            f"const box = document.querySelector('.leaflet-popup-content');"
            f"box.scrollTop = Math.round((box.scrollHeight - box.clientHeight) / 2); {SCROLLED}"
        )
        assert scrolled > 100
        refreshes = await browser.run(f"return {REFRESHES};")
        await browser.wait_for(f"return ({REFRESHES}) >= {refreshes + 2};")
        assert await browser.run("return document.querySelector('.leaflet-popup-content');")
        assert await browser.run(SCROLLED) == scrolled
        async with harness.session() as session:
            on_post = await session.scalar(
                select(func.count())
                .select_from(CheckIn)
                .join(Assignment, Assignment.id == CheckIn.assignment_id)
                .where(Assignment.shift_id == shift.id, CheckIn.checked_out_at.is_(None))
            )
            assert on_post == CROWD + 2  # nobody left meanwhile: the same list, not a shorter one
        assert await browser.errors("127.0.0.1:9/") == []


FIGURES_OVERFLOW = """
return Array.from(document.querySelectorAll('#panel-now .figure')).filter((box) => {
  const figure = box.getBoundingClientRect();
  return Array.from(box.children).some((part) => {
    const shown = part.getBoundingClientRect();
    // A figure of 22 px on one line: broken over two it would be misread.
    const wrapped = part.tagName === 'DD' && shown.height > 40;
    return wrapped || part.scrollWidth > part.clientWidth + 1 || shown.right > figure.right + 0.5;
  });
}).map((box) => box.textContent);
"""


@pytest.mark.parametrize(
    ("size", "language"),
    [((360, 740), "zh_Hans"), ((360, 740), "en"), ((1280, 800), "en"), ((1920, 1080), "en")],
)
async def test_a_big_citys_figures_stay_inside_their_boxes(
    harness: Harness,
    browser: Browser,
    monkeypatch: pytest.MonkeyPatch,
    size: tuple[int, int],
    language: str,
) -> None:
    """A city of 2,000 posts counts its seats by the ten thousand: "on post now" reads
    12345/16000. On a phone and in a wall screen's side column every figure stays inside its
    box instead of running into the next one."""
    await prepare_morning(harness)
    collect = NowPanel.collect

    async def big(self: NowPanel, context: PanelContext) -> PanelData:
        found = await collect(self, context)
        values = {
            "seats": "16000",
            "checked_in": "15234",
            "late": "1234",
            "absent": "766",
            "rate": "95%",
            "on_post": context.t("board.now.on_post_value", present=12345, capacity=16000),
            "early": "1234",
        }
        for figure in found["figures"]:
            figure["value"] = values[figure["key"]]
        return found

    monkeypatch.setattr(NowPanel, "collect", big)
    settings = harness.runtime.settings
    admin = Actor.of(ADMIN_ID, None, settings.admin_ids)
    async with harness.session() as session:
        screen = await screens.create(
            session, admin, unit_id=None, language=language, now=harness.clock.now()
        )
    await asyncio.to_thread(browser.driver.set_window_size, *size)
    async with running_board(harness) as board:
        await browser.open(f"{board.local_url}/screen/{screens.token_of(screen, settings)}")
        shown = await browser.wait_for(
            "return Array.from(document.querySelectorAll('#panel-now .figure dd'))"
            ".map((dd) => dd.textContent).join(' ');"
        )
        assert "12345/16000" in shown
        assert await browser.run(FIGURES_OVERFLOW) == []
