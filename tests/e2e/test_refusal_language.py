"""A refusal speaks the language the person chose with /lang, not the one of their Telegram app:
someone whose phone is set to Chinese and who switched the bot to English is refused in English,
in private and in a group, for a command and for a button alike."""

from __future__ import annotations

from bot.buttons import UnitNew
from bot.db.models import Dialogue, Role
from tests.e2e.schedule import command, person, press_and_settle, unit
from tests.harness import Harness

FORBIDDEN_EN = "Sorry, you are not allowed to do that."
FORBIDDEN_HANT = "抱歉，您沒有權限執行這個操作。"


async def test_a_refusal_follows_the_language_chosen_with_lang(harness: Harness) -> None:
    unit_id = await unit(harness)
    # Telegram says zh-hans; the volunteer switches the bot to English.
    volunteer = await person(harness, 7201, unit_id, "甲")
    await command(harness, volunteer, "lang")
    assert await press_and_settle(harness, volunteer, "English（英文）") == (
        "Done: I will speak English from now on."
    )

    # A coordinator's command in private.
    assert await command(harness, volunteer, "units") == FORBIDDEN_EN
    assert await command(harness, volunteer, "roster") == FORBIDDEN_EN
    # A forged admin button on one of their own messages.
    await volunteer.press_data(UnitNew().pack(), volunteer.last().message_id)
    await harness.settle()
    assert volunteer.answered_callbacks[-1]["text"] == FORBIDDEN_EN
    # A leader's command in a group.
    group = harness.emulator.group(-100_7201, "测试群")
    await group.send_command(volunteer, "today")
    await harness.settle()
    assert group.last().text == FORBIDDEN_EN

    # The other way round: an English phone, Traditional Chinese chosen.
    leader = await person(harness, 7202, unit_id, "乙", role=Role.LEADER, language="en")
    await command(harness, leader, "lang")
    await press_and_settle(harness, leader, "繁體中文 (Traditional Chinese)")
    assert await command(harness, leader, "posts") == FORBIDDEN_HANT

    # Nothing changed but the languages chosen.
    for telegram_id, language in ((7201, "en"), (7202, "zh_Hant")):
        member = await harness.member(telegram_id)
        assert member is not None and member.language == language
    assert await harness.count(Dialogue) == 0
