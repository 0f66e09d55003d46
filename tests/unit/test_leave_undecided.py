"""One rule says leave is asked and not yet decided (`seats.leave_undecided`): a request
approved, rejected, withdrawn or lapsed is decided for every reader and writer built on it: the
seats with leave asked, a seat's request, the coordinators' list, a member leaving the unit,
the scheduler job that lets requests lapse at the start, the rota's acknowledgement lists and
reminders, and a coordinator's decision."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from bot.db.engine import Database
from bot.db.models import (
    Assignment,
    AssignmentStatus,
    LeaveRequest,
    LeaveStatus,
    Member,
    MemberRole,
    OutboxMessage,
    Post,
    PostType,
    Role,
    Rota,
    RotaSource,
    Shift,
    ShiftStatus,
    Unit,
)
from bot.errors import DomainError, ErrorCode
from bot.services.people.access import Actor
from bot.services.rostering import acknowledge, leave, leave_decisions, leave_ends, leave_waiting
from bot.services.schedule import seats
from bot.settings import Settings

NOW = dt.datetime(2026, 12, 1, 0, 0, tzinfo=dt.UTC)
SETTINGS = Settings(_env_file=None, admin_ids=[1], cancel_cutoff_hours=12)  # type: ignore[call-arg]
STATUSES = list(LeaveStatus)


async def _one_of_each(database: Database) -> tuple[int, dict[LeaveStatus, int]]:
    """One member holding a seat on five shifts tomorrow, each with a request in one of the
    statuses. The member's id, and the seats by the status of their request."""
    found: dict[LeaveStatus, int] = {}
    async with database.session() as session:
        unit = Unit(name="城管局", require_swap_approval=False, created_at=NOW)
        session.add(unit)
        await session.flush()
        post = Post(unit_id=unit.id, name="春熙路口", type=PostType.TRAFFIC, latitude=30.6,
                    longitude=104.0, radius_m=150, archived=False, created_at=NOW)  # fmt: skip
        holder = Member(telegram_id=1001, display_name="王芳", language="zh_Hans",
                        unit_id=unit.id, registered_at=NOW, blocked_bot=False,
                        active=True)  # fmt: skip
        holder.role_rows = [MemberRole(role=Role.VOLUNTEER)]
        session.add_all([post, holder])
        await session.flush()
        for n, status in enumerate(STATUSES):
            starts = NOW + dt.timedelta(hours=24 + 3 * n)
            shift = Shift(post_id=post.id, starts_at=starts,
                          ends_at=starts + dt.timedelta(hours=2), capacity=2,
                          status=ShiftStatus.SCHEDULED, created_at=NOW)  # fmt: skip
            session.add(shift)
            await session.flush()
            seat = Assignment(shift_id=shift.id, member_id=holder.id,
                              status=AssignmentStatus.SIGNED_UP, created_at=NOW,
                              updated_at=NOW)  # fmt: skip
            session.add(seat)
            await session.flush()
            decided = None if status is LeaveStatus.ASKED else NOW
            session.add(LeaveRequest(assignment_id=seat.id, member_id=holder.id, status=status,
                                     reason="发烧", asked_at=NOW - dt.timedelta(hours=1),
                                     decided_at=decided))  # fmt: skip
            found[status] = seat.id
    return holder.id, found


async def _statuses(database: Database) -> dict[int, LeaveStatus]:
    async with database.session() as session:
        rows = await session.execute(select(LeaveRequest.assignment_id, LeaveRequest.status))
        return {int(seat): LeaveStatus(status) for seat, status in rows.all()}


async def test_only_a_request_still_asked_is_pending_to_every_reader(database: Database) -> None:
    _, found = await _one_of_each(database)
    asked = found[LeaveStatus.ASKED]
    async with database.session() as session:
        assert await seats.with_pending_leave(session, found.values()) == {asked}
        one_by_one = {seat for seat in found.values() if await seats.pending_leave(session, seat)}
        assert one_by_one == {asked}
        as_condition = await session.scalars(
            select(Assignment.id).where(seats.leave_pending(Assignment.id))
        )
        assert set(as_condition) == {asked}
        listed = (await session.scalars(leave_waiting.undecided(NOW))).unique()
        assert {request.assignment_id for request in listed} == {asked}


