"""Wall-screen links: an admin's signed, expiring, revocable link to the board of the whole
city or of one unit, for a screen outside Telegram."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.board.auth import screen_token
from bot.board.data import Actor, audit
from bot.db.models import BoardScreen, Role, Unit
from bot.errors import DomainError, ErrorCode
from bot.settings import Settings

LINK_VALID = dt.timedelta(days=30)


def url(settings: Settings, token: str, language: str) -> str:
    """The link of a screen; it names the screen's language for the pages shown when the
    database cannot be asked for it (offline) or the link no longer works (denied)."""
    return f"{settings.board_url.rstrip('/')}/screen/{token}?{urlencode({'lang': language})}"


def token_of(screen: BoardScreen, settings: Settings) -> str:
    return screen_token(screen.id, screen.unit_id, screen.expires_at, settings.bot_token)


async def create(
    session: AsyncSession,
    actor: Actor,
    *,
    unit_id: int | None,
    language: str,
    now: dt.datetime,
) -> BoardScreen:
    """A new link for the city (unit_id None) or one unit, valid LINK_VALID. Not for an
    archived unit (a stale button of the scope picker): it has left the campaign and its
    board would be an empty map."""
    actor.require(Role.ADMIN)
    if unit_id is not None:
        unit = await session.get(Unit, unit_id)
        if unit is None:
            raise DomainError(ErrorCode.UNIT_NOT_FOUND)
        if unit.archived:
            raise DomainError(ErrorCode.BOARD_UNIT_ARCHIVED, unit=unit.name)
    screen = BoardScreen(
        unit_id=unit_id,
        language=language,
        created_by=actor.telegram_id,
        created_at=now,
        expires_at=now + LINK_VALID,
        revoked_at=None,
    )
    session.add(screen)
    await session.flush()
    audit.record(
        session,
        actor_id=actor.member.id if actor.member is not None else None,
        action="board_screen.create",
        object_type="board_screen",
        object_id=screen.id,
        after={"unit_id": unit_id, "expires_at": screen.expires_at.isoformat()},
        now=now,
    )
    return screen


async def active(session: AsyncSession, now: dt.datetime) -> list[BoardScreen]:
    """Links that still work, newest first: all of them, since a link left out of the admin's
    list could not be revoked and would keep working until it expires."""
    rows = await session.scalars(
        select(BoardScreen)
        .where(BoardScreen.revoked_at.is_(None), BoardScreen.expires_at > now)
        .order_by(BoardScreen.id.desc())
    )
    return list(rows)


async def revoke(
    session: AsyncSession, actor: Actor, screen_id: int, now: dt.datetime
) -> BoardScreen | None:
    """Revoke a link at once; None when it does not exist or no longer works anyway. One
    conditional update, so two admins revoking together record it once."""
    actor.require(Role.ADMIN)
    revoked = await session.execute(
        update(BoardScreen)
        .where(
            BoardScreen.id == screen_id,
            BoardScreen.revoked_at.is_(None),
            BoardScreen.expires_at > now,
        )
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    if revoked.rowcount != 1:  # type: ignore[attr-defined]
        return None
    audit.record(
        session,
        actor_id=actor.member.id if actor.member is not None else None,
        action="board_screen.revoke",
        object_type="board_screen",
        object_id=screen_id,
        now=now,
    )
    return await session.get(BoardScreen, screen_id, populate_existing=True)
