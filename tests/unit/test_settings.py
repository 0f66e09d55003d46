from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
import telegram._bot as telegram_bot
from annotated_types import Ge, Gt, Le
from telegram import Bot

from bot.db.process_lock import hold_single_process_lock
from bot.settings import _TOKEN_PLACES, Settings, SettingsError, load_settings


def test_defaults_are_documented_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir("/")
    settings = load_settings(_env_file=None)
    assert settings.database_url == "sqlite+aiosqlite:///data/dutybot.db"
    assert settings.timezone == "Asia/Shanghai"
    assert settings.reminder_leads == [720, 30]
    assert settings.summary_time == dt.time(20, 0)
    assert settings.quiet_window is not None and settings.quiet_window.contains(dt.time(23, 30))
    assert not settings.quiet_window.contains(dt.time(12, 0))


def test_lists_and_times_parse_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_IDS", "1, 2,3")
    monkeypatch.setenv("REMINDER_LEADS", "30,720,60")
    monkeypatch.setenv("SUMMARY_TIME", "21:15")
    settings = load_settings(_env_file=None)
    assert settings.admin_ids == [1, 2, 3]
    assert settings.reminder_leads == [720, 60, 30]
    assert settings.summary_time == dt.time(21, 15)


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("TIMEZONE", "Mars/Olympus", "TIMEZONE is invalid: expected an IANA time zone"),
        ("SUMMARY_TIME", "8pm", "SUMMARY_TIME is invalid: expected a time of day as HH:MM"),
        ("BOT_API_BASE_URL", "ftp://x", "BOT_API_BASE_URL is invalid: expected an http://"),
        # A self-hosted Bot API server's address alone: PTB put the token right after it
        # (http://host:8081123456:ABC/getMe), or after the slash, answered 404, which start-up
        # called "Telegram refused BOT_TOKEN".
        (
            "BOT_API_BASE_URL",
            "http://127.0.0.1:8081",
            "BOT_API_BASE_URL is invalid: expected the Bot API's URL ending in /bot{token}, "
            "e.g. http://127.0.0.1:8081/bot{token}",
        ),
        ("BOT_API_BASE_URL", "http://127.0.0.1:8081/", "BOT_API_BASE_URL is invalid"),
        # The example given back leaves out a password in the URL: the line goes to the log.
        (
            "BOT_API_BASE_URL",
            "http://bot:s3cret@127.0.0.1:8081",
            "BOT_API_BASE_URL is invalid: expected the Bot API's URL ending in /bot{token}, "
            "e.g. http://127.0.0.1:8081/bot{token}",
        ),
        (
            "BOT_API_FILE_URL",
            "http://127.0.0.1:8081/file/",
            "BOT_API_FILE_URL is invalid: expected the Bot API's URL ending in /file/bot{token}, "
            "e.g. http://127.0.0.1:8081/file/bot{token}",
        ),
        (
            "ADMIN_IDS",
            "1,abc",
            "ADMIN_IDS is invalid: expected comma-separated Telegram user ids such as "
            "11111111,22222222 ('abc' is not)",
        ),
        ("REMINDER_LEADS", "720,soon", "REMINDER_LEADS is invalid: expected comma-separated"),
        ("CHECKIN_REQUIRE_PHOTO", "maybe", "CHECKIN_REQUIRE_PHOTO is invalid: expected true or"),
        ("GRADE_FAIR_MIN", "90", "GRADE_FAIR_MIN is invalid: expected at most GRADE_GOOD_MIN (85)"),
        ("REMINDER_LEADS", "30,-5", "REMINDER_LEADS is invalid: expected minutes from 1 to"),
        ("DATABASE_URL", "mysql://x", "DATABASE_URL is invalid: expected sqlite+aiosqlite"),
        # No database named: asyncpg connects to the user's (postgres, the server's own), and
        # the bot's tables were made there.
        (
            "DATABASE_URL",
            "postgresql+asyncpg://postgres@127.0.0.1:5432",
            "DATABASE_URL is invalid: name the database, e.g. postgresql+asyncpg://user@host/dutybot",
        ),
        (
            "DATABASE_URL",
            "postgresql+asyncpg://dutybot:secret@db.example.org/",
            "DATABASE_URL is invalid: name the database",
        ),
        ("QUIET_HOURS", "late", "QUIET_HOURS is invalid: expected HH:MM-HH:MM"),
        # One line naming the values a setting takes, not pydantic's "Input should be ...".
        (
            "DEFAULT_LANGUAGE",
            "fr",
            "DEFAULT_LANGUAGE is invalid: expected zh_Hans, en or zh_Hant ('fr' is not)",
        ),
        ("MAP_COORDINATES", "bd09", "MAP_COORDINATES is invalid: expected wgs84 or gcj02 ('bd09'"),
        (
            "CHECKIN_DUPLICATE_PHOTO",
            "warn",
            "CHECKIN_DUPLICATE_PHOTO is invalid: expected refuse or flag ('warn' is not)",
        ),
        ("LATE_AFTER_MIN", "-1", "LATE_AFTER_MIN is invalid"),
        # A group's chat id (negative) or 0 pasted for a person's id: no one would be an admin.
        (
            "ADMIN_IDS",
            "11111111,-1001234567890",
            "ADMIN_IDS is invalid: expected comma-separated Telegram user ids such as "
            "11111111,22222222 ('-1001234567890' is not)",
        ),
        ("ADMIN_IDS", "0", "ADMIN_IDS is invalid: expected comma-separated Telegram user ids"),
        # Hours that no date can hold: every scheduler tick would fail on them (OverflowError).
        ("ORDER_ACK_REMIND_HOURS", "inf", "ORDER_ACK_REMIND_HOURS is invalid"),
        ("ORDER_NEAR_DEADLINE_HOURS", "1e9", "ORDER_NEAR_DEADLINE_HOURS is invalid"),
        ("ORDER_ESCALATE_AFTER_HOURS", "inf", "ORDER_ESCALATE_AFTER_HOURS is invalid"),
        # An infinite weight makes every score NaN.
        ("SCORE_WEIGHT_ON_POST", "inf", "SCORE_WEIGHT_ON_POST is invalid"),
        ("SCORE_WEIGHT_ORDERS", "inf", "SCORE_WEIGHT_ORDERS is invalid"),
        ("INSPECTION_ROUND_WEIGHTS", "40,inf", "INSPECTION_ROUND_WEIGHTS is invalid"),
        # Numbers beyond any sensible value overflow a date later (OverflowError in a handler
        # or in every scheduler tick): each is refused at start-up, naming its range.
        (
            "WEBHOOK_PORT",
            "70000",
            "WEBHOOK_PORT is invalid: expected a whole number from 1 to 65535",
        ),
        (
            "STARTUP_ATTEMPTS",
            "1000",
            "STARTUP_ATTEMPTS is invalid: expected a whole number from 1 to 20",
        ),
        (
            "SIGNUP_OPEN_DAYS",
            "100000000",
            "SIGNUP_OPEN_DAYS is invalid: expected a whole number from 0 to 366 "
            "('100000000' is not)",
        ),
        (
            "CANCEL_CUTOFF_HOURS",
            "10000000000",
            "CANCEL_CUTOFF_HOURS is invalid: expected a whole number from 0 to 8784",
        ),
        (
            "WEEKLY_SHIFT_CAP",
            "1000",
            "WEEKLY_SHIFT_CAP is invalid: expected a whole number from 0 to 100",
        ),
        (
            "NO_SHOW_BLOCK_AFTER",
            "1000",
            "NO_SHOW_BLOCK_AFTER is invalid: expected a whole number from 0 to 100",
        ),
        (
            "UNDERSTAFFED_ALERT_HOURS",
            "8785",
            "UNDERSTAFFED_ALERT_HOURS is invalid: expected a whole number from 0 to 8784",
        ),
        (
            "OFFER_REPEAT_HOURS",
            "8785",
            "OFFER_REPEAT_HOURS is invalid: expected a whole number from 0 to 8784",
        ),
        (
            "SWAP_EXPIRY_BEFORE_START_MIN",
            "10081",
            "SWAP_EXPIRY_BEFORE_START_MIN is invalid: expected a whole number from 0 to 10080",
        ),
        (
            "CHECKIN_OPEN_BEFORE_MIN",
            "1441",
            "CHECKIN_OPEN_BEFORE_MIN is invalid: expected a whole number from 0 to 1440",
        ),
        (
            "LATE_AFTER_MIN",
            "1441",
            "LATE_AFTER_MIN is invalid: expected a whole number from 0 to 1440",
        ),
        (
            "ABSENT_AFTER_MIN",
            "99999999999",
            "ABSENT_AFTER_MIN is invalid: expected a whole number from 1 to 1440",
        ),
        (
            "DEFAULT_POST_RADIUS_M",
            "5001",
            "DEFAULT_POST_RADIUS_M is invalid: expected a whole number from 10 to 5000",
        ),
        (
            "DEFAULT_POST_RADIUS_M",
            "5",
            "DEFAULT_POST_RADIUS_M is invalid: expected a whole number from 10 to 5000",
        ),
        (
            "LEFT_POST_ALERT_MIN",
            "1441",
            "LEFT_POST_ALERT_MIN is invalid: expected a whole number from 1 to 1440",
        ),
        (
            "AUTO_CHECKOUT_AFTER_MIN",
            "1441",
            "AUTO_CHECKOUT_AFTER_MIN is invalid: expected a whole number from 0 to 1440",
        ),
        (
            "REMINDER_LEADS",
            "720,100000000",
            "REMINDER_LEADS is invalid: expected minutes from 1 to 10080 (a week), e.g. 720,30",
        ),
        (
            "SCHEDULER_TICK_SECONDS",
            "3601",
            "SCHEDULER_TICK_SECONDS is invalid: expected a whole number from 1 to 3600",
        ),
        (
            "SCORE_WEIGHT_ON_POST",
            "1e308",
            "SCORE_WEIGHT_ON_POST is invalid: expected a number from 0 to 1000",
        ),
        (
            "SCORE_WEIGHT_PUNCTUALITY",
            "1001",
            "SCORE_WEIGHT_PUNCTUALITY is invalid: expected a number from 0 to 1000",
        ),
        (
            "SCORE_WEIGHT_ATTENDANCE",
            "1001",
            "SCORE_WEIGHT_ATTENDANCE is invalid: expected a number from 0 to 1000",
        ),
        (
            "SCORE_WEIGHT_INSPECTIONS",
            "1001",
            "SCORE_WEIGHT_INSPECTIONS is invalid: expected a number from 0 to 1000",
        ),
        (
            "SCORE_WEIGHT_ORDERS",
            "1001",
            "SCORE_WEIGHT_ORDERS is invalid: expected a number from 0 to 1000",
        ),
        ("GRADE_GOOD_MIN", "101", "GRADE_GOOD_MIN is invalid: expected a number from 0 to 100"),
        (
            "INSPECTION_ROUND_WEIGHTS",
            "40,1e308,1e308",
            "INSPECTION_ROUND_WEIGHTS is invalid: expected comma-separated weights such as 40,60, "
            "each from 0 to 1000",
        ),
        (
            "ASSIGN_ACK_REMIND_HOURS",
            "169",
            "ASSIGN_ACK_REMIND_HOURS is invalid: expected a whole number from 0 to 168",
        ),
        ("MIN_REST_HOURS", "73", "MIN_REST_HOURS is invalid: expected a whole number from 0 to 72"),
        (
            "ORDER_DEADLINE_HOURS",
            "litter=100000000",
            "ORDER_DEADLINE_HOURS is invalid: expected hours from 1 to 8784 "
            "('litter=100000000' is not)",
        ),
        (
            "ORDER_ACK_REMIND_HOURS",
            "8785",
            "ORDER_ACK_REMIND_HOURS is invalid: expected a number above 0, at most 8784",
        ),
        (
            "ORDER_NEAR_DEADLINE_HOURS",
            "8785",
            "ORDER_NEAR_DEADLINE_HOURS is invalid: expected a number from 0 to 8784",
        ),
        (
            "REPORT_DUPLICATE_M",
            "5001",
            "REPORT_DUPLICATE_M is invalid: expected a whole number from 0 to 5000",
        ),
        (
            "REPORT_ROUTE_NEAREST_M",
            "50001",
            "REPORT_ROUTE_NEAREST_M is invalid: expected a whole number from 0 to 50000",
        ),
        (
            "INSPECT_NEAR_M",
            "50001",
            "INSPECT_NEAR_M is invalid: expected a whole number from 1 to 50000",
        ),
        (
            "INSPECT_NEAR_M",
            "far",
            "INSPECT_NEAR_M is invalid: expected a whole number from 1 to 50000 ('far' is not)",
        ),
    ],
)
def test_invalid_setting_names_itself(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as raised:
        load_settings(_env_file=None)
    assert str(raised.value).startswith(expected)
    assert "\n" not in str(raised.value)


def test_a_choice_is_taken_in_any_case(monkeypatch: pytest.MonkeyPatch) -> None:
    """MAP_COORDINATES=GCJ02, CHECKIN_DUPLICATE_PHOTO=Flag, DEFAULT_LANGUAGE=zh-hant: the value
    meant is plain, and the line refusing it said "Input should be 'wgs84' or 'gcj02'"."""
    monkeypatch.setenv("MAP_COORDINATES", "GCJ02")
    monkeypatch.setenv("CHECKIN_DUPLICATE_PHOTO", "Flag")
    monkeypatch.setenv("DEFAULT_LANGUAGE", "zh-hant")
    settings = load_settings(_env_file=None)
    assert settings.map_coordinates == "gcj02"
    assert settings.checkin_duplicate_photo == "flag"
    assert settings.default_language == "zh_Hant"
    monkeypatch.setenv("DEFAULT_LANGUAGE", "EN")
    assert load_settings(_env_file=None).default_language == "en"


@pytest.mark.parametrize(
    "token",
    [
        "123456:ABC DEF-ghi",
        "123456:ABC\u3000DEF",
        "123456\uff1aABC-DEF",
        "bot123456:ABC-DEF",
        "ABC-DEF",
        "123456:",
    ],
)
def test_a_token_that_is_not_one_is_named_without_showing_it(
    monkeypatch: pytest.MonkeyPatch, token: str
) -> None:
    """A token with a space in it (pasted across a line break, or a full-width one), a
    full-width colon, the "bot" of the URL, or half of it: start-up tried the Bot API six times
    over half a minute (offline) or said Telegram refused it, where the line can say what is
    wrong with it; a token is a secret, so the line does not repeat it."""
    monkeypatch.setenv("BOT_TOKEN", token)
    with pytest.raises(SettingsError) as raised:
        load_settings(_env_file=None)
    assert str(raised.value) == (
        "BOT_TOKEN is invalid: expected the token BotFather gave you, digits, a colon and the "
        "rest, such as 123456:ABC-DEF..., with no space in or around it"
    )


@pytest.mark.parametrize(
    "token",
    [
        "110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",  # BotFather's own example
        "123456:TEST",  # the emulator's
        "100000:DEMO",  # the demo's
        "5000000001:AAF-_x",  # a test server's or a local Bot API's: any length
        "123456:ABC.def~=+",  # Telegram does not promise which characters follow the colon
    ],
)
def test_every_token_of_telegrams_form_is_taken(
    monkeypatch: pytest.MonkeyPatch, token: str
) -> None:
    """Telegram promises digits, a colon and a secret, not the secret's length or letters: a
    check stricter than that would stop a working bot at its first start after an upgrade."""
    monkeypatch.setenv("BOT_TOKEN", token)
    assert load_settings(_env_file=None).bot_token == token


def test_every_number_setting_has_a_range() -> None:
    """A number without an upper bound passes start-up and overflows a date later."""
    unbounded = [
        name
        for name, field in Settings.model_fields.items()
        if field.annotation in (int, float)
        and not (
            any(isinstance(rule, (Ge, Gt)) for rule in field.metadata)
            and any(isinstance(rule, Le) for rule in field.metadata)
        )
    ]
    assert unbounded == []


def test_the_defaults_are_within_their_ranges(monkeypatch: pytest.MonkeyPatch) -> None:
    # Defaults are not validated by pydantic: each is passed as if it were set.
    monkeypatch.chdir("/")
    defaults = load_settings(_env_file=None).model_dump()
    assert load_settings(_env_file=None, **defaults).model_dump() == defaults


def test_missing_token_stops_run_with_one_line(tmp_path: object) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "BOT_TOKEN": ""},
        cwd=str(tmp_path),
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "dutybot: BOT_TOKEN is missing: set it to the token BotFather gave you "
        "(e.g. 123456:ABC-DEF...)"
    ]


