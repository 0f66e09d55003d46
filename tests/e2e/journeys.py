"""Conversation steps many tests share: each is what a person does in the chat."""

from __future__ import annotations

import re

from sqlalchemy import select

from bot.db.models import Invite, Unit
from bot.emulator import SimUser
from tests.harness import Harness

LINK = re.compile(r"https://t\.me/dutybot_test_bot\?start=([A-Za-z0-9_-]+)")


async def create_unit(harness: Harness, name: str) -> Unit:
    admin = harness.admin
    await admin.send_command("units")
    await harness.settle()
    await admin.press("➕ 新建单位")
    await harness.settle()
    await admin.send_text(name)
    await harness.settle()
    async with harness.session() as session:
        unit = await session.scalar(select(Unit).where(Unit.name == name))
    assert unit is not None, admin.texts()[-3:]
    return unit


async def invite_code(harness: Harness, inviter: SimUser, unit: str | None, role: str) -> str:
    """Run /invite as `inviter`, picking the unit and role buttons; returns the code."""
    await inviter.send_command("invite")
    await harness.settle()
    if unit is not None and unit in inviter.last().buttons():
        await inviter.press(unit)
        await harness.settle()
    if role in inviter.last().buttons():
        await inviter.press(role)
        await harness.settle()
    match = LINK.search(inviter.last().text or "")
    assert match, inviter.last().text
    return match.group(1)


async def join(
    harness: Harness, person: SimUser, code: str, name: str, language: str = "简体中文"
) -> None:
    await person.send_command("start", code)
    await harness.settle()
    await person.send_contact(phone_number="+8613800000000")
    await harness.settle()
    await person.send_text(name)
    await harness.settle()
    await person.press(language)
    await harness.settle()


async def invite_of(harness: Harness, code: str) -> Invite:
    async with harness.session() as session:
        invite = await session.scalar(select(Invite).where(Invite.code == code))
    assert invite is not None
    return invite
