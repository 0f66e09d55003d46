"""An English admin reads a unit's name in “…” in every answer about archiving it, as the
Chinese answers put it in 「」; and a button named in an English answer is in “…” too."""

from __future__ import annotations

from bot.buttons import UnitArchive
from bot.db.models import Unit
from tests.e2e.journeys import create_unit, invite_code, join
from tests.e2e.schedule import command, unit
from tests.harness import ADMIN_ID, Harness


async def test_archiving_and_restoring_name_the_unit_in_quotes(harness: Harness) -> None:
    admin = harness.emulator.user(ADMIN_ID, "Admin", username="admin", language_code="en")
    sanitation = await unit(harness, "Sanitation")
    await command(harness, admin, "units")
    listing = admin.last().message_id
    answers = []
    for archive in (True, True, False, False):
        await admin.press_data(UnitArchive(sanitation, archive, 0).pack(), listing)
        await harness.settle()
        answers.append(admin.answered_callbacks[-1]["text"])
    assert answers == [
        "“Sanitation” archived: no longer offered when a unit is picked.",
        "“Sanitation” is already archived.",
        "“Sanitation” restored. The invite links revoked when it was archived stay revoked: "
        "make new ones with /invite.",
        "“Sanitation” is not archived: nothing to restore.",
    ]
    async with harness.session() as session:
        row = await session.get(Unit, sanitation)
        assert row is not None and row.archived is False


async def test_a_member_of_another_unit_is_shown_the_leave_button_in_quotes(
    harness: Harness,
) -> None:
    await create_unit(harness, "城管局")
    await create_unit(harness, "交警队")
    first = await invite_code(harness, harness.admin, "城管局", "志愿者")
    second = await invite_code(harness, harness.admin, "交警队", "志愿者")
    person = harness.user(9201, "Lee", language_code="en")
    await join(harness, person, first, "Lee", "English")
    await person.send_command("start", second)
    await harness.settle()
    assert person.last().text == (
        "You are already a member of “城管局”. One person belongs to one unit, so this invite "
        "to “交警队” does not work for you yet. To move to “交警队”, send /me, tap "
        "“🚪 Leave the unit”, then open this link again."
    )
    member = await harness.member(9201)
    assert member is not None and member.unit is not None and member.unit.name == "城管局"