def test_invalid_setting_stops_cli_with_one_line(tmp_path: object) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "migrate"],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "TIMEZONE": "Nowhere/City"},
        cwd=str(tmp_path),
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "dutybot: TIMEZONE is invalid: expected an IANA time zone such as Asia/Shanghai"
    ]


def test_a_misspelled_setting_is_named_not_ignored(tmp_path: Path) -> None:
    """ADMIN_ID for ADMIN_IDS, in .env (README's first step) or in the environment (docker's
    --env-file): the bot started with no admin, and the operator's /start was told to ask a
    coordinator for an invite link. Names close to a setting are refused with the setting;
    a .env shared with other programs keeps their names."""
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x.db"}

    def migrate(**more: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", "migrate"],
            capture_output=True,
            text=True,
            env={**env, **more},
            cwd=str(tmp_path),
            check=False,
        )

    (tmp_path / ".env").write_text("BOT_TOKEN=123456:ABC\nADMIN_ID=11111111\nPOSTGRES_USER=bot\n")
    result = migrate()
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "dutybot: ADMIN_ID in .env is not a setting: did you mean ADMIN_IDS?"
    ]
    assert not (tmp_path / "x.db").exists()
    (tmp_path / ".env").write_text("ADMIN_IDS=11111111\nPOSTGRES_USER=bot\n")
    result = migrate(time_zone="Asia/Shanghai")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "dutybot: time_zone in the environment is not a setting: did you mean TIMEZONE?"
    ]
    result = migrate(WEBHOOK_HOST="example.org", TELEGRAM_BOT_TOKEN="1:a")
    assert result.returncode == 0, result.stderr
    # Names a container, a compose file or a PaaS sets for other programs, a few letters from a
    # setting's (DATABASE_USER and DATABASE_URL, API_BASE_URL and BOT_API_BASE_URL), are theirs:
    # an upgrade must not stop a working deployment over them, in the environment or in .env.
    (tmp_path / ".env").write_text("ADMIN_IDS=11111111\nDATABASE_USER=bot\n")
    # DATABASE_URL not given: the default database, in the folder the bot runs in.
    del env["DATABASE_URL"]
    result = migrate(
        DATABASE_USER="bot", API_BASE_URL="https://api.example.org/", TZ="UTC", PORT="8080"
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "dutybot.db").exists()


