"""Buttons of the duty domain: check-in, check-out, attendance, the no-show question."""

from __future__ import annotations

from dataclasses import dataclass

from bot.buttons.callback_data import CallbackData
from bot.db.models import Correction


@dataclass(frozen=True)
class CheckInPick(CallbackData, prefix="ci.pick"):
    assignment_id: int


@dataclass(frozen=True)
class CheckOut(CallbackData, prefix="ci.out"):
    """Sent by the outbox too (the reminders of a check-in)."""

    checkin_id: int


@dataclass(frozen=True)
class OnPost(CallbackData, prefix="ci.here"):
    """“I am still on post”, under the left-post question of the outbox."""

    checkin_id: int


@dataclass(frozen=True)
class AttendancePhoto(CallbackData, prefix="att.photo"):
    checkin_id: int


@dataclass(frozen=True)
class AttendanceFix(CallbackData, prefix="att.fix"):
    assignment_id: int


@dataclass(frozen=True)
class AttendanceCorrect(CallbackData, prefix="att.do"):
    assignment_id: int
    correction: Correction


# -- duty: the no-show question -------------------------------------------------------------


@dataclass(frozen=True)
class NoShowComing(CallbackData, prefix="ns.y"):
    assignment_id: int


@dataclass(frozen=True)
class NoShowNotComing(CallbackData, prefix="ns.n"):
    assignment_id: int
