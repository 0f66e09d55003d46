"""Until when a member who holds a seat may still give it up, and so what to tell them at a
moment: cancel in /my until CANCEL_CUTOFF_HOURS before the start, swap until
SWAP_EXPIRY_BEFORE_START_MIN before it, after that only the coordinator can help. The sign-up
reply, the reminders and the refusal of a late cancel all say what is still possible."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from bot.db.models import Shift
from bot.i18n import Translator
from bot.settings import Settings


class WayOut(StrEnum):
    """What someone who cannot come may still do about their seat."""

    CANCEL = "cancel"  # cancel it in /my (or swap it)
    SWAP = "swap"  # past the cancel cut-off: swap it, or tell the coordinator
    COORDINATOR = "coordinator"  # swaps are closed too: tell the coordinator


def cancel_deadline(shift: Shift, settings: Settings) -> dt.datetime:
    """A seat may be cancelled before this moment."""
    return shift.starts_at - dt.timedelta(hours=settings.cancel_cutoff_hours)


def swap_deadline(shift: Shift, settings: Settings) -> dt.datetime:
    """A swap of the shift may be offered, and taken, before this moment."""
    return shift.starts_at - dt.timedelta(minutes=settings.swap_expiry_before_start_min)


def way_out(shift: Shift, now: dt.datetime, settings: Settings) -> WayOut:
    if now < cancel_deadline(shift, settings):
        return WayOut.CANCEL
    if now < swap_deadline(shift, settings):
        return WayOut.SWAP
    return WayOut.COORDINATOR


def way_out_text(t: Translator, shift: Shift, now: dt.datetime, settings: Settings) -> str:
    """What someone who holds a seat may still do if they cannot come, said at this moment:
    cancel in /my until the cut-off, then swap or tell the coordinator, then only the latter."""
    way = way_out(shift, now, settings)
    if way is WayOut.CANCEL:
        deadline = cancel_deadline(shift, settings)
        return t("signup.way_out.cancel", deadline=t.datetime(deadline))
    if way is WayOut.SWAP:
        return t("signup.way_out.swap", count=settings.cancel_cutoff_hours)
    return t("signup.way_out.coordinator")
