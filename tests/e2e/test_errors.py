"""No update is answered by silence: an unexpected failure is logged and the person is told."""

from __future__ import annotations

import pytest

from bot.db.models import Dialogue, Member
from bot.emulator import Fault
from tests.e2e.journeys import create_unit, invite_code, join
from tests.harness import Harness


def _broken(*args: object, **kwargs: object) -> object:
    raise RuntimeError("simulated failure")


async def test_failure_in_a_command_is_reported_in_the_users_language(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    await create_unit(harness, "城管局")
    code = await invite_code(harness, harness.admin, None, "志愿者")
    volunteer = harness.user(3101, "Amy", language_code="en")
    await join(harness, volunteer, code, "Amy", language="English")
    monkeypatch.setattr("handlers.common.members.profile", _broken)

    await volunteer.send_command("me")
    await harness.settle()

    assert "Sorry, something went wrong" in (volunteer.last().text or "")
    assert "simulated failure" in caplog.text
    assert await harness.count(Member) == 1


async def test_failure_behind_a_button_is_answered_with_an_alert(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    await harness.admin.send_command("units")
    await harness.settle()
    monkeypatch.setattr("handlers.admin.dialogues.begin", _broken)

    await harness.admin.press("➕ 新建单位")
    await harness.settle()

    answer = harness.admin.answered_callbacks[-1]
    assert answer.get("show_alert") is True
    assert "出了问题" in str(answer.get("text"))
    assert await harness.count(Dialogue) == 0


async def test_a_reply_that_meets_the_flood_limit_waits_and_arrives(harness: Harness) -> None:
    """Telegram answers 429 to the reply (a busy moment); the bot waits the second it is told
    and sends it again, so the person still gets their answer, once."""
    await create_unit(harness, "城管局")
    code = await invite_code(harness, harness.admin, None, "志愿者")
    volunteer = harness.user(3201, "王芳")
    await join(harness, volunteer, code, "王芳")
    before = len(volunteer.messages())
    harness.emulator.inject_fault(
        Fault(kind="429", method="sendMessage", chat_id=3201, retry_after=1)
    )

    await volunteer.send_command("me")
    await harness.settle()

    answers = volunteer.texts()[before:]
    assert len(answers) == 1 and "王芳" in answers[0]
    assert not any("出错" in text for text in answers)
