"""Recording an inspector's check (its score, evidence and audit) and reading one back."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import CheckKind, Dialogue, EvidenceKind, Inspection
from bot.errors import DomainError, ErrorCode
from bot.i18n import Translator
from bot.services.oversight import checklist, evidence
from bot.services.oversight.check_scoring import shortfall
from bot.services.oversight.check_visibility import visible_from
from bot.services.oversight.checks import current_post, require_inspector
from bot.services.people.access import Actor
from bot.services.platform import audit, dialogues
from bot.settings import Settings


async def submit(
    session: AsyncSession,
    actor: Actor,
    dialogue: Dialogue,
    t: Translator,
    now: dt.datetime,
    settings: Settings,
) -> Inspection:
    """Record the check; the inspector's dialogue ends."""
    inspector = require_inspector(actor)
    data = dialogue.data
    photos = list(data.get("photos") or [])
    if not photos:
        raise DomainError(ErrorCode.INSPECT_NEED_PHOTO)
    picked = await current_post(session, dialogue)
    # Archived since it was picked: no longer checked, as the pick refuses it.
    if picked.post.archived:
        raise DomainError(ErrorCode.INSPECT_POST_ARCHIVED_DURING, post=picked.post.name)
    if picked.post.unit.archived:
        raise DomainError(ErrorCode.INSPECT_UNIT_ARCHIVED_DURING, unit=picked.post.unit.name)
    found = picked.situation
    seen = int(data["seen"])
    items = await checklist.items(session, now)
    chosen_ids = {int(i) for i in data.get("items") or []}
    # A per-person line follows from the count of people seen: it is never ticked by hand.
    chosen = [item for item in items if item.id in chosen_ids or item.per_person]
    applied = checklist.deductions(t, chosen, shortfall(found.planned, seen))
    covert = bool(data.get("covert"))
    inspected_at = dt.datetime.fromisoformat(data.get("inspected_at") or now.isoformat())
    # A covert check begun before the daily tally and submitted after it missed that tally:
    # the unit sees it now, not at a time already past (nor held for a day it is not in).
    shown_from = max(visible_from(inspected_at, covert, settings), now) if covert else inspected_at
    inspection = Inspection(
        post_id=picked.post.id,
        unit_id=picked.post.unit_id,
        inspector_id=inspector.id if inspector is not None else None,
        kind=CheckKind(data["kind"]),
        covert=covert,
        latitude=float(data["latitude"]),
        longitude=float(data["longitude"]),
        distance_m=picked.distance_m,
        planned=found.planned,
        held=found.held,
        checked_in=len(found.checked_in),
        seen=seen,
        discrepancy=abs(len(found.checked_in) - seen),
        checked_in_names=[name for name, _ in found.checked_in],
        deductions=applied,
        score=checklist.score_of(applied),
        note=data.get("note"),
        inspected_at=inspected_at,
        visible_from=shown_from,
    )
    session.add(inspection)
    await session.flush()
    await session.refresh(inspection)
    evidence.keep(
        session,
        EvidenceKind.CHECK,
        photos,
        added_by_id=inspection.inspector_id,
        now=now,
        inspection_id=inspection.id,
    )
    audit.record(
        session,
        actor_id=inspection.inspector_id,
        action="inspection.record",
        object_type="inspection",
        object_id=inspection.id,
        now=now,
        after={
            "post": picked.post.id,
            "kind": inspection.kind.value,
            "covert": covert,
            "score": inspection.score,
            "seen": seen,
            "checked_in": inspection.checked_in,
        },
    )
    await dialogues.end(session, actor.telegram_id)
    return inspection


async def get(session: AsyncSession, actor: Actor, inspection_id: int) -> Inspection:
    """A check's details are for inspectors and admins only."""
    require_inspector(actor)
    inspection = await session.get(Inspection, inspection_id)
    if inspection is None:
        raise DomainError(ErrorCode.INSPECTION_NOT_FOUND)
    return inspection
