"""How a shift is named in messages, shared by the handlers' replies and the notices services
write to the outbox (rendered in the recipient's language before they are stored)."""

from __future__ import annotations

from bot.db.models import Member, Shift
from bot.i18n import Translator
from bot.settings import Settings


def translator_for(member: Member, settings: Settings) -> Translator:
    return Translator(member.language or settings.default_language, settings.zone)


def shift_label(t: Translator, shift: Shift) -> str:
    """12月1日 周二 07:00–09:00 · 黄河路-人民路口"""
    return t(
        "shifts.label",
        day=t.weekday_date(shift.starts_at),
        start=t.time(shift.starts_at),
        end=t.time(shift.ends_at),
        post=shift.post.name,
    )
