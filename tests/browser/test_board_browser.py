"""The board in a real headless Chromium: what a leader sees in the Mini App and on a wall
screen (the map, the figures, the ranking, the rectification orders), live updates without a
reload, and 403 for everyone without valid credentials.

Map tiles come from a loopback port nobody listens on, as when no tile server is reachable:
the markers must show all the same. A screenshot of the board is kept in the test's tmp folder.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from bot.board import screens
from bot.db.models import (
    Assignment,
    AssignmentStatus,
    BoardScreen,
    Member,
    Shift,
    ShiftStatus,
    Unit,
)
from bot.services.people.access import Actor
from tests.browser.board_browser_fixtures import DENIED, MARKERS, markers, mini_app_url
from tests.browser.conftest import Browser
from tests.e2e.board_fixtures import (
    BOARD_SETTINGS,
    COLORS,
    COORDINATOR_ID,
    LEADER_ID,
    VOLUNTEER_ID,
    database_down,
    init_data,
    local,
    prepare_morning,
    prepare_orders,
    running_board,
    state,
)
from tests.e2e.board_server_fixtures import shifts_in_a_row
from tests.e2e.checkin_fixtures import check_in, post, team
from tests.e2e.report_fixtures import LEADER_ID as REPORT_LEADER_ID
from tests.e2e.report_fixtures import seed_day
from tests.harness import ADMIN_ID, Harness

RANKING = """
return Array.from(document.querySelectorAll('#panel-ranking tbody tr')).map(
  (row) => Array.from(row.cells).map((cell) => cell.textContent));
