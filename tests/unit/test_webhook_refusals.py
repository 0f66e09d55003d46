"""The webhook endpoint refuses a request without the right secret token, and its log line says
where the request came from: after changing WEBHOOK_SECRET, or with a scanner knocking, the
operator must tell Telegram (or the proxy) from a stranger. The secret is never logged."""

from __future__ import annotations

import logging
from typing import cast

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.intake import Intake
from bot.webhook import SECRET_HEADER, webhook_app


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
