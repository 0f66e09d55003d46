"""The notice that a shift changed: written by ``shifts.edit`` to everyone on the shift, and
drawn again when it goes out (a kind of bot/redraw.py), so that a shift edited twice overnight is
told once, as it ends up."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Assignment, AuditEntry, OutboxStatus, Shift, ShiftStatus
from bot.i18n import Translator
from bot.services.platform import outbox
from bot.services.platform.notify import members_of_chats, translators
from bot.services.platform.redraw import Subject
from bot.services.schedule.seats import ATTACHED
from bot.services.schedule.shift_text import shift_label
from bot.settings import Settings

# What "your shift changed" is drawn again from when it goes out: the shift and the edit.
SHIFT_CHANGED = "shift-changed"


def changed_key(shift_id: int, entry_id: int, member_id: int) -> str:
    return f"shift-changed:{shift_id}:{entry_id}:{member_id}"


def changed_notice(
    t: Translator, shift: Shift, entry_id: int, before: Mapping[str, Any]
) -> outbox.Message | None:
    """Everyone on a shift is told what changed of it since `before` (an edit's audit "before":
    capacity, notes, starts_at and ends_at): the time it was, as they planned their morning
    around it, the capacity and the notes as they are. None when nothing differs from `before`
    (a shift moved and moved back). Drawn again when it goes out (``redraw_changes``)."""
    was_starts_at = dt.datetime.fromisoformat(before["starts_at"])
    was_ends_at = dt.datetime.fromisoformat(before["ends_at"])
    if (was_starts_at, was_ends_at, before["capacity"], before["notes"]) == (
        shift.starts_at,
        shift.ends_at,
        shift.capacity,
        shift.notes,
    ):
        return None
    changes = []
    if (was_starts_at, was_ends_at) != (shift.starts_at, shift.ends_at):
        changes.append(
            t(
                "shifts.notice.time",
                before=f"{t.time(was_starts_at)}–{t.end_time(was_starts_at, was_ends_at)}",
                after=f"{t.time(shift.starts_at)}–{t.end_time(shift.starts_at, shift.ends_at)}",
            )
        )
    changes.append(t("shifts.notice.capacity", capacity=shift.capacity))
    if shift.notes:
        changes.append(t("shifts.notice.notes", notes=shift.notes))
    elif before["notes"]:
        changes.append(t("shifts.notice.notes_cleared"))
    return outbox.payload(
        "\n".join([t("shifts.notice.changed", shift=shift_label(t, shift)), *changes]),
        redraw=outbox.Redraw(SHIFT_CHANGED, (shift.id, entry_id)),
    )


async def withdraw_for_promoted(
    session: AsyncSession, shift_id: int, promoted: Sequence[Assignment], now: dt.datetime
) -> int:
    """The notices of the shift's edits made at `now` to those just given a seat from its
    waitlist, dropped: their 🎉 tells them the shift as it is, as ``shifts.edit`` leaves out
    those it promotes itself (an import promotes after its people are seated). How many."""
    if not promoted:
        return 0
    entries = await session.scalars(
        select(AuditEntry.id).where(
            AuditEntry.object_type == "shift",
            AuditEntry.action == "shift.edit",
            AuditEntry.object_id == shift_id,
            AuditEntry.created_at == now,
        )
    )
    keys = [
        changed_key(shift_id, entry_id, seat.member_id) for entry_id in entries for seat in promoted
    ]
    return await outbox.withdraw_keys(session, keys, f":promoted-{now:%Y%m%d%H%M%S}")


async def redraw_changes(
    session: AsyncSession, subjects: Sequence[Subject], now: dt.datetime, settings: Settings
) -> list[outbox.Message | None]:
    """The notices of a shift's change about to go out, drawn again at `now`. A shift edited
    twice overnight is told once, as it ends up: a notice with a later one to the same person
    is dropped, and the last says what changed since the person was last told (the "before"
    of the first edit whose notice did not go out). None as well for a shift cancelled (its
    own notice said so) or a person no longer on it."""
    shift_ids = sorted({subject.args[0] for subject in subjects})
    found = await session.scalars(select(Shift).where(Shift.id.in_(shift_ids)))
    shifts = {shift.id: shift for shift in found.unique()}
    edits: dict[int, list[AuditEntry]] = {shift_id: [] for shift_id in shift_ids}
    for entry in await session.scalars(
        select(AuditEntry)
        .where(
            AuditEntry.object_type == "shift",
            AuditEntry.action == "shift.edit",
            AuditEntry.object_id.in_(shift_ids),
        )
        .order_by(AuditEntry.id)
    ):
        assert entry.object_id is not None
        edits[entry.object_id].append(entry)
    readers = await members_of_chats(session, [subject.chat_id for subject in subjects])
    on_them = {
        (shift_id, member_id)
        for shift_id, member_id in await session.execute(
            select(Assignment.shift_id, Assignment.member_id).where(
                Assignment.shift_id.in_(shift_ids), Assignment.status.in_(ATTACHED)
            )
        )
    }
    translator = translators(settings)
    drawn: list[outbox.Message | None] = []
    for subject in subjects:
        shift_id, entry_id = subject.args
        shift = shifts.get(shift_id)
        reader = readers.get(subject.chat_id)
        if (
            shift is None
            or shift.status is not ShiftStatus.SCHEDULED
            or reader is None
            or (shift_id, reader.id) not in on_them
        ):
            drawn.append(None)
            continue
        # The edits of this shift the reader was written to about, and what became of each.
        keys = {entry.id: changed_key(shift_id, entry.id, reader.id) for entry in edits[shift_id]}
        status = await outbox.statuses_of_keys(session, list(keys.values()))
        written = [entry for entry in edits[shift_id] if keys[entry.id] in status]
        if not written or written[-1].id != entry_id:
            drawn.append(None)  # a later notice tells the shift as it ends up
            continue
        untold = [entry for entry in written if status[keys[entry.id]] is not OutboxStatus.SENT]
        told = {entry.id for entry in written} - {entry.id for entry in untold}
        untold = [entry for entry in untold if entry.id > max(told, default=0)]
        assert untold and untold[-1].id == entry_id and untold[0].before is not None
        drawn.append(changed_notice(translator(reader.language), shift, entry_id, untold[0].before))
    return drawn
