"""Buttons of the live board: wall-screen links."""

from __future__ import annotations

from dataclasses import dataclass

from bot.buttons.callback_data import CallbackData, PageOffset


@dataclass(frozen=True)
class BoardNewScreen(CallbackData, prefix="brd.n"):
    pass


@dataclass(frozen=True)
class BoardScreenPage(PageOffset, CallbackData, prefix="brd.p"):
    offset: int


@dataclass(frozen=True)
class BoardScreenScope(CallbackData, prefix="brd.c"):
    """A screen of a unit, or (0) of the whole city."""

    unit_id: int


@dataclass(frozen=True)
class BoardScreens(CallbackData, prefix="brd.l"):
    pass


@dataclass(frozen=True)
class BoardScreenListPage(PageOffset, CallbackData, prefix="brd.lp"):
    """A page of the list of wall-screen links."""

    offset: int


@dataclass(frozen=True)
class BoardRevoke(CallbackData, prefix="brd.r"):
    screen_id: int
