"""Drafting and issuing a rectification order: from a check or a street report, to the unit
responsible, with the evidence attached and a deadline (``ORDER_DEADLINE_HOURS`` by category,
12 to 72 hours by a tap, or typed as hours or a local date and time; never in the past). An order
from a covert check reaches the unit with the check, at the next daily tally, and its deadline
runs from then."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    UNDECIDED_REPORTS,
    Category,
    Dialogue,
    DialogueKind,
    Inspection,
    OrderStatus,
    Post,
    RectificationOrder,
    Unit,
)
from bot.errors import DomainError, ErrorCode
from bot.i18n import Translator
from bot.services.oversight import (
    check_record,
    deadline_words,
    notices,
    orders,
    report_decisions,
    reports,
    typed,
)
from bot.services.people import units
from bot.services.people.access import Actor
from bot.services.people.reachability import coordinators_of
from bot.services.platform import dialogues
from bot.services.schedule import timespec
from bot.settings import Settings

DRAFT = DialogueKind.ORDER_DRAFT
# The draft's first step when its post already has an open order: shown, and asked about.
CONFIRM = "confirm"
DEADLINE_CHOICES = (12, 24, 48, 72)
# A date then a time, apart or (12月3日18点) not: each half is read by timespec.
WHEN = re.compile(r"^(\S*\d[-/.月]\d{1,2}[日号號]?)\s*(\S*\d\S*)$")
# A day named from today, then a time: 明天18点, 明天 下午6点, tomorrow 18:00.
RELATIVE_DAYS = {"今天": 0, "今日": 0, "today": 0, "明天": 1, "明日": 1, "tomorrow": 1}
RELATIVE_DAYS |= {"后天": 2, "後天": 2}
# A day named with the part of it but no time (明天下午, tomorrow evening): half a deadline.
DAY_AND_PART = re.compile(
    r"^(?:" + "|".join(RELATIVE_DAYS) + r")\s*"
    r"(?:上午|下午|中午|早上|早晨|傍晚|晚上|凌晨|morning|afternoon|evening|night)$",
    re.IGNORECASE,
)
# A day and the part of it in one word: 今晚10点 is today's 晚上10点, 明早8点 tomorrow's 早上8点.
DAY_PARTS = {"今晚": (0, "晚上"), "明晚": (1, "晚上"), "明早": (1, "早上")}
RELATIVE_WHEN = re.compile(
    r"^(" + "|".join([*DAY_PARTS, *RELATIVE_DAYS]) + r")\s*(.*\d.*)$", re.IGNORECASE
)
# "by/at ... before/sharp" around a time: 明天18点前, tomorrow at 18:00 (not 8:00前清理干净).
DEADLINE_WORDS = re.compile(
    r"^\s*(?:at|by|before)\s+|\s*(?:之前|以前|前|为止|為止|整)\s*$", re.IGNORECASE
)
DEADLINE_LEAD = re.compile(r"^\s*(?:at|by|before)\s+", re.IGNORECASE)
# 12 or 0 to 4 o'clock in the evening or at night and its minutes (晚上12点, 夜里1点, 晚上0点半),
# and 24:00 (24点, 晚上24点): after the midnight that ends the day (timespec reads 晚上12点 as
# noon, 晚上1点 as 13:00, and 24点 not at all). 中午12点 is noon.
_NIGHT = r"(?:晚上|晚|夜里|夜裡|夜间|夜間|半夜|深夜)"
EVENING_TWELVE = re.compile(
    rf"^(?:{_NIGHT}\s*((?:12|0?[0-4])\s*(?:[点點时時].*|:\d{{2}}))"
    rf"|{_NIGHT}?\s*24\s*(?:[点點时時]|:00))$"
)
# Shaped as a time, whatever its numbers (明天25点 is a slip, refused); anything else after a day
# word is text (明天8:00前清理干净 is the problem, not a deadline).
TIME_SHAPED = re.compile(
    r"^(?:上午|下午|晚上|晚|中午|早上|早晨|傍晚|凌晨)?\s*\d{1,2}\s*(?:[点點时時](?:\d{1,2}分?|半)?|:\d{1,2})?\s*(?:am|pm)?$"
)


class Source(StrEnum):
    CHECK = "check"
    REPORT = "report"


@dataclass(frozen=True)
class Draft:
    unit: Unit
    category: Category
    deadline_at: dt.datetime
    description: str | None
    post_name: str | None
    latitude: float | None
    longitude: float | None
    # The check whose lines the problem was made of, while the inspector has not typed another.
    inspection: Inspection | None = None
    # The post's open order (not yet accepted) the inspector is asked about before going on.
    open_order: RectificationOrder | None = None

    def problem(self, t: Translator) -> str | None:
        """The problem as the reader reads it: one made of the check's lines in their language,
        one typed as typed."""
        if self.inspection is not None:
            return notices.check_problem(self.inspection, t)
        return self.description


async def _existing(session: AsyncSession, source: Source, source_id: int) -> int | None:
    column = (
        RectificationOrder.inspection_id if source is Source.CHECK else RectificationOrder.report_id
    )
    found = await session.scalar(select(RectificationOrder.id).where(column == source_id).limit(1))
    return int(found) if found is not None else None


async def _open_for_post(session: AsyncSession, post_id: int) -> RectificationOrder | None:
    """The post's latest order not yet accepted: a second inspector checking the same post
    would otherwise give the unit a second order for one problem."""
    return await session.scalar(
        select(RectificationOrder)
        .where(
            RectificationOrder.post_id == post_id,
            RectificationOrder.status != OrderStatus.ACCEPTED,
        )
        .order_by(RectificationOrder.issued_at.desc(), RectificationOrder.id.desc())
        .limit(1)
    )


def awaits_confirmation(dialogue: Dialogue) -> bool:
    """Whether the draft still asks if another order should be issued for its post."""
    return dialogue.step == CONFIRM


async def begin_draft(
    session: AsyncSession,
    actor: Actor,
    source: Source,
    source_id: int,
    now: dt.datetime,
    settings: Settings,
) -> Draft:
    """Start an order from a check or a report, with its unit, category and default deadline."""
    orders.require_inspector(actor)
    if await _existing(session, source, source_id) is not None:
        raise DomainError(ErrorCode.ORDER_ALREADY_ISSUED)
    data: dict[str, Any] = {"source": source.value, "source_id": source_id}
    if source is Source.CHECK:
        inspection = await check_record.get(session, actor, source_id)
        data.update(
            unit_id=inspection.unit_id,
            category=Category.POST.value,
            post_id=inspection.post_id,
            latitude=inspection.post.latitude,
            longitude=inspection.post.longitude,
            description=notices.check_problem(
                inspection, Translator(settings.default_language, settings.zone)
            ),
            problem_from_check=True,
            visible_from=inspection.visible_from.isoformat(),
        )
    else:
        report = await reports.get(session, source_id)
        if report.status not in UNDECIDED_REPORTS:
            raise DomainError(ErrorCode.REPORT_CLOSED)
        if report.unit_id is None:
            raise DomainError(ErrorCode.REPORT_INCOMPLETE)
        data.update(
            unit_id=report.unit_id,
            category=report.category.value,
            post_id=None,
            latitude=report.latitude,
            longitude=report.longitude,
            description=report.description,
            visible_from=now.isoformat(),
        )
    unit = await session.get(Unit, int(data["unit_id"]))
    if unit is not None and unit.archived:
        # Archived since the check: Issue would only refuse, so the draft is not begun.
        raise DomainError(ErrorCode.ORDER_UNIT_ARCHIVED, unit=unit.name)
    start = max(now, dt.datetime.fromisoformat(data["visible_from"]))
    data["deadline_at"] = (
        start + dt.timedelta(hours=settings.order_hours(data["category"]))
    ).isoformat()
    step = "deadline"
    if data["post_id"] is not None:
        already = await _open_for_post(session, int(data["post_id"]))
        if already is not None:
            step, data["open_order_id"] = CONFIRM, already.id
    dialogue = await dialogues.begin(session, actor.telegram_id, DRAFT, step, now, data)
    return await draft_of(session, dialogue)


async def draft_of(session: AsyncSession, dialogue: Dialogue) -> Draft:
    data = dialogue.data
    unit = await session.get(Unit, int(data["unit_id"]))
    if unit is None:
        raise DomainError(ErrorCode.UNIT_NOT_FOUND)
    post_name = None
    if data.get("post_id") is not None:
        post = await session.get(Post, int(data["post_id"]))
        post_name = post.name if post is not None else None
    inspection = (
        await session.get(Inspection, int(data["source_id"]))
        if data.get("problem_from_check") and data.get("description")
        else None
    )
    open_order = (
        await session.get(RectificationOrder, int(data["open_order_id"]))
        if awaits_confirmation(dialogue) and data.get("open_order_id") is not None
        else None
    )
    return Draft(
        unit=unit,
        category=Category(data["category"]),
        deadline_at=dt.datetime.fromisoformat(data["deadline_at"]),
        description=data.get("description"),
        post_name=post_name,
        latitude=data.get("latitude"),
        longitude=data.get("longitude"),
        inspection=inspection,
        open_order=open_order,
    )


async def issue_anyway(session: AsyncSession, dialogue: Dialogue, now: dt.datetime) -> Draft:
    """The inspector saw the post's open order and goes on with another: the usual draft."""
    if awaits_confirmation(dialogue):
        dialogues.advance(dialogue, "deadline", now)
    return await draft_of(session, dialogue)


