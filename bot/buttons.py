"""Callback data of inline buttons, declared once and typed (DESIGN principle 7: only a hint).

Each button is a frozen dataclass that subclasses ``CallbackData`` with its prefix::

    @dataclass(frozen=True)
    class SignUp(CallbackData, prefix="su"):
        shift_id: int

``SignUp(7).pack()`` gives ``"su:7"``; ``SignUp.parse("su:7")`` gives ``SignUp(shift_id=7)`` and
``None`` for anything forged or malformed, so no handler splits strings by hand. Services put the
same classes into outbox messages and handlers receive them parsed; the command table
(``bot/commands.py``) registers a handler per class. Prefixes are unique: declaring one twice
fails at import.

Why not python-telegram-bot's arbitrary callback data: it keeps the objects in the process's
memory (or a persistence file), so a button on a message sent by the outbox, by another process,
or before a restart could not be resolved. These buttons carry their whole meaning in the 64
bytes Telegram allows, and this module imports nothing of Telegram, so services can use it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import types
import typing
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from bot.db.models import Category, CheckKind

SEPARATOR = ":"
NONE = "-"
# Telegram's limit on callback_data, in bytes.
MAX_BYTES = 64


class CallbackData:
    """Base of every button's data. Fields may be ``int``, ``str`` (without ``:``), ``bool``,
    ``datetime.date``, a ``StrEnum``, or any of these ``| None``."""

    prefix: ClassVar[str]
    _declared: ClassVar[dict[str, type[CallbackData]]] = {}

    def __init_subclass__(cls, *, prefix: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not prefix or SEPARATOR in prefix:
            raise ValueError(f"bad button prefix {prefix!r}")
        if prefix in CallbackData._declared:
            other = CallbackData._declared[prefix].__qualname__
            raise ValueError(f"button prefix {prefix!r} of {cls.__qualname__} is taken by {other}")
        cls.prefix = prefix
        CallbackData._declared[prefix] = cls

    def pack(self) -> str:
        hints = _field_types(type(self))
        parts = [self.prefix]
        parts.extend(_encode(getattr(self, name), kind) for name, kind in hints)
        data = SEPARATOR.join(parts)
        if len(data.encode()) > MAX_BYTES:
            raise ValueError(f"callback data over Telegram's {MAX_BYTES} bytes: {data!r}")
        return data

    @classmethod
    def parse(cls, data: object) -> Self | None:
        """The button's values, or None when ``data`` is not a well-formed button of this class."""
        if not isinstance(data, str):
            return None
        prefix, *values = data.split(SEPARATOR)
        hints = _field_types(cls)
        if prefix != cls.prefix or len(values) != len(hints):
            return None
        decoded: dict[str, Any] = {}
        for (name, kind), text in zip(hints, values, strict=True):
            try:
                decoded[name] = _decode(text, kind)
            except (TypeError, ValueError):
                return None
        return cls(**decoded)

    @classmethod
    def matches(cls, data: object) -> bool:
        """Whether ``data`` names this button (well-formed or not): the registry routes on it."""
        return isinstance(data, str) and data.split(SEPARATOR, 1)[0] == cls.prefix


def declared() -> dict[str, type[CallbackData]]:
    """Every button class, by prefix."""
    return dict(CallbackData._declared)


_FIELD_TYPES: dict[type[CallbackData], tuple[tuple[str, Any], ...]] = {}


def _field_types(cls: type[CallbackData]) -> tuple[tuple[str, Any], ...]:
    """The (name, type) of each field, resolved once per class."""
    cached = _FIELD_TYPES.get(cls)
    if cached is None:
        hints = typing.get_type_hints(cls)
        fields = dataclasses.fields(cls)  # type: ignore[arg-type]
        cached = _FIELD_TYPES[cls] = tuple((field.name, hints[field.name]) for field in fields)
    return cached


def _optional(kind: Any) -> tuple[Any, bool]:
    if isinstance(kind, types.UnionType) or typing.get_origin(kind) is typing.Union:
        members = [member for member in typing.get_args(kind) if member is not type(None)]
        if len(members) == 1:
            return members[0], True
    return kind, False


