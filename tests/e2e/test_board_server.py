"""The board's server beside the real bot: who sees which scope, what the panels hold, and that
every request without valid credentials gets 403 and no data."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from bot.board import screens
from bot.board.panels import PanelContext, PanelData, View
from bot.board.server import STATIC_DIR, TEMPLATES_DIR, BoardServer, SnapshotCache, asset_build
from bot.db.models import Assignment, BoardScreen, CheckIn, Member, Post, PostType, Shift, Unit
from bot.services.people.access import Actor
from tests.e2e.board_fixtures import (
    BOARD_SETTINGS,
    BOARD_URL,
    COORDINATOR_ID,
    INSPECTOR_ID,
    LEADER_ID,
    VOLUNTEER_ID,
    database_down,
    get,
    local,
    local_address,
    mini_app,
    panel,
    prepare_morning,
    running_board,
    state,
    states,
)
from tests.harness import ADMIN_ID, Harness


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return dict(BOARD_SETTINGS)


async def _screen(harness: Harness, unit_id: int | None) -> tuple[BoardScreen, str]:
    settings = harness.runtime.settings
    async with harness.session() as session:
        admin = Actor.of(ADMIN_ID, None, settings.admin_ids)
        screen = await screens.create(
            session, admin, unit_id=unit_id, language="en", now=harness.clock.now()
        )
    return screen, screens.token_of(screen, settings)


async def test_admin_sees_every_post_of_the_city_coloured_by_its_state_now(
    harness: Harness,
) -> None:
    morning = await prepare_morning(harness)
    async with running_board(harness) as board:
        status, body = await state(board, mini_app(harness, ADMIN_ID))
    assert status == 200
    assert body["scope"] == "全部单位"
    assert states(body) == morning.expected
    legend = {item["state"]: item["count"] for item in panel(body, "map")["legend"]}
    assert legend == {"staffed": 1, "short": 1, "empty": 2, "idle": 1}
    popups = {m["popup"]["title"]: m["popup"] for m in panel(body, "map")["markers"]}
    assert popups["人民路口"]["staffing"] == "在岗 2/2 人"
    assert popups["人民路口"]["shifts"] == ["07:00–09:00"]
    assert [(p["name"], p["time"], p["note"]) for p in popups["人民路口"]["people"]] == [
        ("张伟", "06:50 签到", None),
        ("王芳", "07:08 签到", "迟到 8 分钟"),
    ]
    assert popups["和平街"]["shifts"] == ["14:00–16:00"]
    assert popups["和平街"]["staffing"] == "下一班次"


async def test_no_phone_number_ever_leaves_the_server(harness: Harness) -> None:
    await prepare_morning(harness)
    async with running_board(harness) as board:
        _, _, text = await get(board, f"{board.prefix}/api/state", mini_app(harness, ADMIN_ID))
    async with harness.session() as session:
        phones = set(await session.scalars(select(Member.phone).where(Member.phone.is_not(None))))
    assert phones == {"+8613800138000"}
    assert "13800138000" not in text


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


async def test_figures_of_the_morning_are_todays_tally(harness: Harness) -> None:
    await prepare_morning(harness)
    async with running_board(harness) as board:
        _, body = await state(board, mini_app(harness, ADMIN_ID))
    figures = {item["key"]: item["value"] for item in panel(body, "now")["figures"]}
    # 9 seats today (2+3+1+2+1), 3 checked in (one of them 8 minutes late), nobody absent
    # yet; on post now: 3 of the 7 seats under way.
    assert figures == {
        "seats": "9",
        "checked_in": "3",
        "late": "1",
        "absent": "0",
        "rate": "33%",
        "on_post": "3/7",
    }
    points = panel(body, "now")["curve"]["points"]
    assert points == [
        [int(local(7).timestamp()), 28.6],  # 张伟 and 李娜 were there at 07:00
        [int(local(7, 10).timestamp()), 42.9],  # and 王芳 since 07:08
    ]


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
    assert body == {"error": "expired" if who == "stale" else "forbidden"}
    assert "人民路口" not in text


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
    screen, token = await _screen(harness, morning.units["团结社区"])
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
    screen, token = await _screen(harness, morning.units["团结社区"])
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


async def test_with_the_database_down_the_board_says_so_and_comes_back(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """No bare 500: the data request gets an uncached 503 the page shows as offline while it
    keeps polling, and a wall screen (re)loaded meanwhile gets a page that loads it again."""
    morning = await prepare_morning(harness)
    _, token = await _screen(harness, morning.units["团结社区"])
    async with running_board(harness) as board:
        base = board.local_url.removesuffix(board.prefix)
        async with database_down(harness), aiohttp.ClientSession() as client:
            async with client.get(
                f"{board.local_url}/api/state", headers={"Authorization": f"screen {token}"}
            ) as response:
                assert (response.status, await response.json()) == (503, {"error": "unavailable"})
                assert response.headers["Cache-Control"] == "no-store"
                assert response.headers["Retry-After"] == "1"
            async with client.get(f"{base}{board.prefix}/screen/{token}") as response:
                page = await response.text()
                assert response.status == 503 and response.content_type == "text/html"
                assert response.headers["Retry-After"] == "1"
            assert '<meta http-equiv="refresh" content="1">' in page
            assert "连接中断，稍后自动重试" in page  # a link made before links named their language
            # The link as /board gives it names the screen's language, which the database
            # cannot be asked for now: the page still speaks it.
            link = screens.url(harness.runtime.settings, token, "en")
            async with client.get(local_address(board, link)) as response:
                assert response.status == 503
                assert "Connection lost, retrying shortly" in await response.text()
        # Back: the same requests get the board.
        status, body = await state(board, f"screen {token}")
        assert status == 200 and states(body) == {"垃圾分类点": "empty"}
        assert (await get(board, f"{board.prefix}/screen/{token}"))[0] == 200
    warnings = [r for r in caplog.records if "database is unavailable" in r.getMessage()]
    assert len(warnings) == 3 and all(r.levelname == "WARNING" for r in warnings)
    assert not any(r.exc_info for r in caplog.records)
    assert token not in caplog.text  # the link is a key


async def test_the_data_announces_the_build_of_the_page_and_its_files_carry_it(
    harness: Harness,
) -> None:
    """A page open across an upgrade learns of it from its next data, and loads the new files
    rather than the browser's cached ones."""
    morning = await prepare_morning(harness)
    _, token = await _screen(harness, morning.units["团结社区"])
    async with running_board(harness) as board:
        build = board.build
        assert build == asset_build(STATIC_DIR, TEMPLATES_DIR)
        _, body = await state(board, mini_app(harness, ADMIN_ID))
        assert body["build"] == build
        # What the page says while it reloads, in the viewer's language.
        assert body["page"]["labels"]["reloading"] == "看板已升级，正在重新加载…"
        _, body = await state(board, f"screen {token}")
        assert body["build"] == build
        assert body["page"]["labels"]["reloading"] == "The board has been upgraded, reloading…"
        for path in (f"{board.prefix}/?lang=en", f"{board.prefix}/screen/{token}"):
            status, _, html = await get(board, path)
            assert status == 200
            config = json.loads(
                re.search(r'id="board-config">(.*?)</script>', html, re.S).group(1)  # type: ignore[union-attr]
            )
            assert config["build"] == build
            files = re.findall(r'(?:src|href)="([^"]+)"', html)
            assert files and all(name.endswith(f"?v={build}") for name in files), files
            for name in files:
                assert (await get(board, name))[0] == 200
        # Refused or failing requests announce nothing: only a board that answers may reload
        # the page.
        assert await state(board, "screen nonsense") == (403, {"error": "forbidden"})
        async with database_down(harness):
            assert await state(board, f"screen {token}") == (503, {"error": "unavailable"})