async def drop(session: AsyncSession, actor: Actor, dialogue: Dialogue) -> int | None:
    """The inspector stops: the post's open order is enough. Returns that order's id."""
    orders.require_inspector(actor)
    found = dialogue.data.get("open_order_id")
    await dialogues.end(session, actor.telegram_id)
    return int(found) if found is not None else None


def _visible_from(dialogue: Dialogue, now: dt.datetime) -> dt.datetime:
    """When the unit will see the order: now, or the end of a covert check's secrecy."""
    return max(now, dt.datetime.fromisoformat(dialogue.data["visible_from"]))


def _check_deadline(deadline: dt.datetime, now: dt.datetime, visible: dt.datetime) -> None:
    if deadline <= now:
        raise DomainError(ErrorCode.ORDER_DEADLINE_PAST, deadline=deadline)
    if deadline <= visible:
        # A covert check's order reaches the unit only later: it must not arrive overdue.
        raise DomainError(
            ErrorCode.ORDER_DEADLINE_BEFORE_VISIBLE, deadline=deadline, visible=visible
        )


async def set_deadline_hours(
    session: AsyncSession, dialogue: Dialogue, hours: int, now: dt.datetime
) -> Draft:
    if hours not in DEADLINE_CHOICES:
        raise DomainError(ErrorCode.ORDER_DEADLINE_INVALID)
    start = _visible_from(dialogue, now)
    dialogues.advance(
        dialogue, "deadline", now, deadline_at=(start + dt.timedelta(hours=hours)).isoformat()
    )
    return await draft_of(session, dialogue)