def test_a_env_file_not_in_utf8_is_named_in_one_line(tmp_path: Path) -> None:
    """A .env saved by an editor in GBK (a Chinese comment, a unit's name) stopped every
    command with a UnicodeDecodeError traceback."""
    (tmp_path / ".env").write_bytes("# 管理员\nADMIN_IDS=11111111\n".encode("gbk"))
    result = subprocess.run(
        [sys.executable, "-m", "bot", "migrate"],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x.db"},
        cwd=str(tmp_path),
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [
        "dutybot: .env is not UTF-8 text (line 1): save it as UTF-8 and start again"
    ]
    assert not (tmp_path / "x.db").exists()


def test_a_second_process_on_one_sqlite_database_refuses_to_start(tmp_path: Path) -> None:
    database = tmp_path / "dutybot.db"
    url = f"sqlite+aiosqlite:///{database}"
    held = hold_single_process_lock(url)
    assert held is not None
    try:
        result = subprocess.run(
            [sys.executable, "-m", "bot", "run"],
            capture_output=True,
            text=True,
            env={"PATH": "/usr/bin:/bin", "BOT_TOKEN": "123456:TEST", "DATABASE_URL": url},
            cwd=str(tmp_path),
            check=False,
        )
    finally:
        held.close()
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"dutybot: another dutybot process (pid {os.getpid()}) is already running on "
        f"{database}; on SQLite only one may run: stop it first, or use PostgreSQL "
        "(DATABASE_URL) to run several"
    ]
    assert not database.exists()  # it stopped before touching the database
    # Once the first process is gone, the lock is free again; PostgreSQL takes none.
    again = hold_single_process_lock(url)
    assert again is not None
    again.close()
    assert hold_single_process_lock("postgresql+asyncpg://postgres@127.0.0.1/test") is None


