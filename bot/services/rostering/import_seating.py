"""Applying the people of an imported schedule (bot/services/rostering/importing.py plans them):
the seats the file takes people off and gives them, then the free seats of the file's shifts to
their waitlists. In the import's transaction, after its shifts are written."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.batches import in_chunks
from bot.db.models import Assignment, AssignmentStatus, Member, RotaSource, Shift
from bot.errors import DomainError, ErrorCode
from bot.services.people.access import Actor
from bot.services.platform import audit
from bot.services.platform.notify import notify
from bot.services.rostering import notices, rotas
from bot.services.schedule import (
    eligibility,
    leave_cards,
    seat_scan,
    seats,
    shift_changes,
    waitlist,
)
from bot.services.schedule.importer.planning import Planner, ShiftPlan
from bot.settings import Settings


@dataclass
class Change:
    """What the file changes in one shift's assigned people."""

    plan: ShiftPlan
    add: list[Member] = field(default_factory=list)
    remove: list[Assignment] = field(default_factory=list)


async def promote_waitlists(
    session: AsyncSession, planner: Planner, now: dt.datetime, settings: Settings
) -> None:
    """Free seats of the file's shifts go to their waitlists, shift by shift in id order (the
    order locks are taken in); only shifts with someone waiting are looked at, found in one
    query by their posts (chunked), not shift by shift."""
    planned: set[tuple[int, dt.datetime]] = set()
    for shift_plan in planner.shifts.values():
        post = planner.posts[shift_plan.post_key].existing
        if post is not None:
            planned.add((post.id, shift_plan.starts_at))
    if not planned:
        return
    first = min(starts_at for _, starts_at in planned)
    last = max(starts_at for _, starts_at in planned)
    waiting: set[int] = set()
    for part in in_chunks(sorted({post_id for post_id, _ in planned})):
        found = await session.execute(
            select(Shift.id, Shift.post_id, Shift.starts_at)
            .join(Assignment, Assignment.shift_id == Shift.id)
            .where(
                Shift.post_id.in_(part),
                Shift.starts_at >= first,
                Shift.starts_at <= last,
                Assignment.status == AssignmentStatus.WAITLISTED,
            )
            .distinct()
        )
        waiting.update(id_ for id_, post_id, starts_at in found if (post_id, starts_at) in planned)
    for shift_id in sorted(waiting):
        shift = await seats.lock(session, shift_id)
        promoted = await waitlist.promote_waitlist(session, shift, now, settings)
        # Told of the seat once: not also of the edit that added it.
        await shift_changes.withdraw_for_promoted(session, shift_id, promoted, now)


async def apply_people(
    session: AsyncSession,
    actor: Actor,
    planner: Planner,
    changes: Sequence[Change],
    now: dt.datetime,
    settings: Settings,
) -> None:
    given: list[Assignment] = []
    by_unit: dict[int, list[tuple[Shift, Member]]] = defaultdict(list)
    for change in changes:
        existing = await planner.existing_shift(change.plan)
        assert existing is not None  # applied just before
        shift = await seats.lock(session, existing.id)
        for assignment in change.remove:
            await session.refresh(assignment)
            if assignment.status is not AssignmentStatus.SIGNED_UP:
                continue
            assignment.status = AssignmentStatus.REMOVED
            assignment.updated_at = now
            await seat_scan.withdraw_notices(session, [assignment.id], now, settings)
            # Leave asked from the seat ends with it, as when a coordinator takes someone off.
            await leave_cards.withdraw_taken_off(session, assignment.id, now, settings)
            audit.record(
                session,
                actor_id=rotas.actor_id(actor),
                action="assignment.unassign",
                object_type="assignment",
                object_id=assignment.id,
                before={"status": AssignmentStatus.SIGNED_UP.value},
                after={"status": AssignmentStatus.REMOVED.value, "by": "import"},
                now=now,
            )
            await notify(
                session,
                assignment.member,
                notices.unassigned(assignment),
                key=f"unassigned:{assignment.id}:{now.isoformat()}",
                now=now,
                settings=settings,
                urgent=True,
            )
        for member in change.add:
            by_unit[shift.post.unit_id].append((shift, member))
    # After the shifts' locks, as everywhere a seat is given: a sign-up or an assignment of the
    # same people at the same hour waits, and then meets their seats here.
    await seats.lock_members(
        session, [member.id for pairs in by_unit.values() for _, member in pairs]
    )
    for unit_id, pairs in by_unit.items():
        days = [shift.starts_at.astimezone(settings.zone).date() for shift, _ in pairs]
        rota = await rotas.begin(
            session, actor, unit_id, RotaSource.IMPORT, now, first=min(days), last=max(days)
        )
        for shift, member in pairs:
            try:
                await eligibility.check_eligibility(
                    session, member, shift, now, settings, from_waitlist=True, assigned=True
                )
            except DomainError:
                raise DomainError(ErrorCode.IMPORT_PEOPLE_STALE) from None
            given.append(await rotas.give_seat(session, rota, member, shift, now))
        await session.flush()
        await rotas.tell(session, rota, given, rotas.actor_name(actor), now, settings)
        given = []