def parse_deadline(
    text: str, start: dt.datetime, settings: Settings, typed_at: dt.datetime | None = None
) -> dt.datetime | None:
    """A typed deadline: hours or days from `start` (36, 36h, 36小时, 2天), a local date and
    time (2026-12-03 18:00, 12-03 18：00, 12月3日 18点), a day named from the day it is typed
    and a time (明天18点, tomorrow 18:00), or a time alone (18:00, 下午6点: the next such time
    after `start`); None when the text is not a deadline at all, so it is read as the problem
    instead. `typed_at` (default `start`) is when the inspector typed it: a covert check's
    order starts later, at the next tally, but "tomorrow" is still the inspector's."""
    # A full stop ending it, as a sentence, is no part of the deadline (24小时内。); numbers in
    # Chinese numerals are read as digits, 夜里 as 晚上, 凌晨1点 as 1点 (deadline_words).
    cleaned = " ".join(unicodedata.normalize("NFKC", text).split()).rstrip("。.!").rstrip()
    cleaned = deadline_words.readable(cleaned)
    counted = deadline_words.span(cleaned)
    if counted is not None:
        return start + counted
    today = (typed_at or start).astimezone(settings.zone).date()
    bare = DEADLINE_WORDS.sub("", cleaned).strip()
    if (
        bare.lower() in RELATIVE_DAYS
        or bare in DAY_PARTS
        or DAY_AND_PART.match(bare)
        or deadline_words.day_and_part(bare, today)
        or deadline_words.weekday_alone(bare)
        or (bare[:1].isdigit() and timespec.parse_date(bare, today, nearest=True) is not None)
    ):
        # A day without its time (明天, 明天下午, 3日下午, 12月3日前): meant as a deadline, and
        # no problem to fix.
        raise DomainError(ErrorCode.ORDER_DEADLINE_INVALID)
    # by tomorrow 18:00 as tomorrow 18:00 (its ending words are taken off with its time's).
    relative = RELATIVE_WHEN.match(DEADLINE_LEAD.sub("", cleaned))
    if relative:
        word = relative.group(1).lower()
        offset, part = DAY_PARTS.get(word, (RELATIVE_DAYS.get(word, 0), ""))
        typed_time = DEADLINE_WORDS.sub("", relative.group(2)).strip()
        rest = part + typed_time if part and typed_time[:1].isdigit() else typed_time
        named_day = today + dt.timedelta(days=offset)
        after_midnight = _evening_twelve(rest)
        if after_midnight is not None:
            after = named_day + dt.timedelta(days=1)
            return timespec.local_instant(after, after_midnight, settings.zone)
        named_time = timespec.parse_time(rest)
        if named_time is None and part and ":" in typed_time:
            # A clock time in the named part of the day (明晚6:00 as 明晚6点; 18:00 stays).
            clock = timespec.parse_time(typed_time)
            evening = clock is not None and part == "晚上" and clock.hour < 12
            named_time = clock.replace(hour=clock.hour + 12) if clock and evening else clock
        if named_time is None:
            if TIME_SHAPED.match(rest):
                raise DomainError(ErrorCode.ORDER_DEADLINE_INVALID)
            return None
        return timespec.local_instant(named_day, named_time, settings.zone)
    alone = _evening_twelve(bare) or timespec.parse_time(bare)
    if alone is not None:
        # The next such time: 18:00 typed in the evening is tomorrow's.
        first_day = start.astimezone(settings.zone).date()
        deadline = timespec.local_instant(first_day, alone, settings.zone)
        if deadline <= start:
            deadline = timespec.local_instant(
                first_day + dt.timedelta(days=1), alone, settings.zone
            )
        return deadline
    slip = deadline_words.weekday_slip(bare)
    if TIME_SHAPED.match(bare) or (slip is not None and TIME_SHAPED.match(slip)):
        # Shaped as a time but none (25点, 凌晨8点, friday 6pm): a slip, not the problem.
        raise DomainError(ErrorCode.ORDER_DEADLINE_INVALID)
    dated = deadline_words.with_weekday(deadline_words.with_month(bare, today), today)
    found = _dated(dated, today, settings)
    typed = typed_at or start
    if found is not None and found <= typed and dated != bare and deadline_words.rolls_on(bare):
        # A day of the month or of the week already past when typed (3日18点 typed on the 3rd
        # at 19:00): the next such day, as a time alone typed after it is tomorrow's. Not one
        # past only by a covert check's later start: refused as before the unit sees it.
        tomorrow = today + dt.timedelta(days=1)
        later = deadline_words.with_weekday(deadline_words.with_month(bare, tomorrow), tomorrow)
        return _dated(later, today, settings)
    return found


