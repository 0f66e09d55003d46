"""The messages a broadcast sends each volunteer (a list of shifts with Sign up buttons, an
announcement), and drawing them again when they go out (bot/redraw.py): the quiet hours or a
429 may hold them for hours, and a volunteer who picked another language with /lang meanwhile
reads them in that language. The shifts listed stay those offered (the offers are recorded),
with their seats as they are then; an announcement's text is sent as typed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.buttons import CallbackData, SignUp
from bot.db.models import Broadcast, Member, Shift
from bot.i18n import Translator
from bot.services.platform import outbox
from bot.services.platform.notify import translators
from bot.services.platform.redraw import Subject
from bot.services.schedule.eligibility import refusals
from bot.services.schedule.seats import OpenShift, seats
from bot.services.schedule.shift_text import open_shift_lines, sign_up_label
from bot.settings import Settings

SHIFTS_PER_MESSAGE = 8
MESSAGE_LIMIT = 4096  # Telegram's limit on a text message, in UTF-16 code units

# An announcement to one volunteer: (broadcast id, member id).
ANNOUNCEMENT = "broadcast.announcement"
# A list of shifts to one volunteer: (member id, how many more there are, the shifts listed).
SHIFT_LIST = "broadcast.shifts"


def _telegram_length(text: str) -> int:
    """The length Telegram measures a text by: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def shift_message(
    t: Translator, member_id: int, items: list[OpenShift], hidden: int = 0
) -> tuple[outbox.Message, int]:
    """One volunteer's list: up to SHIFTS_PER_MESSAGE shifts, as many as fit in one Telegram
    message with their notes (long notes on every shift of a week would not), and how many
    more there are (`hidden`: more beyond `items` already). Returns the message and how many
    shifts it shows."""
    lines = [t("broadcast.shifts_header")]
    buttons: list[tuple[str, CallbackData]] = []
    for number, item in enumerate(items[:SHIFTS_PER_MESSAGE], start=1):
        candidate = lines + open_shift_lines(t, number, item, brief=True)
        rest = len(items) - number + hidden
        tail = [t("broadcast.more", count=rest)] if rest else []
        if buttons and _telegram_length("\n".join(candidate + tail)) > MESSAGE_LIMIT:
            break
        lines = candidate
        buttons.append((sign_up_label(t, item, number), SignUp(item.shift.id)))
    more = len(items) - len(buttons) + hidden
    if more:
        lines.append(t("broadcast.more", count=more))
    rows = [buttons[i : i + 4] for i in range(0, len(buttons), 4)]
    shown = tuple(item.shift.id for item in items[: len(buttons)])
    redraw = outbox.Redraw(SHIFT_LIST, (member_id, more, *shown))
    return outbox.payload("\n".join(lines), buttons=rows, redraw=redraw), len(buttons)


async def redraw_shift_lists(
    session: AsyncSession, subjects: Sequence[Subject], now: dt.datetime, settings: Settings
) -> list[outbox.Message | None]:
    """Each list in its reader's language now: the shifts it listed that its reader may still
    sign up for (the quiet hours may have held it past the start of some, one was cancelled,
    or the reader took one, or one that clashes, meanwhile), with their seats now (a press is
    checked again anyway). None when its reader is no longer stored or none of its shifts is
    left."""
    member_ids = sorted({subject.args[0] for subject in subjects})
    shift_ids = sorted({i for subject in subjects for i in subject.args[2:]})
    people = await session.scalars(select(Member).where(Member.id.in_(member_ids)))
    members = {member.id: member for member in people}
    found = await session.scalars(select(Shift).where(Shift.id.in_(shift_ids)))
    shifts = {shift.id: shift for shift in found.unique()}
    counts = await seats(session, list(shifts))
    # Only those the reader may still sign up for, by the rules the broadcast chose them by
    # (``refusals``, for the whole batch in a few statements): not begun, cancelled or
    # archived meanwhile, nor taken by them or clashing with a seat they took meanwhile.
    pairs = {
        (members[subject.args[0]], shifts[i])
        for subject in subjects
        if subject.args[0] in members
        for i in subject.args[2:]
        if i in shifts
    }
    refused = await refusals(session, pairs, now, settings)
    in_language = translators(settings)
    drawn: list[outbox.Message | None] = []
    for subject in subjects:
        member_id, hidden, *listed = subject.args
        reader = members.get(member_id)
        items = [
            OpenShift(shifts[i], counts[i])
            for i in listed
            if (member_id, i) in refused and refused[(member_id, i)] is None
        ]
        if reader is None or not items:
            drawn.append(None)
            continue
        message, _ = shift_message(in_language(reader.language), member_id, items, hidden)
        drawn.append(message)
    return drawn


def announcement_redraw(broadcast_id: int, member_id: int) -> outbox.Redraw:
    return outbox.Redraw(ANNOUNCEMENT, (broadcast_id, member_id))


async def redraw_announcements(
    session: AsyncSession, subjects: Sequence[Subject], now: dt.datetime, settings: Settings
) -> list[outbox.Message | None]:
    """Each announcement in its reader's language now, from the sender as named now (an admin
    without a member record: "admin" in the reader's words). None for a broadcast no longer
    stored, which leaves nothing to say."""
    broadcast_ids = sorted({subject.args[0] for subject in subjects})
    found = await session.scalars(select(Broadcast).where(Broadcast.id.in_(broadcast_ids)))
    broadcasts = {broadcast.id: broadcast for broadcast in found}
    member_ids = {subject.args[1] for subject in subjects}
    member_ids |= {b.created_by_id for b in broadcasts.values() if b.created_by_id is not None}
    people = await session.scalars(select(Member).where(Member.id.in_(sorted(member_ids))))
    members = {member.id: member for member in people}
    in_language = translators(settings)
    drawn: list[outbox.Message | None] = []
    for subject in subjects:
        broadcast_id, member_id = subject.args
        broadcast = broadcasts.get(broadcast_id)
        reader = members.get(member_id)
        if broadcast is None or broadcast.text is None or reader is None:
            drawn.append(None)
            continue
        t = in_language(reader.language)
        sender = members.get(broadcast.created_by_id or 0)
        name = sender.display_name if sender is not None else t("role.admin")
        text = t("broadcast.announcement", sender=name, text=broadcast.text)
        drawn.append(outbox.payload(text, redraw=announcement_redraw(broadcast_id, member_id)))
    return drawn
