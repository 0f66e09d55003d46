"""Buttons of every dialogue and everyone: a dialogue's Cancel, the language."""

from __future__ import annotations

from dataclasses import dataclass

from bot.buttons.callback_data import CallbackData


@dataclass(frozen=True)
class CancelDialogue(CallbackData, prefix="cancel"):
    """❌ Cancel under any step of a dialogue."""

    # The dialogue's mark, added as the turn's answer is kept (handlers/turn.py), so a ✖️ on
    # a replaced dialogue's prompt does not cancel the newer one. None: made before, or under
    # a message of no dialogue.
    mark: int | None = None


@dataclass(frozen=True)
class ClosePicker(CallbackData, prefix="close"):
    """✖️ under a picker or a question that belongs to no dialogue (/members' units, /board's
    screen links, 退出本单位): closes that message, and ends no dialogue (one open meanwhile,
    or begun after the picker was sent, goes on)."""


@dataclass(frozen=True)
class RegistrationLanguage(CallbackData, prefix="reg.lang"):
    """The last step of joining."""

    language: str
    # As schedule.NewShiftCreate's: an earlier joining's buttons join nothing.
    mark: int | None = None


@dataclass(frozen=True)
class SetLanguage(CallbackData, prefix="lang"):
    """/lang."""

    language: str


@dataclass(frozen=True)
class KeepLanguage(CallbackData, prefix="lang.keep"):
    """✖️ under /lang's choices: closes them, and ends no dialogue (the person may be in the
    middle of one: choosing a language does not interrupt it)."""
