"""One-line fixtures for assigned duty: a unit with a coordinator and members, a week of shifts,
assigned seats, leave and unavailability written straight to the database, reading them,
asking for leave from a notice as a volunteer does, and a unit of three posts and forty
volunteers for the weekly rotation with the seats it filled."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from bot.buttons import AssignStart, CallbackData
from bot.db.models import (
    Assignment,
    AssignmentStatus,
    AuditEntry,
    LeaveRequest,
    LeaveStatus,
    Member,
    MemberRole,
    Role,
    Rota,
    RotaSource,
    Shift,
    ShiftStatus,
    Unavailability,
)
from bot.emulator import SimUser
from tests.e2e.schedule import DAY, at, post, shift, unit
from tests.e2e.swap_fixtures import member
from tests.harness import Harness

TOMORROW = DAY + dt.timedelta(days=1)  # Wednesday 2 December 2026
NEXT_MONDAY = dt.date(2026, 12, 7)
LABEL = "12月2日 周三 07:00–09:00 · 黄河路-人民路口"
SIGNED = AssignmentStatus.SIGNED_UP
# The rules the stories of assigning by hand are told under (each module of them returns a
# copy): two no-shows block a person, the weekly cap is three seats, and one who has not
# acknowledged six hours after being told is reminded.
ASSIGN_SETTINGS: dict[str, object] = {
    "no_show_block_after": 2,
    "assign_ack_remind_hours": 6,
    "weekly_shift_cap": 3,
}


@dataclass
class Unit:
    unit_id: int
    post_id: int
    shift_id: int  # tomorrow 07:00–09:00, two seats
    coordinator: SimUser  # 陈协调
    people: list[SimUser]  # 李明, 王芳, 张伟


async def town(harness: Harness, capacity: int = 2) -> Unit:
    unit_id = await unit(harness)
    post_id = await post(harness, unit_id)
    shift_id = await shift(harness, post_id, capacity=capacity)
    coordinator = await member(harness, 7900, unit_id, "陈协调", role=Role.COORDINATOR)
    people = [
        await member(harness, 7001, unit_id, "李明"),
        await member(harness, 7002, unit_id, "王芳"),
        await member(harness, 7003, unit_id, "张伟"),
    ]
    return Unit(unit_id, post_id, shift_id, coordinator, people)


async def member_id_of(harness: Harness, telegram_id: int) -> int:
    found = await harness.member(telegram_id)
    assert found is not None
    return found.id


async def assigned_seat(
    harness: Harness, shift_id: int, telegram_id: int, *, by: SimUser | None = None
) -> int:
    """A seat given by a rota of one seat, not yet acknowledged; its assignment id."""
    async with harness.session() as session:
        holder = await session.scalar(select(Member).where(Member.telegram_id == telegram_id))
        assert holder is not None
        creator = None
        if by is not None:
            creator = await session.scalar(select(Member).where(Member.telegram_id == by.user_id))
        seat_shift = await session.get(Shift, shift_id)
        assert seat_shift is not None
        day = seat_shift.starts_at.astimezone(harness.runtime.settings.zone).date()
        rota = Rota(
            unit_id=holder.unit_id,
            source=RotaSource.HAND,
            first_day=day,
            last_day=day,
            created_by_id=creator.id if creator is not None else None,
            seats=1,
            created_at=harness.clock.now(),
        )
        session.add(rota)
        await session.flush()
        row = Assignment(
            shift_id=shift_id,
            member_id=holder.id,
            status=AssignmentStatus.SIGNED_UP,
            rota_id=rota.id,
            created_at=harness.clock.now(),
            updated_at=harness.clock.now(),
        )
        session.add(row)
        await session.flush()
        return row.id


async def approved_leave(harness: Harness, assignment_id: int) -> None:
    async with harness.session() as session:
        seat = await session.get(Assignment, assignment_id)
        assert seat is not None
        seat.status = AssignmentStatus.CANCELLED
        session.add(
            LeaveRequest(
                assignment_id=seat.id,
                member_id=seat.member_id,
                status=LeaveStatus.APPROVED,
                reason="出差",
                asked_at=harness.clock.now(),
                decided_at=harness.clock.now(),
            )
        )


async def leave_left_asked(harness: Harness, assignment_id: int) -> None:
    """Leave asked from the seat, which then went without withdrawing it (given up, swapped):
    the request waits for the scheduler job that ends it (rostering.leave_ends)."""
    async with harness.session() as session:
        seat = await session.get(Assignment, assignment_id)
        assert seat is not None
        seat.status = AssignmentStatus.CANCELLED
        session.add(
            LeaveRequest(
                assignment_id=seat.id,
                member_id=seat.member_id,
                status=LeaveStatus.ASKED,
                reason="出差",
                asked_at=harness.clock.now(),
            )
        )


async def unavailable(
    harness: Harness,
    telegram_id: int,
    first: dt.date,
    last: dt.date,
    *,
    weekdays: int = 0b1111111,
    start: dt.time | None = None,
    end: dt.time | None = None,
) -> None:
    async with harness.session() as session:
        session.add(
            Unavailability(
                member_id=await member_id_of(harness, telegram_id),
                first_day=first,
                last_day=last,
                weekdays=weekdays,
                start_time=start,
                end_time=end,
                created_at=harness.clock.now(),
            )
        )


async def seats(harness: Harness, shift_id: int) -> dict[int, Assignment]:
    """Telegram id -> row of everyone with a row on the shift."""
    async with harness.session() as session:
        rows = (
            await session.scalars(select(Assignment).where(Assignment.shift_id == shift_id))
        ).unique()
        return {row.member.telegram_id: row for row in rows}


async def leaves(harness: Harness) -> list[LeaveRequest]:
    async with harness.session() as session:
        return list(
            (await session.scalars(select(LeaveRequest).order_by(LeaveRequest.id))).unique()
        )


async def audit_actions(harness: Harness, object_type: str) -> list[str]:
    async with harness.session() as session:
        return list(
            (
                await session.scalars(
                    select(AuditEntry.action)
                    .where(AuditEntry.object_type == object_type)
                    .order_by(AuditEntry.id)
                )
            ).all()
        )


async def press(harness: Harness, user: SimUser, data: CallbackData) -> None:
    """Press a button with the given data on the person's latest message."""
    await user.press_data(data.pack(), user.last().message_id)
    await harness.settle()


