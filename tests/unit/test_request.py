"""Bot API calls over aiohttp (bot/request.py): JSON bodies for plain calls, multipart forms for
files, HTTPXRequest's errors, and calls beyond the pool waiting their turn."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from telegram import InputFile
from telegram.error import NetworkError
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.request import AiohttpRequest


@pytest.fixture
async def server() -> AsyncIterator[tuple[str, list[dict[str, Any]], asyncio.Event]]:
    seen: list[dict[str, Any]] = []
    release = asyncio.Event()

    async def echo(request: web.Request) -> web.Response:
        if request.path.endswith("/hold"):
            await release.wait()
        fields: dict[str, Any]
        if request.content_type == "application/json":
            fields = await request.json()
        else:
            form = await request.post()
            fields = {
                name: (value.file.read() if isinstance(value, web.FileField) else value)
                for name, value in form.items()
            }
        seen.append(
            {
                "path": request.path,
                "fields": fields,
                "type": request.content_type,
                "agent": request.headers["User-Agent"],
            }
        )
        return web.json_response({"ok": True, "result": len(seen)})

    app = web.Application()
    app.router.add_post("/{tail:.*}", echo)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}", seen, release
    await runner.cleanup()


async def test_plain_calls_send_json_and_files_a_form(
    server: tuple[str, list[dict[str, Any]], asyncio.Event],
) -> None:
    url, seen, _ = server
    request = AiohttpRequest()
    await request.initialize()
    try:
        plain = RequestData(
            [
                RequestParameter.from_input("chat_id", 7),
                RequestParameter.from_input("text", "签到 ✅"),
                RequestParameter.from_input(
                    "reply_markup", {"inline_keyboard": [[{"text": "签到", "callback_data": "c"}]]}
                ),
            ]
        )
        status, body = await request.do_request(f"{url}/sendMessage", "POST", plain)
        assert status == 200 and b'"ok": true' in body
        upload = RequestData(
            [
                RequestParameter.from_input("chat_id", 7),
                RequestParameter.from_input(
                    "document", InputFile(b"xlsx bytes", filename="台账.xlsx")
                ),
            ]
        )
        status, _ = await request.do_request(f"{url}/sendDocument", "POST", upload)
        assert status == 200
    finally:
        await request.shutdown()
    # PTB's JSON-encoded parameter values, as its own json_payload has them; the Bot API
    # decodes a JSON string where it expects an object.
    assert seen[0]["type"] == "application/json"
    assert seen[0]["fields"]["chat_id"] == "7" and seen[0]["fields"]["text"] == "签到 ✅"
    assert json.loads(seen[0]["fields"]["reply_markup"]) == {
        "inline_keyboard": [[{"text": "签到", "callback_data": "c"}]]
    }
    assert seen[1]["type"] == "multipart/form-data"
    assert seen[0]["agent"].startswith("python-telegram-bot")
    document = seen[1]["fields"]
    assert document["chat_id"] == "7" and b"xlsx bytes" in document.values()


async def test_calls_beyond_the_pool_wait_their_turn(
    server: tuple[str, list[dict[str, Any]], asyncio.Event],
) -> None:
    url, seen, release = server
    request = AiohttpRequest(connections=2)
    await request.initialize()
    try:
        held = [
            asyncio.create_task(request.do_request(f"{url}/{n}/hold", "POST", None))
            for n in range(2)
        ]
        waiting = asyncio.create_task(request.do_request(f"{url}/third", "POST", None))
        for _ in range(20):
            await asyncio.sleep(0)
        assert seen == [] and not waiting.done()
        release.set()
        results = await asyncio.gather(*held, waiting)
    finally:
        await request.shutdown()
    assert [status for status, _ in results] == [200, 200, 200]
    assert seen[-1]["path"] == "/third"


async def test_an_unreachable_server_is_a_network_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    request = AiohttpRequest()
    await request.initialize()
    try:
        with pytest.raises(NetworkError):
            await request.do_request(f"http://127.0.0.1:{port}/getMe", "POST", None)
    finally:
        await request.shutdown()
