"""Notices to members: rendered in the recipient's language, queued in the outbox under a key.

Every service that tells someone something outside a direct reply goes through ``notify`` (one
person) or ``notify_all`` (many, in one statement), so "translate, build, enqueue" is written
once. A member Telegram cannot reach (they blocked the bot) is skipped: the message would only
meet another 403.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Member
from bot.i18n import Translator
from bot.services.platform import outbox
from bot.services.platform.outbox import Message, Queued
from bot.settings import Settings

Render = Callable[[Translator], Message]


def translator_for(member: Member, settings: Settings) -> Translator:
    """The member's language, or the default one when they never chose."""
    return Translator(member.language or settings.default_language, settings.zone)


def translators(settings: Settings) -> Callable[[str | None], Translator]:
    """A Translator per language (None: the default one), made once each, for a whole scan."""
    made: dict[str, Translator] = {}

    def translator(language: str | None) -> Translator:
        chosen = language or settings.default_language
        if chosen not in made:
            made[chosen] = Translator(chosen, settings.zone)
        return made[chosen]

    return translator


async def members_of_chats(session: AsyncSession, chat_ids: Iterable[int]) -> dict[int, Member]:
    """The members writing from these chats (an admin who never joined has none), by chat id:
    whose language a notice drawn again is drawn in."""
    ids = sorted(set(chat_ids))
    if not ids:
        return {}
    return {
        member.telegram_id: member
        for member in await session.scalars(select(Member).where(Member.telegram_id.in_(ids)))
    }


async def notify(
    session: AsyncSession,
    member: Member,
    render: Render,
    *,
    key: str,
    now: dt.datetime,
    settings: Settings,
    urgent: bool = False,
    not_before: dt.datetime | None = None,
    batch: str | None = None,
) -> bool:
    """Queue one notice to `member`; False when they cannot be reached or `key` was queued
    before (a tick that runs twice, a retried update)."""
    if member.blocked_bot:
        return False
    return await outbox.enqueue(
        session,
        key=key,
        chat_id=member.telegram_id,
        body=render(translator_for(member, settings)),
        now=now,
        urgent=urgent,
        not_before=not_before,
        batch=batch,
    )


async def notify_all(
    session: AsyncSession,
    members: Iterable[Member],
    render: Render,
    *,
    key: Callable[[Member], str],
    now: dt.datetime,
    settings: Settings,
    urgent: bool = False,
    not_before: dt.datetime | None = None,
    batch: str | None = None,
) -> int:
    """Queue the same notice to each reachable member, each in their language and under their
    own key, in bulk; returns how many were new. A text is rendered once per language."""
    rendered: dict[str | None, Message] = {}
    queued: list[Queued] = []
    for member in members:
        if member.blocked_bot:
            continue
        language = member.language or settings.default_language
        if language not in rendered:
            rendered[language] = render(translator_for(member, settings))
        queued.append(Queued(key(member), member.telegram_id, rendered[language]))
    return await outbox.enqueue_many(
        session, queued, now=now, urgent=urgent, not_before=not_before, batch=batch
    )


async def notify_admins(
    session: AsyncSession,
    render: Render,
    *,
    key: Callable[[int], str],
    now: dt.datetime,
    settings: Settings,
    urgent: bool = False,
    sparing: Iterable[int] = (),
) -> int:
    """Queue the same notice to each admin of ADMIN_IDS who can be written to (a member or
    not: in the language they chose as a member, else the default one), but those `sparing`
    (Telegram ids: the notice is about them), under `key` of their Telegram id; returns how
    many were new."""
    if not settings.admin_ids:
        return 0
    members = {
        member.telegram_id: member
        for member in await session.scalars(
            select(Member).where(Member.telegram_id.in_(settings.admin_ids))
        )
    }
    queued: list[Queued] = []
    spared = set(sparing)
    for admin_id in dict.fromkeys(settings.admin_ids):
        if admin_id in spared:
            continue
        member = members.get(admin_id)
        if member is not None and member.blocked_bot:
            continue
        language = member.language if member is not None else None
        t = Translator(language or settings.default_language, settings.zone)
        queued.append(Queued(key(admin_id), admin_id, render(t)))
    return await outbox.enqueue_many(session, queued, now=now, urgent=urgent)