async def open_assign(harness: Harness, coordinator: SimUser, shift_id: int) -> str:
    """➕ 安排人员 on the shift (from any message of the coordinator's chat)."""
    if not coordinator.messages():
        await coordinator.send_command("roster")
        await harness.settle()
    await press(harness, coordinator, AssignStart(shift_id))
    return coordinator.last().text or ""


async def wang_unavailable_on_wednesday_mornings(harness: Harness, town_: Unit) -> SimUser:
    """王芳 declares Wednesdays 06:00–10:00 off for a month, which covers the town's shift."""
    wang = town_.people[1]
    await unavailable(
        harness, wang.user_id, DAY, DAY + dt.timedelta(days=30), weekdays=0b0000100,
        start=dt.time(6, 0), end=dt.time(10, 0),
    )  # fmt: skip
    return wang


def alert(user: SimUser) -> str:
    return str(user.answered_callbacks[-1].get("text"))


async def assign_by_hand(harness: Harness, coordinator: SimUser, shift_id: int, name: str) -> None:
    """The coordinator opens ➕ 安排人员 on the shift and types the name; the notice goes out."""
    await open_assign(harness, coordinator, shift_id)
    await coordinator.send_text(name)
    await harness.settle()
    assert "✅ 已安排" in (coordinator.last().text or ""), coordinator.last().text
    await coordinator.send_command("cancel")
    await harness.settle()
    await harness.deliver()


async def week_of_shifts(
    harness: Harness,
    post_ids: list[int],
    monday: dt.date = NEXT_MONDAY,
    hours: tuple[tuple[int, int], ...] = ((7, 9), (17, 19)),
    capacity: int = 2,
    required_tag: str | None = None,
) -> list[int]:
    """A shift at each of `hours` on each post every day of the week from `monday`."""
    async with harness.session() as session:
        rows = [
            Shift(
                post_id=post_id,
                starts_at=at(monday + dt.timedelta(days=day), start),
                ends_at=at(monday + dt.timedelta(days=day), end),
                capacity=capacity,
                required_tag=required_tag,
                status=ShiftStatus.SCHEDULED,
                created_at=harness.clock.now(),
            )
            for day in range(7)
            for post_id in post_ids
            for start, end in hours
        ]
        session.add_all(rows)
        await session.flush()
        return [row.id for row in rows]


async def volunteers(harness: Harness, unit_id: int, count: int, first_id: int = 8000) -> list[int]:
    """`count` volunteers of the unit named 队员01, 队员02, ...; their Telegram ids."""
    async with harness.session() as session:
        for n in range(count):
            person = Member(
                telegram_id=first_id + n,
                display_name=f"队员{n + 1:02d}",
                phone=f"+86139000{n:05d}",
                language="zh_Hans",
                unit_id=unit_id,
                registered_at=harness.clock.now(),
                blocked_bot=False,
                active=True,
            )
            person.role_rows = [MemberRole(role=Role.VOLUNTEER)]
            session.add(person)
    for n in range(count):
        harness.user(first_id + n, f"队员{n + 1:02d}").started = True
    return [first_id + n for n in range(count)]


async def rota_days(harness: Harness) -> list[tuple[dt.date, dt.date]]:
    async with harness.session() as session:
        rows = await session.execute(select(Rota.first_day, Rota.last_day).order_by(Rota.id))
        return [(first, last) for first, last in rows]


async def ask_leave(harness: Harness, who: SimUser, reason: str) -> None:
    """🙋 请假 on the latest notice that has it, then the reason."""
    await harness.deliver()
    await who.press("🙋 请假")
    await harness.settle()
    await who.send_text(reason)
    await harness.settle()


async def rota_city(harness: Harness, people: int = 40) -> tuple[int, list[int], Any]:
    unit_id = await unit(harness)
    posts = [
        await post(harness, unit_id, name)
        for name in ("黄河路-人民路口", "人民路-解放路口", "解放路-长江路口")
    ]
    await week_of_shifts(harness, posts)
    await volunteers(harness, unit_id, people)
    coordinator = await member(harness, 7900, unit_id, "陈协调", role=Role.COORDINATOR)
    return unit_id, posts, coordinator


async def rotated_seats(harness: Harness) -> list[Assignment]:
    async with harness.session() as session:
        found = await session.scalars(
            select(Assignment)
            .join(Rota, Assignment.rota_id == Rota.id)
            .where(Rota.source == RotaSource.ROTATION)
            .order_by(Assignment.id)
        )
        return list(found.unique())
