"""The webhook endpoint refuses a request without the right secret token, and its log line says
where the request came from: after changing WEBHOOK_SECRET, or with a scanner knocking, the
operator must tell Telegram (or the proxy) from a stranger. The secret is never logged."""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import cast

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.intake import Intake
from bot.settings import Settings, StartupError
from bot.webhook import SECRET_HEADER, serve_webhook, webhook_app


class NoIntake:
    async def accept_one(self, received: object) -> None:
        raise AssertionError("a refused request must not be stored")


async def test_a_request_with_a_wrong_secret_is_refused_naming_where_it_came_from(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = webhook_app(cast(Intake, NoIntake()), "/telegram", "the-right-secret")
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        with caplog.at_level(logging.WARNING, logger="bot.webhook"):
            answer = await client.post(
                "/telegram", json={"update_id": 1}, headers={SECRET_HEADER: "a-guess"}
            )
            assert answer.status == 403
            missing = await client.post("/telegram", json={"update_id": 2})
            assert missing.status == 403
    lines = [record.getMessage() for record in caplog.records]
    assert len(lines) == 2, lines
    assert all("127.0.0.1" in line for line in lines), lines
    assert "a wrong secret token" in lines[0], lines
    assert "no secret token" in lines[1], lines
    assert not any("the-right-secret" in line or "a-guess" in line for line in lines)


@pytest.mark.parametrize(
    ("listen", "expected"),
    [
        # The public host of WEBHOOK_URL put in WEBHOOK_LISTEN: an address of no interface here.
        ("192.0.2.1", "cannot listen on 192.0.2.1:{port} (Cannot assign requested address): "),
        ("nohost.invalid", "cannot listen on nohost.invalid:{port} ("),
    ],
)
async def test_an_address_the_webhook_cannot_listen_on_names_webhook_listen(
    listen: str, expected: str
) -> None:
    """The line blamed the port ("free the port or set WEBHOOK_PORT") for a host that names no
    address of the machine: the operator freed a port nobody held."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    settings = Settings(
        _env_file=None,
        webhook_url="https://bot.example.org/telegram",
        webhook_secret="s",
        webhook_listen=listen,
        webhook_port=port,
    )
    with pytest.raises(StartupError) as raised:
        await serve_webhook(cast(Intake, NoIntake()), settings, asyncio.Event())
    line = str(raised.value)
    assert line.startswith(expected.format(port=port)), line
    assert line.endswith("set WEBHOOK_LISTEN to an address of this machine, or 0.0.0.0"), line
    # A port another program holds is still the port's problem.
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        held = int(holder.getsockname()[1])
        settings = settings.model_copy(update={"webhook_listen": "127.0.0.1", "webhook_port": held})
        with pytest.raises(StartupError) as raised:
            await serve_webhook(cast(Intake, NoIntake()), settings, asyncio.Event())
    assert str(raised.value).endswith("free the port or set WEBHOOK_PORT"), raised.value
