"""`dutybot run` with BOARD_URL: the board's server starts with the Application's production
loops, /healthz sees the real sender and scheduler tick, and stopping the bot stops it."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import aiohttp
import pytest

from bot.app import build_application
from bot.board.server import attach
from bot.runtime import Runtime
from tests.e2e.board_fixtures import BOARD_SETTINGS
from tests.harness import Harness


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return dict(BOARD_SETTINGS)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def test_the_board_runs_beside_the_sender_and_the_tick(harness: Harness) -> None:
    await harness.bot.stop()  # a production-style application takes over
    port = free_port()
    runtime = Runtime(
        settings=harness.runtime.settings.model_copy(
            update={"scheduler_tick_seconds": 1, "board_listen": "127.0.0.1", "board_port": port}
        ),
        db=harness.runtime.db,
        clock=harness.clock,
    )
    application = build_application(runtime, background=True)
    attach(application, runtime)
    await application.initialize()
    assert application.post_init is not None and application.post_stop is not None
    await application.post_init(application)
    await application.start()
    health: dict[str, Any] = {}
    try:
        async with aiohttp.ClientSession() as client:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 20
            while True:  # the job queue's first tick comes a second after the start
                async with client.get(f"http://127.0.0.1:{port}/healthz") as response:
                    health = await response.json()
                    # On PostgreSQL the sender stands by until it holds the lead.
                    if response.status == 200 and health["checks"]["sender"]["role"] == "leader":
                        break
                assert loop.time() < deadline, f"the board never became healthy: {health}"
                await asyncio.sleep(0.05)
            async with client.get(f"http://127.0.0.1:{port}/metrics") as response:
                text = await response.text()
            async with client.get(f"http://127.0.0.1:{port}/board/") as response:
                assert response.status == 200
    finally:
        await application.stop()
        await application.post_stop(application)
        await application.shutdown()
    checks = health["checks"]
    assert checks["sender"] == {"ok": True, "role": "leader"}
    assert checks["scheduler"]["ok"] is True
    assert "dutybot_sender_leading 1.0" in text
    with pytest.raises(aiohttp.ClientConnectionError):
        async with aiohttp.ClientSession() as client:
            await client.get(f"http://127.0.0.1:{port}/healthz")
