"""Someone who opened an invite link and is still registering is told to finish the steps (or
/cancel), never to go and ask for an invite link they have just opened; their registration
goes on where it was."""

from __future__ import annotations

from bot.db.models import Dialogue
from tests.e2e.journeys import create_unit, invite_code
from tests.harness import Harness

UNFINISHED = (
    "您正在注册，还没有完成：请先按上面的提示完成注册（最后一步选择语言），或发送 /cancel 放弃。"
)
UNFINISHED_EN = (
    "You are in the middle of registering: please finish the steps above first (you choose "
    "your language in the last step), or send /cancel to stop."
)


async def test_lang_me_and_help_while_registering_say_to_finish_it(harness: Harness) -> None:
    await create_unit(harness, "城管局")
    code = await invite_code(harness, harness.admin, None, "志愿者")
    joiner = harness.user(3001, "王伟")
    await joiner.send_command("start", code)
    await harness.settle()
    assert "欢迎加入「城管局」" in (joiner.last().text or "")

    await joiner.send_command("lang")
    await harness.settle()
    await joiner.send_command("me")
    await harness.settle()
    await joiner.send_command("help")
    await harness.settle()
    # /start from the menu, the code left off, is no stranger's: the same reminder.
    await joiner.send_command("start")
    await harness.settle()
    lang, me, help_, start = joiner.texts()[-4:]
    assert (lang, me, start) == (UNFINISHED, UNFINISHED, UNFINISHED)
    assert help_.startswith("您可以使用这些命令：")
    assert help_.endswith(UNFINISHED) and "索取邀请链接" not in help_
    async with harness.session() as session:
        assert await session.get(Dialogue, 3001) is not None

    # The registration goes on where it was.
    await joiner.send_contact(phone_number="8613800000001")
    await harness.settle()
    await joiner.send_text("王伟")
    await harness.settle()
    await joiner.press("简体中文")
    await harness.settle()
    member = await harness.member(3001)
    assert member is not None and member.display_name == "王伟"


async def test_a_joiner_in_english_is_told_in_english(harness: Harness) -> None:
    await create_unit(harness, "城管局")
    code = await invite_code(harness, harness.admin, None, "志愿者")
    joiner = harness.user(3002, "Wei", language_code="en")
    await joiner.send_command("start", code)
    await harness.settle()
    await joiner.send_command("lang")
    await harness.settle()
    assert joiner.last().text == UNFINISHED_EN
    assert await harness.member(3002) is None


async def test_a_stranger_without_an_invite_is_still_told_how_to_join(harness: Harness) -> None:
    stranger = harness.user(3003, "路人")
    await stranger.send_command("lang")
    await harness.settle()
    assert stranger.last().text == "您还没有注册。请向所在单位的协调员索取邀请链接，点开即可注册。"
