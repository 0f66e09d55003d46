"""Buttons of the rostering domain: assigned duty, leave, unavailability and rotation
(issue 17)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.buttons.callback_data import CallbackData


@dataclass(frozen=True)
class AssignStart(CallbackData, prefix="ro.as"):
    """➕ 安排人员 on a shift's card."""

    shift_id: int


@dataclass(frozen=True)
class AssignPick(CallbackData, prefix="ro.ap"):
    shift_id: int
    member_id: int


@dataclass(frozen=True)
class AssignPage(CallbackData, prefix="ro.ag"):
    shift_id: int
    offset: int


@dataclass(frozen=True)
class AssignAnyway(CallbackData, prefix="ro.ay"):
    """Assign the people the bot warned about (they declared they cannot serve then)."""

    shift_id: int
    mark: int | None = None  # as schedule.NewShiftCreate's


@dataclass(frozen=True)
class Acknowledge(CallbackData, prefix="ro.ok"):
    """✅ 收到: the member has seen the seats a rota gave them."""

    rota_id: int


@dataclass(frozen=True)
class AskLeave(CallbackData, prefix="ro.lv"):
    assignment_id: int


@dataclass(frozen=True)
class ApproveLeave(CallbackData, prefix="ro.ly"):
    leave_id: int


@dataclass(frozen=True)
class RejectLeave(CallbackData, prefix="ro.ln"):
    leave_id: int


@dataclass(frozen=True)
class PendingLeaves(CallbackData, prefix="ro.lp"):
    """Under /roster: the leave requests still waiting for a decision, each with 批准 / 驳回."""


@dataclass(frozen=True)
class TakeFreedSeat(CallbackData, prefix="ro.tk"):
    shift_id: int


@dataclass(frozen=True)
class RemoveUnavailable(CallbackData, prefix="ro.ux"):
    window_id: int


@dataclass(frozen=True)
class RotateUnit(CallbackData, prefix="ro.ru"):
    unit_id: int


@dataclass(frozen=True)
class RotateUnitPage(CallbackData, prefix="ro.rg"):
    offset: int


@dataclass(frozen=True)
class RotatePeriod(CallbackData, prefix="ro.rp"):
    first: dt.date
    last: dt.date


@dataclass(frozen=True)
class RotatePost(CallbackData, prefix="ro.rt"):
    """Toggle one post in or out of the rotation."""

    post_id: int


@dataclass(frozen=True)
class RotatePostPage(CallbackData, prefix="ro.rq"):
    offset: int


@dataclass(frozen=True)
class RotatePosts(CallbackData, prefix="ro.rs"):
    """Plan the posts chosen (or, with `every`, every post of the unit)."""

    every: bool


@dataclass(frozen=True)
class RotateReroll(CallbackData, prefix="ro.rr"):
    round: int


@dataclass(frozen=True)
class RotateConfirm(CallbackData, prefix="ro.rc"):
    round: int
    mark: int | None = None  # as schedule.NewShiftCreate's
