"""Archiving a unit, with what oversight must do about it: the street reports sent to the unit
that nobody has decided on yet go back to the inspectors (an archived unit deals with none).
The people package archives the unit itself (bot/services/people/units.py) and cannot reach
up to the reports, so the admin's archiving goes through here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.oversight import report_decisions
from bot.services.people import units
from bot.services.people.access import Actor
from bot.settings import Settings

ARCHIVED = "unit.archive"  # the audit action of archiving, the reason given for each return


@dataclass(frozen=True)
class UnitArchiving:
    done: units.Archiving
    # Reports sent to the unit and still undecided, back in the inspectors' queue.
    reports_returned: int = 0


async def set_archived(
    session: AsyncSession,
    actor: Actor,
    unit_id: int,
    archived: bool,
    now: dt.datetime,
    settings: Settings,
) -> UnitArchiving:
    """Archive or restore the unit (`units.set_archived`, which holds its row to the commit:
    a dispatch to it holds the row too, so either it waits and its report is found here, or it
    finds the unit archived)."""
    done = await units.set_archived(session, actor, unit_id, archived, now)
    if not (done.changed and archived):
        return UnitArchiving(done)
    actor_id = actor.member.id if actor.member is not None else None
    returned = await report_decisions.return_to_queue(
        session, actor_id, done.unit, now, settings, reason=ARCHIVED
    )
    return UnitArchiving(done, returned)
