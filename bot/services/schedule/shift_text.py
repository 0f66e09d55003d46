"""How shifts are named in messages, shared by the handlers' replies and the notices services
write to the outbox (rendered in the recipient's language before they are stored): a shift's
label, a post type's name, and a shift open for sign-up as /shifts and broadcasts list it."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from bot.db.models import PostType
from bot.i18n import Translator
from bot.services.people.access import Actor
from bot.services.platform.notify import translator_for
from bot.services.schedule.seats import OpenShift
from bot.settings import Settings

# `translator_for` is platform.notify's, named here too for the services that import it from here.
__all__ = [
    "open_shift_lines",
    "post_type_name",
    "reader_of",
    "seats_text",
    "shift_label",
    "sign_up_label",
    "translator_for",
]


def reader_of(actor: Actor, settings: Settings) -> Translator:
    """The language of the person acting, who reads a refusal whoever's rule it is (another
    member's clash, in a swap or an assignment); an admin who is no member reads the default
    one."""
    if actor.member is not None:
        return translator_for(actor.member, settings)
    return Translator(settings.default_language, settings.zone)


class NamedPost(Protocol):
    @property
    def name(self) -> str: ...


class ShiftTimes(Protocol):
    """A shift as far as its label goes: the ORM's, or a value read without it."""

    @property
    def starts_at(self) -> dt.datetime: ...

    @property
    def ends_at(self) -> dt.datetime: ...

    @property
    def post(self) -> NamedPost: ...


def shift_label(t: Translator, shift: ShiftTimes, key: str = "shifts.label") -> str:
    """12月1日 周二 07:00–09:00 · 黄河路-人民路口. The check-in's choice of shifts uses its own
    wording (``checkin.shift_label``), the same fields without the dot."""
    return t(
        key,
        day=t.weekday_date(shift.starts_at),
        start=t.time(shift.starts_at),
        end=t.end_time(shift.starts_at, shift.ends_at),
        post=shift.post.name,
    )


def post_type_name(t: Translator, post_type: PostType) -> str:
    return t(f"shifts.post_type.{post_type.value}")


def seats_text(t: Translator, item: OpenShift) -> str:
    """余 2/4 个名额, or 已满（1 人候补）."""
    if item.left > 0:
        return t("shifts.seats_left", left=item.left, count=item.shift.capacity)
    return t("shifts.seats_full", waiting=item.seats.waitlisted)


def sign_up_label(t: Translator, item: OpenShift, number: int) -> str:
    """The numbered button under a list: Sign up while seats are left, else Join the waitlist."""
    key = "shifts.button.sign_up" if item.left > 0 else "shifts.button.waitlist"
    return t(key, n=number)


def open_shift_lines(t: Translator, number: int, item: OpenShift, *, brief: bool) -> list[str]:
    """A shift open for sign-up, numbered as its button is. /shifts (``brief`` False) names the
    post type and any tag required; a broadcast (``brief``) leaves both out: each volunteer gets
    only the shifts they may take."""
    shift = item.shift
    if brief:
        lines = [
            t(
                "broadcast.shift_line",
                n=number,
                shift=shift_label(t, shift),
                seats=seats_text(t, item),
            )
        ]
    else:
        lines = [
            t(
                "shifts.item",
                n=number,
                shift=shift_label(t, shift),
                kind=post_type_name(t, shift.post.type),
                seats=seats_text(t, item),
            )
        ]
        if shift.required_tag:
            lines.append(t("shifts.item_tag", tag=shift.required_tag))
    if shift.notes:
        lines.append(t("shifts.item_notes", notes=shift.notes))
    return lines
