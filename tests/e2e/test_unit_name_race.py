"""Two admins create units of the same name at the same moment: one is made, the other is told
the name is taken (as if it had come second), never an internal error."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.db.models import Dialogue, Unit
from bot.services.people import units
from tests.e2e.race_gate import Gate, until
from tests.harness import ADMIN_ID, Harness

TAKEN = "已经有名为「城管局」的单位了，请换一个名称。"
OTHER_ADMIN = 900_002


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"admin_ids": [ADMIN_ID, OTHER_ADMIN]}


async def test_two_admins_naming_a_unit_alike_at_once_make_one(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = harness.admin
    second = harness.emulator.user(OTHER_ADMIN, "Admin2", username="admin2")
    for admin in (first, second):
        await admin.send_command("units")
        await harness.settle()
        await admin.press("➕ 新建单位")
        await harness.settle()

    checked = Gate(monkeypatch, units, "_name_taken", after=True)
    await first.send_text("城管局")
    await checked.wait_reached()
    await second.send_text("城管局")
    await until(lambda: second.last().text == "已创建单位「城管局」。现在可以为它生成邀请链接。")
    checked.release()
    await harness.settle()

    texts = {first.last().text, second.last().text}
    assert texts == {"已创建单位「城管局」。现在可以为它生成邀请链接。", TAKEN}, texts
    async with harness.session() as session:
        assert await session.scalar(select(func.count()).select_from(Unit)) == 1
        assert await session.scalar(select(func.count()).select_from(Dialogue)) == 1


async def test_a_unit_renamed_to_a_name_made_meanwhile_is_told_it_is_taken(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = harness.admin
    second = harness.emulator.user(OTHER_ADMIN, "Admin2", username="admin2")
    await first.send_command("units")
    await harness.settle()
    await first.press("➕ 新建单位")
    await harness.settle()
    await first.send_text("交警队")
    await harness.settle()
    await first.send_command("units")
    await harness.settle()
    await first.press("✏️ 改名：交警队")
    await harness.settle()
    await second.send_command("units")
    await harness.settle()
    await second.press("➕ 新建单位")
    await harness.settle()

    checked = Gate(monkeypatch, units, "_name_taken", after=True)
    await first.send_text("城管局")
    await checked.wait_reached()
    await second.send_text("城管局")
    await until(lambda: second.last().text == "已创建单位「城管局」。现在可以为它生成邀请链接。")
    checked.release()
    await harness.settle()

    # Whichever came second (the rename on PostgreSQL; on SQLite, whose writers take turns, the
    # creation waited) is refused as taken; one unit bears the name.
    answers = [first.last().text, second.last().text]
    assert answers.count(TAKEN) == 1, answers
    async with harness.session() as session:
        names = list(await session.scalars(select(Unit.name)))
    assert names.count("城管局") == 1 and len(names) == (2 if answers[0] == TAKEN else 1)
