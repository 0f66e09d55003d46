"""The understaffed alert: UNDERSTAFFED_ALERT_HOURS before a shift that is still short of
people, its unit's coordinators are told and the open seats are offered again to the unit's
volunteers who may take the shift (no clash, no rule against them), except those a broadcast
offered it to within OFFER_REPEAT_HOURS (bot/services/schedule/offers.py). Once per shift.
An offer the quiet hours hold is drawn again when it goes out (``redraw_offers``)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.buttons import ShiftCard, SignUp
from bot.db.models import (
    Assignment,
    Member,
    OutboxMessage,
    Post,
    Shift,
    ShiftStatus,
)
from bot.i18n import Translator
from bot.services.people.members import on_post_in, serves_on_posts
from bot.services.people.reachability import coordinators_by_unit
from bot.services.platform import outbox
from bot.services.platform.notify import translators
from bot.services.platform.outbox import Queued
from bot.services.platform.redraw import Subject
from bot.services.schedule import offers, open_seats
from bot.services.schedule.eligibility import refusals
from bot.services.schedule.seats import SEATED
from bot.services.schedule.shift_text import shift_label
from bot.settings import Settings

# The offer of a short shift's seats (✋ 报名), to a volunteer: the shift (bot/redraw.py).
OFFER = "understaffed-offer"


def batch_of(shift_id: int) -> str:
    return f"understaffed:{shift_id}"


async def _alerted(session: AsyncSession, batches: list[str]) -> set[str]:
    """The batches among these that an earlier tick queued."""
    found: set[str] = set()
    for start in range(0, len(batches), 500):
        rows = await session.scalars(
            select(OutboxMessage.batch)
            .where(OutboxMessage.batch.in_(batches[start : start + 500]))
            .distinct()
        )
        found.update(batch for batch in rows if batch is not None)
    return found


async def alert(session: AsyncSession, now: dt.datetime, settings: Settings) -> int:
    """DueJob: the shifts short of people within the window that were not alerted yet, each
    with its coordinators told and its open seats offered to the volunteers who may take it.
    A few statements for all of them: seats, earlier alerts, the people and every rule of
    eligibility are read in bulk, the messages written in bulk."""
    if settings.understaffed_alert_hours <= 0:
        return 0
    horizon = now + dt.timedelta(hours=settings.understaffed_alert_hours)
    # The short shifts of the window with their seated count, in one aggregate (only ids).
    seated = func.count(Assignment.id)
    rows = await session.execute(
        select(Shift.id, Shift.capacity - seated)
        .join(Post, Shift.post_id == Post.id)
        .outerjoin(Assignment, and_(Assignment.shift_id == Shift.id, Assignment.status.in_(SEATED)))
        .where(
            Shift.status == ShiftStatus.SCHEDULED,
            Post.archived.is_(False),
            Shift.starts_at > now,
            Shift.starts_at <= horizon,
        )
        .group_by(Shift.id, Shift.capacity, Shift.starts_at)
        .having(seated < Shift.capacity)
        .order_by(Shift.starts_at, Shift.id)
    )
    missing_of = {int(shift_id): int(missing) for shift_id, missing in rows.all()}
    alerted = await _alerted(session, [batch_of(shift_id) for shift_id in missing_of])
    due = [shift_id for shift_id in missing_of if batch_of(shift_id) not in alerted]
    if not due:
        return 0
    loaded = {
        shift.id: shift
        for shift in (await session.scalars(select(Shift).where(Shift.id.in_(due)))).unique()
    }
    short = [(loaded[shift_id], missing_of[shift_id]) for shift_id in due]
    units = {shift.post.unit_id for shift, _ in short}
    coordinators = {
        unit: [person for person in people if not person.blocked_bot]  # as notify() does
        for unit, people in (await coordinators_by_unit(session, units)).items()
    }
    volunteers: dict[int, list[Member]] = defaultdict(list)
    for member in await on_post_in(session, units):
        assert member.unit_id is not None
        volunteers[member.unit_id].append(member)
    pairs = [
        (member, shift) for shift, _ in short for member in volunteers.get(shift.post.unit_id, ())
    ]
    refused = await refusals(session, pairs, now, settings)
    offered = await offers.offered_elsewhere(
        session,
        {member.id for member, _ in pairs},
        {shift.id for shift, _ in short},
        offers.OfferPath.UNDERSTAFFED,
        now,
        settings,
    )
    messages: list[Queued] = []
    made: list[tuple[int, int]] = []
    for shift, missing in short:
        eligible = [
            member
            for member in volunteers.get(shift.post.unit_id, ())
            if refused[(member.id, shift.id)] is None
        ]
        takers = [member for member in eligible if (member.id, shift.id) not in offered]
        messages += _alert_shift(
            shift,
            missing,
            coordinators.get(shift.post.unit_id, []),
            takers,
            len(eligible) - len(takers),
            settings,
        )
        made += [(member.id, shift.id) for member in takers]
    await offers.record(session, made, offers.OfferPath.UNDERSTAFFED, now)
    return await outbox.enqueue_many(session, messages, now=now)


def _alert_shift(
    shift: Shift,
    missing: int,
    coordinators: list[Member],
    takers: list[Member],
    offered_before: int,
    settings: Settings,
) -> list[Queued]:
    """The coordinators' alert, saying whom the seats were offered to (or why nobody), then
    the offer to each taker (rendered once per language), all in the shift's batch.
    `offered_before`: how many who may take the shift were offered it recently elsewhere."""
    batch = batch_of(shift.id)
    in_language = translators(settings)

    def translator(member: Member) -> Translator:
        return in_language(member.language)

    messages: list[Queued] = []
    for coordinator in coordinators:
        t = translator(coordinator)
        if takers:
            outcome = t("understaffed.offered", count=len(takers))
        elif offered_before:
            outcome = t("understaffed.offered_before", count=offered_before)
        else:
            outcome = t("understaffed.nobody")
        alert = t(
            "understaffed.coordinator",
            shift=shift_label(t, shift),
            missing=missing,
            seated=shift.capacity - missing,
            capacity=shift.capacity,
        )
        text = "\n".join((alert, outcome))
        body = outbox.payload(
            text, buttons=[[(t("understaffed.button.open"), ShiftCard(shift.id))]]
        )
        key = f"{batch}:coordinator:{coordinator.id}"
        messages.append(Queued(key, coordinator.telegram_id, body, batch))
    bodies: dict[str, outbox.Message] = {}
    for member in takers:
        t = translator(member)
        if t.language not in bodies:
            bodies[t.language] = _offer(t, shift, missing)
        key = f"{batch}:offer:{member.id}"
        messages.append(Queued(key, member.telegram_id, bodies[t.language], batch))
    return messages


def _offer(t: Translator, shift: Shift, missing: int) -> outbox.Message:
    """The offer of the shift's `missing` seats to a volunteer, with its ✋ 报名."""
    return outbox.payload(
        t("understaffed.offer", shift=shift_label(t, shift), count=missing),
        buttons=[[(t("understaffed.button.sign_up"), SignUp(shift.id))]],
        expires_at=shift.starts_at,
        redraw=outbox.Redraw(OFFER, (shift.id,)),
    )


async def redraw_offers(
    session: AsyncSession, subjects: Sequence[Subject], now: dt.datetime, settings: Settings
) -> list[outbox.Message | None]:
    """The offers of short shifts about to go out, drawn again at `now`: the shift as it is and
    the seats still missing. None when there is no seat to offer any more (the shift full,
    cancelled, started, its post archived) or the reader may no longer take it by ✋ 报名 (the
    rules of sign-up: on it since, on another shift at that hour, no longer on posts, ...)."""
    in_language = translators(settings)
    return [
        _offer(in_language(seat.reader.language), seat.shift, seat.missing)
        if seat is not None and serves_on_posts(seat.reader)
        else None
        for seat in await open_seats.still_open(session, subjects, now, settings)
    ]
