"""Every data request of the board is authorized again, and that costs the database: fifty open
boards ask every BOARD_REFRESH_SECONDS. With the city's read and the snapshot already cached,
a request is its authorization alone, and that is one statement: the Mini App's viewer with
their roles and their unit's state (it took three: the member with the unit, then the roles,
then the tags the board never uses), as a wall screen's link with its unit's state is."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from sqlalchemy import event

from bot.board.server import BoardServer, SnapshotCache
from tests.e2e.board_fixtures import (
    BOARD_SETTINGS,
    LEADER_ID,
    mini_app,
    prepare_morning,
    running_board,
    state,
)
from tests.e2e.board_server_fixtures import screen_link
from tests.harness import ADMIN_ID, Harness


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return dict(BOARD_SETTINGS)


@asynccontextmanager
async def statements(harness: Harness) -> AsyncIterator[list[str]]:
    """The statements sent to the database (either engine) inside the block."""
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(" ".join(statement.split()))

    database = harness.runtime.db
    engines = [database.engine.sync_engine]
    if database.read_engine.pool is not database.engine.pool:
        # SQLite's reader is an engine of its own; PostgreSQL's is the engine with options,
        # whose statements the engine's listener hears already.
        engines.append(database.read_engine.sync_engine)
    for engine in engines:
        event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", record)


def _cached_for_good(board: BoardServer) -> None:
    """The caches on a clock that never moves: after the first request, the city's read and
    each scope's snapshot are served from them, and what remains is the authorization."""
    board.scenes = SnapshotCache(10, clock=lambda: 0.0)
    board.cache = SnapshotCache(10, clock=lambda: 0.0)


async def test_a_mini_app_request_authorizes_its_viewer_in_one_statement(
    harness: Harness,
) -> None:
    await prepare_morning(harness)
    async with running_board(harness) as board:
        _cached_for_good(board)
        for viewer in (LEADER_ID, ADMIN_ID):
            status, body = await state(board, mini_app(harness, viewer))
            assert status == 200
            async with statements(harness) as sent:
                status, again = await state(board, mini_app(harness, viewer))
            assert (status, again) == (200, body)
            assert len(sent) == 1, [statement[:80] for statement in sent]
            assert sent[0].startswith("SELECT"), sent


async def test_a_wall_screen_request_reads_its_link_and_unit_in_one_statement(
    harness: Harness,
) -> None:
    morning = await prepare_morning(harness)
    _, token = await screen_link(harness, morning.units["城管局"])
    async with running_board(harness) as board:
        _cached_for_good(board)
        status, body = await state(board, f"screen {token}")
        assert status == 200 and body["scope"] == "城管局"
        async with statements(harness) as sent:
            status, again = await state(board, f"screen {token}")
        assert (status, again) == (200, body)
        assert len(sent) == 1, [statement[:80] for statement in sent]