def test_a_rule_across_settings_names_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCORE_WEIGHT_ON_POST", "0")
    monkeypatch.setenv("SCORE_WEIGHT_PUNCTUALITY", "0")
    with pytest.raises(SettingsError) as raised:
        load_settings(_env_file=None)
    assert str(raised.value).startswith("SCORE_WEIGHT_PUNCTUALITY is invalid: expected a weight")


def test_a_webhook_and_a_board_on_one_port_are_named_before_start(tmp_path: Path) -> None:
    """The board and the webhook are two servers of one process: on one port the second could
    only fail saying "free the port", which the bot itself holds. Refused before the database
    is touched, naming both settings."""
    database = tmp_path / "dutybot.db"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--webhook"],
        capture_output=True,
        text=True,
        env={
            "PATH": "/usr/bin:/bin",
            "BOT_TOKEN": "123456:TEST",
            "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
            "WEBHOOK_URL": "https://bot.example.org/telegram",
            "WEBHOOK_SECRET": "a-secret_of-the-city",
            "WEBHOOK_PORT": "8443",
            "BOARD_URL": "https://bot.example.org/board/",
            "BOARD_LISTEN": "127.0.0.1",
            "BOARD_PORT": "8443",
        },
        cwd=str(tmp_path),
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [
        "dutybot: BOARD_PORT is invalid: the webhook listens on port 8443 too (WEBHOOK_PORT), "
        "on the board's address (BOARD_LISTEN 127.0.0.1, WEBHOOK_LISTEN 0.0.0.0): "
        "give the board another port and route /board/ to it"
    ]
    assert not database.exists()


