"""No update is answered by silence: an unexpected failure is logged and the person is told."""

from __future__ import annotations

import pytest

from bot import answers
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


async def test_a_reply_that_meets_the_flood_limit_waits_and_arrives(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Telegram answers 429 to the reply (a busy moment); the bot waits the second it is told
    and sends it again, so the person still gets their answer, once."""
    waits: list[float] = []

    async def wait_out(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(answers, "wait_out", wait_out)
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

    replies = volunteer.texts()[before:]
    assert len(replies) == 1 and replies[0].startswith("👤 我的资料\n姓名：王芳")
    assert waits == [1]
    assert [d.lower() for d in harness.emulator.refused("sendMessage")] == [
        "too many requests: retry after 1"
    ]


async def test_an_edited_message_is_answered_and_changes_nothing(harness: Harness) -> None:
    """Telegram delivers an edit as a new update; the bot does not read it again, and says so
    instead of leaving the person to believe the correction took effect."""
    await create_unit(harness, "城管局")
    admin = harness.admin
    await admin.send_command("newpost")
    await harness.settle()
    typed = await admin.send_text("黄河路口")
    await harness.settle()
    assert "「黄河路口」是什么类型的岗位" in (admin.last().text or "")

    await admin.edit_text(typed["message_id"], "黄河路-人民路口")
    await harness.settle()
    assert admin.last().text == (
        "您修改了一条已经发出的消息，修改不会被处理。如需更正，请重新发送。"
    )
    async with harness.session() as session:
        dialogue = await session.get(Dialogue, admin.user_id)
    assert dialogue is not None and dialogue.data["name"] == "黄河路口"

    # A stranger's edit is answered the same way, in their language.
    stranger = harness.user(3301, "Bob", language_code="en")
    said = await stranger.send_text("hello")
    await harness.settle()
    await stranger.edit_text(said["message_id"], "hello there")
    await harness.settle()
    assert stranger.last().text == (
        "You edited a message you had already sent; edits are not read. "
        "To correct something, send it again."
    )
    assert await harness.member(3301) is None


async def test_an_edited_command_does_not_run_again(harness: Harness) -> None:
    """A command edited into another one is not run: /help edited to /newpost opens no
    dialogue, and the person is told that edits are not read."""
    admin = harness.admin
    typed = await admin.send_command("help")
    await harness.settle()
    before = len(admin.texts())

    await admin.edit_text(typed["message_id"], "/newpost")
    await harness.settle()
    assert admin.texts()[before:] == [
        "您修改了一条已经发出的消息，修改不会被处理。如需更正，请重新发送。"
    ]
    async with harness.session() as session:
        assert await session.get(Dialogue, admin.user_id) is None


async def test_a_failed_update_is_logged_without_the_persons_phone_number_or_words(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The log of a failure names the update, the chat and the error, not what the person sent:
    an operator pastes logs into tickets, and the contact of a joining volunteer is their phone
    number (the inbox drops it as soon as the update is handled; the log must not keep it)."""
    await create_unit(harness, "城管局")
    code = await invite_code(harness, harness.admin, None, "志愿者")
    volunteer = harness.user(3102, "Zhouxiaomei", language_code="en")
    await volunteer.send_command("start", code)
    await harness.settle()
    monkeypatch.setattr("handlers.registration.registration.receive_contact", _broken)

    await volunteer.send_contact(phone_number="+8613912345678")
    await harness.settle()

    assert "Sorry, something went wrong" in (volunteer.last().text or "")
    failed = [r for r in caplog.records if r.levelname == "ERROR" and r.exc_info]
    assert failed, caplog.text
    line = failed[-1].getMessage()
    assert "3102" in line  # which chat, to find it in the roster or the inbox
    assert "simulated failure" in caplog.text  # the error and its traceback stay
    assert "13912345678" not in caplog.text
    assert "Zhouxiaomei" not in caplog.text
