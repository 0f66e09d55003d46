from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.db.process_lock import hold_single_process_lock
from bot.settings import SettingsError, load_settings


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
        (
            "ADMIN_IDS",
            "1,abc",
            "ADMIN_IDS is invalid: expected comma-separated Telegram user ids such as "
            "11111111,22222222 ('abc' is not)",
        ),
        ("REMINDER_LEADS", "720,soon", "REMINDER_LEADS is invalid: expected comma-separated"),
        ("CHECKIN_REQUIRE_PHOTO", "maybe", "CHECKIN_REQUIRE_PHOTO is invalid: expected true or"),
        ("GRADE_FAIR_MIN", "90", "GRADE_FAIR_MIN is invalid: expected at most GRADE_GOOD_MIN (85)"),
        ("REMINDER_LEADS", "30,-5", "REMINDER_LEADS is invalid: expected positive minutes"),
        ("DATABASE_URL", "mysql://x", "DATABASE_URL is invalid: expected sqlite+aiosqlite"),
        ("QUIET_HOURS", "late", "QUIET_HOURS is invalid: expected HH:MM-HH:MM"),
        ("DEFAULT_LANGUAGE", "fr", "DEFAULT_LANGUAGE is invalid: expected one of"),
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
        "dutybot: BOARD_PORT is invalid: the webhook listens on port 8443 too "
        "(WEBHOOK_PORT): give the board another port and route /board/ to it"
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