async def test_the_page_holds_no_data_and_names_its_panels(harness: Harness) -> None:
    await prepare_morning(harness)
    async with running_board(harness) as board:
        status, _, html = await get(board, f"{board.prefix}/?lang=en")
        fallback = (await get(board, f"{board.prefix}/?lang=fr"))[2]
        script = await get(board, f"{board.prefix}/static/board.js")
        leaflet = await get(board, f"{board.prefix}/static/vendor/leaflet/leaflet.js")
    assert status == 200
    assert 'id="panel-map"' in html and 'id="panel-now"' in html and 'id="panel-ranking"' in html
    assert 'id="panel-orders"' in html and "Rectification orders" in html
    assert "Posts map" in html and "人民路口" not in html
    assert "岗位地图" in fallback  # DEFAULT_LANGUAGE
    assert script[0] == 200 and "tgWebAppData" in script[2]
    assert leaflet[0] == 200


class _ScopePanel:
    """A plugged-in panel, to show that a provider plugs in."""

    key = "scope"
    title_key = "board.panel.ranking"
    view: View = "table"

    async def collect(self, context: PanelContext) -> PanelData:
        scope = "city" if context.unit_id is None else f"unit {context.unit_id}"
        return {"columns": ["scope"], "rows": [{"cells": [scope], "tone": "none"}]}