def test_spaces_around_a_value_are_not_part_of_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """A token pasted with a trailing space or line break (docker's --env-file and systemd keep
    it) was sent to Telegram as is and refused as unauthorized; a DATABASE_URL ending in a space
    opened a new, empty database file whose name ends in a space."""
    monkeypatch.setenv("BOT_TOKEN", " 123456:ABC-DEF \n")
    monkeypatch.setenv("DATABASE_URL", "sqlite+aiosqlite:///data/dutybot.db ")
    monkeypatch.setenv("WEBHOOK_URL", "https://bot.example.org/telegram ")
    monkeypatch.setenv("WEBHOOK_SECRET", "a-secret_of-the-city\t")
    monkeypatch.setenv("TIMEZONE", "Asia/Shanghai ")
    monkeypatch.setenv("DEFAULT_LANGUAGE", " en")
    settings = load_settings(_env_file=None)
    assert settings.bot_token == "123456:ABC-DEF"
    assert settings.database_url == "sqlite+aiosqlite:///data/dutybot.db"
    assert settings.webhook_url == "https://bot.example.org/telegram"
    assert settings.webhook_secret == "a-secret_of-the-city"
    assert settings.timezone == "Asia/Shanghai"
    assert settings.default_language == "en"


def test_quotes_around_a_value_are_not_part_of_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """docker's --env-file (README "Docker") keeps the quotes of a .env line such as
    TIMEZONE="Asia/Shanghai" in the value, where the .env file read by `dutybot run` drops them:
    the same file refused its time zone, and sent its token to Telegram with the quotes."""
    monkeypatch.setenv("BOT_TOKEN", '"123456:ABC-DEF"')
    monkeypatch.setenv("TIMEZONE", "'Asia/Shanghai'")
    monkeypatch.setenv("ADMIN_IDS", '"11111111,22222222"')
    monkeypatch.setenv("CHECKIN_REQUIRE_PHOTO", '"false"')
    monkeypatch.setenv("QUIET_HOURS", '""')
    settings = load_settings(_env_file=None)
    assert settings.bot_token == "123456:ABC-DEF"
    assert settings.timezone == "Asia/Shanghai"
    assert settings.admin_ids == [11111111, 22222222]
    assert settings.checkin_require_photo is False
    assert settings.quiet_window is None
    # A quote that is part of a value stays.
    monkeypatch.setenv("MAP_TILE_ATTRIBUTION", '© "OSM" contributors')
    assert load_settings(_env_file=None).map_tile_attribution == '© "OSM" contributors'


