"""Who sees which scope of the board's server: leaders and coordinators their unit, in their
language; screen links their scope until expired or revoked; every request without valid
credentials gets 403 and no data."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from bot.board import screens
from bot.db.models import Member, Unit
from bot.services.people.access import Actor
from tests.e2e.board_fixtures import (
    BOARD_SETTINGS,
    BOARD_URL,
    COORDINATOR_ID,
    INSPECTOR_ID,
    LEADER_ID,
    VOLUNTEER_ID,
    get,
    local_address,
    mini_app,
    panel,
    prepare_morning,
    running_board,
    state,
    states,
)
from tests.e2e.board_server_fixtures import screen_link
from tests.harness import ADMIN_ID, Harness


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return dict(BOARD_SETTINGS)


async def test_leaders_and_coordinators_see_their_own_unit_only(harness: Harness) -> None:
    morning = await prepare_morning(harness)
    async with running_board(harness) as board:
        _, leader = await state(board, mini_app(harness, LEADER_ID))
        _, coordinator = await state(board, mini_app(harness, COORDINATOR_ID))
    assert leader["scope"] == "城管局"
    assert states(leader) == {
        name: value for name, value in morning.expected.items() if name != "垃圾分类点"
    }
    ranking = panel(leader, "ranking")
    assert ranking["columns"][1] == "岗位"
    assert {row["cells"][1] for row in ranking["rows"]} == {
        "人民路口",
        "解放路口",
        "黄河路口",
        "和平街",
    }
    assert coordinator["scope"] == "团结社区"
    assert states(coordinator) == {"垃圾分类点": "empty"}


async def test_the_board_speaks_the_viewers_language(harness: Harness) -> None:
    await prepare_morning(harness)
    async with harness.session() as session:
        leader = await session.scalar(select(Member).where(Member.telegram_id == LEADER_ID))
        assert leader is not None
        leader.language = "en"
    async with running_board(harness) as board:
        _, body = await state(board, mini_app(harness, LEADER_ID))
        # An admin without a member record: the language of their Telegram app.
        _, admin = await state(board, mini_app(harness, ADMIN_ID, language_code="zh-hant"))
    assert body["updated"] == "Updated 07:10"
    day = harness.clock.now().astimezone(harness.runtime.settings.zone)
    assert body["updated_on"] == f"Updated {day:%a} {day.day} {day:%b} 07:10"
    assert admin["updated_on"].startswith(f"更新於 {day.month}月{day.day}日 ")
    assert panel(body, "map")["legend"][0]["label"] == "Fully staffed"
    assert admin["scope"] == "全部單位"


@pytest.mark.parametrize(
    "who",
    ["volunteer", "inspector", "stranger", "forged", "stale", "future", "other_bot", "none"],
)
async def test_without_valid_credentials_the_answer_is_403_and_no_data(
    harness: Harness, who: str
) -> None:
    await prepare_morning(harness)
    now = harness.clock.now()
    authorization: str | None = {
        "volunteer": mini_app(harness, VOLUNTEER_ID),
        "inspector": mini_app(harness, INSPECTOR_ID),
        "stranger": mini_app(harness, 999_999),
        "forged": mini_app(harness, LEADER_ID).replace(str(LEADER_ID), str(ADMIN_ID)),
        "stale": mini_app(harness, ADMIN_ID, auth_date=now - dt.timedelta(days=1, minutes=1)),
        "future": mini_app(harness, ADMIN_ID, auth_date=now + dt.timedelta(hours=2)),
        "other_bot": mini_app(harness, ADMIN_ID, token="654321:OTHER-TOKEN"),
        "none": None,
    }[who]
    async with running_board(harness) as board:
        status, body, text = await get(board, f"{board.prefix}/api/state", authorization)
    assert status == 403
    # Signed by Telegram but too old: the page says to reopen it, not that rights are missing.
    assert body["error"] == ("expired" if who == "stale" else "forbidden")
    # Someone Telegram vouches for is told in their language (the page's words, no data);
    # credentials nobody signed get the bare refusal.
    signed = who in {"volunteer", "inspector", "stranger", "stale"}
    assert set(body) == ({"error", "page"} if signed else {"error"})
    assert "人民路口" not in text


async def test_a_refusal_speaks_the_language_of_whoever_it_refuses(harness: Harness) -> None:
    """The page is served in the language of its address, which a direct link
    (t.me/<bot>/board) leaves out and an old menu button has wrong: a volunteer, the leader of
    an archived unit and a board left open past its login are told why in their own
    language, from the refusal itself, as the data would have spoken it."""
    morning = await prepare_morning(harness)
    async with harness.session() as session:
        for telegram_id, language in ((VOLUNTEER_ID, "en"), (LEADER_ID, "zh_Hant")):
            await session.execute(
                update(Member).where(Member.telegram_id == telegram_id).values(language=language)
            )
        await session.execute(
            update(Unit).where(Unit.id == morning.units["城管局"]).values(archived=True)
        )
    stale = harness.clock.now() - dt.timedelta(days=1, minutes=1)
    async with running_board(harness) as board:
        _, volunteer = await state(board, mini_app(harness, VOLUNTEER_ID))
        _, leader = await state(board, mini_app(harness, LEADER_ID))
        # An admin without a member record: their Telegram app's language.
        _, admin = await state(
            board, mini_app(harness, ADMIN_ID, auth_date=stale, language_code="en")
        )
        # A volunteer's stored language wins over their Telegram app's, as on /lang.
        _, old = await state(board, mini_app(harness, VOLUNTEER_ID, auth_date=stale))
    assert volunteer["error"] == "forbidden"
    assert volunteer["page"]["labels"]["denied"].startswith("No access to the board")
    assert volunteer["page"]["html_lang"] == "en"
    assert leader["error"] == "unit_archived"
    assert leader["page"]["labels"]["unit_archived"].startswith("您所在的單位已歸檔")
    assert admin["error"] == "expired"
    assert admin["page"]["labels"]["expired"].startswith("The board has been open too long")
    assert old["page"]["labels"]["expired"].startswith("The board has been open too long")
    for body in (volunteer, leader, admin, old):
        assert "panels" not in body and "scope" not in body
    async with harness.session() as session:
        languages = dict(
            (await session.execute(select(Member.telegram_id, Member.language))).tuples().all()
        )
    assert (languages[VOLUNTEER_ID], languages[LEADER_ID]) == ("en", "zh_Hant")


async def test_unknown_schemes_and_garbage_get_403(harness: Harness) -> None:
    await prepare_morning(harness)
    async with running_board(harness) as board:
        for authorization in (
            "",
            "tma",
            "Bearer abc",
            "screen nope",
            "screen 1.2.city.x",
            "tma %%%",
            "tma auth_date=1&user=%7B%7D&hash=%C3%A9",  # a hash é
            "screen 1.2.city.\u00e9",  # a signature é
        ):
            status, body = await state(board, authorization)
            assert (status, body) == (403, {"error": "forbidden"}), authorization


async def test_a_screen_link_shows_its_scope_until_it_expires(harness: Harness) -> None:
    morning = await prepare_morning(harness)
    screen, token = await screen_link(harness, morning.units["团结社区"])
    link = screens.url(harness.runtime.settings, token, screen.language)
    assert link.startswith(f"{BOARD_URL}screen/") and link.endswith("?lang=en")
    async with running_board(harness) as board:
        page, _, html = await get(
            board,
            local_address(board, link).removeprefix(board.local_url.removesuffix(board.prefix)),
        )
        status, body = await state(board, f"screen {token}")
        assert (page, status) == (200, 200)
        assert "Live board" in html  # the screen's language
        assert body["scope"] == "团结社区"
        assert states(body) == {"垃圾分类点": "empty"}
        harness.clock.set(screen.expires_at + dt.timedelta(seconds=1))
        status, body = await state(board, f"screen {token}")
        assert (status, body) == (403, {"error": "forbidden"})
        page, _, html = await get(board, f"{board.prefix}/screen/{token}")
        assert page == 403 and "团结社区" not in html
        # The expired link still speaks its screen's language.
        page, _, html = await get(
            board,
            local_address(board, link).removeprefix(board.local_url.removesuffix(board.prefix)),
        )
        assert page == 403 and "No access to the board" in html, html


async def test_a_revoked_or_altered_screen_link_gets_403(harness: Harness) -> None:
    morning = await prepare_morning(harness)
    screen, token = await screen_link(harness, morning.units["团结社区"])
    city_claim = token.replace(f".u{morning.units['团结社区']}.", ".city.")
    async with running_board(harness) as board:
        assert (await state(board, f"screen {token}"))[0] == 200
        assert (await state(board, f"screen {city_claim}"))[0] == 403
        signed_e = token.rsplit(".", 1)[0] + ".%C3%A9"  # a signature é: the denied page
        assert (await get(board, f"{board.prefix}/screen/{signed_e}"))[0] == 403
        async with harness.session() as session:
            admin = Actor.of(ADMIN_ID, None, harness.runtime.settings.admin_ids)
            assert await screens.revoke(session, admin, screen.id, harness.clock.now())
        assert await state(board, f"screen {token}") == (403, {"error": "forbidden"})
        assert (await get(board, f"{board.prefix}/screen/{token}"))[0] == 403
        async with harness.session() as session:
            assert await screens.revoke(session, admin, screen.id, harness.clock.now()) is None
