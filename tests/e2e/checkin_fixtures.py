"""One-line fixtures for check-in stories: a unit with volunteers who joined through the bot,
and posts, shifts and assignments written straight into the database (sign-up is another
journey)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from bot.db.models import (
    Assignment,
    AssignmentStatus,
    CheckIn,
    Member,
    MemberRole,
    OutboxMessage,
    Post,
    PostType,
    Role,
    Shift,
    ShiftStatus,
    Unit,
)
from bot.due import DueFunction
from bot.emulator import SimUser
from bot.geo import offset
from tests.conftest import START, ZONE
from tests.e2e.journeys import create_unit, invite_code, join
from tests.harness import Harness

POST_LATITUDE, POST_LONGITUDE = 30.6586, 104.0648


def near(north_m: float = 0.0, east_m: float = 0.0) -> tuple[float, float]:
    """A point this many metres from the post."""
    return offset(POST_LATITUDE, POST_LONGITUDE, north_m, east_m)


def today(hour: int, minute: int = 0) -> dt.datetime:
    """A local time on the tests' first day (START's date)."""
    return dt.datetime.combine(START.date(), dt.time(hour, minute), tzinfo=ZONE)


@dataclass
class Team:
    unit: Unit
    volunteers: list[SimUser]


async def team(
    harness: Harness,
    names: Sequence[str] = ("王芳",),
    unit_name: str = "城管局",
    first_id: int = 5001,
) -> Team:
    """A unit and volunteers registered through the real invite journey."""
    unit = await create_unit(harness, unit_name)
    code = await invite_code(harness, harness.admin, unit_name, "志愿者")
    people = []
    for index, name in enumerate(names):
        person = harness.user(first_id + index, name)
        await join(harness, person, code, name)
        people.append(person)
    return Team(unit, people)


async def coordinator(harness: Harness, unit_name: str, user_id: int, name: str) -> SimUser:
    code = await invite_code(harness, harness.admin, unit_name, "协调员")
    person = harness.user(user_id, name)
    await join(harness, person, code, name)
    return person


async def post(
    harness: Harness, unit: Unit, name: str = "黄河路-人民路口", radius_m: int = 150
) -> Post:
    async with harness.session() as session:
        row = Post(
            unit_id=unit.id,
            name=name,
            type=PostType.TRAFFIC,
            latitude=POST_LATITUDE,
            longitude=POST_LONGITUDE,
            radius_m=radius_m,
            archived=False,
            created_at=harness.clock.now(),
        )
        session.add(row)
        await session.commit()
        return row


async def shift(harness: Harness, post_row: Post, start: dt.datetime, end: dt.datetime) -> Shift:
    async with harness.session() as session:
        row = Shift(
            post_id=post_row.id,
            starts_at=start,
            ends_at=end,
            capacity=4,
            status=ShiftStatus.SCHEDULED,
            created_at=harness.clock.now(),
        )
        session.add(row)
        await session.commit()
        return row


async def assign(harness: Harness, shift_row: Shift, person: SimUser) -> int:
    async with harness.session() as session:
        member = await session.scalar(select(Member).where(Member.telegram_id == person.user_id))
        assert member is not None
        row = Assignment(
            shift_id=shift_row.id,
            member_id=member.id,
            status=AssignmentStatus.SIGNED_UP,
            created_at=harness.clock.now(),
            updated_at=harness.clock.now(),
        )
        session.add(row)
        await session.commit()
        return row.id


async def duty(
    harness: Harness,
    person: SimUser,
    unit: Unit,
    start: dt.datetime,
    end: dt.datetime,
    post_name: str = "黄河路-人民路口",
) -> int:
    """A post (reused by name), a shift on it and this person assigned; the assignment id."""
    async with harness.session() as session:
        existing = await session.scalar(
            select(Post).where(Post.unit_id == unit.id, Post.name == post_name)
        )
    post_row = existing or await post(harness, unit, post_name)
    return await assign(harness, await shift(harness, post_row, start, end), person)


async def checkins(harness: Harness) -> list[CheckIn]:
    async with harness.session() as session:
        return list(await session.scalars(select(CheckIn).order_by(CheckIn.id)))


async def assignment(harness: Harness, assignment_id: int) -> Assignment:
    async with harness.session() as session:
        row = await session.get(Assignment, assignment_id)
        assert row is not None
        return row


async def outbox_rows(harness: Harness, chat_id: int) -> list[OutboxRow]:
    """What was queued for this chat, in order: its text and its stored payload."""
    async with harness.session() as session:
        rows = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.chat_id == chat_id).order_by(OutboxMessage.id)
        )
        return [OutboxRow(str(row.payload.get("text")), dict(row.payload)) for row in rows]


@dataclass(frozen=True)
class OutboxRow:
    text: str
    payload: dict[str, object]


async def outbox_texts(harness: Harness, chat_id: int) -> list[str]:
    async with harness.session() as session:
        rows = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.chat_id == chat_id).order_by(OutboxMessage.id)
        )
        return [str(row.payload.get("text")) for row in rows]


async def run_due(harness: Harness, job: DueFunction) -> int:
    """One scheduler pass of a due job at the clock's now, in its own transaction."""
    async with harness.session() as session:
        queued = await job(session, harness.clock.now(), harness.runtime.settings)
        await session.commit()
        return queued