def test_spaces_around_a_yes_or_no_are_not_part_of_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """The strings were stripped but a yes/no was not: CHECKIN_REQUIRE_PHOTO=false with the
    trailing space docker's --env-file keeps stopped start-up as 'unable to interpret'."""
    monkeypatch.setenv("CHECKIN_REQUIRE_PHOTO", "false ")
    monkeypatch.setenv("SUMMARY_PHOTO_WALL", " true\r\n")
    settings = load_settings(_env_file=None)
    assert settings.checkin_require_photo is False
    assert settings.summary_photo_wall is True


@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("BOT_API_BASE_URL", "https://api.telegram.org/bot{token}/test"),  # Telegram's test server
        ("BOT_API_BASE_URL", "http://127.0.0.1:8081/bot"),  # PTB appends the token
        ("BOT_API_BASE_URL", "http://127.0.0.1:8081/bot{TOKEN}"),
        ("BOT_API_BASE_URL", "http://127.0.0.1:8081/bot{bot_token}"),
        ("BOT_API_FILE_URL", "http://127.0.0.1:8081/file/bot{BOT-TOKEN}"),
        ("BOT_API_FILE_URL", "http://127.0.0.1:8081/file/bot"),
    ],
)
def test_a_bot_api_url_python_telegram_bot_takes_is_taken(
    monkeypatch: pytest.MonkeyPatch, name: str, url: str
) -> None:
    """python-telegram-bot puts the token where {token} (or {TOKEN}, {bot_token}, ...) stands,
    or after a URL without one: every URL it builds a working address from must start."""
    monkeypatch.setenv(name, url)
    settings = load_settings(_env_file=None)
    assert getattr(settings, name.lower()) == url
    bot = Bot("123456:TEST", base_url=url, base_file_url=url)
    assert "123456:TEST" in bot.base_url
    assert "{" not in bot.base_url
    # The spellings the check takes are PTB's own (a private name: a PTB upgrade shows here).
    assert set(_TOKEN_PLACES) == telegram_bot._INSERTION_STRINGS


def test_a_postgresql_url_without_a_database_takes_pgdatabase(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """asyncpg takes the database from PGDATABASE when the URL names none, as libpq does: a
    deployment that names it there worked, and must still start after the upgrade."""
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://dutybot@db.example.org")
    monkeypatch.setenv("PGDATABASE", "dutybot")
    settings = load_settings(_env_file=None)
    assert settings.database_url == "postgresql+asyncpg://dutybot@db.example.org"
    monkeypatch.delenv("PGDATABASE")
    with pytest.raises(SettingsError, match="DATABASE_URL is invalid: name the database"):
        load_settings(_env_file=None)
