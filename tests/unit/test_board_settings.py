"""The board's settings: documented defaults, and one line naming a bad one."""

from __future__ import annotations

import pytest

from bot.settings import SettingsError, load_settings


def test_board_defaults_are_the_documented_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir("/")
    settings = load_settings(_env_file=None)
    assert settings.board_url == ""  # no board unless asked for
    assert (settings.board_listen, settings.board_port) == ("0.0.0.0", 8080)
    assert settings.board_refresh_seconds == 10
    assert settings.map_tile_url == "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    assert settings.map_tile_attribution == "© OpenStreetMap contributors"
    assert settings.map_coordinates == "wgs84"


def test_board_settings_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOARD_URL", "https://bot.example.org/board/")
    monkeypatch.setenv("BOARD_PORT", "9100")
    monkeypatch.setenv("MAP_COORDINATES", "gcj02")
    monkeypatch.setenv(
        "MAP_TILE_URL", "https://webrd0{s}.is.autonavi.com/appmaptile?x={x}&y={y}&z={z}&style=8"
    )
    settings = load_settings(_env_file=None)
    assert settings.board_url == "https://bot.example.org/board/"
    assert settings.board_port == 9100
    assert settings.map_coordinates == "gcj02"


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        (
            "BOARD_URL",
            "http://bot.example.org/board/",
            "BOARD_URL is invalid: expected the board's public https:// URL",
        ),
        ("BOARD_PORT", "0", "BOARD_PORT is invalid"),
        ("BOARD_PORT", "http", "BOARD_PORT is invalid"),
        ("BOARD_REFRESH_SECONDS", "0", "BOARD_REFRESH_SECONDS is invalid"),
        (
            "MAP_TILE_URL",
            "https://tiles.example.org/tile.png",
            "MAP_TILE_URL is invalid: expected a tile URL template with {z}, {x} and {y}",
        ),
        ("MAP_COORDINATES", "bd09", "MAP_COORDINATES is invalid"),
    ],
)
def test_a_bad_board_setting_names_itself_in_one_line(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as raised:
        load_settings(_env_file=None)
    assert str(raised.value).startswith(expected)
    assert "\n" not in str(raised.value)
