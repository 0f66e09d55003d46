"""An update Telegram sends by the webhook that this PTB cannot read (a newer Bot API field, say)
is set aside as long polling sets it aside: stored done and acknowledged with 200, one log line
naming it. Answered 400 it was sent again and again, holding up the updates behind it, and left
no trace."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from telegram import WebhookInfo

from bot.db.models import InboxStatus, InboxUpdate
from bot.intake import Intake
from bot.webhook import SECRET_HEADER, webhook_app
from tests.harness import Harness

SECRET = "the-city-webhook-secret"
UNREADABLE_UPDATE_ID = 777_001
# A poll whose options lack a field this PTB requires: PTB cannot read the update.
UNREADABLE: dict[str, Any] = {
    "update_id": UNREADABLE_UPDATE_ID,
    "poll": {
        "id": "1",
        "question": "?",
        "options": [{"text": "a", "voter_count": 0}],
        "total_voter_count": 0,
        "is_closed": False,
        "is_anonymous": True,
        "type": "regular",
        "allows_multiple_answers": False,
    },
}


async def test_an_update_the_webhook_cannot_read_is_set_aside_not_refused(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    intake = harness.bot.application.bot_data["intake"]
    assert isinstance(intake, Intake)
    app = webhook_app(intake, "/telegram", SECRET)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        with caplog.at_level(logging.ERROR, logger="bot"):
            answer = await client.post(
                "/telegram", json=UNREADABLE, headers={SECRET_HEADER: SECRET}
            )
            assert answer.status == 200
            # Sent again (Telegram did not hear the 200): acknowledged again, stored once.
            again = await client.post("/telegram", json=UNREADABLE, headers={SECRET_HEADER: SECRET})
            assert again.status == 200
            # Not an update at all (no update_id): still refused.
            stray = await client.post(
                "/telegram", json={"poll": {}}, headers={SECRET_HEADER: SECRET}
            )
            assert stray.status == 400
    async with harness.session() as session:
        row = await session.get(InboxUpdate, UNREADABLE_UPDATE_ID)
        assert row is not None and row.status == InboxStatus.DONE
    lines = [record.getMessage() for record in caplog.records]
    assert any(f"update {UNREADABLE_UPDATE_ID} cannot be read" in line for line in lines), lines


async def test_an_unreadable_update_delivered_counts_as_telegram_reaching_the_bot(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Telegram failed to reach the webhook at 08:02, then at 08:03 delivered an update this
    PTB cannot read, which was set aside and answered 200. At 08:05 Telegram holds an update
    (ordinary traffic) and still reports the failure of 08:02: it has reached the bot since,
    as it would have with a readable update, so the backlog stays in and the no-show runs."""
    intake = harness.bot.application.bot_data["intake"]
    assert isinstance(intake, Intake)
    base = harness.clock.now().replace(hour=8, minute=0, second=0, microsecond=0)
    told: dict[str, Any] = {"pending": 0, "error_at": None}

    async def webhook_info(*args: object, **kwargs: object) -> WebhookInfo:
        return WebhookInfo(
            url="https://city.example/telegram",
            has_custom_certificate=False,
            pending_update_count=told["pending"],
            last_error_date=told["error_at"],
            last_error_message="Connection refused" if told["error_at"] else None,
        )

    # PTB's bots are frozen: Telegram's answer is stood in for on the class, for this test.
    monkeypatch.setattr(type(intake.bot), "get_webhook_info", webhook_info)
    intake.by_webhook()
    harness.clock.set(base)
    assert await intake.backlog_received()
    told["error_at"] = base + dt.timedelta(minutes=2)
    harness.clock.set(base + dt.timedelta(minutes=3))
    app = webhook_app(intake, "/telegram", SECRET)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        answer = await client.post("/telegram", json=UNREADABLE, headers={SECRET_HEADER: SECRET})
        assert answer.status == 200
    harness.clock.set(base + dt.timedelta(minutes=5))
    told["pending"] = 1
    assert await intake.backlog_received()
