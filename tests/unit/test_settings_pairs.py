"""Settings that only make sense together are checked together: a wrong pair stops start-up
with one line naming both, as a wrong single setting does, instead of a rule that silently
never fires (the late nudge, a reminder to acknowledge) or a report held until morning."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import SettingsError, load_settings


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        # The late nudge is due between the two: none at all, and absent before late.
        (
            {"LATE_AFTER_MIN": "30", "ABSENT_AFTER_MIN": "30"},
            "LATE_AFTER_MIN is invalid: expected fewer minutes than ABSENT_AFTER_MIN (30)",
        ),
        (
            {"LATE_AFTER_MIN": "45"},
            "LATE_AFTER_MIN is invalid: expected fewer minutes than ABSENT_AFTER_MIN (30)",
        ),
        # No LATE_AFTER_MIN is fewer than none: the line names the setting that cannot be met.
        (
            {"LATE_AFTER_MIN": "0", "ABSENT_AFTER_MIN": "0"},
            "ABSENT_AFTER_MIN is invalid: expected a whole number from 1 to 1440 ('0' is not)",
        ),
        # Non-urgent, the daily tally would wait for the quiet hours to end: the next morning.
        (
            {"SUMMARY_TIME": "22:30"},
            "SUMMARY_TIME is invalid: expected a time outside QUIET_HOURS (22:00-07:00)",
        ),
        (
            {"SUMMARY_TIME": "20:00", "QUIET_HOURS": "19:00-23:00"},
            "SUMMARY_TIME is invalid: expected a time outside QUIET_HOURS (19:00-23:00)",
        ),
        (
            {"REPORT_TIME": "06:30"},
            "REPORT_TIME is invalid: expected a time outside QUIET_HOURS (22:00-07:00)",
        ),
        # The reminder to acknowledge is due only before the deadline: never for litter.
        (
            {"ORDER_DEADLINE_HOURS": "litter=4"},
            "ORDER_ACK_REMIND_HOURS is invalid: expected fewer hours than the shortest of "
            "ORDER_DEADLINE_HOURS (litter=4)",
        ),
        (
            {"ORDER_ACK_REMIND_HOURS": "30"},
            "ORDER_ACK_REMIND_HOURS is invalid: expected fewer hours than the shortest of "
            "ORDER_DEADLINE_HOURS (parking=24)",
        ),
    ],
)
def test_a_wrong_pair_names_both_settings(
    monkeypatch: pytest.MonkeyPatch, values: dict[str, str], expected: str
) -> None:
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as raised:
        load_settings(_env_file=None)
    assert str(raised.value).startswith(expected)
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(
    "values",
    [
        {"LATE_AFTER_MIN": "29", "ABSENT_AFTER_MIN": "30"},
        {"LATE_AFTER_MIN": "0", "ABSENT_AFTER_MIN": "1"},
        {"SUMMARY_TIME": "21:59"},
        {"SUMMARY_TIME": "07:00"},
        {"SUMMARY_TIME": "23:00", "QUIET_HOURS": ""},
        {"SUMMARY_TIME": "20:00", "QUIET_HOURS": "00:00-00:00"},
        {"REPORT_TIME": "07:00"},
        {"ORDER_DEADLINE_HOURS": "litter=5"},
        {"ORDER_ACK_REMIND_HOURS": "2", "ORDER_DEADLINE_HOURS": "litter=3"},
    ],
)
def test_a_right_pair_passes(monkeypatch: pytest.MonkeyPatch, values: dict[str, str]) -> None:
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    load_settings(_env_file=None)


def test_a_wrong_pair_stops_the_command_with_one_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "migrate"],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "LATE_AFTER_MIN": "40", "ABSENT_AFTER_MIN": "30"},
        cwd=str(tmp_path),
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "dutybot: LATE_AFTER_MIN is invalid: expected fewer minutes than ABSENT_AFTER_MIN (30): "
        "a volunteer would be marked absent before late, and never nudged"
    ]
    assert not (tmp_path / "data").exists()