def _encode(value: Any, kind: Any) -> str:
    base, optional = _optional(kind)
    if value is None:
        if not optional:
            raise ValueError("None in a field that does not allow it")
        return NONE
    if base is bool:
        return "1" if value else "0"
    if base is dt.date:
        return str(value.strftime("%Y%m%d"))
    if isinstance(base, type) and issubclass(base, enum.Enum):
        text = str(value.value)
    else:
        text = str(value)
    if SEPARATOR in text or (optional and text == NONE) or not text:
        raise ValueError(f"cannot put {text!r} into callback data")
    return text


def _decode(text: str, kind: Any) -> Any:
    base, optional = _optional(kind)
    if optional and text == NONE:
        return None
    if base is int:
        if not text.lstrip("-").isdecimal() or not text.isascii():
            raise ValueError(text)
        return int(text)
    if base is bool:
        if text not in ("0", "1"):
            raise ValueError(text)
        return text == "1"
    if base is dt.date:
        if len(text) != 8 or not text.isdecimal():
            raise ValueError(text)
        return dt.datetime.strptime(text, "%Y%m%d").date()
    if isinstance(base, type) and issubclass(base, enum.Enum):
        return base(text)
    if base is str:
        if not text:
            raise ValueError(text)
        return text
    raise TypeError(f"unsupported callback field type {kind!r}")


# The buttons, by domain. A prefix, once in use, stays: buttons on messages already in people's
# chats must keep working after an upgrade.

# -- schedule: a shift card opened from a notice ----------------------------------------------


@dataclass(frozen=True)
class OpenShiftCard(CallbackData, prefix="sc.o"):
    """The shift card as a new message, so the notice it was opened from stays in the chat."""

    shift_id: int


# -- duty: the no-show question ---------------------------------------------------------------


@dataclass(frozen=True)
class NoShowComing(CallbackData, prefix="ns.y"):
    assignment_id: int


@dataclass(frozen=True)
class NoShowNotComing(CallbackData, prefix="ns.n"):
    assignment_id: int


# -- rostering: assigned duty, leave, unavailability and rotation (issue 17) -------------------


@dataclass(frozen=True)
class AssignStart(CallbackData, prefix="ro.as"):
    """➕ 安排人员 on a shift's card."""

    shift_id: int


@dataclass(frozen=True)
class AssignPick(CallbackData, prefix="ro.ap"):
    shift_id: int
    member_id: int


@dataclass(frozen=True)
class AssignPage(CallbackData, prefix="ro.ag"):
    shift_id: int
    offset: int


@dataclass(frozen=True)
class AssignAnyway(CallbackData, prefix="ro.ay"):
    """Assign the people the bot warned about (they declared they cannot serve then)."""

    shift_id: int


@dataclass(frozen=True)
class Acknowledge(CallbackData, prefix="ro.ok"):
    """✅ 收到: the member has seen the seats a rota gave them."""

    rota_id: int


@dataclass(frozen=True)
class AskLeave(CallbackData, prefix="ro.lv"):
    assignment_id: int


@dataclass(frozen=True)
class ApproveLeave(CallbackData, prefix="ro.ly"):
    leave_id: int


@dataclass(frozen=True)
class RejectLeave(CallbackData, prefix="ro.ln"):
    leave_id: int


@dataclass(frozen=True)
class TakeFreedSeat(CallbackData, prefix="ro.tk"):
    shift_id: int


@dataclass(frozen=True)
class RemoveUnavailable(CallbackData, prefix="ro.ux"):
    window_id: int


@dataclass(frozen=True)
class RotateUnit(CallbackData, prefix="ro.ru"):
    unit_id: int


@dataclass(frozen=True)
class RotateUnitPage(CallbackData, prefix="ro.rg"):
    offset: int


@dataclass(frozen=True)
class RotatePeriod(CallbackData, prefix="ro.rp"):
    first: dt.date
    last: dt.date


@dataclass(frozen=True)
class RotatePost(CallbackData, prefix="ro.rt"):
    """Toggle one post in or out of the rotation."""

    post_id: int


@dataclass(frozen=True)
class RotatePostPage(CallbackData, prefix="ro.rq"):
    offset: int


@dataclass(frozen=True)
class RotatePosts(CallbackData, prefix="ro.rs"):
    """Plan the posts chosen (or, with `every`, every post of the unit)."""

    every: bool