def _dated(text: str, today: dt.date, settings: Settings) -> dt.datetime | None:
    """A date and a time (12月3日18点, 2026-12-03 18:00) as a deadline, None for other text."""
    match = WHEN.match(text)
    if not match:
        return None
    date_text, time_text = match.groups()
    # The day closest to today, so a deadline typed just past is refused as past, not moved to
    # next year.
    day = timespec.parse_date(date_text, today, nearest=True)
    after_midnight = _evening_twelve(time_text)
    if day is not None and after_midnight is not None:
        return timespec.local_instant(day + dt.timedelta(days=1), after_midnight, settings.zone)
    time = timespec.parse_time(time_text)
    if day is None and time is None:
        return None
    if day is None or time is None:
        raise DomainError(ErrorCode.ORDER_DEADLINE_INVALID)
    return timespec.local_instant(day, time, settings.zone)


def _evening_twelve(text: str) -> dt.time | None:
    """晚上12点 (or 晚上12点半, 夜里12点, 晚上0点, 夜里1点, 24点) as the time after midnight it
    means: the next day's, which the caller names; None for any other text."""
    match = EVENING_TWELVE.match(text)
    if match is None:
        return None
    if match.group(1) is None:  # 24:00
        return dt.time(0, 0)
    clock = timespec.parse_time(match.group(1))
    return clock.replace(hour=clock.hour % 12) if clock is not None else None


async def type_into_draft(
    session: AsyncSession, dialogue: Dialogue, text: str, now: dt.datetime, settings: Settings
) -> Draft:
    """Typed during a draft: a deadline (refused when past), or the problem for the unit."""
    start = _visible_from(dialogue, now)
    deadline = parse_deadline(text, start, settings, typed_at=now)
    if deadline is not None:
        _check_deadline(deadline, now, start)
        dialogues.advance(dialogue, "deadline", now, deadline_at=deadline.isoformat())
    else:
        note = typed.line(text, typed.NOTE_MAX)
        dialogues.advance(dialogue, "deadline", now, description=note, problem_from_check=False)
    return await draft_of(session, dialogue)


@dataclass(frozen=True)
class Issued:
    order: RectificationOrder
    # The unit has no active coordinator: nobody there receives it; the admins were told.
    unattended: bool


