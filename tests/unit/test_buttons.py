"""Button data is declared once, typed, with unique prefixes, and every button is handled."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

import pytest

from bot import buttons
from bot.buttons import CallbackData, NoShowComing
from bot.commands import REGISTRY
from handlers.routing import Button


class _Colour(enum.StrEnum):
    RED = "r"
    GREEN = "g"


@dataclass(frozen=True)
class _Sample(CallbackData, prefix="test.sample"):
    number: int
    day: dt.date
    colour: _Colour
    name: str | None
    flag: bool


def test_a_button_packs_and_parses_its_values() -> None:
    sample = _Sample(-3, dt.date(2026, 12, 1), _Colour.GREEN, None, True)
    assert sample.pack() == "test.sample:-3:20261201:g:-:1"
    assert _Sample.parse(sample.pack()) == sample
    assert _Sample.parse("test.sample:4:20261231:r:ab:0") == _Sample(
        4, dt.date(2026, 12, 31), _Colour.RED, "ab", False
    )


@pytest.mark.parametrize(
    "forged",
    [
        None,
        "",
        "test.sample",
        "test.sample:1:20261201:g:-",  # a value missing
        "test.sample:1:20261201:g:-:1:extra",
        "test.sample:x:20261201:g:-:1",
        "test.sample:1:20261301:g:-:1",  # no 13th month
        "test.sample:1:20261201:blue:-:1",
        "test.sample:1:20261201:g:-:yes",
        "test.sample:１:20261201:g:-:1",  # a full-width digit
        "ns.y:1",
    ],
)
def test_forged_data_parses_to_nothing(forged: str | None) -> None:
    assert _Sample.parse(forged) is None


def test_values_that_would_break_the_data_are_refused() -> None:
    with pytest.raises(ValueError, match="cannot put"):
        _Sample(1, dt.date(2026, 12, 1), _Colour.RED, "a:b", True).pack()
    with pytest.raises(ValueError, match="64 bytes"):
        _Sample(1, dt.date(2026, 12, 1), _Colour.RED, "x" * 60, True).pack()


def test_a_prefix_cannot_be_declared_twice() -> None:
    with pytest.raises(ValueError, match="taken by"):

        @dataclass(frozen=True)
        class _Again(CallbackData, prefix=NoShowComing.prefix):
            assignment_id: int


def test_a_prefix_does_not_match_a_longer_one() -> None:
    assert NoShowComing.matches("ns.y:1") and NoShowComing.matches("ns.y")
    assert not NoShowComing.matches("ns.yes:1") and not NoShowComing.matches("ns")


def test_every_declared_button_is_handled_once() -> None:
    routed = [route.data for route in REGISTRY.buttons if isinstance(route, Button)]
    assert len(routed) == len(set(routed))
    declared = {
        prefix: cls
        for prefix, cls in buttons.declared().items()
        if cls.__module__ == buttons.__name__
    }
    assert declared, "bot/buttons.py declares the buttons"
    assert set(declared.values()) == set(routed)
