"""An announcement drawn again when it goes out (bot/redraw.py): the quiet hours or a 429 may
hold it for hours, and a volunteer who picked another language with /lang meanwhile reads the
words around the coordinator's text in that language. The text itself is sent as typed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Broadcast, Member
from bot.services.platform import outbox
from bot.services.platform.notify import translators
from bot.services.platform.redraw import Subject
from bot.settings import Settings

# An announcement to one volunteer: (broadcast id, member id).
ANNOUNCEMENT = "broadcast.announcement"


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
