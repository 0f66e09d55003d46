"""Button data is declared once, typed, with unique prefixes, and every button is handled."""

from __future__ import annotations

import datetime as dt
import enum
import typing
from dataclasses import dataclass
from pathlib import Path

import pytest
from telegram.ext import CallbackQueryHandler

from bot import buttons
from bot.app import register_handlers
from bot.buttons import CallbackData, NoShowComing
from bot.commands import REGISTRY
from bot.db.models import Correction, PostType, Role
from handlers.routing import Button
from handlers.turn import BotApplication
from tests.button_samples import sample

ROOT = Path(__file__).resolve().parents[2]


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
        "test.sample:2147483648:20261201:g:-:1",  # past the database's integer columns
        "test.sample:" + "9" * 40 + ":20261201:g:-:1",
        "test.sample:1:99991231:g:-:1",  # a day at the calendar's end
        "test.sample:1:00010101:g:-:1",
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
    declared = _declared_here()
    assert declared, "the package bot/buttons/ declares the buttons"
    assert set(declared.values()) == set(routed)


def _declared_here() -> dict[str, type[CallbackData]]:
    """The buttons of the package bot/buttons/ (its ``__init__`` too), not the samples the
    tests declare."""
    package = buttons.__name__
    return {
        prefix: cls
        for prefix, cls in buttons.declared().items()
        if cls.__module__ == package or cls.__module__.startswith(package + ".")
    }


def test_every_button_class_of_the_module_is_declared_with_its_own_prefix() -> None:
    classes = [
        value
        for value in vars(buttons).values()
        if isinstance(value, type) and issubclass(value, CallbackData) and value is not CallbackData
    ]
    prefixes = [cls.prefix for cls in classes]
    assert len(prefixes) == len(set(prefixes))
    assert set(_declared_here().values()) == set(classes)
    for cls in classes:
        pressed = sample(cls)
        assert cls.parse(pressed.pack()) == pressed, cls
        # A press is routed on its prefix alone: no other class claims it.
        assert [other for other in classes if other.matches(pressed.pack())] == [cls]


class _Recorder:
    """Stands in for the Application: keeps the handlers registered."""

    def __init__(self) -> None:
        self.handlers: list[object] = []

    def add_handler(self, handler: object, group: int = 0) -> None:
        self.handlers.append(handler)

    def add_error_handler(self, callback: object) -> None:
        pass


def test_the_application_routes_every_declared_button_to_one_handler() -> None:
    recorder = _Recorder()
    register_handlers(typing.cast(BotApplication, recorder), REGISTRY)
    patterns = [
        handler.pattern
        for handler in recorder.handlers
        if isinstance(handler, CallbackQueryHandler) and handler.pattern is not None
    ]
    # Each is a class's own `matches`, never a regex built from a prefix; (one catch-all without a
    # pattern answers whatever else is pressed as a stale button).
    assert all(callable(pattern) for pattern in patterns)
    for prefix, cls in _declared_here().items():
        data = sample(cls).pack()
        routed = [pattern for pattern in patterns if callable(pattern) and pattern(data)]
        assert len(routed) == 1, prefix


# Buttons already in people's chats and in outboxes keep working: the wire format of the buttons
# that were hand-built before they were typed stays exactly what it was.
WIRE = [
    (buttons.SignUp(12), "su:12"),
    (buttons.ShiftCard(12), "sc:12"),
    (buttons.ShiftCard(12, 25), "sc:12:25"),
    (buttons.ShiftList(5, None, None), "sh:5:-:-"),
    (buttons.ShiftList(0, dt.date(2026, 12, 2), PostType.TRAFFIC), "sh:0:20261202:traffic"),
    (buttons.ShiftDayPick(None), "sh.d:-"),
    (buttons.RosterDayPage(dt.date(2026, 12, 2), 1), "ro:20261202:1"),
    (buttons.PostRadius(3), "po.rad:3"),
    (buttons.PostRadius(3, 100), "po.rad:3:100"),
    (buttons.NewShiftTime("0700-0900"), "ns.t:0700-0900"),
    (buttons.BroadcastUnit(None), "bc.u:all"),
    (buttons.BroadcastUnit(4), "bc.u:4"),
    (buttons.BroadcastWhat(buttons.BroadcastChoice.TOMORROW), "bc.w:tomorrow"),
    (buttons.InviteRole(4, Role.VOLUNTEER), "inv.r:4:volunteer"),
    (buttons.AttendanceCorrect(9, Correction.REJECT_PHOTO), "att.do:9:reject_photo"),
    (buttons.SwapKindPick(9, buttons.SwapChoice.HAND_OVER), "swk:9:h"),
    (buttons.UnitSwapApproval(4, True), "usa:4:1"),
    (buttons.SwapTake(3), "swt:3"),
    (buttons.SwapApprove(3), "swy:3"),
    (buttons.CheckOut(8), "ci.out:8"),
    (buttons.OnPost(8), "ci.here:8"),
    (buttons.Export(buttons.ExportPeriod.LAST_MONTH), "exp:last_month"),
    (buttons.GroupScope(0), "grp.s:0"),
    (buttons.SetLanguage("zh_Hant"), "lang:zh_Hant"),
    (buttons.CancelDialogue(), "cancel"),
    (buttons.MyShifts(), "my"),
]


@pytest.mark.parametrize(("button", "wire"), WIRE)
def test_the_wire_format_of_older_buttons_is_kept(button: CallbackData, wire: str) -> None:
    assert button.pack() == wire
    assert type(button).parse(wire) == button


def test_a_trailing_optional_field_may_be_left_out_and_none_has_its_own_word() -> None:
    assert buttons.ShiftCard.parse("sc:12") == buttons.ShiftCard(12, None)
    assert buttons.ShiftCard.parse("sc:12:7:1") is None
    assert buttons.BroadcastUnit.parse("bc.u:-") is None  # "all" is this class's word for none
    assert buttons.BroadcastUnit.parse("bc.u") is None  # a required field cannot be left out


def test_no_handler_reads_callback_data_by_hand() -> None:
    for path in sorted((ROOT / "handlers").glob("*.py")):
        text = path.read_text()
        assert "query.data" not in text and "callback_args" not in text, path.name


def test_a_page_button_with_a_negative_offset_is_forged() -> None:
    assert buttons.UnitPage.parse("unit.p:-20") is None
    assert buttons.UnitPage.parse("unit.p:20") == buttons.UnitPage(20)
    with pytest.raises(ValueError, match="page offset"):
        buttons.PostPage(-1)
