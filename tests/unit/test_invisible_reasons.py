"""Free texts kept for people to read (a leave's reason, an early check-out's reason, a check's
note, an order's problem) are kept as names are: a text of invisible marks alone (zero-width
spaces, direction marks) is blank, so it is refused as an empty one is, and the marks inside
an accepted text are dropped."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.db.models import Dialogue, DialogueKind
from bot.errors import DomainError, ErrorCode
from bot.services.duty import checkout
from bot.services.oversight import checks
from bot.services.rostering import leave

INVISIBLE = "\u200b\u200c\u2060\u200e\u200f\u200b"
NOW = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)


def test_a_leave_reason_of_invisible_marks_alone_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        leave.clean_reason(INVISIBLE)
    assert refused.value.code is ErrorCode.LEAVE_REASON_INVALID
    assert leave.clean_reason("家里\u200b有事") == "家里有事"


def test_an_early_checkout_reason_of_invisible_marks_alone_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        checkout.clean_reason(INVISIBLE, ErrorCode.CHECKOUT_REASON_INVALID)
    assert refused.value.code is ErrorCode.CHECKOUT_REASON_INVALID
    assert checkout.clean_reason("身体\u200e不适", ErrorCode.CHECKOUT_REASON_INVALID) == "身体不适"


def test_a_checks_note_of_invisible_marks_alone_is_refused() -> None:
    dialogue = Dialogue(telegram_id=1, kind=DialogueKind.INSPECT, step="photos", data={})
    with pytest.raises(DomainError) as refused:
        checks.set_note(dialogue, INVISIBLE, NOW)
    assert refused.value.code is ErrorCode.NOTE_TOO_LONG
    assert checks.set_note(dialogue, "路口\u200b无人值守", NOW) == "路口无人值守"
