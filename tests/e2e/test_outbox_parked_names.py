"""/outbox names whom a parked message was for: a member by their name, a bound group by its
title, each with the chat id; a chat the bot knows nothing of stays a bare id."""

from __future__ import annotations

from bot.emulator import Fault
from bot.services.platform import outbox
from tests.e2e.journeys import create_unit, invite_code, join
from tests.harness import Harness

GROUP = -100_444
NOBODY = 4242


async def test_parked_messages_name_the_member_or_the_group(harness: Harness) -> None:
    await create_unit(harness, "城管局")
    person = harness.user(4803, "Ren")
    await join(harness, person, await invite_code(harness, harness.admin, None, "志愿者"), "壬")
    group = harness.emulator.group(GROUP, "城管局执勤群")
    await group.send_command(harness.admin, "setgroup")
    await harness.settle()
    await group.press(harness.admin, "🏛 全部单位（指挥部）")
    await harness.settle()

    for chat_id in (person.user_id, GROUP, NOBODY):
        harness.emulator.inject_fault(Fault("400", method="sendMessage", chat_id=chat_id))
    async with harness.session() as session:
        for key, chat_id in (("to-ren", person.user_id), ("to-group", GROUP), ("to-0", NOBODY)):
            await outbox.enqueue(
                session,
                key=key,
                chat_id=chat_id,
                body=outbox.payload(f"消息 {key}"),
                now=harness.clock.now(),
            )
    await harness.deliver()

    await harness.admin.send_command("outbox")
    await harness.settle()
    text = harness.admin.last().text or ""
    assert "搁置（Telegram 拒收，不再重试）：3" in text, text
    assert "→ 壬（4803）：Injected fault" in text, text
    assert "→ 群「城管局执勤群」（-100444）：Injected fault" in text, text
    assert "→ 4242：Injected fault" in text, text


async def test_an_english_admin_reads_the_names_in_english(harness: Harness) -> None:
    await create_unit(harness, "城管局")
    person = harness.user(4804, "Ren")
    await join(harness, person, await invite_code(harness, harness.admin, None, "志愿者"), "Ren")
    harness.emulator.inject_fault(Fault("400", method="sendMessage", chat_id=person.user_id))
    async with harness.session() as session:
        await outbox.enqueue(
            session,
            key="to-ren",
            chat_id=person.user_id,
            body=outbox.payload("hello"),
            now=harness.clock.now(),
        )
    await harness.deliver()
    await harness.admin.send_command("lang")
    await harness.settle()
    await harness.admin.press("English（英文）")
    await harness.settle()
    await harness.admin.send_command("outbox")
    await harness.settle()
    assert "→ Ren (4804): Injected fault" in (harness.admin.last().text or "")
