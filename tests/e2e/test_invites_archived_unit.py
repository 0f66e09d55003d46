"""/invites of an archived unit: archiving revoked its links and /invite refuses it, so the list
says the unit is archived instead of sending the coordinator to /invite for a new link."""

from __future__ import annotations

from bot.buttons import InvitesUnit, UnitArchive
from bot.db.models import Role
from tests.e2e.journeys import invite_code, invite_of
from tests.e2e.schedule import command, person, unit
from tests.harness import Harness

ARCHIVED = "「环卫所」已归档，不能再邀请新成员（管理员可在 /units 里恢复）。"


async def _archive(harness: Harness, unit_id: int) -> None:
    await command(harness, harness.admin, "units")
    await harness.admin.press_data(
        UnitArchive(unit_id, True, 0).pack(), harness.admin.last().message_id
    )
    await harness.settle()


async def test_a_coordinator_of_an_archived_unit_is_told_it_is_archived(harness: Harness) -> None:
    sanitation = await unit(harness, "环卫所")
    coordinator = await person(harness, 9101, sanitation, "孙", role=Role.COORDINATOR)
    code = await invite_code(harness, coordinator, None, "志愿者")
    await _archive(harness, sanitation)

    assert await command(harness, coordinator, "invites") == ARCHIVED
    # /invite says the same: the two answers agree.
    assert await command(harness, coordinator, "invite") == ARCHIVED
    assert (await invite_of(harness, code)).revoked is True


async def test_an_admins_old_unit_button_of_an_archived_unit_says_so(harness: Harness) -> None:
    admin = harness.admin
    sanitation = await unit(harness, "环卫所")
    await unit(harness, "交警队")
    code = await invite_code(harness, admin, "环卫所", "志愿者")
    await command(harness, admin, "invites")
    picker = admin.last().message_id
    await _archive(harness, sanitation)

    await admin.press_data(InvitesUnit(sanitation).pack(), picker)
    await harness.settle()
    assert admin.answered_callbacks[-1]["text"] == ARCHIVED
    assert (await invite_of(harness, code)).revoked is True
    assert (await invite_of(harness, code)).uses == 0