"""


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return dict(BOARD_SETTINGS)


async def test_a_mini_app_login_shows_every_post_in_the_colour_of_its_state(
    harness: Harness, browser: Browser, tmp_path: Path
) -> None:
    morning = await prepare_morning(harness)
    async with running_board(harness) as board:
        await browser.open(mini_app_url(board, init_data(harness, ADMIN_ID)))
        shown = await markers(browser, len(morning.posts))
        expected = {morning.posts[name]: COLORS[s] for name, s in morning.expected.items()}
        assert shown == expected
        legend = await browser.run(
            "return Array.from(document.querySelectorAll('.legend-item')).map("
            "(item) => item.textContent);"
        )
        assert legend == ["在岗满员1", "人员不足1", "无人到岗2", "此刻无班次1"]
        scope = await browser.run("return document.getElementById('board-scope').textContent;")
        assert scope == "全部单位"
        figures = await browser.wait_for(
            "return Array.from(document.querySelectorAll('#panel-now .figure')).map("
            "(item) => item.getAttribute('data-key') + '=' + item.querySelector('dd').textContent);"
        )
        assert "on_post=3/7" in figures and "rate=33%" in figures and "early=0" in figures
        assert await browser.run("return document.querySelectorAll('#panel-now canvas').length;")
        # A tap on the staffed post opens its popup: the people on post, never a phone number.
        await browser.run(
            "document.querySelector(`path.post-marker[data-post='${arguments[0]}']`)"
            ".dispatchEvent(new MouseEvent('click', {bubbles: true}));",
            morning.posts["人民路口"],
        )
        popup = await browser.wait_for(
            "const p = document.querySelector('.leaflet-popup-content'); return p && p.innerText;"
        )
        assert "人民路口" in popup and "张伟" in popup and "06:50 签到" in popup
        assert "迟到 8 分钟" in popup and "13800138000" not in popup
        await browser.screenshot(tmp_path / "board.png")
        # Only the unreachable tiles fail: no script error, no blocked resource, and no 404
        # for /favicon.ico (the page names its own icon).
        assert await browser.errors("127.0.0.1:9/") == []
        icon = await browser.run(
            "const link = document.querySelector('link[rel=icon]');"
            "return fetch(link.href).then((r) => [r.status, r.headers.get('Content-Type')]);"
        )
        assert icon == [200, "image/svg+xml"]
    assert (tmp_path / "board.png").stat().st_size > 10_000


async def _one_seat_shift(harness: Harness) -> Any:
    """A unit whose volunteer joined through the bot, holding the only seat of a shift under way
    (07:00-09:00) on a post of its own; the clock at 07:10."""
    crew = await team(harness, ["王芳"])
    post_row = await post(harness, crew.unit, "人民路口")
    async with harness.session() as session:
        shift = Shift(
            post_id=post_row.id,
            starts_at=local(7),
            ends_at=local(9),
            capacity=1,
            status=ShiftStatus.SCHEDULED,
            created_at=harness.clock.now(),
        )
        session.add(shift)
        await session.flush()
        member = await session.scalar(
            select(Member).where(Member.telegram_id == crew.volunteers[0].user_id)
        )
        assert member is not None
        session.add(
            Assignment(
                shift_id=shift.id,
                member_id=member.id,
                status=AssignmentStatus.SIGNED_UP,
                created_at=harness.clock.now(),
                updated_at=harness.clock.now(),
            )
        )
    harness.clock.set(local(7, 10))
    return crew, post_row


async def test_a_check_in_turns_the_marker_green_without_a_reload(
    harness: Harness, browser: Browser
) -> None:
    crew, post_row = await _one_seat_shift(harness)
    async with running_board(harness) as board:
        await browser.open(mini_app_url(board, init_data(harness, ADMIN_ID)))
        assert await markers(browser, 1) == {post_row.id: COLORS["empty"]}
        await browser.run("window.sameDocument = true;")
        refreshes = int(await browser.run("return document.body.dataset.refreshes;"))

        await check_in(harness, crew.volunteers[0])  # location and photo through the emulator

        green = (
            f"return document.querySelector('path.post-marker')?.getAttribute('fill') "
            f"=== '{COLORS['staffed']}';"
        )
        await browser.wait_for(green)
        assert await browser.run("return window.sameDocument === true;")  # no reload
        assert int(await browser.run("return document.body.dataset.refreshes;")) > refreshes
        legend = await browser.run(
            "return document.querySelector('.legend-item.state-staffed').textContent;"
        )
        assert legend == "在岗满员1"


async def test_a_popup_lists_who_checked_in_early_for_the_next_shift_apart(
    harness: Harness, browser: Browser
) -> None:
    row = await shifts_in_a_row(harness)
    harness.clock.set(local(6, 50))
    await check_in(harness, row.first)
    harness.clock.set(local(8, 40))
    await check_in(harness, row.second)  # check-in for 09:00 is open
    async with running_board(harness) as board:
        await browser.open(mini_app_url(board, init_data(harness, ADMIN_ID)))
        assert await markers(browser, 1) == {row.post.id: COLORS["staffed"]}
        await browser.run(
            "document.querySelector('path.post-marker')"
            ".dispatchEvent(new MouseEvent('click', {bubbles: true}));"
        )
        popup = await browser.wait_for(
            """
            const box = document.querySelector('.leaflet-popup-content .popup');
            if (!box) return null;
            const lists = box.querySelectorAll('.popup-people');
            return {
              staffing: box.querySelector('.popup-staffing').textContent,
              early: box.querySelector('.popup-early')?.textContent,
              lists: Array.from(lists).map((list) => list.innerText),
            };
            """
        )
        early = await browser.run(
            "return document.querySelector('#panel-now .figure-early').innerText;"
        )
    # The today panel counts whom the popups list apart as early, under its own label.
    assert early.split() == ["提前签到", "1"]
    assert popup == {
        "staffing": "在岗 1/1 人",
        "early": "下一班次 09:00–11:00 已提前签到 1 人",
        "lists": ["王芳 06:50 签到", "李娜 08:40 签到"],
    }


LINE = re.compile(
    r"^(\d+)\. (.+?)：(?:(.+?)，在岗率 (\S+)，准时 (\d+/\d+)，缺勤 (\d+)|没有排班)$", re.MULTILINE
)


def today_ranking(text: str) -> list[list[str]]:
    """The ranking lines of /today as the board's table cells."""
    rows = []
    for rank, name, score, rate, on_time, absent in LINE.findall(text):
        if score:
            rows.append([rank, name, score, rate, on_time, absent])
        else:
            rows.append([rank, name, "没有排班", "—", "—", "—"])
    return rows


