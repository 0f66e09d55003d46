"""Announcements to a unit of hundreds: volunteers written in bulk who have all talked to the
bot, a coordinator's /broadcast as they send it, and reading back what was sent and to whom."""

from __future__ import annotations

from sqlalchemy import insert, select

from bot.db.models import Broadcast, Member, MemberRole, Role
from bot.emulator import SimUser
from tests.e2e.schedule import command, press_and_settle
from tests.harness import Harness

VOLUNTEERS = 300
FIRST_VOLUNTEER = 880_000


async def bulk_volunteers(harness: Harness, unit_id: int, count: int) -> list[SimUser]:
    """`count` volunteers of the unit who have talked to the bot, written in bulk."""
    now = harness.clock.now()
    async with harness.session() as session:
        await session.execute(
            insert(Member),
            [
                {
                    "telegram_id": FIRST_VOLUNTEER + n,
                    "display_name": f"志愿者{n}",
                    "language": "zh_Hans",
                    "unit_id": unit_id,
                    "registered_at": now,
                    "blocked_bot": False,
                    "active": True,
                }
                for n in range(count)
            ],
        )
        ids = (
            await session.scalars(select(Member.id).where(Member.telegram_id >= FIRST_VOLUNTEER))
        ).all()
        await session.execute(
            insert(MemberRole), [{"member_id": i, "role": Role.VOLUNTEER} for i in ids]
        )
    users = [harness.user(FIRST_VOLUNTEER + n, f"志愿者{n}") for n in range(count)]
    for user in users:
        user.started = True
    return users


async def announce(harness: Harness, coordinator: SimUser, text: str) -> int:
    """The coordinator sends an announcement; the id of the progress message. Each step takes
    its seconds, as a person's do: the bot's answers count in Telegram's pace of the chat."""
    await command(harness, coordinator, "broadcast")
    harness.clock.advance(seconds=3)
    await press_and_settle(harness, coordinator, "📢 发一条通知")
    harness.clock.advance(seconds=3)
    await coordinator.send_text(text)
    await harness.settle()
    harness.clock.advance(seconds=3)
    await press_and_settle(harness, coordinator, "📤 发送")
    return coordinator.last().message_id


def message_text(user: SimUser, message_id: int) -> str:
    return next(m for m in user.messages() if m.message_id == message_id).text or ""


def reached(users: list[SimUser]) -> set[int]:
    return {user.user_id for user in users if user.messages()}


async def last_broadcast(harness: Harness) -> Broadcast:
    async with harness.session() as session:
        found = await session.scalar(select(Broadcast).order_by(Broadcast.id.desc()))
        assert found is not None
        return found
