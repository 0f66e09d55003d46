"""A rota is one act of assigning (by hand, by rotation, by spreadsheet): it gives seats, marks
them as assigned, and tells each person once, listing their seats with ✅ 收到 and 🙋 请假."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Assignment, AssignmentStatus, Member, Rota, RotaSource, Shift
from bot.services.duty.reminders import is_urgent
from bot.services.people.access import Actor
from bot.services.platform import audit, outbox
from bot.services.platform.notify import translator_for
from bot.services.platform.outbox import Queued
from bot.services.rostering import notices
from bot.services.schedule import seat_scan, seats
from bot.settings import Settings


def actor_id(actor: Actor) -> int | None:
    return actor.member.id if actor.member is not None else None


def actor_name(actor: Actor) -> str | None:
    """The member's name; None for an admin who never joined as a member (told as 管理员)."""
    return actor.member.display_name if actor.member is not None else None


def unreached(seats: Sequence[Assignment]) -> tuple[str, ...]:
    """Who of those given `seats` cannot be told (they blocked the bot; `tell` skips them)."""
    return tuple(sorted({seat.member.display_name for seat in seats if seat.member.blocked_bot}))


async def begin(
    session: AsyncSession,
    actor: Actor,
    unit_id: int,
    source: RotaSource,
    now: dt.datetime,
    *,
    first: dt.date,
    last: dt.date,
) -> Rota:
    """A rota whose seats' shifts fall on the local days `first` to `last`."""
    rota = Rota(
        unit_id=unit_id,
        source=source,
        created_by_id=actor_id(actor),
        first_day=first,
        last_day=last,
        seats=0,
        created_at=now,
    )
    session.add(rota)
    await session.flush()
    return rota


async def give_seat(
    session: AsyncSession, rota: Rota, member: Member, shift: Shift, now: dt.datetime
) -> Assignment:
    """Seat the member on the shift as assigned by `rota` (a row they had on it is reused, a
    place on its waitlist becomes the seat). The caller holds the shift's lock and has checked
    the rules and the capacity."""
    assignment = await seats.seat(session, member, shift, AssignmentStatus.SIGNED_UP, now)
    assignment.rota_id = rota.id
    assignment.acknowledged_at = None
    rota.seats += 1
    audit.record(
        session,
        actor_id=rota.created_by_id,
        action="assignment.assign",
        object_type="assignment",
        object_id=assignment.id,
        after={"rota": rota.id, "member": member.id, "shift": shift.id},
        now=now,
    )
    return assignment


async def tell(
    session: AsyncSession,
    rota: Rota,
    seats: Iterable[Assignment],
    by: str | None,
    now: dt.datetime,
    settings: Settings,
) -> int:
    """One notice per person with all their seats of this rota, queued in bulk; returns how
    many were told. A notice about a seat starting soon is urgent (quiet hours do not hold it)."""
    by_member: dict[int, list[Assignment]] = defaultdict(list)
    for seat in seats:
        by_member[seat.member_id].append(seat)
    queued: dict[bool, list[Queued]] = {True: [], False: []}
    for mine in by_member.values():
        mine.sort(key=lambda seat: (seat.shift.starts_at, seat.shift_id))
        member = mine[0].member
        if member.blocked_bot:
            continue
        render = notices.assigned(rota.id, mine, by)
        urgent = any(is_urgent(seat.shift, now, settings) for seat in mine)
        queued[urgent].append(
            Queued(
                seat_scan.rota_notice_key(rota.id, member.id),
                member.telegram_id,
                render(translator_for(member, settings)),
            )
        )
    told = 0
    for urgent, messages in queued.items():
        told += await outbox.enqueue_many(
            session, messages, now=now, urgent=urgent, batch=f"rota:{rota.id}"
        )
    return told