async def _tell_admins_unattended(
    session: AsyncSession, order: RectificationOrder, now: dt.datetime, settings: Settings
) -> None:
    """The admins, once per order, that its unit has nobody to receive it: appoint one."""
    unit = order.unit.name
    await notices.send(
        session,
        await notices.admins(session, settings),
        lambda t: notices.message(
            t("oversight.order.no_coordinator_admins", id=order.id, unit=unit)
        ),
        key=f"order:{order.id}:no-coordinator",
        now=now,
        settings=settings,
    )


async def issue(
    session: AsyncSession,
    actor: Actor,
    dialogue: Dialogue,
    now: dt.datetime,
    settings: Settings,
) -> Issued:
    orders.require_inspector(actor)
    data = dialogue.data
    draft = await draft_of(session, dialogue)
    # Read afresh and held to the commit: archiving the unit (which refuses open orders)
    # waits for this order, or this sees the unit archived.
    unit = await units.held(session, draft.unit.id)
    if unit.archived:
        # Archived while the draft was open: the draft is moot, as for a report decided.
        await dialogues.end(session, actor.telegram_id)
        raise DomainError(ErrorCode.ORDER_UNIT_ARCHIVED, unit=unit.name)
    _check_deadline(draft.deadline_at, now, _visible_from(dialogue, now))
    source, source_id = Source(data["source"]), int(data["source_id"])
    if await _existing(session, source, source_id) is not None:
        # Another inspector's order from the same source went in first: one is all it gets.
        await dialogues.end(session, actor.telegram_id)
        raise DomainError(ErrorCode.ORDER_ALREADY_ISSUED)
    if data.get("post_id") is not None:
        already = await _open_for_post(session, int(data["post_id"]))
        if (
            already is not None
            and already.id != data.get("open_order_id")
            and already.inspection_id != (source_id if source is Source.CHECK else None)
        ):
            # Issued for the post while this draft was open, unseen: asked about first (one
            # from this very check is the one-order rule's, answered below).
            dialogues.advance(dialogue, CONFIRM, now, open_order_id=already.id)
            raise DomainError(ErrorCode.ORDER_POST_NEW_OPEN, id=already.id)
    if source is Source.REPORT and not await report_decisions.take_for_order(
        session, source_id, draft.unit.id, now
    ):
        # Dismissed or dispatched elsewhere while the draft was open: the draft is moot.
        await dialogues.end(session, actor.telegram_id)
        raise DomainError(ErrorCode.REPORT_CLOSED)
    visible = max(now, dt.datetime.fromisoformat(data["visible_from"]))
    order = RectificationOrder(
        unit_id=draft.unit.id,
        category=draft.category,
        status=OrderStatus.ISSUED,
        inspection_id=source_id if source is Source.CHECK else None,
        report_id=source_id if source is Source.REPORT else None,
        post_id=data.get("post_id"),
        description=draft.description,
        latitude=data.get("latitude"),
        longitude=data.get("longitude"),
        issued_by_id=orders.member_id(actor),
        issued_at=now,
        visible_from=visible,
        deadline_at=draft.deadline_at,
        reopened=0,
        updated_at=now,
    )
    try:
        # In a savepoint: a failed insert leaves the turn's transaction usable for its answer.
        async with session.begin_nested():
            session.add(order)
            await session.flush()
    except IntegrityError:
        # One order per check (a unique index): another turn issued one since the read above
        # and committed first (two taps at once on PostgreSQL). Answered as the read answers.
        if await _existing(session, source, source_id) is not None:
            await dialogues.end(session, actor.telegram_id)
            raise DomainError(ErrorCode.ORDER_ALREADY_ISSUED) from None
        raise
    await session.refresh(order)
    orders.record(
        session,
        order.issued_by_id,
        "order.issue",
        order,
        now,
        after={"unit": order.unit_id, "deadline": order.deadline_at.isoformat()},
    )
    await dialogues.end(session, actor.telegram_id)
    await orders.tell_unit(session, order, now, settings, event="issued")
    unattended = not await coordinators_of(session, order.unit_id)
    if unattended:
        await _tell_admins_unattended(session, order, now, settings)
    if order.report_id is not None:
        report = await reports.get(session, order.report_id)
        await reports.tell_reporters(
            session,
            report,
            f"ordered:{order.id}",
            lambda t, number: notices.message(
                t(
                    "oversight.report.told.ordered",
                    id=number,
                    unit=order.unit.name,
                    deadline=t.datetime(order.deadline_at),
                )
            ),
            now,
            settings,
        )
    return Issued(order, unattended)