@pytest.mark.parametrize(("viewer", "scope"), [(ADMIN_ID, "units"), (REPORT_LEADER_ID, "posts")])
async def test_the_ranking_matches_today(
    harness: Harness, browser: Browser, viewer: int, scope: str
) -> None:
    await seed_day(harness)
    harness.clock.set(local(20, 30))
    person = harness.admin if viewer == ADMIN_ID else harness.user(viewer, "李领导")
    await person.send_command("today")
    await harness.settle()
    today = next(text for text in person.texts() if "（按得分）：" in text)
    expected = today_ranking(today)
    assert len(expected) == (3 if scope == "units" else 2), today
    async with running_board(harness) as board:
        await browser.open(mini_app_url(board, init_data(harness, viewer)))
        shown = await browser.wait_for(
            f"const r = (() => {{{RANKING}}})(); return r.length ? r : null;"
        )
    assert shown == expected


@pytest.mark.parametrize("who", ["forged", "stale", "volunteer", "missing"])
async def test_forged_or_stale_init_data_and_a_volunteer_see_no_board(
    harness: Harness, browser: Browser, who: str
) -> None:
    await prepare_morning(harness)
    now = harness.clock.now()
    credentials = {
        "forged": init_data(harness, LEADER_ID).replace(str(LEADER_ID), str(ADMIN_ID)),
        "stale": init_data(harness, ADMIN_ID, auth_date=now - dt.timedelta(days=1, minutes=1)),
        "volunteer": init_data(harness, VOLUNTEER_ID),
        "missing": "",
    }[who]
    async with running_board(harness) as board:
        url = mini_app_url(board, credentials) if credentials else f"{board.local_url}/"
        await browser.open(url)
        denied = await browser.wait_for(DENIED)
        if who == "stale":
            # Signed by Telegram, only too old: not a matter of rights, but of reopening it.
            assert denied.startswith("看板打开太久，登录已过期") and "/board" in denied, denied
            assert "没有权限" not in denied
        else:
            assert denied.startswith("没有权限查看看板")
        assert await browser.run(MARKERS) == []
        page = await browser.run("return document.body.innerText;")
        assert "人民路口" not in page and "城管局" not in page
        if credentials:
            error = "expired" if who == "stale" else "forbidden"
            status, body = await state(board, f"tma {credentials}")
            assert (status, body["error"]) == (403, error)


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("zh_Hans", "您所在的单位已归档（已退出创文），看板不再显示它"),
        ("zh_Hant", "您所在的單位已歸檔（已退出創文），看板不再顯示它"),
        ("en", "Your unit has been archived (it has left the campaign)"),
    ],
)
async def test_the_leader_of_an_archived_unit_is_told_so_and_sees_no_marker(
    harness: Harness, browser: Browser, language: str, said: str
) -> None:
    morning = await prepare_morning(harness)
    async with harness.session() as session:
        await session.execute(
            update(Unit).where(Unit.id == morning.units["城管局"]).values(archived=True)
        )
        # The leader's language (/lang), not the one of the address the board is opened at: a
        # menu button set before a /lang, or a direct link, names another one or none.
        await session.execute(
            update(Member).where(Member.telegram_id == LEADER_ID).values(language=language)
        )
    address = "en" if language != "en" else "zh_Hant"
    async with running_board(harness) as board:
        await browser.open(mini_app_url(board, init_data(harness, LEADER_ID), address))
        denied = await browser.wait_for(DENIED)
        assert denied.startswith(said) and "/units" in denied, denied
        title = {"zh_Hans": "挂图作战", "zh_Hant": "掛圖作戰", "en": "Live board"}[language]
        assert await browser.run("return document.title;") == title
        assert await browser.run(MARKERS) == []
        page = await browser.run("return document.body.innerText;")
        assert "人民路口" not in page and "城管局" not in page


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("zh_Hans", "看板打开太久，登录已过期"),
        ("zh_Hant", "看板開著太久，登入已過期"),
        ("en", "The board has been open too long"),
    ],
)
async def test_a_board_left_open_past_its_login_says_to_reopen_it(
    harness: Harness, browser: Browser, language: str, said: str
) -> None:
    morning = await prepare_morning(harness)
    opened = harness.clock.now()
    async with running_board(harness) as board:
        code = language.lower().replace("_", "-")
        init = init_data(harness, ADMIN_ID, language_code=code)
        await browser.open(mini_app_url(board, init, language))
        await markers(browser, len(morning.posts))
        # Left open on the desk for a day: the login Telegram signed at the start is too old.
        harness.clock.set(opened + dt.timedelta(days=1, minutes=1))
        denied = await browser.wait_for(DENIED)
        assert denied.startswith(said) and "/board" in denied, denied
        status = await browser.run("return document.getElementById('board-status').textContent;")
        assert status == denied


