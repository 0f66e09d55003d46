"""Runtime settings, read from the environment and `.env` (pydantic-settings).

Every setting has a default except ``BOT_TOKEN``, which only ``dutybot run`` needs.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any, Literal, get_args
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values
from pydantic import Field, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

SUPPORTED_LANGUAGES = ("zh_Hans", "en", "zh_Hant")
HOURS_A_YEAR = 366 * 24
DAYS_A_YEAR = 366
MINUTES_A_DAY = 24 * 60
MINUTES_A_WEEK = 7 * MINUTES_A_DAY
# Ceilings of the weights (a weight is relative: 1000 to 1 is ample) and of the distances
# (a post's own radius has the same range, see services/schedule/posts.py).
WEIGHT_MAX = 1000
POST_RADIUS_MIN_M, POST_RADIUS_MAX_M = 10, 5000
CITY_M = 50_000
# Hours a unit has to fix a problem, by category (ORDER_DEADLINE_HOURS); see models.Category.
DEFAULT_ORDER_DEADLINE_HOURS = {
    "parking": 24,
    "litter": 24,
    "vending": 48,
    "facility": 72,
    "conduct": 24,
    "post": 24,
    "other": 48,
}


class SettingsError(Exception):
    """A setting is missing or invalid; the message names it in one line."""


class StartupError(Exception):
    """The bot cannot start (the database, the data folder, the Bot API); the message says
    what is wrong and what to do, in one line."""


def _split_csv(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, int):
        return [value]
    return value


def _parse_clock_time(value: Any) -> Any:
    if isinstance(value, str):
        try:
            hours, minutes = value.strip().split(":")
            return dt.time(int(hours), int(minutes))
        except ValueError as exc:
            raise ValueError("expected a time of day as HH:MM, e.g. 20:00") from exc
    return value


def _unquoted(value: str) -> str:
    """A value without the quotes around it: docker's --env-file keeps those of a .env line
    (TIMEZONE="Asia/Shanghai") in the value, where the .env file read directly drops them."""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1].strip()
    return value


# Where python-telegram-bot puts the token in BOT_API_BASE_URL and BOT_API_FILE_URL: it
# documents {token} and takes these too (telegram/_bot.py, _SUPPORTED_INSERTIONS).
_TOKEN_PLACES = tuple(
    f"{{{name}}}" for name in ("token", "TOKEN", "bot_token", "BOT_TOKEN", "bot-token", "BOT-TOKEN")
)


class QuietHours(tuple[dt.time, dt.time]):
    """A local-time window such as 22:00-07:00 during which non-urgent messages wait."""

    def contains(self, local_time: dt.time) -> bool:
        start, end = self
        if start == end:
            return False
        if start < end:
            return start <= local_time < end
        return local_time >= start or local_time < end


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
        # A value pasted with a space or line break around it (docker's --env-file and systemd
        # keep them): a token Telegram refuses, a database file whose name ends in a space.
        str_strip_whitespace=True,
    )

    # connection
    bot_token: str = ""
    bot_api_base_url: str = "https://api.telegram.org/bot{token}"
    bot_api_file_url: str = "https://api.telegram.org/file/bot{token}"
    webhook_url: str = ""
    webhook_secret: str = ""
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    # Attempts to reach the Bot API at start-up, with pauses of 1, 2, 4, ... seconds between.
    startup_attempts: int = Field(default=6, ge=1, le=20)

    # storage
    database_url: str = "sqlite+aiosqlite:///data/dutybot.db"
    photo_archive_dir: str = ""

    # people and language
    # Telegram user ids are positive; a group's chat id (negative) would make no one an admin.
    admin_ids: Annotated[list[Annotated[int, Field(gt=0)]], NoDecode] = Field(default_factory=list)
    default_language: str = "zh_Hans"
    timezone: str = "Asia/Shanghai"

    # sign-up
    signup_open_days: int = Field(default=14, ge=0, le=DAYS_A_YEAR)
    cancel_cutoff_hours: int = Field(default=12, ge=0, le=HOURS_A_YEAR)
    weekly_shift_cap: int = Field(default=0, ge=0, le=100)
    no_show_block_after: int = Field(default=0, ge=0, le=100)
    understaffed_alert_hours: int = Field(default=24, ge=0, le=HOURS_A_YEAR)
    # A shift offered to a volunteer (a broadcast, the understaffed alert) is not offered to them
    # again by the other path for this many hours (0: no such pause).
    offer_repeat_hours: int = Field(default=24, ge=0, le=HOURS_A_YEAR)
    swap_expiry_before_start_min: int = Field(default=60, ge=0, le=MINUTES_A_WEEK)

    # check-in
    checkin_open_before_min: int = Field(default=30, ge=0, le=MINUTES_A_DAY)
    late_after_min: int = Field(default=5, ge=0, le=MINUTES_A_DAY)
    absent_after_min: int = Field(default=30, ge=1, le=MINUTES_A_DAY)
    checkin_require_photo: bool = True
    checkin_require_live_location: bool = False
    default_post_radius_m: int = Field(default=150, ge=POST_RADIUS_MIN_M, le=POST_RADIUS_MAX_M)
    left_post_alert_min: int = Field(default=15, ge=1, le=MINUTES_A_DAY)
    auto_checkout_after_min: int = Field(default=60, ge=0, le=MINUTES_A_DAY)
    # A photo used before (same file_unique_id): refuse it, or accept it flagged for review.
    checkin_duplicate_photo: Literal["refuse", "flag"] = "refuse"

    # schedule
    reminder_leads: Annotated[list[int], NoDecode] = Field(default_factory=lambda: [720, 30])
    summary_time: dt.time = dt.time(20, 0)
    quiet_hours: str = "22:00-07:00"
    scheduler_tick_seconds: int = Field(default=30, ge=1, le=3600)
    summary_photo_wall: bool = False

    # reports (tallies, weekly and monthly reports, unit scores, exports)
    report_time: dt.time = dt.time(8, 0)
    reports_dir: str = "data/reports"
    # Weights and hours are finite: an infinite weight makes every score NaN, and hours beyond
    # any date fail each scheduler tick (OverflowError).
    score_weight_on_post: float = Field(default=0.6, ge=0, le=WEIGHT_MAX, allow_inf_nan=False)
    score_weight_punctuality: float = Field(default=0.4, ge=0, le=WEIGHT_MAX, allow_inf_nan=False)
    grade_good_min: float = Field(default=85, ge=0, le=100)
    grade_fair_min: float = Field(default=60, ge=0, le=100)
    # the unit score as a weighted sum: duty attendance (the on-post and punctuality score above),
    # inspection scores, and the handling of rectification orders
    score_weight_attendance: float = Field(default=0.5, ge=0, le=WEIGHT_MAX, allow_inf_nan=False)
    score_weight_inspections: float = Field(default=0.3, ge=0, le=WEIGHT_MAX, allow_inf_nan=False)
    score_weight_orders: float = Field(default=0.2, ge=0, le=WEIGHT_MAX, allow_inf_nan=False)
    # weights of successive inspection rounds within a report's period (the seeds' 40,60);
    # empty: every check of the period counts alike
    inspection_round_weights: Annotated[
        list[Annotated[float, Field(allow_inf_nan=False)]], NoDecode
    ] = Field(default_factory=list)

    # board (issue 18): the live map board and the operations endpoints, served in the bot's
    # own process when BOARD_URL is set
    board_url: str = ""
    board_listen: str = "0.0.0.0"
    board_port: int = Field(default=8080, ge=1, le=65535)
    board_refresh_seconds: int = Field(default=10, ge=1, le=300)
    map_tile_url: str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    map_tile_attribution: str = "© OpenStreetMap contributors"
    map_coordinates: Literal["wgs84", "gcj02"] = "wgs84"
    # Open311 GeoReport v2 (read-only) on the board's server: the keys a client may pass as
    # api_key, comma-separated; none: the endpoint is off (404)
    open311_api_keys: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # rostering (assigned duty, rotation)
    # An assigned person who has not pressed Acknowledge this long after being told is reminded
    # once (0: never).
    assign_ack_remind_hours: int = Field(default=6, ge=0, le=168)
    # The rotation leaves at least this long between the end of one of a person's shifts and the
    # start of their next (0: only no overlap).
    min_rest_hours: int = Field(default=8, ge=0, le=72)
    # oversight (issue 16): checks, street reports, rectification orders
    order_deadline_hours: Annotated[dict[str, int], NoDecode] = Field(
        default_factory=lambda: dict(DEFAULT_ORDER_DEADLINE_HOURS)
    )
    order_ack_remind_hours: float = Field(default=4, gt=0, le=HOURS_A_YEAR, allow_inf_nan=False)
    order_near_deadline_hours: float = Field(default=6, ge=0, le=HOURS_A_YEAR, allow_inf_nan=False)
    order_escalate_after_hours: float = Field(default=0, ge=0, le=HOURS_A_YEAR, allow_inf_nan=False)
    report_duplicate_m: int = Field(default=50, ge=0, le=5000)
    report_route_nearest_m: int = Field(default=300, ge=0, le=CITY_M)
    inspect_near_m: int = Field(default=500, ge=1, le=CITY_M)

    @field_validator(
        "admin_ids", "reminder_leads", "inspection_round_weights", "open311_api_keys", mode="before"
    )
    @classmethod
    def _csv_list(cls, value: Any) -> Any:
        return _split_csv(value)

    @field_validator("inspection_round_weights")
    @classmethod
    def _round_weights(cls, value: list[float]) -> list[float]:
        if any(not 0 <= weight <= WEIGHT_MAX for weight in value) or (value and sum(value) <= 0):
            raise ValueError(
                "expected comma-separated weights such as 40,60, "
                f"each from 0 to {WEIGHT_MAX}, not all zero"
            )
        return value

    @field_validator("order_deadline_hours", mode="before")
    @classmethod
    def _deadline_hours(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        hours = dict(DEFAULT_ORDER_DEADLINE_HOURS)
        for part in filter(None, (piece.strip() for piece in value.split(","))):
            name, _, number = part.partition("=")
            name = name.strip().lower()
            if name not in DEFAULT_ORDER_DEADLINE_HOURS or not number.strip().isdecimal():
                raise ValueError(
                    "expected category=hours pairs such as litter=24,facility=72 (categories: "
                    + ", ".join(DEFAULT_ORDER_DEADLINE_HOURS)
                    + f"; {part!r} is not)"
                )
            if not 1 <= int(number) <= HOURS_A_YEAR:
                raise ValueError(f"expected hours from 1 to {HOURS_A_YEAR} ({part!r} is not)")
            hours[name] = int(number)
        return hours

    @field_validator("reminder_leads")
    @classmethod
    def _positive_leads(cls, value: list[int]) -> list[int]:
        if any(not 1 <= lead <= MINUTES_A_WEEK for lead in value):
            raise ValueError(f"expected minutes from 1 to {MINUTES_A_WEEK} (a week), e.g. 720,30")
        return sorted(set(value), reverse=True)

    @field_validator("summary_time", "report_time", mode="before")
    @classmethod
    def _clock_time(cls, value: Any) -> Any:
        return _parse_clock_time(value)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("expected an IANA time zone such as Asia/Shanghai") from exc
        return value

    @field_validator("default_language")
    @classmethod
    def _supported_language(cls, value: str) -> str:
        # zh-hant, ZH_HANS, EN: plainly the language meant.
        for language in SUPPORTED_LANGUAGES:
            if value.replace("-", "_").casefold() == language.casefold():
                return language
        raise ValueError(f"expected {_one_of(SUPPORTED_LANGUAGES)} ({value!r} is not)")

    @field_validator("map_coordinates", "checkin_duplicate_photo", mode="before")
    @classmethod
    def _choice_in_any_case(cls, value: Any, info: ValidationInfo) -> Any:
        # GCJ02, Flag: plainly the choice meant; anything else is refused as it was typed.
        choices = get_args(cls.model_fields[str(info.field_name)].annotation)
        if isinstance(value, str) and value.lower() in choices:
            return value.lower()
        return value

    @field_validator("bot_api_base_url", "bot_api_file_url", "webhook_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("expected an http:// or https:// URL")
        return value

    @field_validator("bot_api_base_url", "bot_api_file_url")
    @classmethod
    def _bot_api_url(cls, value: str, info: ValidationInfo) -> str:
        # PTB puts the token where {token} (or another of its spellings) stands, or right after
        # the URL: a server's address alone (http://host:8081) made http://host:8081123456:ABC.
        if any(place in value for place in _TOKEN_PLACES) or value.endswith("/bot"):
            return value
        tail = "/bot{token}" if info.field_name == "bot_api_base_url" else "/file/bot{token}"
        parts = urlsplit(value)  # the example leaves out user:password@ (the line is logged)
        raise ValueError(
            f"expected the Bot API's URL ending in {tail}, e.g. "
            f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{tail}"
        )

    @field_validator("bot_token")
    @classmethod
    def _token(cls, value: str) -> str:
        # The bot's id, a colon and a secret: all Telegram promises (not the secret's length
        # or letters), so that no token a server takes is refused. The line that refuses one
        # does not repeat it (a secret).
        if value and not re.fullmatch(r"[0-9]+:\S+", value):
            raise ValueError(
                "expected the token BotFather gave you, digits, a colon and the rest, such as "
                "123456:ABC-DEF..., with no space in or around it"
            )
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: str) -> str:
        # Telegram's rule for setWebhook's secret_token; the value is never echoed back.
        if value and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", value):
            raise ValueError(
                "expected 1-256 characters A-Z, a-z, 0-9, _ and - (Telegram refuses others), "
                "e.g. from openssl rand -hex 32"
            )
        return value

    @field_validator("board_url")
    @classmethod
    def _board_url(cls, value: str) -> str:
        # Telegram opens a Mini App only from an https:// address.
        if value and not value.startswith("https://"):
            raise ValueError(
                "expected the board's public https:// URL, e.g. https://bot.example.org/board/"
            )
        return value

    @field_validator("map_tile_url")
    @classmethod
    def _tile_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://", "/")) or not all(
            part in value for part in ("{z}", "{x}", "{y}")
        ):
            raise ValueError(
                "expected a tile URL template with {z}, {x} and {y}, "
                "e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png"
            )
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "expected sqlite+aiosqlite:///path.db or postgresql+asyncpg://user@host/db"
            )
        unnamed = not urlsplit(value).path.strip("/") and not os.environ.get("PGDATABASE")
        if value.startswith("postgresql+asyncpg://") and unnamed:
            # asyncpg would connect to the user's database (postgres: the server's own) and
            # the migrations would make the bot's tables there; it takes PGDATABASE first.
            raise ValueError(
                "name the database, e.g. postgresql+asyncpg://user@host/dutybot (without one "
                "PostgreSQL gives the user's own, such as postgres)"
            )
        return value

    @field_validator("quiet_hours")
    @classmethod
    def _quiet_hours(cls, value: str) -> str:
        if value.strip():
            try:
                start, end = value.split("-")
                _parse_clock_time(start)
                _parse_clock_time(end)
            except ValueError as exc:
                raise ValueError("expected HH:MM-HH:MM such as 22:00-07:00, or empty") from exc
        return value

    @model_validator(mode="before")
    @classmethod
    def _strip_values(cls, data: Any) -> Any:
        # str_strip_whitespace reaches only the text settings: a yes/no such as
        # CHECKIN_REQUIRE_PHOTO=false with the space --env-file keeps was refused at start.
        # So were the quotes it keeps: TIMEZONE="Asia/Shanghai" is the zone, as in .env.
        if isinstance(data, dict):
            return {
                key: _unquoted(v.strip()) if isinstance(v, str) else v for key, v in data.items()
            }
        return data

    @model_validator(mode="after")
    def _report_scoring(self) -> Settings:
        # "NAME: what is expected", so that load_settings names the setting like the others.
        if self.score_weight_on_post + self.score_weight_punctuality <= 0:
            raise ValueError(
                "SCORE_WEIGHT_PUNCTUALITY: expected a weight above 0 when "
                "SCORE_WEIGHT_ON_POST is 0 (both are zero)"
            )
        if (
            self.score_weight_attendance + self.score_weight_inspections + self.score_weight_orders
            <= 0
        ):
            raise ValueError(
                "SCORE_WEIGHT_ATTENDANCE: expected a weight above 0 when "
                "SCORE_WEIGHT_INSPECTIONS and SCORE_WEIGHT_ORDERS are 0 (all are zero)"
            )
        if self.grade_fair_min > self.grade_good_min:
            raise ValueError(
                f"GRADE_FAIR_MIN: expected at most GRADE_GOOD_MIN ({self.grade_good_min:g})"
            )
        return self

    @model_validator(mode="after")
    def _pairs(self) -> Settings:
        # Settings valid alone and wrong together: a rule that would silently never fire, or a
        # report the quiet hours would hold until the next morning.
        if self.late_after_min >= self.absent_after_min:
            raise ValueError(
                "LATE_AFTER_MIN: expected fewer minutes than ABSENT_AFTER_MIN "
                f"({self.absent_after_min}): a volunteer would be marked absent before late, "
                "and never nudged"
            )
        window = self.quiet_window
        for name, at, what in (
            ("SUMMARY_TIME", self.summary_time, "the daily tally"),
            ("REPORT_TIME", self.report_time, "the weekly and monthly reports"),
        ):
            if window is not None and window.contains(at):
                raise ValueError(
                    f"{name}: expected a time outside QUIET_HOURS ({self.quiet_hours}): "
                    f"{what} would wait until they end"
                )
        category, hours = min(self.order_deadline_hours.items(), key=lambda item: item[1])
        if self.order_ack_remind_hours >= hours:
            raise ValueError(
                "ORDER_ACK_REMIND_HOURS: expected fewer hours than the shortest of "
                f"ORDER_DEADLINE_HOURS ({category}={hours}): an order of that category would "
                "pass its deadline before its unit is reminded to acknowledge it"
            )
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def quiet_window(self) -> QuietHours | None:
        if not self.quiet_hours.strip():
            return None
        start, end = self.quiet_hours.split("-")
        return QuietHours((_parse_clock_time(start), _parse_clock_time(end)))

    def quiet_until(self, instant: dt.datetime) -> dt.datetime | None:
        """When the quiet hours that `instant` falls in end (UTC); None outside them."""
        window = self.quiet_window
        if window is None:
            return None
        local = instant.astimezone(self.zone)
        if not window.contains(local.time()):
            return None
        end = dt.datetime.combine(local.date(), window[1], tzinfo=self.zone)
        if end <= local:
            end += dt.timedelta(days=1)
        return end.astimezone(dt.UTC)

    def order_hours(self, category: str) -> int:
        """The default time a unit has to fix a problem of this category."""
        return self.order_deadline_hours.get(category, DEFAULT_ORDER_DEADLINE_HOURS["other"])

    def require_database_file(self) -> None:
        """The commands that keep what they do (run, migrate, import, export) need a database
        that outlives them: an in-memory SQLite database keeps nothing, and each of the bot's
        connections would see one of its own."""
        url = self.database_url
        if url.startswith("sqlite+aiosqlite://"):
            path, _, query = (
                url.removeprefix("sqlite+aiosqlite://").removeprefix("/").partition("?")
            )
            # Also SQLite's URI forms (uri=true): file::memory: and mode=memory.
            uri_memory = path.startswith("file::memory:") or "mode=memory" in query.split("&")
            if path in ("", ":memory:") or uri_memory:
                raise SettingsError(
                    "DATABASE_URL is invalid: an in-memory SQLite database keeps nothing; give a "
                    "file such as sqlite+aiosqlite:///data/dutybot.db, or PostgreSQL"
                )

    def require_writable_folders(self) -> None:
        """The folders `dutybot run` writes in long after start-up (the scheduled reports'
        charts, the archived check-in photos) made if missing and tried, so that one it cannot
        use stops start-up naming its setting instead of failing every report in the log."""
        for name, folder in (
            ("REPORTS_DIR", self.reports_dir),
            ("PHOTO_ARCHIVE_DIR", self.photo_archive_dir),
        ):
            if not folder:
                continue
            try:
                Path(folder).mkdir(parents=True, exist_ok=True)
                with tempfile.TemporaryFile(dir=folder):
                    pass
            except OSError as error:
                raise SettingsError(
                    f"{name} is invalid: cannot write in {folder} ({error.strerror}): "
                    "give a folder the bot can make and write in"
                ) from None

    def require_token(self) -> None:
        if not self.bot_token.strip():
            raise SettingsError(
                "BOT_TOKEN is missing: set it to the token BotFather gave you "
                "(e.g. 123456:ABC-DEF...)"
            )


# What a value of a list setting looks like, for the one line that refuses a bad item.
_LIST_EXAMPLES = {
    "admin_ids": "comma-separated Telegram user ids such as 11111111,22222222",
    "reminder_leads": "comma-separated minutes such as 720,30",
    "inspection_round_weights": "comma-separated weights such as 40,60",
}


# pydantic's errors about a number: out of its range, or not a number at all
_NUMBER_ERRORS = frozenset(
    {
        "greater_than",
        "greater_than_equal",
        "less_than_equal",
        "int_parsing",
        "int_parsing_size",
        "int_from_float",
        "float_parsing",
        "finite_number",
    }
)


def _plain(number: float) -> str:
    return str(int(number)) if number == int(number) else str(number)


def number_range(field: str) -> str | None:
    """What a number setting expects, its whole range: "a whole number from 0 to 366"."""
    info = Settings.model_fields.get(field)
    if info is None or info.annotation not in (int, float):
        return None
    low = above = high = None
    for rule in info.metadata:
        low = getattr(rule, "ge", low)
        above = getattr(rule, "gt", above)
        high = getattr(rule, "le", high)
    if high is None:
        return None
    kind = "a whole number" if info.annotation is int else "a number"
    if above is not None:
        return f"{kind} above {_plain(above)}, at most {_plain(high)}"
    return f"{kind} from {_plain(low or 0)} to {_plain(high)}"


def _one_of(choices: Iterable[str]) -> str:
    """wgs84 or gcj02; zh_Hans, en or zh_Hant."""
    *others, last = choices
    return f"{', '.join(others)} or {last}" if others else last


def _problem(error: Any) -> tuple[str, str]:
    """The setting an error is about and what is expected of it."""
    message = str(error["msg"]).removeprefix("Value error, ")
    loc = error["loc"]
    if not loc:
        # A rule across settings names the setting at the start of its message.
        name, _, rest = message.partition(": ")
        return (name, rest) if rest else ("settings", message)
    field = str(loc[0])
    if field in _LIST_EXAMPLES and len(loc) > 1:
        return field.upper(), f"expected {_LIST_EXAMPLES[field]} ({error['input']!r} is not)"
    if error["type"] == "literal_error":
        choices = get_args(Settings.model_fields[field].annotation)
        return field.upper(), f"expected {_one_of(choices)} ({error['input']!r} is not)"
    if error["type"] == "bool_parsing":
        return field.upper(), "expected true or false"
    expected = number_range(field) if error["type"] in _NUMBER_ERRORS else None
    if expected is not None:
        return field.upper(), f"expected {expected} ({error['input']!r} is not)"
    return field.upper(), message


def _one_edit_apart(name: str, setting: str) -> bool:
    """One letter added, dropped, changed, or two neighbours swapped: ADMIN_ID, TIME_ZONE,
    DATABASE_URI, REPORT_DIR. Names further off are other programs' (DATABASE_USER,
    API_BASE_URL, set by a compose file or a PaaS), which must not stop the bot."""
    if abs(len(name) - len(setting)) > 1:
        return False
    if len(name) == len(setting):
        differ = [i for i, (a, b) in enumerate(zip(name, setting, strict=True)) if a != b]
        return len(differ) == 1 or (
            len(differ) == 2
            and differ[1] == differ[0] + 1
            and name[differ[0]] == setting[differ[1]]
            and name[differ[1]] == setting[differ[0]]
        )
    shorter, longer = sorted((name, setting), key=len)
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))


def _misspelled(names: Iterable[str], where: str, given: set[str]) -> None:
    """A name that is no setting but nearly one whose setting is not given: ADMIN_ID for
    ADMIN_IDS would otherwise leave the bot without an admin, silently."""
    settings = [field.upper() for field in Settings.model_fields]
    for name in names:
        if name.upper() in settings:
            continue
        close = [setting for setting in settings if _one_edit_apart(name.upper(), setting)]
        if close and close[0] not in given:
            raise SettingsError(f"{name} in {where} is not a setting: did you mean {close[0]}?")


def _first_line_not_utf8(data: bytes) -> int:
    for number, line in enumerate(data.splitlines(), 1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            return number
    return 1


def _check_names(overrides: dict[str, Any]) -> None:
    env_file = overrides.get("_env_file", Settings.model_config.get("env_file"))
    in_file: list[str] = []
    if isinstance(env_file, str | Path) and Path(env_file).is_file():
        try:
            in_file = [name for name in dotenv_values(env_file, encoding="utf-8") if name]
        except UnicodeDecodeError:
            line = _first_line_not_utf8(Path(env_file).read_bytes())
            raise SettingsError(
                f"{env_file} is not UTF-8 text (line {line}): save it as UTF-8 and start again"
            ) from None
    given = {name.upper() for name in (*os.environ, *in_file, *overrides)}
    _misspelled(in_file, str(env_file), given)
    _misspelled(os.environ, "the environment", given)


def load_settings(**overrides: Any) -> Settings:
    """Read the settings, turning pydantic's report into one line naming the setting."""
    _check_names(overrides)
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        name, message = _problem(exc.errors()[0])
        raise SettingsError(f"{name} is invalid: {message}") from None
