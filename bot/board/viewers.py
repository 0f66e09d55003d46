"""From a request's credentials to what it may see (auth.Viewer), or Refused."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from bot.board import data
from bot.board.auth import (
    Expired,
    OwnUnitArchived,
    Refused,
    UnitArchived,
    Viewer,
    check_init_data,
    check_screen_token,
)
from bot.db.models import BoardScreen, Unit
from bot.settings import Settings

MINI_APP_SCHEME = "tma"  # Authorization: tma <initData>, the Mini Apps' usual header
SCREEN_SCHEME = "screen"  # Authorization: screen <token>


async def from_init_data(
    session: AsyncSession, init_data: str, settings: Settings, now: dt.datetime
) -> Viewer:
    try:
        user = check_init_data(init_data, settings.bot_token, now)
    except Expired as expired:
        # Told to reopen the board in their language: one statement, on this path only.
        found = await data.person(session, expired.user.id, expired.user.language_code, settings)
        expired.language = found.language
        raise
    person = await data.person(session, user.id, user.language_code, settings)
    if person.archived_unit is not None:
        raise OwnUnitArchived(f"Telegram user {user.id} is of an archived unit", person.language)
    if not person.allowed:
        raise Refused(f"Telegram user {user.id} has no role that sees the board", person.language)
    return Viewer(unit_id=person.unit_id, language=person.language, telegram_id=user.id)


async def from_screen_token(
    session: AsyncSession, token: str, settings: Settings, now: dt.datetime
) -> Viewer:
    claim = check_screen_token(token, settings.bot_token, now)
    screen = await session.get(BoardScreen, claim.screen_id)
    if screen is None:
        raise Refused(f"screen link {claim.screen_id} does not exist")
    if screen.revoked_at is not None:
        raise Refused(f"screen link {screen.id} was revoked")
    if screen.expires_at <= now:
        raise Refused(f"screen link {screen.id} has expired")
    if screen.unit_id != claim.unit_id:
        raise Refused(f"screen link {screen.id} names another scope")
    if screen.unit_id is not None:
        unit = await session.get(Unit, screen.unit_id)
        if unit is None:
            raise Refused(f"screen link {screen.id} names a unit that does not exist")
        if unit.archived:
            raise UnitArchived(f"screen link {screen.id} shows an archived unit", screen.language)
    return Viewer(unit_id=screen.unit_id, language=screen.language, screen_id=screen.id)


async def from_authorization(
    session: AsyncSession, header: str | None, settings: Settings, now: dt.datetime
) -> Viewer:
    scheme, _, credentials = (header or "").strip().partition(" ")
    credentials = credentials.strip()
    if not credentials:
        raise Refused("no credentials")
    if scheme.lower() == MINI_APP_SCHEME:
        return await from_init_data(session, credentials, settings, now)
    if scheme.lower() == SCREEN_SCHEME:
        return await from_screen_token(session, credentials, settings, now)
    raise Refused(f"unknown authorization scheme {scheme!r}")
