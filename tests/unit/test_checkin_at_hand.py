"""The shifts at hand for a check-in, read without the ORM (bot/services/duty/at_hand.py): which
assignments come back, what they carry, and the open check-in and reused-photo flags."""

from __future__ import annotations

import datetime as dt

from bot.db.engine import Database
from bot.db.models import (
    Assignment,
    AssignmentStatus,
    CheckIn,
    Member,
    Post,
    PostType,
    Shift,
    ShiftStatus,
    Unit,
)
from bot.services.duty import at_hand
from bot.services.duty.at_hand import AssignmentAtHand, PostAtHand, ShiftAtHand

NOW = dt.datetime(2026, 12, 1, 7, 0, tzinfo=dt.UTC)
OPENS_UNTIL = NOW + dt.timedelta(minutes=30)


def _hours(hours: float) -> dt.datetime:
    return NOW + dt.timedelta(hours=hours)


async def _seed(database: Database) -> dict[str, int]:
    """One volunteer with shifts before, around and after now, and another volunteer."""
    ids: dict[str, int] = {}
    async with database.session() as session:
        unit = Unit(name="城管局", created_at=NOW)
        session.add(unit)
        await session.flush()
        post = Post(
            unit_id=unit.id,
            name="黄河路-人民路口",
            type=PostType.TRAFFIC,
            latitude=30.6586,
            longitude=104.0648,
            radius_m=150,
            created_at=NOW,
        )
        session.add(post)
        members = [
            Member(telegram_id=telegram_id, display_name=name, unit_id=unit.id, registered_at=NOW)
            for telegram_id, name in ((1, "张三"), (2, "李四"))
        ]
        session.add_all(members)
        await session.flush()
        ids["post"], ids["zhang"], ids["li"] = post.id, members[0].id, members[1].id
        shifts = {
            # name: (start, end in hours from now, status of the shift, of the assignment, who);
            # a post has one shift per start.
            "now": (0.0, 2.0, ShiftStatus.SCHEDULED, AssignmentStatus.SIGNED_UP, "zhang"),
            "soon": (0.25, 2.0, ShiftStatus.SCHEDULED, AssignmentStatus.ABSENT, "zhang"),
            "later": (1.0, 3.0, ShiftStatus.SCHEDULED, AssignmentStatus.SIGNED_UP, "zhang"),
            "over": (-3.0, -1.0, ShiftStatus.SCHEDULED, AssignmentStatus.CHECKED_IN, "zhang"),
            "called_off": (0.05, 2.0, ShiftStatus.CANCELLED, AssignmentStatus.SIGNED_UP, "zhang"),
            "left": (0.1, 2.0, ShiftStatus.SCHEDULED, AssignmentStatus.CANCELLED, "zhang"),
            "theirs": (0.15, 2.0, ShiftStatus.SCHEDULED, AssignmentStatus.SIGNED_UP, "li"),
        }
        for name, (start, end, shift_status, status, who) in shifts.items():
            shift = Shift(
                post_id=post.id,
                starts_at=_hours(start),
                ends_at=_hours(end),
                capacity=4,
                status=shift_status,
                created_at=NOW,
            )
            session.add(shift)
            await session.flush()
            assignment = Assignment(
                shift_id=shift.id,
                member_id=ids[who],
                status=status,
                created_at=NOW,
                updated_at=NOW,
            )
            session.add(assignment)
            await session.flush()
            ids[name], ids[f"{name}_shift"] = assignment.id, shift.id
    return ids


async def _check_in(
    database: Database, assignment_id: int, photo: str, *, out: bool = False
) -> None:
    async with database.session() as session:
        session.add(
            CheckIn(
                assignment_id=assignment_id,
                checked_in_at=_hours(-3),
                latitude=30.6586,
                longitude=104.0648,
                distance_m=3.0,
                photo_file_unique_id=photo,
                checked_out_at=_hours(-1) if out else None,
            )
        )


async def test_the_assignments_whose_window_may_be_open_come_back_as_plain_values(
    database: Database,
) -> None:
    ids = await _seed(database)
    async with database.read_session() as session:
        found = await at_hand.read(session, ids["zhang"], NOW, OPENS_UNTIL)
    # Earliest first; not the shift that starts later, has ended, was called off or was left,
    # and not another person's.
    assert [a.id for a in found.assignments] == [ids["now"], ids["soon"]]
    post = PostAtHand(ids["post"], "黄河路-人民路口", 30.6586, 104.0648, 150)
    assert found.assignments[0] == AssignmentAtHand(
        id=ids["now"],
        member_id=ids["zhang"],
        status=AssignmentStatus.SIGNED_UP,
        shift=ShiftAtHand(ids["now_shift"], NOW, _hours(2), ShiftStatus.SCHEDULED, post),
    )
    assert found.assignments[1].status is AssignmentStatus.ABSENT
    assert not found.has_open_checkin and not found.photo_used


async def test_an_open_check_in_brings_its_assignment_and_says_so(database: Database) -> None:
    ids = await _seed(database)
    await _check_in(database, ids["over"], "photo-1")
    async with database.read_session() as session:
        found = await at_hand.read(session, ids["zhang"], NOW, OPENS_UNTIL)
    assert [a.id for a in found.assignments] == [ids["over"], ids["now"], ids["soon"]]
    assert found.has_open_checkin


async def test_a_closed_check_in_is_not_open_and_its_photo_counts_as_used(
    database: Database,
) -> None:
    ids = await _seed(database)
    await _check_in(database, ids["over"], "photo-1", out=True)
    async with database.read_session() as session:
        used = await at_hand.read(session, ids["zhang"], NOW, OPENS_UNTIL, "photo-1")
        fresh = await at_hand.read(session, ids["zhang"], NOW, OPENS_UNTIL, "photo-2")
    assert [a.id for a in used.assignments] == [ids["now"], ids["soon"]]
    assert not used.has_open_checkin
    assert used.photo_used and not fresh.photo_used


async def test_nobody_at_hand_reads_empty(database: Database) -> None:
    ids = await _seed(database)
    async with database.read_session() as session:
        found = await at_hand.read(session, ids["zhang"], _hours(10), _hours(10.5), "photo-1")
    assert found == at_hand.AtHand([], has_open_checkin=False, photo_used=False)