@dataclass(frozen=True)
class RotateReroll(CallbackData, prefix="ro.rr"):
    round: int


@dataclass(frozen=True)
class RotateConfirm(CallbackData, prefix="ro.rc"):
    round: int


# -- oversight: checks, street reports, rectification orders (issue 16) ------------------------
class OrderView(enum.StrEnum):
    """The lists of /orders."""

    OPEN = "open"  # every order not accepted yet
    OVERDUE = "overdue"  # the unit's deadline has passed without a reply
    REPLIED = "replied"  # waiting for the issuer's acceptance
    ACCEPTED = "accepted"
    REPORTS = "reports"  # street reports waiting for an inspector's decision


@dataclass(frozen=True)
class InspectPost(CallbackData, prefix="ov.ip"):
    post_id: int


@dataclass(frozen=True)
class InspectKind(CallbackData, prefix="ov.ik"):
    kind: CheckKind
    covert: bool


@dataclass(frozen=True)
class InspectSeen(CallbackData, prefix="ov.is"):
    seen: int


@dataclass(frozen=True)
class InspectItem(CallbackData, prefix="ov.ii"):
    item_id: int


@dataclass(frozen=True)
class InspectItemsDone(CallbackData, prefix="ov.id"):
    pass


@dataclass(frozen=True)
class InspectSubmit(CallbackData, prefix="ov.iok"):
    pass


@dataclass(frozen=True)
class ChecklistAdjust(CallbackData, prefix="ov.ca"):
    item_id: int
    delta: int


@dataclass(frozen=True)
class ChecklistToggle(CallbackData, prefix="ov.ct"):
    item_id: int


@dataclass(frozen=True)
class ChecklistNew(CallbackData, prefix="ov.cn"):
    pass


@dataclass(frozen=True)
class ReportCategoryPick(CallbackData, prefix="ov.rk"):
    category: Category


@dataclass(frozen=True)
class ReportSubmit(CallbackData, prefix="ov.rs"):
    pass


@dataclass(frozen=True)
class ReportCard(CallbackData, prefix="ov.rc"):
    report_id: int


@dataclass(frozen=True)
class ReportDispatch(CallbackData, prefix="ov.rd"):
    report_id: int
    unit_id: int


@dataclass(frozen=True)
class ReportDispatchPage(CallbackData, prefix="ov.rp"):
    report_id: int
    offset: int


@dataclass(frozen=True)
class ReportDismiss(CallbackData, prefix="ov.rx"):
    report_id: int


@dataclass(frozen=True)
class OrderFromCheck(CallbackData, prefix="ov.oc"):
    inspection_id: int


@dataclass(frozen=True)
class OrderFromReport(CallbackData, prefix="ov.or"):
    report_id: int


@dataclass(frozen=True)
class OrderDeadline(CallbackData, prefix="ov.odl"):
    hours: int


@dataclass(frozen=True)
class OrderIssue(CallbackData, prefix="ov.oi"):
    pass


@dataclass(frozen=True)
class OrderAcknowledge(CallbackData, prefix="ov.oa"):
    order_id: int


@dataclass(frozen=True)
class OrderReply(CallbackData, prefix="ov.orp"):
    order_id: int


@dataclass(frozen=True)
class OrderReplySubmit(CallbackData, prefix="ov.ors"):
    pass


@dataclass(frozen=True)
class OrderAccept(CallbackData, prefix="ov.ok"):
    order_id: int


@dataclass(frozen=True)
class OrderReturn(CallbackData, prefix="ov.ob"):
    order_id: int


@dataclass(frozen=True)
class OrderFollowUp(CallbackData, prefix="ov.of"):
    order_id: int
    days: int  # 0: no follow-up


@dataclass(frozen=True)
class FollowUpHolds(CallbackData, prefix="ov.fh"):
    order_id: int


@dataclass(frozen=True)
class FollowUpReopen(CallbackData, prefix="ov.fr"):
    order_id: int


@dataclass(frozen=True)
class OrderCard(CallbackData, prefix="ov.cd"):
    order_id: int


@dataclass(frozen=True)
class OrderList(CallbackData, prefix="ov.ol"):
    view: OrderView
    offset: int
