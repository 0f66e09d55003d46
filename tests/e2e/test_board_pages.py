"""The board's server itself: the page holds no data and names its panels and icon, a plugged-in
panel appears, the build is announced, many boards share one read, a database outage is
answered 503 and a port in use refuses to start."""

from __future__ import annotations

import json
import re
from typing import Any

import aiohttp
import pytest

from bot.board import screens
from bot.board.panels import PanelContext, PanelData, View
from bot.board.server import STATIC_DIR, TEMPLATES_DIR, BoardServer, SnapshotCache, asset_build
from tests.e2e.board_fixtures import (
    BOARD_SETTINGS,
    COORDINATOR_ID,
    LEADER_ID,
    database_down,
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


async def test_with_the_database_down_the_board_says_so_and_comes_back(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """No bare 500: the data request gets an uncached 503 the page shows as offline while it
    keeps polling, and a wall screen (re)loaded meanwhile gets a page that loads it again."""
    morning = await prepare_morning(harness)
    _, token = await screen_link(harness, morning.units["团结社区"])
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
    _, token = await screen_link(harness, morning.units["团结社区"])
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
    # what to do, as the webhook's message says it
    assert str(raised.value).endswith("): free the port or set BOARD_PORT")
    assert "\n" not in str(raised.value)
    # An address of no interface here (the board's public host put in BOARD_LISTEN), or a name
    # that does not resolve, is BOARD_LISTEN's to change: freeing the port changed nothing.
    for host in ("192.0.2.1", "nohost.invalid"):
        with pytest.raises(SettingsError) as raised:
            await BoardServer(harness.runtime, sender=board.sender).start(listen=host, port=port)
        line = str(raised.value)
        assert line.startswith(f"BOARD_LISTEN is invalid: cannot listen on {host}:{port} ("), line
        assert line.endswith("): set BOARD_LISTEN to an address of this machine, or 0.0.0.0")
        assert "\n" not in line


async def test_every_page_names_its_icon_and_serves_it(harness: Harness) -> None:
    """Without an icon named in the page the browser asks for /favicon.ico at the root, which
    the reverse proxy does not route to the board: a 404 in the console and the logs."""
    await prepare_morning(harness)
    _, token = await screen_link(harness, None)
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
