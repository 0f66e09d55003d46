"""Notices go to each reachable member in their own language, once per key."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.db.engine import Database
from bot.db.models import Member, OutboxMessage
from bot.i18n import Translator
from bot.services.platform import notify, outbox
from tests.conftest import make_settings

NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


def _member(telegram_id: int, language: str | None, blocked: bool = False) -> Member:
    return Member(
        telegram_id=telegram_id,
        display_name=f"m{telegram_id}",
        language=language,
        blocked_bot=blocked,
        active=True,
        registered_at=NOW,
    )


def _hello(t: Translator) -> outbox.Message:
    return outbox.payload(t("common.button.cancel_text"))


async def test_each_member_is_told_in_their_language_and_blocked_ones_are_skipped(
    database: Database,
) -> None:
    settings = make_settings(database.url)
    people = [_member(1, "en"), _member(2, None), _member(3, "zh_Hant"), _member(4, "en", True)]
    async with database.session() as session:
        session.add_all(people)
        await session.flush()
        told = await notify.notify_all(
            session, people, _hello, key=lambda m: f"hello:{m.id}", now=NOW, settings=settings
        )
        assert told == 3
        assert not await notify.notify(
            session, people[0], _hello, key=f"hello:{people[0].id}", now=NOW, settings=settings
        )
    async with database.session() as session:
        rows = (await session.scalars(select(OutboxMessage).order_by(OutboxMessage.chat_id))).all()
    assert [(row.chat_id, row.payload["text"]) for row in rows] == [
        (1, "Cancel"),
        (2, "取消"),
        (3, "取消"),
    ]
