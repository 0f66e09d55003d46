"""Who hears about oversight and in what words: the audiences (a unit's coordinators, the
inspectors, the admins of ``ADMIN_IDS`` who may have no member row, the headquarters groups) and
the texts of order and report cards, rendered in each recipient's language. Services queue them
through the outbox; nothing here sends."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.buttons import CallbackData
from bot.db.models import (
    BoundGroup,
    Category,
    Inspection,
    Member,
    MemberRole,
    OrderStatus,
    RectificationOrder,
    ReportStatus,
    Role,
    StreetReport,
)
from bot.i18n import Translator
from bot.services.duty.checkin_text import distance as distance_text
from bot.services.platform import outbox
from bot.services.platform.outbox import Message, Queued
from bot.settings import Settings

Render = Callable[[Translator], Message]
Buttons = Sequence[Sequence[tuple[str, CallbackData]]]
CAPTION_MAX = 1024


@dataclass(frozen=True)
class Recipient:
    chat_id: int
    language: str
    key: str  # stable name of the recipient within an idempotency key
    thread_id: int | None = None  # a group's forum topic (None: General, or a person)


def _person(member: Member, settings: Settings) -> Recipient:
    return Recipient(
        member.telegram_id, member.language or settings.default_language, f"m{member.id}"
    )


def people(members: Sequence[Member], settings: Settings) -> list[Recipient]:
    return [_person(member, settings) for member in members if not member.blocked_bot]


async def inspectors(session: AsyncSession, settings: Settings) -> list[Recipient]:
    """The inspectors, and the admins of ADMIN_IDS (members or not), each once."""
    rows = await session.scalars(
        select(Member)
        .join(MemberRole, MemberRole.member_id == Member.id)
        .where(Member.active.is_(True), MemberRole.role == Role.INSPECTOR)
        .order_by(Member.id)
    )
    found = people(list(rows.unique()), settings)
    return _with_admins(found, await admins(session, settings))


async def admins(session: AsyncSession, settings: Settings) -> list[Recipient]:
    if not settings.admin_ids:
        return []
    members = {
        member.telegram_id: member
        for member in await session.scalars(
            select(Member).where(Member.telegram_id.in_(settings.admin_ids))
        )
    }
    result = []
    for telegram_id in settings.admin_ids:
        member = members.get(telegram_id)
        if member is not None:
            if not member.blocked_bot:
                result.append(_person(member, settings))
        else:
            result.append(Recipient(telegram_id, settings.default_language, f"a{telegram_id}"))
    return result


def _with_admins(found: list[Recipient], extra: list[Recipient]) -> list[Recipient]:
    chats = {recipient.chat_id for recipient in found}
    return found + [recipient for recipient in extra if recipient.chat_id not in chats]


async def headquarters(session: AsyncSession) -> list[Recipient]:
    groups = await session.scalars(select(BoundGroup).where(BoundGroup.unit_id.is_(None)))
    return [
        Recipient(group.chat_id, group.language, f"g{group.chat_id}", group.thread_id)
        for group in groups
    ]


async def send(
    session: AsyncSession,
    recipients: Sequence[Recipient],
    render: Render,
    *,
    key: str,
    now: dt.datetime,
    settings: Settings,
    urgent: bool = False,
    not_before: dt.datetime | None = None,
) -> int:
    """Queue `render` to each recipient in their language under ``<key>:<recipient>``."""
    rendered: dict[str, Message] = {}
    queued = []
    for recipient in recipients:
        if recipient.language not in rendered:
            rendered[recipient.language] = render(Translator(recipient.language, settings.zone))
        body = rendered[recipient.language]
        if recipient.thread_id is not None:
            body = dataclasses.replace(body, thread_id=recipient.thread_id)
        queued.append(Queued(f"{key}:{recipient.key}", recipient.chat_id, body))
    return await outbox.enqueue_many(session, queued, now=now, urgent=urgent, not_before=not_before)


def message(text: str, photos: Sequence[str] = (), buttons: Buttons | None = None) -> Message:
    """A notice with the first evidence photo and the text as its caption when it fits."""
    if photos and len(text) <= CAPTION_MAX:
        return outbox.payload(text, photo=photos[0], buttons=buttons)
    return outbox.payload(text, buttons=buttons)


# -- wording ----------------------------------------------------------------------------------


def category(t: Translator, value: Category) -> str:
    return t(f"oversight.category.{value.value}")


def order_state(t: Translator, status: OrderStatus) -> str:
    return t(f"oversight.order.state.{status.value}")


def report_state(t: Translator, status: ReportStatus) -> str:
    return t(f"oversight.report.state.{status.value}")


def check_kind(t: Translator, inspection: Inspection) -> str:
    kind = t(f"oversight.kind.{inspection.kind.value}")
    mode = t("oversight.mode.covert" if inspection.covert else "oversight.mode.overt")
    return t("oversight.kind_mode", kind=kind, mode=mode)


def time_left(t: Translator, deadline: dt.datetime, now: dt.datetime) -> str:
    minutes = int((deadline - now).total_seconds() // 60)
    if minutes >= 0:
        hours = minutes // 60
        if hours >= 1:
            return t("oversight.left.hours", count=hours)
        return t("oversight.left.minutes", count=max(minutes, 1))
    late = -minutes // 60
    if late >= 1:
        return t("oversight.overdue.hours", count=late)
    return t("oversight.overdue.minutes", count=max(-minutes, 1))


def place(t: Translator, order: RectificationOrder, post_name: str | None) -> str:
    if post_name:
        return post_name
    if order.latitude is not None and order.longitude is not None:
        return t("oversight.coordinates", lat=f"{order.latitude:.5f}", lon=f"{order.longitude:.5f}")
    return "-"


# An order's problem as one reader reads it (see orders.problem_of).
Problem = Callable[[Translator], str | None]


def check_problem(inspection: Inspection, t: Translator) -> str | None:
    """The problem an order takes from a check, in the language of `t`: the lines deducted (a
    built-in line by its code, an added one by its own label), the discrepancy in words, then
    the inspector's note."""
    parts = []
    for entry in inspection.deductions:
        code = entry.get("code")
        name = t(f"oversight.item.{code}") if code else str(entry["label"])
        times = int(entry.get("times", 1))
        parts.append(
            t("oversight.order.problem_times", item=name, times=times) if times > 1 else name
        )
    if inspection.discrepancy:
        parts.append(
            t(
                "oversight.order.problem_discrepancy",
                checked_in=inspection.checked_in,
                seen=inspection.seen,
            )
        )
    if inspection.note:
        parts.append(inspection.note)
    return t("oversight.order.problem_separator").join(parts) or None