async def test_expired_and_revoked_screen_links_get_403(harness: Harness, browser: Browser) -> None:
    morning = await prepare_morning(harness)
    settings = harness.runtime.settings
    admin = Actor.of(ADMIN_ID, None, settings.admin_ids)
    async with harness.session() as session:
        screen = await screens.create(
            session, admin, unit_id=None, language="zh_Hans", now=harness.clock.now()
        )
    token = screens.token_of(screen, settings)
    async with running_board(harness) as board:
        page = f"{board.local_url}/screen/{token}"
        await browser.open(page)
        assert len(await markers(browser, len(morning.posts))) == len(morning.posts)

        # Revoked while the wall screen shows it: the next refresh gets 403 and clears it.
        async with harness.session() as session:
            assert await screens.revoke(session, admin, screen.id, harness.clock.now())
        assert (await browser.wait_for(DENIED)).startswith("没有权限查看看板")
        assert await browser.run(MARKERS) == []
        await browser.open(page)
        assert (await browser.wait_for(DENIED)).startswith("没有权限查看看板")

        # Expired: the link of yesterday's screen, a month later.
        async with harness.session() as session:
            expiring = await screens.create(
                session, admin, unit_id=None, language="zh_Hans", now=harness.clock.now()
            )
        expired = screens.token_of(expiring, settings)
        harness.clock.set(expiring.expires_at + dt.timedelta(minutes=1))
        await browser.open(f"{board.local_url}/screen/{expired}")
        assert (await browser.wait_for(DENIED)).startswith("没有权限查看看板")
        assert await browser.run(MARKERS) == []
        assert await state(board, f"screen {expired}") == (403, {"error": "forbidden"})


async def test_a_wall_screen_of_a_unit_archived_meanwhile_says_so_then_shows_it_again(
    harness: Harness, browser: Browser
) -> None:
    morning = await prepare_morning(harness)
    settings = harness.runtime.settings
    admin = Actor.of(ADMIN_ID, None, settings.admin_ids)
    unit_id = morning.units["团结社区"]
    async with harness.session() as session:
        screen = await screens.create(
            session, admin, unit_id=unit_id, language="zh_Hans", now=harness.clock.now()
        )
    token = screens.token_of(screen, settings)
    async with running_board(harness) as board:
        page = f"{board.local_url}/screen/{token}"
        await browser.open(page)
        assert len(await markers(browser, 1)) == 1

        # Archived while the screen shows it: the next refresh says so and clears the map.
        async with harness.session() as session:
            await session.execute(update(Unit).where(Unit.id == unit_id).values(archived=True))
        assert (await browser.wait_for(DENIED)).startswith("这个大屏链接所属的单位已归档")
        assert await browser.run(MARKERS) == []

        # Restored: the link was not revoked, and the screen (re)loaded shows the unit again.
        async with harness.session() as session:
            await session.execute(update(Unit).where(Unit.id == unit_id).values(archived=False))
            row = await session.get(BoardScreen, screen.id)
            assert row is not None and row.revoked_at is None
        await browser.open(page)
        assert len(await markers(browser, 1)) == 1


STATUS = """
const line = document.getElementById('board-status');
return line && line.classList.contains('offline') ? line.textContent : '';
"""
OFFLINE_PAGE = """
const box = document.getElementById('board-offline');
return box ? box.textContent.trim() : '';
"""


