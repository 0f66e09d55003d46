"""One-line fixtures for posts, shifts and people, written straight to the database."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.db.models import (
    Assignment,
    AssignmentStatus,
    Member,
    MemberRole,
    MemberTag,
    OutboxMessage,
    Post,
    PostType,
    Role,
    Shift,
    ShiftStatus,
    Unit,
)
from bot.emulator import SimUser
from tests.harness import Harness

ZONE = ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 12, 1)  # the harness clock starts at 08:00 on this day (a Tuesday)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ZONE).astimezone(dt.UTC)


async def unit(harness: Harness, name: str = "城管局") -> int:
    async with harness.session() as session:
        row = Unit(name=name, created_at=harness.clock.now(), require_swap_approval=False)
        session.add(row)
        await session.flush()
        return row.id


async def person(
    harness: Harness,
    telegram_id: int,
    unit_id: int,
    name: str | None = None,
    *,
    role: Role = Role.VOLUNTEER,
    language: str = "zh_Hans",
    tags: tuple[str, ...] = (),
) -> SimUser:
    async with harness.session() as session:
        member = Member(
            telegram_id=telegram_id,
            display_name=name or f"志愿者{telegram_id}",
            phone="+8613800000000",
            language=language,
            unit_id=unit_id,
            registered_at=harness.clock.now(),
            blocked_bot=False,
            active=True,
        )
        member.role_rows = [MemberRole(role=role)]
        member.tag_rows = [MemberTag(tag=tag) for tag in tags]
        session.add(member)
    code = {"zh_Hans": "zh-hans", "en": "en", "zh_Hant": "zh-hant"}[language]
    return harness.user(telegram_id, name or f"志愿者{telegram_id}", language_code=code)


async def post(
    harness: Harness,
    unit_id: int,
    name: str = "黄河路-人民路口",
    post_type: PostType = PostType.TRAFFIC,
) -> int:
    async with harness.session() as session:
        row = Post(
            unit_id=unit_id,
            name=name,
            type=post_type,
            latitude=30.6586,
            longitude=104.0648,
            radius_m=150,
            archived=False,
            created_at=harness.clock.now(),
        )
        session.add(row)
        await session.flush()
        return row.id


async def shift(
    harness: Harness,
    post_id: int,
    day: dt.date = DAY + dt.timedelta(days=1),
    start: int = 7,
    end: int = 9,
    capacity: int = 4,
    required_tag: str | None = None,
) -> int:
    async with harness.session() as session:
        row = Shift(
            post_id=post_id,
            starts_at=at(day, start),
            ends_at=at(day, end),
            capacity=capacity,
            required_tag=required_tag,
            status=ShiftStatus.SCHEDULED,
            created_at=harness.clock.now(),
        )
        session.add(row)
        await session.flush()
        return row.id


async def statuses(harness: Harness, shift_id: int) -> dict[int, AssignmentStatus]:
    """Telegram id -> status of everyone with a row on the shift."""
    async with harness.session() as session:
        rows = await session.execute(
            select(Member.telegram_id, Assignment.status)
            .join(Member, Assignment.member_id == Member.id)
            .where(Assignment.shift_id == shift_id)
        )
        return {int(row[0]): row[1] for row in rows.all()}


async def outbox_to(harness: Harness, chat_id: int) -> list[OutboxMessage]:
    async with harness.session() as session:
        return list(
            (
                await session.scalars(
                    select(OutboxMessage)
                    .where(OutboxMessage.chat_id == chat_id)
                    .order_by(OutboxMessage.id)
                )
            ).all()
        )


async def press_and_settle(harness: Harness, user: SimUser, text: str) -> str:
    """Press a button; the text the person now reads: a new message, or the pressed one edited."""
    newest = user.last().message_id
    query = await user.press(text)
    await harness.settle()
    if user.last().message_id > newest:
        return user.last().text or user.last().caption or ""
    pressed = next(m for m in user.messages() if m.message_id == query["message"]["message_id"])
    return pressed.text or ""


async def command(harness: Harness, user: SimUser, name: str, args: str | None = None) -> str:
    await user.send_command(name, args)
    await harness.settle()
    return user.last().text or ""
