"""Keyboard builders shared by every journey."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.buttons import CallbackData, CancelDialogue, ClosePicker
from bot.i18n import Translator

# Telegram refuses an inline keyboard of more than 100 buttons (or more than 8 in a row):
# lists that can grow without bound, such as a city's units, come a page at a time.
PAGE_SIZE = 20

T = TypeVar("T")


def button(text: str, data: CallbackData) -> InlineKeyboardButton:
    """A button whose data is a class of bot/buttons/ (``pack`` keeps it within 64 bytes)."""
    return InlineKeyboardButton(text, callback_data=data.pack())


def inline(rows: Iterable[Sequence[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([list(row) for row in rows])


def cancel_row(t: Translator) -> list[InlineKeyboardButton]:
    return [button(t("common.button.cancel"), CancelDialogue())]


def close_row(t: Translator) -> list[InlineKeyboardButton]:
    """✖️ under a picker of no dialogue: it closes the message and ends no dialogue."""
    return [button(t("common.button.cancel"), ClosePicker())]


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a long list: its items, where it starts, and how to turn it."""

    items: Sequence[T]
    offset: int
    total: int
    line: str | None  # "units X–Y of Z" (or posts), or None when everything fits on one page
    nav: list[InlineKeyboardButton]  # Previous / Next, empty on a single page

    @property
    def nav_rows(self) -> list[list[InlineKeyboardButton]]:
        return [self.nav] if self.nav else []


def page(
    t: Translator,
    items: Sequence[T],
    offset: int,
    turn: Callable[[int], CallbackData],
    size: int = PAGE_SIZE,
    line_key: str = "common.units_page",
) -> Page[T]:
    """The page of ``items`` at ``offset``, clamped to the list (a page button pressed after
    items were removed still lands on a page); ``turn(offset)`` is the data of a page button.
    ``line_key`` names what is counted in the "X–Y of Z" line (units unless told)."""
    last_start = (max(len(items), 1) - 1) // size * size
    offset = max(0, min(offset // size * size, last_start))
    shown = items[offset : offset + size]
    line = None
    if len(items) > size:
        line = t(line_key, first=offset + 1, last=offset + len(shown), total=len(items))
    nav = []
    if offset > 0:
        nav.append(button(t("common.button.previous"), turn(offset - size)))
    if offset + size < len(items):
        nav.append(button(t("common.button.next"), turn(offset + size)))
    return Page(shown, offset, len(items), line, nav)


def offset_of(index: int, size: int = PAGE_SIZE) -> int:
    """The offset of the page that shows the item at ``index``."""
    return max(0, index) // size * size
