"""One-line fixtures for swaps: a unit with members and a shift, seats, and reading offers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update

from bot.db.models import (
    Assignment,
    AssignmentStatus,
    AuditEntry,
    Member,
    MemberRole,
    Role,
    SwapOffer,
    Unit,
)
from bot.emulator import SimUser
from tests.e2e.schedule import DAY, command, person, post, press_and_settle, shift, unit
from tests.harness import Harness

TOMORROW = DAY + dt.timedelta(days=1)
LABEL = "12月2日 周三 07:00–09:00 · 黄河路-人民路口"
GIVE_AWAY = "📢 转让（单位里谁都可以接）"
HAND_OVER = "👤 请指定的人代班"
SIGNED, CANCELLED = AssignmentStatus.SIGNED_UP, AssignmentStatus.CANCELLED
# The rules every swap story is told under (each module of them returns a copy): a taker may
# reach the weekly cap of three seats or be blocked by two no-shows, and offers end an hour
# before the start.
SWAP_SETTINGS: dict[str, object] = {
    "weekly_shift_cap": 3,
    "no_show_block_after": 2,
    "swap_expiry_before_start_min": 60,
}


@dataclass
class Town:
    unit_id: int
    post_id: int
    shift_id: int  # tomorrow 07:00–09:00, held by `holder`
    holder: SimUser  # 李明
    others: list[SimUser]  # 王芳, 张伟
    coordinator: SimUser  # 陈协调


async def member(
    harness: Harness, telegram_id: int, unit_id: int, name: str, **options: Any
) -> SimUser:
    """A member who has written to the bot before, so the bot may write to them."""
    user = await person(harness, telegram_id, unit_id, name, **options)
    user.started = True
    return user


async def also_volunteer(harness: Harness, user: SimUser) -> None:
    """`user` (a coordinator or a leader, say) also holds the volunteer role: stands on posts."""
    async with harness.session() as session:
        found = await session.scalar(select(Member).where(Member.telegram_id == user.user_id))
        assert found is not None
        session.add(MemberRole(member_id=found.id, role=Role.VOLUNTEER))


async def town(harness: Harness, *, approval: bool = False) -> Town:
    unit_id = await unit(harness)
    if approval:
        await require_approval(harness, unit_id)
    post_id = await post(harness, unit_id)
    shift_id = await shift(harness, post_id)
    holder = await member(harness, 7001, unit_id, "李明")
    others = [
        await member(harness, 7002, unit_id, "王芳"),
        await member(harness, 7003, unit_id, "张伟"),
    ]
    coordinator = await member(harness, 7900, unit_id, "陈协调", role=Role.COORDINATOR)
    await seat(harness, shift_id, holder.user_id)
    return Town(unit_id, post_id, shift_id, holder, others, coordinator)


async def require_approval(harness: Harness, unit_id: int) -> None:
    async with harness.session() as session:
        await session.execute(
            update(Unit).where(Unit.id == unit_id).values(require_swap_approval=True)
        )


async def seat(
    harness: Harness,
    shift_id: int,
    telegram_id: int,
    status: AssignmentStatus = AssignmentStatus.SIGNED_UP,
) -> int:
    async with harness.session() as session:
        member = await session.scalar(select(Member).where(Member.telegram_id == telegram_id))
        assert member is not None
        row = Assignment(
            shift_id=shift_id,
            member_id=member.id,
            status=status,
            created_at=harness.clock.now(),
            updated_at=harness.clock.now(),
        )
        session.add(row)
        await session.flush()
        return row.id


async def offers(harness: Harness) -> list[SwapOffer]:
    async with harness.session() as session:
        return list((await session.scalars(select(SwapOffer).order_by(SwapOffer.id))).unique())


async def last_offer(harness: Harness) -> SwapOffer:
    found = await offers(harness)
    assert found, "no swap offer was made"
    return found[-1]


async def trail(harness: Harness, offer_id: int) -> list[str]:
    async with harness.session() as session:
        return list(
            (
                await session.scalars(
                    select(AuditEntry.action)
                    .where(AuditEntry.object_type == "swap", AuditEntry.object_id == offer_id)
                    .order_by(AuditEntry.id)
                )
            ).all()
        )


async def open_swap(harness: Harness, user: SimUser, kind: str) -> str:
    """/my, the Swap button of the first shift, then the kind of swap."""
    await command(harness, user, "my")
    text = await press_and_settle(harness, user, "🔁 换岗 1")
    assert "怎么换岗" in text, text
    return await press_and_settle(harness, user, kind)