def order_card(
    t: Translator,
    order: RectificationOrder,
    *,
    post_name: str | None,
    now: dt.datetime | None,
    header: str | None = None,
    problem: Problem | None = None,
) -> str:
    """The order as a card. `now` adds the time left; notices through the outbox leave it out,
    since quiet hours may hold them back for hours. `problem` words the problem for the reader
    (default: as stored)."""
    lines = []
    if header:
        lines.append(header)
    lines.append(t("oversight.order.card.title", id=order.id, category=category(t, order.category)))
    lines.append(t("oversight.order.card.unit", unit=order.unit.name))
    lines.append(t("oversight.order.card.place", place=place(t, order, post_name)))
    described = problem(t) if problem is not None else order.description
    if described:
        lines.append(t("oversight.order.card.problem", text=described))
    deadline = t.datetime(order.deadline_at)
    if order.status.is_open and now is not None:
        lines.append(
            t(
                "oversight.order.card.deadline",
                deadline=deadline,
                left=time_left(t, order.deadline_at, now),
            )
        )
    else:
        lines.append(t("oversight.order.card.deadline_closed", deadline=deadline))
    lines.append(t("oversight.order.card.state", state=order_state(t, order.status)))
    if order.reply_note and order.status in (OrderStatus.REPLIED, OrderStatus.ACCEPTED):
        lines.append(t("oversight.order.card.reply", text=order.reply_note))
    return "\n".join(lines)


def report_card(t: Translator, report: StreetReport, *, header: str | None = None) -> str:
    lines = []
    if header:
        lines.append(header)
    lines.append(
        t(
            "oversight.report.card.title",
            id=report.id,
            category=category(t, report.category),
            time=t.datetime(report.created_at),
        )
    )
    lines.append(
        t(
            "oversight.coordinates",
            lat=f"{report.latitude:.5f}",
            lon=f"{report.longitude:.5f}",
        )
    )
    if report.description:
        lines.append(t("oversight.report.card.text", text=report.description))
    if report.unit is not None:
        lines.append(
            t("oversight.report.card.unit", unit=report.unit.name, how=route_text(t, report))
        )
    lines.append(t("oversight.report.card.state", state=report_state(t, report.status)))
    return "\n".join(lines)


def route_text(t: Translator, report: StreetReport) -> str:
    if report.route_method is None:
        return "-"
    if report.route_distance_m is not None:
        return t(
            f"oversight.route.{report.route_method.value}",
            distance=distance_text(t, report.route_distance_m),
        )
    return t(f"oversight.route.{report.route_method.value}", distance="")
