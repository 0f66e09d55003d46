"""Who still reads a held notice about an order to its unit: a new order's notice and the
reminders, held by the quiet hours, are drawn again as they go out (bot/redraw.py), each only
to a reader who is still a coordinator of the order's unit, and only while the notice still
applies to the order. This is that one loop; what each notice says is its own module's."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import RectificationOrder
from bot.i18n import Translator
from bot.services.people.reachability import coordinators_of
from bot.services.platform.notify import members_of_chats, translators
from bot.services.platform.redraw import Subject
from bot.settings import Settings

# Whether the notice queued as `Subject` still applies to the order as it is now.
StillApplies = Callable[[RectificationOrder, Subject], bool]


@dataclass(frozen=True)
class Reading:
    """An order as a held notice's reader sees it when it goes out, in their language."""

    order: RectificationOrder
    t: Translator


async def unit_readings(
    session: AsyncSession,
    subjects: Sequence[Subject],
    settings: Settings,
    still_applies: StillApplies,
) -> list[Reading | None]:
    """For each held notice (its subject's first argument the order's id), the order and its
    reader's language; None when the order is gone, the notice no longer applies, or its
    reader is no longer a coordinator of the order's unit. A unit's coordinators are read
    once, however many of its notices go out together."""
    readers = await members_of_chats(session, [subject.chat_id for subject in subjects])
    translator = translators(settings)
    coordinators: dict[int, set[int]] = {}
    found: list[Reading | None] = []
    for subject in subjects:
        order = await session.get(RectificationOrder, subject.args[0])
        reader = readers.get(subject.chat_id)
        if order is None or reader is None or not still_applies(order, subject):
            found.append(None)
            continue
        if order.unit_id not in coordinators:
            unit = await coordinators_of(session, order.unit_id)
            coordinators[order.unit_id] = {member.id for member in unit}
        if reader.id not in coordinators[order.unit_id]:
            found.append(None)
            continue
        found.append(Reading(order, translator(reader.language)))
    return found
