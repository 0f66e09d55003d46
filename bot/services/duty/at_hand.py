"""The shifts at hand for a check-in, read as plain values in one Core statement.

Every location and every photo of a check-in asks which of the person's shifts are open now.
Loaded as ORM objects (an assignment with its shift and post, and the open check-in with
theirs), that read cost about twice the same statement's rows: the ORM builds its loaders anew
on every execution. The check-in needs none of the ORM's tracking here (it writes the
assignment's status and the new check-in by key, bot/db/direct.py), so the rows become frozen
values; the rare way on (an open check-in to close first) loads the ORM object then.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Assignment, AssignmentStatus, CheckIn, Post, Shift, ShiftStatus

# Assignments that may still check in: signed up, or already counted absent but turning up.
MAY_CHECK_IN = (AssignmentStatus.SIGNED_UP, AssignmentStatus.ABSENT)


@dataclass(frozen=True)
class PostAtHand:
    id: int
    name: str
    latitude: float
    longitude: float
    radius_m: int


@dataclass(frozen=True)
class ShiftAtHand:
    id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: ShiftStatus
    post: PostAtHand


@dataclass(frozen=True)
class AssignmentAtHand:
    id: int
    member_id: int
    status: AssignmentStatus
    shift: ShiftAtHand


@dataclass(frozen=True)
class AtHand:
    # The person's assignments whose check-in window may be open now, and any with an open
    # check-in, earliest shift first.
    assignments: list[AssignmentAtHand]
    # Whether one of them has a check-in not checked out of yet.
    has_open_checkin: bool
    # Whether the photo asked about was used in a check-in before.
    photo_used: bool


_ASSIGNMENTS = cast(Table, Assignment.__table__)
_SHIFTS = cast(Table, Shift.__table__)
_POSTS = cast(Table, Post.__table__)
_CHECKINS = cast(Table, CheckIn.__table__)
_REUSED = _CHECKINS.alias("reused")

# Built once: the check-in path runs it for every location and photo, in a burst of a thousand.
_AT_HAND = (
    select(
        _ASSIGNMENTS.c.id,
        _ASSIGNMENTS.c.member_id,
        _ASSIGNMENTS.c.status,
        _SHIFTS.c.id,
        _SHIFTS.c.starts_at,
        _SHIFTS.c.ends_at,
        _SHIFTS.c.status,
        _POSTS.c.id,
        _POSTS.c.name,
        _POSTS.c.latitude,
        _POSTS.c.longitude,
        _POSTS.c.radius_m,
        _CHECKINS.c.id.is_not(None).label("checked_in"),
        exists(
            select(_REUSED.c.id).where(_REUSED.c.photo_file_unique_id == bindparam("photo", None))
        ).label("photo_used"),
    )
    .select_from(
        _ASSIGNMENTS.join(_SHIFTS, _ASSIGNMENTS.c.shift_id == _SHIFTS.c.id)
        .join(_POSTS, _SHIFTS.c.post_id == _POSTS.c.id)
        .outerjoin(
            _CHECKINS,
            and_(
                _CHECKINS.c.assignment_id == _ASSIGNMENTS.c.id,
                _CHECKINS.c.checked_out_at.is_(None),
            ),
        )
    )
    .where(
        _ASSIGNMENTS.c.member_id == bindparam("member_id"),
        or_(
            _CHECKINS.c.id.is_not(None),
            and_(
                # Equalities, not IN: an IN list is rendered anew on every execution.
                or_(*(_ASSIGNMENTS.c.status == status for status in MAY_CHECK_IN)),
                _SHIFTS.c.status == ShiftStatus.SCHEDULED,
                _SHIFTS.c.starts_at <= bindparam("opens_until"),
                _SHIFTS.c.ends_at > bindparam("now"),
            ),
        ),
    )
    .order_by(_SHIFTS.c.starts_at, _ASSIGNMENTS.c.id)
)


def _assignment(row: Sequence[Any]) -> AssignmentAtHand:
    assignment_id, member_id, status, shift_id, starts_at, ends_at, shift_status = row[:7]
    post_id, name, latitude, longitude, radius_m = row[7:12]
    post = PostAtHand(post_id, name, latitude, longitude, radius_m)
    shift = ShiftAtHand(shift_id, starts_at, ends_at, shift_status, post)
    return AssignmentAtHand(assignment_id, member_id, status, shift)


async def read(
    session: AsyncSession,
    member_id: int,
    now: dt.datetime,
    opens_until: dt.datetime,
    photo_unique_id: str | None = None,
) -> AtHand:
    """The person's assignments whose shift's check-in window opens by `opens_until` and has not
    ended at `now`, those with an open check-in, and whether the photo was used before. A Core
    statement: changes pending in the session are not flushed first (the check-in reads this
    before it changes anything)."""
    rows = await session.execute(
        _AT_HAND,
        {
            "member_id": member_id,
            "now": now,
            "opens_until": opens_until,
            "photo": photo_unique_id,
        },
    )
    assignments: list[AssignmentAtHand] = []
    has_open_checkin = photo_used = False
    for row in rows:
        assignments.append(_assignment(row))
        has_open_checkin = has_open_checkin or bool(row[12])
        photo_used = photo_used or bool(row[13])
    return AtHand(assignments, has_open_checkin, photo_used)