async def check_in(harness: Harness, person: SimUser, north_m: float = 30.0) -> None:
    """/checkin, a location this far north of the post, and a fresh photo."""
    await person.send_command("checkin")
    await harness.settle()
    await person.send_location(*near(north_m))
    await harness.settle()
    await person.send_photo()
    await harness.settle()


async def early_checkout_asked(harness: Harness, person: SimUser, unit: Unit) -> int:
    """On duty 08:00-10:00, checked in at 08:10, /checkout at 09:25: the early leave's reason is
    asked for. The assignment id."""
    seat = await duty(harness, person, unit, today(8, 0), today(10, 0))
    harness.clock.set(today(8, 10))
    await check_in(harness, person)
    harness.clock.set(today(9, 25))
    await person.send_command("checkout")
    await harness.settle()
    return seat


async def checked_in_while_down(
    harness: Harness, located_at: dt.datetime, back_at: dt.datetime
) -> tuple[SimUser, SimUser, dict[int, int]]:
    """王芳 and 李明 on duty 08:00-10:00; the bot goes down, and 王芳's location (at `located_at`)
    and photo (a minute later) wait in Telegram's queue; the bot is back at `back_at`, its first
    tick run before the queue is fetched. 王芳, 李明, and how many texts each had before."""
    crew = await team(harness, ("王芳", "李明"))
    fang, ming = crew.volunteers
    morning = await shift(harness, await post(harness, crew.unit), today(8, 0), today(10, 0))
    for person in (fang, ming):
        await assign(harness, morning, person)
    await harness.bot.stop()
    harness.clock.set(located_at)
    await fang.send_location(*near(20))
    harness.clock.set(located_at + dt.timedelta(minutes=1))
    await fang.send_photo()
    told = {person.user_id: len(person.texts()) for person in (fang, ming)}
    harness.clock.set(back_at)
    await harness.bot.start()
    await harness.bot.tick()
    await harness.settle()
    await harness.deliver()
    return fang, ming, told


async def redeliver_last(harness: Harness, chat_id: int) -> None:
    """Telegram hands the chat's last update out again; wait until the bot has handled it.

    ``settle()`` alone would return at once, because the update id counts as finished from the
    first delivery; forgetting it first makes settle wait for the second one.
    """
    update_id = harness.emulator.redeliver_last(chat_id)
    harness.bot.completed.discard(update_id)
    await harness.settle()


async def make_coordinator(harness: Harness, person: SimUser) -> None:
    """A volunteer of the unit made its coordinator too (a coordinator serves on posts too)."""
    async with harness.session() as session:
        member = await session.scalar(select(Member).where(Member.telegram_id == person.user_id))
        assert member is not None
        session.add(MemberRole(member_id=member.id, role=Role.COORDINATOR))
        await session.commit()
