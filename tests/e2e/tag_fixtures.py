"""Reading a member's tags back by their Telegram id, for the stories of tags."""

from __future__ import annotations

from tests.harness import Harness


async def tags_of(harness: Harness, telegram_id: int) -> frozenset[str]:
    member = await harness.member(telegram_id)
    assert member is not None
    return member.tags
