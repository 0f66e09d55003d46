"""Shifts offered to volunteers with a Sign up button, and the one rule about offering again:
a shift offered to someone by one path (a coordinator's broadcast, the understaffed alert) is not
offered to them by the other path within OFFER_REPEAT_HOURS (issue 15: right after an import,
the alert and a broadcast would otherwise ask the same people about the same shift seconds
apart). The same path may repeat itself: the alert runs once per shift anyway, and a coordinator
who broadcasts again means to."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.batches import in_chunks
from bot.db.models import ShiftOffer
from bot.settings import Settings


class OfferPath(enum.StrEnum):
    BROADCAST = "broadcast"
    UNDERSTAFFED = "understaffed"


Pair = tuple[int, int]  # (member id, shift id)
ROWS_PER_STATEMENT = 500


async def offered_elsewhere(
    session: AsyncSession,
    member_ids: Iterable[int],
    shift_ids: Iterable[int],
    path: OfferPath,
    now: dt.datetime,
    settings: Settings,
) -> set[Pair]:
    """The (member, shift) pairs among these that another path than `path` offered within
    OFFER_REPEAT_HOURS before `now`: `path` leaves them out."""
    if settings.offer_repeat_hours <= 0:
        return set()
    since = now - dt.timedelta(hours=settings.offer_repeat_hours)
    members, shifts = sorted(set(member_ids)), sorted(set(shift_ids))
    found: set[Pair] = set()
    for member_part in in_chunks(members):
        for shift_part in in_chunks(shifts):
            rows = await session.execute(
                select(ShiftOffer.member_id, ShiftOffer.shift_id).where(
                    ShiftOffer.member_id.in_(member_part),
                    ShiftOffer.shift_id.in_(shift_part),
                    ShiftOffer.source != path.value,
                    ShiftOffer.offered_at > since,
                )
            )
            found.update((int(m), int(s)) for m, s in rows.all())
    return found


async def record(
    session: AsyncSession, pairs: Iterable[Pair], path: OfferPath, now: dt.datetime
) -> None:
    """Note that `path` offered each shift to each member at `now` (the latest offer counts)."""
    rows = [
        {"member_id": m, "shift_id": s, "source": path.value, "offered_at": now}
        for m, s in dict.fromkeys(pairs)
    ]
    if not rows:
        return
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(ShiftOffer)
    statement = statement.on_conflict_do_update(
        index_elements=["member_id", "shift_id"],
        set_={"source": statement.excluded.source, "offered_at": statement.excluded.offered_at},
    )
    # One statement compiled once, the rows sent as parameters.
    connection = await session.connection()
    for start in range(0, len(rows), ROWS_PER_STATEMENT):
        await connection.execute(statement, rows[start : start + ROWS_PER_STATEMENT])
