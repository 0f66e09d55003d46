"""Buttons of the reports domain: group chats and the ledger's /export."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from bot.buttons.callback_data import CallbackData, PageOffset


class ExportPeriod(enum.StrEnum):
    """The periods /export offers."""

    THIS_WEEK = "this_week"
    LAST_WEEK = "last_week"
    THIS_MONTH = "this_month"
    LAST_MONTH = "last_month"


@dataclass(frozen=True)
class GroupScope(CallbackData, prefix="grp.s"):
    """Bind the group to a unit, or (0) to the whole campaign."""

    unit_id: int


@dataclass(frozen=True)
class GroupLanguage(CallbackData, prefix="grp.l"):
    language: str


@dataclass(frozen=True)
class GroupUnbind(CallbackData, prefix="grp.u"):
    pass


@dataclass(frozen=True)
class GroupPage(PageOffset, CallbackData, prefix="grp.p"):
    offset: int


@dataclass(frozen=True)
class Export(CallbackData, prefix="exp"):
    period: ExportPeriod
