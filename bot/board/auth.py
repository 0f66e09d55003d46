"""Who may see the board, and which part of the city.

Two kinds of credentials, both checked on every request:

- Telegram Mini App ``initData``: the query string Telegram signs when it opens the board
  inside Telegram (core.telegram.org/bots/webapps, "Validating data received via the Mini App"):
  ``hash`` is hex(HMAC-SHA256(key=HMAC-SHA256(key="WebAppData", msg=bot_token),
  msg=data_check_string)), where data_check_string is every other field as ``key=value``,
  sorted by key, joined by line feeds. ``auth_date`` may be at most a day old (older, the
  board says to reopen it: `Expired`).
- a wall-screen token: ``<id>.<expires>.<scope>.<signature>``, signed with a key derived from the
  bot token; the ``board_screens`` row of that id decides whether it is still valid (expired,
  revoked) and which scope it shows.

The scope follows the person's role: admins see the whole city, leaders and coordinators their
own unit, anyone else (volunteers, inspectors, strangers) nothing.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

INIT_DATA_MAX_AGE = dt.timedelta(days=1)
# Telegram's clock and ours may differ a little; an auth_date further ahead is refused.
CLOCK_SKEW = dt.timedelta(minutes=5)
CITY = "city"


class Refused(Exception):
    """The request has no valid credentials; the reason is for the log, never for the client.
    `language`: that of whoever is refused, when credentials someone signed say who it is (the
    page, served in the language of its address, tells them why in theirs); None otherwise."""

    def __init__(self, reason: str, language: str | None = None) -> None:
        super().__init__(reason)
        self.language = language


class Expired(Refused):
    """initData Telegram did sign, but too long ago: a Mini App left open past its login. The
    client is told this much (to reopen the board), not that the person lacks the rights.
    `user`: whom Telegram signed it for, whose language the page then speaks."""

    def __init__(self, reason: str, user: TelegramUser) -> None:
        super().__init__(reason)
        self.user = user


class UnitArchived(Refused):
    """A wall-screen link whose unit was archived after the link was made. The screen is told
    so, in its own language, rather than that access is missing: the link is not revoked and
    shows the board again when the unit is restored."""

    language: str

    def __init__(self, reason: str, language: str) -> None:
        super().__init__(reason, language)


class OwnUnitArchived(Refused):
    """A leader or coordinator whose unit is archived: the Mini App tells them so, as /board
    does, rather than that they lack the rights."""


@dataclass(frozen=True)
class Viewer:
    """What a request may see: the whole city (unit_id None) or one unit, in a language."""

    unit_id: int | None
    language: str
    telegram_id: int | None = None  # None: a wall screen
    screen_id: int | None = None


@dataclass(frozen=True)
class TelegramUser:
    id: int
    language_code: str | None
    auth_date: dt.datetime


def _hmac(key: bytes, message: bytes) -> bytes:
    return hmac.new(key, message, hashlib.sha256).digest()


def sign_init_data(fields: dict[str, str], bot_token: str) -> str:
    """The initData Telegram would send with these fields (for tests, the demo and benches)."""
    check = "\n".join(f"{key}={value}" for key, value in sorted(fields.items()))
    secret = _hmac(b"WebAppData", bot_token.encode())
    digest = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    return urlencode({**fields, "hash": digest})


def check_init_data(init_data: str, bot_token: str, now: dt.datetime) -> TelegramUser:
    """The Telegram user behind a Mini App's initData, or Refused."""
    # Telegram percent-encodes initData: anything else (an undecodable header byte comes in as
    # a lone surrogate) is not from Telegram, and would break the encoding below.
    if not init_data.isascii():
        raise Refused("initData is not ASCII")
    try:
        pairs = parse_qsl(init_data, keep_blank_values=True, strict_parsing=True)
    except ValueError as error:
        raise Refused("initData is not a query string") from error
    fields = dict(pairs)
    if len(fields) != len(pairs):
        raise Refused("initData repeats a field")
    received = fields.pop("hash", "")
    check = "\n".join(f"{key}={value}" for key, value in sorted(fields.items()))
    secret = _hmac(b"WebAppData", bot_token.encode())
    expected = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    # As bytes: compare_digest refuses a str with non-ASCII characters (hash=%C3%A9).
    if not received or not hmac.compare_digest(expected.encode(), received.lower().encode()):
        raise Refused("initData signature does not match")
    try:
        auth_date = dt.datetime.fromtimestamp(int(fields["auth_date"]), dt.UTC)
        user = json.loads(fields["user"])
        user_id = int(user["id"])
    except (KeyError, ValueError, TypeError) as error:
        raise Refused("initData lacks auth_date or user") from error
    language = user.get("language_code")
    signed = TelegramUser(
        id=user_id,
        language_code=language if isinstance(language, str) else None,
        auth_date=auth_date,
    )
    if now - auth_date > INIT_DATA_MAX_AGE:
        raise Expired("initData is older than a day", signed)
    if auth_date - now > CLOCK_SKEW:
        raise Refused("initData is dated in the future")
    return signed


# -- wall-screen tokens -----------------------------------------------------------------------


def _screen_key(bot_token: str) -> bytes:
    return _hmac(b"dutybot board screen", bot_token.encode())


def _scope_text(unit_id: int | None) -> str:
    return CITY if unit_id is None else f"u{unit_id}"


def _signature(payload: str, bot_token: str) -> str:
    digest = _hmac(_screen_key(bot_token), payload.encode())
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def screen_token(
    screen_id: int, unit_id: int | None, expires_at: dt.datetime, bot_token: str
) -> str:
    payload = f"{screen_id}.{int(expires_at.timestamp())}.{_scope_text(unit_id)}"
    return f"{payload}.{_signature(payload, bot_token)}"


@dataclass(frozen=True)
class ScreenClaim:
    """What a correctly signed screen token says; the database still has the last word."""

    screen_id: int
    unit_id: int | None
    expires_at: dt.datetime


def check_screen_token(token: str, bot_token: str, now: dt.datetime) -> ScreenClaim:
    parts = token.split(".")
    # A token is ASCII; compare_digest refuses a str with anything else, and int() would take
    # other scripts' digits.
    if len(parts) != 4 or not token.isascii():
        raise Refused("screen token is malformed")
    payload, signature = ".".join(parts[:3]), parts[3]
    if not hmac.compare_digest(_signature(payload, bot_token), signature):
        raise Refused("screen token signature does not match")
    screen_id, expires, scope = parts[:3]
    try:
        expires_at = dt.datetime.fromtimestamp(int(expires), dt.UTC)
        unit_id = None if scope == CITY else int(scope.removeprefix("u"))
        claim = ScreenClaim(int(screen_id), unit_id, expires_at)
    except ValueError as error:
        raise Refused("screen token is malformed") from error
    if expires_at <= now:
        raise Refused("screen token has expired")
    return claim