async def test_a_member_leaving_withdraws_only_the_request_still_asked(database: Database) -> None:
    member_id, found = await _one_of_each(database)
    async with database.session() as session:
        assert await leave.withdraw_asked(session, member_id, NOW, SETTINGS) == 1
    after = await _statuses(database)
    assert after == {
        seat: LeaveStatus.WITHDRAWN if status is LeaveStatus.ASKED else status
        for status, seat in found.items()
    }


async def test_the_start_lapses_only_the_request_still_asked(database: Database) -> None:
    _, found = await _one_of_each(database)
    later = NOW + dt.timedelta(days=2)  # every shift has started
    async with database.session() as session:
        assert await leave_ends.end_undecided(session, later, SETTINGS) == 1
    after = await _statuses(database)
    assert after == {
        seat: LeaveStatus.LAPSED if status is LeaveStatus.ASKED else status
        for status, seat in found.items()
    }


async def _from_a_rota(database: Database) -> tuple[int, dict[LeaveStatus, int]]:
    """`_one_of_each`, the seats given by a rota of two days ago and not acknowledged."""
    member_id, found = await _one_of_each(database)
    async with database.session() as session:
        unit_id = await session.scalar(select(Unit.id))
        assert unit_id is not None
        rota = Rota(unit_id=unit_id, source=RotaSource.HAND, first_day=dt.date(2026, 12, 2),
                    last_day=dt.date(2026, 12, 2), seats=len(found),
                    created_at=NOW - dt.timedelta(days=2))  # fmt: skip
        session.add(rota)
        await session.flush()
        await session.execute(update(Assignment).values(rota_id=rota.id))
    return member_id, found


async def test_only_a_seat_with_leave_still_asked_is_left_out_of_the_acknowledgements(
    database: Database,
) -> None:
    _, found = await _from_a_rota(database)
    asked = found[LeaveStatus.ASKED]
    async with database.session() as session:
        unit_id = await session.scalar(select(Unit.id))
        assert unit_id is not None
        listed = await acknowledge.unacknowledged(
            session, unit_id, dt.date(2026, 12, 2), SETTINGS.zone
        )
        shifts = {shift.id for shift, members in listed if members}
        expected = {
            await session.scalar(select(Assignment.shift_id).where(Assignment.id == seat))
            for seat in found.values()
            if seat != asked
        }
        assert shifts == expected
        # The reminder to acknowledge lists the same seats (one message, every seat but the
        # one with leave asked).
        assert await acknowledge.reminders(session, NOW, SETTINGS) == 1
        body = await session.scalar(select(OutboxMessage.payload))
    assert body is not None
    text = str(body)
    assert text.count("春熙路口") == len(found) - 1, text


async def test_a_decision_goes_ahead_only_on_a_request_still_asked(database: Database) -> None:
    _, found = await _one_of_each(database)
    async with database.session() as session:
        coordinator = Actor.of(1, None, SETTINGS.admin_ids)
        requests = {
            status: await session.scalar(
                select(LeaveRequest.id).where(LeaveRequest.assignment_id == seat)
            )
            for status, seat in found.items()
        }
        refused = {}
        for status, request_id in requests.items():
            if status is LeaveStatus.ASKED:
                continue
            assert request_id is not None
            with pytest.raises(DomainError) as caught:
                await leave_decisions.decide(session, coordinator, request_id, False, NOW, SETTINGS)
            refused[status] = caught.value.code
        asked = requests[LeaveStatus.ASKED]
        assert asked is not None
        decided = await leave_decisions.decide(session, coordinator, asked, False, NOW, SETTINGS)
    assert decided.leave.status is LeaveStatus.REJECTED
    assert refused == {
        LeaveStatus.APPROVED: ErrorCode.LEAVE_ALREADY_DECIDED,
        LeaveStatus.REJECTED: ErrorCode.LEAVE_ALREADY_DECIDED,
        LeaveStatus.WITHDRAWN: ErrorCode.LEAVE_SEAT_GONE,
        LeaveStatus.LAPSED: ErrorCode.LEAVE_APPROVE_STARTED,
    }
    after = await _statuses(database)
    assert after == {
        seat: LeaveStatus.REJECTED if status is LeaveStatus.ASKED else status
        for status, seat in found.items()
    }
