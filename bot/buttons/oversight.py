"""Buttons of the oversight domain: checks, street reports, rectification orders (issue 16)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from bot.buttons.callback_data import CallbackData
from bot.db.models import Category, CheckKind


class OrderView(enum.StrEnum):
    """The lists of /orders."""

    OPEN = "open"  # every order not accepted yet
    OVERDUE = "overdue"  # the unit's deadline has passed without a reply
    REPLIED = "replied"  # waiting for the issuer's acceptance
    ACCEPTED = "accepted"
    REPORTS = "reports"  # street reports waiting for an inspector's decision


@dataclass(frozen=True)
class InspectPost(CallbackData, prefix="ov.ip"):
    post_id: int


@dataclass(frozen=True)
class InspectKind(CallbackData, prefix="ov.ik"):
    kind: CheckKind
    covert: bool


@dataclass(frozen=True)
class InspectSeen(CallbackData, prefix="ov.is"):
    seen: int


@dataclass(frozen=True)
class InspectItem(CallbackData, prefix="ov.ii"):
    item_id: int


@dataclass(frozen=True)
class InspectItemsDone(CallbackData, prefix="ov.id"):
    mark: int | None = None  # as schedule.NewShiftCreate's


@dataclass(frozen=True)
class InspectSubmit(CallbackData, prefix="ov.iok"):
    mark: int | None = None  # as schedule.NewShiftCreate's


@dataclass(frozen=True)
class ChecklistAdjust(CallbackData, prefix="ov.ca"):
    item_id: int
    delta: int


@dataclass(frozen=True)
class ChecklistToggle(CallbackData, prefix="ov.ct"):
    item_id: int
    active: bool | None = None  # as PostArchive's `archive`


@dataclass(frozen=True)
class ChecklistNew(CallbackData, prefix="ov.cn"):
    pass


@dataclass(frozen=True)
class ReportCategoryPick(CallbackData, prefix="ov.rk"):
    category: Category


@dataclass(frozen=True)
class ReportSubmit(CallbackData, prefix="ov.rs"):
    mark: int | None = None  # as schedule.NewShiftCreate's


@dataclass(frozen=True)
class ReportCard(CallbackData, prefix="ov.rc"):
    report_id: int


@dataclass(frozen=True)
class ReportDispatch(CallbackData, prefix="ov.rd"):
    report_id: int
    unit_id: int


@dataclass(frozen=True)
class ReportDispatchPage(CallbackData, prefix="ov.rp"):
    report_id: int
    offset: int


@dataclass(frozen=True)
class ReportDismiss(CallbackData, prefix="ov.rx"):
    report_id: int


@dataclass(frozen=True)
class OrderFromCheck(CallbackData, prefix="ov.oc"):
    inspection_id: int


@dataclass(frozen=True)
class OrderFromReport(CallbackData, prefix="ov.or"):
    report_id: int


@dataclass(frozen=True)
class OrderDeadline(CallbackData, prefix="ov.odl"):
    hours: int
    mark: int | None = None  # the draft's, as OrderIssue's: an older draft's sets nothing


@dataclass(frozen=True)
class OrderIssue(CallbackData, prefix="ov.oi"):
    mark: int | None = None  # as schedule.NewShiftCreate's


@dataclass(frozen=True)
class OrderIssueAnyway(CallbackData, prefix="ov.oy"):
    """Go on drafting although the post already has an open order."""

    mark: int | None = None  # as OrderIssue's


@dataclass(frozen=True)
class OrderDropDraft(CallbackData, prefix="ov.ox"):
    """Stop: the post's open order is enough."""

    mark: int | None = None  # as OrderIssue's


@dataclass(frozen=True)
class OrderAcknowledge(CallbackData, prefix="ov.oa"):
    order_id: int


@dataclass(frozen=True)
class OrderReply(CallbackData, prefix="ov.orp"):
    order_id: int


@dataclass(frozen=True)
class OrderReplySubmit(CallbackData, prefix="ov.ors"):
    mark: int | None = None  # as schedule.NewShiftCreate's


@dataclass(frozen=True)
class OrderAccept(CallbackData, prefix="ov.ok"):
    order_id: int
    # Which reply it accepts: orders.reply_mark of the order when the button was made (None on
    # a notice sent before buttons carried it: the newest reply is shown instead).
    reply: int | None = None


@dataclass(frozen=True)
class OrderReturn(CallbackData, prefix="ov.ob"):
    order_id: int
    reply: int | None = None  # as OrderAccept's


@dataclass(frozen=True)
class OrderFollowUp(CallbackData, prefix="ov.of"):
    order_id: int
    days: int  # 0: no follow-up


@dataclass(frozen=True)
class FollowUpHolds(CallbackData, prefix="ov.fh"):
    order_id: int


@dataclass(frozen=True)
class FollowUpReopen(CallbackData, prefix="ov.fr"):
    order_id: int


@dataclass(frozen=True)
class OrderCard(CallbackData, prefix="ov.cd"):
    order_id: int


@dataclass(frozen=True)
class OrderList(CallbackData, prefix="ov.ol"):
    view: OrderView
    offset: int
