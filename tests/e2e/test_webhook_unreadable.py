"""An update Telegram sends by the webhook that this PTB cannot read (a newer Bot API field, say)
is set aside as long polling sets it aside: stored done and acknowledged with 200, one log line
naming it. Answered 400 it was sent again and again, holding up the updates behind it, and left
no trace."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

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
