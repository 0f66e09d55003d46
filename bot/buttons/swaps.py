"""Buttons of the swaps domain: offering, taking and approving a swap."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from bot.buttons.callback_data import CallbackData, PageOffset


class SwapChoice(enum.StrEnum):
    """The kinds of swap offered for a seat (one letter each on the wire)."""

    GIVE_AWAY = "g"
    HAND_OVER = "h"
    EXCHANGE = "x"


@dataclass(frozen=True)
class SwapPick(CallbackData, prefix="sw"):
    assignment_id: int


@dataclass(frozen=True)
class SwapKindPick(CallbackData, prefix="swk"):
    assignment_id: int
    choice: SwapChoice


@dataclass(frozen=True)
class SwapExchange(CallbackData, prefix="swx"):
    assignment_id: int
    their_assignment_id: int


@dataclass(frozen=True)
class UnitSwapApproval(CallbackData, prefix="usa"):
    unit_id: int
    required: bool


@dataclass(frozen=True)
class UnitSwapPage(PageOffset, CallbackData, prefix="usp"):
    offset: int


@dataclass(frozen=True)
class SwapTake(CallbackData, prefix="swt"):
    """The swap buttons below are sent by the outbox too."""

    offer_id: int


@dataclass(frozen=True)
class SwapAccept(CallbackData, prefix="swa"):
    offer_id: int


@dataclass(frozen=True)
class SwapDecline(CallbackData, prefix="swd"):
    offer_id: int


@dataclass(frozen=True)
class SwapWithdraw(CallbackData, prefix="sww"):
    offer_id: int


@dataclass(frozen=True)
class SwapApprove(CallbackData, prefix="swy"):
    offer_id: int


@dataclass(frozen=True)
class SwapReject(CallbackData, prefix="swn"):
    offer_id: int
