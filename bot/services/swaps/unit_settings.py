"""The unit's swap setting (/unitsettings): whether swaps in a unit wait for a coordinator's
approval, and which units an actor sets it for."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Role, Unit
from bot.errors import DomainError, ErrorCode
from bot.services.people import units as units_service
from bot.services.people.access import Actor
from bot.services.platform import audit


async def managed_units(session: AsyncSession, actor: Actor) -> list[Unit]:
    """The units whose swap settings the actor sets: their own unit, or every unit for admins."""
    actor.require(Role.COORDINATOR)
    if actor.is_admin:
        return await units_service.visible_to(session, actor)  # not the archived ones
    if actor.unit_id is None:
        raise DomainError(ErrorCode.NO_UNIT)
    unit = await session.get(Unit, actor.unit_id)
    if unit is None:
        raise DomainError(ErrorCode.UNIT_NOT_FOUND)
    return [unit]


async def set_approval(
    session: AsyncSession, actor: Actor, unit_id: int, required: bool, now: dt.datetime
) -> tuple[Unit, bool]:
    """Set whether swaps in the unit wait for a coordinator's approval; returns the unit and
    whether anything changed. The button names the state it sets, not a toggle, so an old
    copy of it (or two coordinators pressing at once) can never switch the rule back. Swaps
    already accepted keep the rule they were accepted under."""
    unit = await session.get(Unit, unit_id)
    if unit is None:
        raise DomainError(ErrorCode.UNIT_NOT_FOUND)
    actor.require_unit(unit.id, Role.COORDINATOR)
    before = unit.require_swap_approval
    if before == required:
        return unit, False
    unit.require_swap_approval = required
    audit.record(
        session,
        actor_id=actor.member.id if actor.member is not None else None,
        action="unit.swap_approval",
        object_type="unit",
        object_id=unit.id,
        before={"require_swap_approval": before},
        after={"require_swap_approval": required},
        now=now,
    )
    await session.flush()
    return unit, True
