"""What the check-in reads from a message (its photo, its location, when it was sent) and the
keyboards it asks for a location or offers the check-out with."""

from __future__ import annotations

import datetime as dt

from telegram import (
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
)

from bot.buttons import CheckOut
from bot.db.models import CheckIn
from bot.i18n import Translator
from bot.services.duty import geofence
from bot.services.duty.photo_rules import Photo
from handlers.keyboards import button, inline
from handlers.turn import Turn


def location_keyboard(t: Translator, *, live: bool = False) -> ReplyKeyboardMarkup:
    """The 📍 button that sends a one-off location, and Cancel; with `live` (a check-in that
    needs a live location, which no button can share) Cancel alone."""
    rows = [[KeyboardButton(t("common.button.cancel_text"))]]
    if not live:
        rows.insert(0, [KeyboardButton(t("checkin.button.send_location"), request_location=True)])
    return ReplyKeyboardMarkup(rows, resize_keyboard=True, one_time_keyboard=True)


def ask_check_in_location(turn: Turn, key: str, **params: object) -> None:
    """Ask for the check-in's location: with the 📍 button, or, where a live location is
    required, how to share one (a button would send a one-off location, always refused)."""
    t = turn.t
    if turn.runtime.settings.checkin_require_live_location:
        live_key = (
            "checkin.ask_live_location_shift" if "shift" in params else "checkin.ask_live_location"
        )
        turn.reply(t(live_key, **params), location_keyboard(t, live=True))
    else:
        turn.reply(t(key, **params), location_keyboard(t))


def checkout_markup(t: Translator, record: CheckIn) -> InlineKeyboardMarkup:
    return inline([[button(t("checkin.button.checkout"), CheckOut(record.id))]])


def photo_of(message: Message) -> Photo | None:
    """The largest size of a photo message, and whether it was forwarded."""
    if not message.photo:
        return None
    largest = message.photo[-1]
    return Photo(
        file_id=largest.file_id,
        file_unique_id=largest.file_unique_id,
        forwarded=message.forward_origin is not None,
        sent_at=sent_at(message),
    )


def sent_at(message: Message) -> dt.datetime:
    """When Telegram says the message was sent, or last edited (a live location's move)."""
    return message.edit_date or message.date


def position_of(message: Message) -> geofence.Position:
    location = message.location
    assert location is not None
    # Read from the wire form: the property warns about a type change coming in PTB.
    live_period = location.to_dict().get("live_period")
    return geofence.Position(
        latitude=location.latitude,
        longitude=location.longitude,
        accuracy_m=location.horizontal_accuracy,
        live=live_period is not None,
        message_id=message.message_id,
        forwarded=message.forward_origin is not None,
        venue=message.venue is not None,
        sent_at=sent_at(message),
        live_until=(
            message.date + dt.timedelta(seconds=int(live_period))
            if live_period is not None
            else None
        ),
    )
