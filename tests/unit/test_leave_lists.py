"""The leave requests still waiting for a decision: which a coordinator (an admin: every unit)
is shown under /roster, and which seats a reminder says have leave asked."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.db.engine import Database
from bot.db.models import (
    Assignment,
    AssignmentStatus,
    LeaveRequest,
    LeaveStatus,
    Member,
    MemberRole,
    Post,
    PostType,
    Role,
    Shift,
    ShiftStatus,
    Unit,
)
from bot.errors import DomainError, ErrorCode
from bot.services.people.access import Actor
from bot.services.rostering import leave_waiting
from bot.services.schedule import seats
from bot.settings import Settings

NOW = dt.datetime(2026, 12, 1, 0, 0, tzinfo=dt.UTC)  # a Tuesday, 08:00 in Shanghai
ASKED, ON, HELD = LeaveStatus.ASKED, ShiftStatus.SCHEDULED, AssignmentStatus.SIGNED_UP
SETTINGS = Settings(_env_file=None, admin_ids=[1], cancel_cutoff_hours=12)  # type: ignore[call-arg]


async def _requests(database: Database) -> dict[str, int]:
    """Two units. 城管局 has leave asked on a shift in 2 days, one in 6 hours (inside the
    cut-off), one decided, one on a started shift, one on a cancelled shift and one whose seat
    was since taken off; 交警队 has one asked. The seats by name."""
    found: dict[str, int] = {}
    async with database.session() as session:
        home = Unit(name="城管局", require_swap_approval=False, created_at=NOW)
        away = Unit(name="交警队", require_swap_approval=False, created_at=NOW)
        session.add_all([home, away])
        await session.flush()
        for unit in (home, away):
            post = Post(unit_id=unit.id, name=f"{unit.name}路口", type=PostType.TRAFFIC,
                        latitude=30.6, longitude=104.0, radius_m=150, archived=False,
                        created_at=NOW)  # fmt: skip
            session.add(post)
            await session.flush()
            coordinator = Member(telegram_id=100 + unit.id, display_name=f"{unit.name}协调",
                                 language="zh_Hans", unit_id=unit.id, registered_at=NOW,
                                 blocked_bot=False, active=True)  # fmt: skip
            coordinator.role_rows = [MemberRole(role=Role.COORDINATOR)]
            session.add(coordinator)
            cases = (
                [("soon", 6, ASKED, ON, HELD), ("later", 48, ASKED, ON, HELD),
                 ("decided", 30, LeaveStatus.REJECTED, ON, HELD), ("started", -1, ASKED, ON, HELD),
                 ("cancelled", 31, ASKED, ShiftStatus.CANCELLED, AssignmentStatus.CANCELLED),
                 ("gone", 32, ASKED, ON, AssignmentStatus.REMOVED)]
                if unit is home
                else [("away", 24, ASKED, ON, HELD)]
            )  # fmt: skip
            for n, (name, hours, asked, shift_status, seat_status) in enumerate(cases):
                starts = NOW + dt.timedelta(hours=hours)
                shift = Shift(post_id=post.id, starts_at=starts,
                              ends_at=starts + dt.timedelta(hours=2), capacity=2,
                              status=shift_status, created_at=NOW)  # fmt: skip
                holder = Member(telegram_id=1000 + 10 * unit.id + n, display_name=name,
                                language="zh_Hans", unit_id=unit.id, registered_at=NOW,
                                blocked_bot=False, active=True)  # fmt: skip
                holder.role_rows = [MemberRole(role=Role.VOLUNTEER)]
                session.add_all([shift, holder])
                await session.flush()
                seat = Assignment(shift_id=shift.id, member_id=holder.id, status=seat_status,
                                  created_at=NOW, updated_at=NOW)  # fmt: skip
                session.add(seat)
                await session.flush()
                session.add(LeaveRequest(assignment_id=seat.id, member_id=holder.id,
                                         status=asked, reason="发烧",
                                         asked_at=NOW - dt.timedelta(hours=1)))  # fmt: skip
                found[name] = seat.id
    return found


async def test_a_coordinator_is_shown_the_requests_of_their_unit_still_to_decide(
    database: Database,
) -> None:
    await _requests(database)
    async with database.session() as session:
        home_coordinator = await session.scalar(
            select(Member).where(Member.display_name == "城管局协调")
        )
        assert home_coordinator is not None
        actor = Actor.of(home_coordinator.telegram_id, home_coordinator, SETTINGS.admin_ids)
        waiting = await leave_waiting.pending(session, actor, NOW, SETTINGS)
        assert [p.leave.member.display_name for p in waiting] == ["soon", "later"]
        assert [p.within_cutoff_hours for p in waiting] == [12, None]
        assert await leave_waiting.pending_count(session, actor, NOW) == 2
        admin = Actor.of(1, None, SETTINGS.admin_ids)
        everyone = await leave_waiting.pending(session, admin, NOW, SETTINGS)
        assert [p.leave.member.display_name for p in everyone] == ["soon", "away", "later"]
        volunteer = await session.scalar(select(Member).where(Member.display_name == "soon"))
        try:
            await leave_waiting.pending_count(
                session,
                Actor.of(volunteer.telegram_id, volunteer, []),
                NOW,  # type: ignore[union-attr]
            )
        except DomainError as error:
            assert error.code is ErrorCode.FORBIDDEN
        else:
            raise AssertionError("a volunteer was shown the unit's leave requests")


async def test_the_seats_with_leave_asked_are_read_at_once(database: Database) -> None:
    found = await _requests(database)
    async with database.session() as session:
        asked = await seats.with_pending_leave(session, found.values())
    assert asked == {
        found[name] for name in ("soon", "later", "started", "cancelled", "gone", "away")
    }