async def test_a_registered_panel_provider_appears_on_the_page_and_in_the_data(
    harness: Harness,
) -> None:
    from bot.board.standard import standard_panels

    morning = await prepare_morning(harness)
    registry = standard_panels()
    registry.register(_ScopePanel())
    async with running_board(harness, panels=registry) as board:
        _, _, html = await get(board, f"{board.prefix}/")
        _, body = await state(board, mini_app(harness, LEADER_ID))
    assert 'id="panel-scope"' in html and 'data-view="table"' in html
    assert [item["key"] for item in body["panels"]] == ["map", "now", "ranking", "orders", "scope"]
    assert panel(body, "scope")["rows"] == [
        {"cells": [f"unit {morning.units['城管局']}"], "tone": "none"}
    ]


async def test_many_boards_of_one_scope_share_one_read(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    morning = await prepare_morning(harness)
    import asyncio

    from bot.board import data, standard

    reads = 0
    scenes: list[int | None] = []
    original = standard.snapshot
    read_scene = data.read_scene

    async def counted(*args: Any, **kwargs: Any) -> dict[str, Any]:
        nonlocal reads
        reads += 1
        return await original(*args, **kwargs)

    async def counted_scene(session: Any, unit_id: int | None, *args: Any) -> Any:
        scenes.append(unit_id)
        return await read_scene(session, unit_id, *args)

    monkeypatch.setattr(standard, "snapshot", counted)
    monkeypatch.setattr(data, "read_scene", counted_scene)
    async with running_board(harness) as board:
        # An interval longer than the test, however slow the machine.
        board.scenes, board.cache = SnapshotCache(60), SnapshotCache(60)
        results = await asyncio.gather(
            *(state(board, mini_app(harness, ADMIN_ID)) for _ in range(20)),
            state(board, mini_app(harness, LEADER_ID)),
            state(board, mini_app(harness, COORDINATOR_ID)),
        )
    assert all(status == 200 for status, _ in results)
    assert reads == 3  # the city once, 城管局 once, 团结社区 once
    assert scenes == [None]  # from one read of the whole city
    # Each unit's board holds its own posts only.
    unit_posts = {name for name in morning.posts if name != "垃圾分类点"}
    assert set(states(results[20][1])) == unit_posts
    assert set(states(results[21][1])) == {"垃圾分类点"}


async def test_the_server_refuses_to_start_on_a_port_in_use(harness: Harness) -> None:
    from bot.settings import SettingsError

    async with running_board(harness) as board:
        port = board.addresses[0][1]
        second = BoardServer(harness.runtime, sender=board.sender)
        with pytest.raises(SettingsError) as raised:
            await second.start(listen="127.0.0.1", port=port)
    assert str(raised.value).startswith(f"BOARD_PORT is invalid: cannot listen on 127.0.0.1:{port}")
    assert "\n" not in str(raised.value)


async def test_the_ranking_leaves_out_an_archived_unit_as_today_does(harness: Harness) -> None:
    """An archived (merged) unit with nothing today is not in /today's ranking, nor in the
    board's, which is "the ranking of /today"."""
    await prepare_morning(harness)
    async with harness.session() as session:
        session.add(
            Unit(
                name="已撤并单位",
                require_swap_approval=False,
                created_at=harness.clock.now(),
                archived=True,
            )
        )
    async with running_board(harness) as board:
        _, body = await state(board, mini_app(harness, ADMIN_ID))
    board_units = [row["cells"][1] for row in panel(body, "ranking")["rows"]]
    assert board_units and "已撤并单位" not in board_units
    await harness.admin.send_command("today")
    await harness.settle()
    text = "\n".join(m.text or "" for m in harness.admin.messages()[-3:])
    assert "已撤并单位" not in text


async def test_the_map_leaves_out_the_posts_of_an_archived_unit(harness: Harness) -> None:
    """A unit archived after leaving the campaign has no shift to come (archiving refuses it),
    so its posts could only ever show grey: the map and its legend leave them out, as the
    ranking leaves the unit out."""
    morning = await prepare_morning(harness)
    async with running_board(harness) as board:
        _, before = await state(board, mini_app(harness, ADMIN_ID))
    async with harness.session() as session:
        gone = Unit(
            name="已撤并单位",
            require_swap_approval=False,
            created_at=harness.clock.now(),
            archived=True,
        )
        session.add(gone)
        await session.flush()
        session.add(
            Post(
                unit_id=gone.id,
                name="撤并单位的岗",
                type=PostType.TRAFFIC,
                latitude=30.70,
                longitude=104.10,
                radius_m=150,
                archived=False,
                created_at=harness.clock.now(),
            )
        )
    async with running_board(harness) as board:
        _, body = await state(board, mini_app(harness, ADMIN_ID))
    assert set(states(body)) == set(morning.posts)
    assert panel(body, "map")["legend"] == panel(before, "map")["legend"]


async def test_a_popup_marks_late_by_the_flag_saved_at_check_in(harness: Harness) -> None:
    """Whether a check-in was late is judged once, when it is recorded (by LATE_AFTER_MIN of
    that moment, or a coordinator's correction), and /today counts that flag: the popup says
    the same, not what today's setting would make of the minutes."""
    morning = await prepare_morning(harness)
    async with harness.session() as session:
        rows = await session.execute(
            select(Member.display_name, CheckIn)
            .join(Assignment, Assignment.id == CheckIn.assignment_id)
            .join(Member, Member.id == Assignment.member_id)
        )
        check_ins = {row[0]: row[1] for row in rows}
        # 王芳, 8 minutes after the start, was let off (recorded on time); 张伟's check-in was
        # judged late under a stricter setting although only 3 minutes after the start.
        check_ins["王芳"].late = False
        check_ins["张伟"].checked_in_at = local(7, 3)
        check_ins["张伟"].minutes_late = 3
        check_ins["张伟"].late = True
    async with running_board(harness) as board:
        _, body = await state(board, mini_app(harness, ADMIN_ID))
    popups = {m["popup"]["title"]: m["popup"] for m in panel(body, "map")["markers"]}
    assert [(p["name"], p["note"]) for p in popups["人民路口"]["people"]] == [
        ("张伟", "迟到 3 分钟"),
        ("王芳", None),
    ]
    figures = {item["key"]: item["value"] for item in panel(body, "now")["figures"]}
    assert figures["late"] == "1"  # 张伟, as the popup says
    async with harness.session() as session:
        late = await session.scalars(
            select(CheckIn.late)
            .join(Assignment, Assignment.id == CheckIn.assignment_id)
            .join(Shift, Shift.id == Assignment.shift_id)
            .where(Shift.post_id == morning.posts["人民路口"])
            .order_by(CheckIn.checked_in_at)
        )
        assert list(late) == [True, False]


async def test_every_page_names_its_icon_and_serves_it(harness: Harness) -> None:
    """Without an icon named in the page the browser asks for /favicon.ico at the root, which
    the reverse proxy does not route to the board: a 404 in the console and the logs."""
    await prepare_morning(harness)
    _, token = await _screen(harness, None)
    async with running_board(harness) as board:
        pages = {
            "mini app": await get(board, f"{board.prefix}/?lang=en"),
            "screen": await get(board, f"{board.prefix}/screen/{token}"),
            "denied": await get(board, f"{board.prefix}/screen/forged"),
        }
        async with database_down(harness):
            pages["offline"] = await get(board, f"{board.prefix}/screen/{token}")
        for name, (status, _, html) in pages.items():
            assert status == {"denied": 403, "offline": 503}.get(name, 200), name
            icon = re.search(r'<link rel="icon" type="image/svg\+xml" href="([^"]+)">', html)
            assert icon is not None, name
            assert icon.group(1) == f"{board.prefix}/static/favicon.svg?v={board.build}"
            served, _, svg = await get(board, icon.group(1))
            assert served == 200 and svg.startswith("<svg"), name


async def test_a_unit_newer_than_the_shared_read_is_still_named_on_its_board(
    harness: Harness,
) -> None:
    """The server makes every unit's board from one read of the city per interval (served up
    to two intervals old): a unit created since, whose leader opens the board at once, was
    named 全部单位 at the top of a board of one unit."""
    from bot.board import data, standard

    await prepare_morning(harness)
    settings = harness.runtime.settings
    async with harness.session() as session:
        scene = await data.read_scene(session, None, harness.clock.now(), settings)
        unit = Unit(name="新成立单位", require_swap_approval=False, created_at=harness.clock.now())
        session.add(unit)
        await session.flush()
        payload = await standard.snapshot(
            standard.standard_panels(),
            session,
            unit_id=unit.id,
            now=harness.clock.now(),
            settings=settings,
            t=harness.runtime.translator("zh_Hans"),
            scene=scene,
        )
        assert await session.scalar(select(Unit.name).where(Unit.id == unit.id)) == "新成立单位"
    assert payload["scope"] == "新成立单位"
    assert states(payload) == {}