async def test_a_wall_screen_rides_out_a_database_outage(
    harness: Harness, browser: Browser
) -> None:
    """While the database is down the screen shows itself offline and keeps its last board; one
    (re)loaded meanwhile waits on a page that loads it again; both come back on their own."""
    morning = await prepare_morning(harness)
    settings = harness.runtime.settings
    admin = Actor.of(ADMIN_ID, None, settings.admin_ids)
    async with harness.session() as session:
        screen = await screens.create(
            session, admin, unit_id=None, language="zh_Hans", now=harness.clock.now()
        )
    token = screens.token_of(screen, settings)
    async with running_board(harness) as board:
        page = f"{board.local_url}/screen/{token}"
        await browser.open(page)
        assert len(await markers(browser, len(morning.posts))) == len(morning.posts)
        async with database_down(harness):
            offline = await browser.wait_for(STATUS)
            assert offline.startswith("连接中断")
            # A wall screen may stay offline overnight: the figures' age names their day too.
            day = harness.clock.now().astimezone(settings.zone)
            assert f"更新于 {day.month}月{day.day}日" in offline
            assert offline.endswith(day.strftime("%H:%M"))
            assert len(await browser.run(MARKERS)) == len(morning.posts)
            await browser.open(page)
            assert (await browser.wait_for(OFFLINE_PAGE)).startswith("连接中断")
        assert len(await markers(browser, len(morning.posts))) == len(morning.posts)
        assert not await browser.run(STATUS)


ORDERS = """
return Array.from(document.querySelectorAll('#panel-orders tbody tr')).map(
  (row) => Array.from(row.cells).map((cell) => cell.textContent));
"""


async def test_the_orders_panel_by_unit_and_a_units_own_without_the_covert_order(
    harness: Harness, browser: Browser
) -> None:
    morning = await prepare_morning(harness)
    orders = await prepare_orders(harness, morning)
    async with running_board(harness) as board:
        await browser.open(mini_app_url(board, init_data(harness, ADMIN_ID)))
        city = await browser.wait_for(
            f"const r = (() => {{{ORDERS}}})(); return r.length ? r : null;"
        )
        assert city == [["团结社区", "2", "0", "0"], ["城管局", "2", "1", "1"]]
        heading = await browser.run(
            "return Array.from(document.querySelectorAll('#panel-orders th')).map("
            "(cell) => cell.textContent);"
        )
        assert heading == ["单位", "未办结", "已超期", "待验收"]
        overdue = await browser.run(
            "return getComputedStyle(document.querySelectorAll('#panel-orders tbody tr')[1]"
            ".cells[2]).fontWeight;"
        )
        assert overdue in ("700", "bold")  # the overdue count stands out

        # The coordinator of 团结社区: its own open order; the covert check's stays hidden.
        await browser.open("about:blank")  # the same page with another fragment would not load
        await browser.open(mini_app_url(board, init_data(harness, COORDINATOR_ID)))
        own = await browser.wait_for(
            f"const r = (() => {{{ORDERS}}})(); return r.length ? r : null;"
        )
        assert own == [
            [f"#{orders.ids['acked']}", "设施损坏", "2026年12月1日 12:00", "已签收", "垃圾分类点"]
        ]
        page = await browser.run("return document.body.innerText;")
        assert f"#{orders.ids['covert']}" not in page and "城管局" not in page

        # At the daily tally the covert check is published: the next refresh shows its order.
        await browser.run("window.sameDocument = true;")
        harness.clock.set(local(20, 1))
        shown = await browser.wait_for(
            f"const r = (() => {{{ORDERS}}})(); return r.length === 2 ? r : null;"
        )
        assert [row[0] for row in shown] == [
            f"#{orders.ids['acked']}",
            f"#{orders.ids['covert']}",
        ]
        assert shown[0][2] == "2026年12月1日 12:00（已超期）"
        assert await browser.run("return window.sameDocument === true;")  # no reload
        assert await browser.errors("127.0.0.1:9/") == []
