"""Callback data of inline buttons, declared once and typed (DESIGN principle 7: only a hint).

Each button is a frozen dataclass that subclasses ``CallbackData`` with its prefix::

    @dataclass(frozen=True)
    class SignUp(CallbackData, prefix="su"):
        shift_id: int

``SignUp(7).pack()`` gives ``"su:7"``; ``SignUp.parse("su:7")`` gives ``SignUp(shift_id=7)`` and
``None`` for anything forged or malformed, so no handler splits strings by hand. A trailing field
whose default is ``None`` is left out of the data while it is ``None`` (``sc:7`` and ``sc:7:20``
are one button), and a class may name its own word for "none" (``none="all"``), so that buttons
declared before this module keep their exact wire format. Services put the
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

from bot.db.models import Category, CheckKind, Correction, PostType, Role

SEPARATOR = ":"
NONE = "-"
# Telegram's limit on callback_data, in bytes.
MAX_BYTES = 64


class CallbackData:
    """Base of every button's data. Fields may be ``int``, ``str`` (without ``:``), ``bool``,
    ``datetime.date``, a ``StrEnum``, or any of these ``| None``."""

    prefix: ClassVar[str]
    # What an absent (``None``) value is written as.
    none: ClassVar[str] = NONE
    _declared: ClassVar[dict[str, type[CallbackData]]] = {}

    def __init_subclass__(cls, *, prefix: str, none: str = NONE, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not prefix or SEPARATOR in prefix:
            raise ValueError(f"bad button prefix {prefix!r}")
        if prefix in CallbackData._declared:
            other = CallbackData._declared[prefix].__qualname__
            raise ValueError(f"button prefix {prefix!r} of {cls.__qualname__} is taken by {other}")
        if not none or SEPARATOR in none:
            raise ValueError(f"bad word for none {none!r}")
        cls.prefix = prefix
        cls.none = none
        CallbackData._declared[prefix] = cls

    def pack(self) -> str:
        hints = _field_types(type(self))
        values = [getattr(self, name) for name, _ in hints]
        shown = len(hints)
        while shown > _required_count(type(self)) and values[shown - 1] is None:
            shown -= 1
        parts = [self.prefix]
        parts.extend(
            _encode(value, kind, self.none)
            for value, (_, kind) in zip(values[:shown], hints[:shown], strict=True)
        )
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
        if prefix != cls.prefix or not _required_count(cls) <= len(values) <= len(hints):
            return None
        decoded: dict[str, Any] = {}
        for (name, kind), text in zip(hints, values, strict=False):
            try:
                decoded[name] = _decode(text, kind, cls.none)
            except (TypeError, ValueError):
                return None
        try:
            return cls(**decoded)
        except ValueError:  # refused by the class's own check (`__post_init__`)
            return None

    @classmethod
    def matches(cls, data: object) -> bool:
        """Whether ``data`` names this button (well-formed or not): the registry routes on it."""
        return isinstance(data, str) and data.split(SEPARATOR, 1)[0] == cls.prefix


class PageOffset:
    """A page button: its ``offset`` (the first item shown) is never negative; a forged one
    parses to nothing."""

    offset: int

    def __post_init__(self) -> None:
        if self.offset < 0:
            raise ValueError(f"a page offset of {self.offset}")


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


_REQUIRED: dict[type[CallbackData], int] = {}


def _required_count(cls: type[CallbackData]) -> int:
    """How many leading fields the data always carries: the trailing fields that default to
    ``None`` may be left out."""
    cached = _REQUIRED.get(cls)
    if cached is None:
        fields = dataclasses.fields(cls)  # type: ignore[arg-type]
        cached = len(fields)
        while cached > 0 and fields[cached - 1].default is None:
            cached -= 1
        _REQUIRED[cls] = cached
    return cached


def _optional(kind: Any) -> tuple[Any, bool]:
    if isinstance(kind, types.UnionType) or typing.get_origin(kind) is typing.Union:
        members = [member for member in typing.get_args(kind) if member is not type(None)]
        if len(members) == 1:
            return members[0], True
    return kind, False


def _encode(value: Any, kind: Any, none: str) -> str:
    base, optional = _optional(kind)
    if value is None:
        if not optional:
            raise ValueError("None in a field that does not allow it")
        return none
    if base is bool:
        return "1" if value else "0"
    if base is dt.date:
        return str(value.strftime("%Y%m%d"))
    if isinstance(base, type) and issubclass(base, enum.Enum):
        text = str(value.value)
    else:
        text = str(value)
    if SEPARATOR in text or (optional and text == none) or not text:
        raise ValueError(f"cannot put {text!r} into callback data")
    return text


# What a button can carry: ids fit the database's 32-bit integer columns, and days stay far from
# the calendar's ends so date arithmetic never overflows. Anything else is a forged or corrupt
# press, answered as a stale button.
INT_MAX = 2**31 - 1
DAY_MIN, DAY_MAX = dt.date(2000, 1, 1), dt.date(2999, 12, 31)


def _decode(text: str, kind: Any, none: str) -> Any:
    base, optional = _optional(kind)
    if optional and text == none:
        return None
    if base is int:
        if not text.lstrip("-").isdecimal() or not text.isascii():
            raise ValueError(text)
        value = int(text)
        if abs(value) > INT_MAX:
            raise ValueError(text)
        return value
    if base is bool:
        if text not in ("0", "1"):
            raise ValueError(text)
        return text == "1"
    if base is dt.date:
        if len(text) != 8 or not text.isdecimal():
            raise ValueError(text)
        day = dt.datetime.strptime(text, "%Y%m%d").date()
        if not DAY_MIN <= day <= DAY_MAX:
            raise ValueError(text)
        return day
    if isinstance(base, type) and issubclass(base, enum.Enum):
        return base(text)
    if base is str:
        if not text:
            raise ValueError(text)
        return text
    raise TypeError(f"unsupported callback field type {kind!r}")


# The buttons, by domain. A prefix, once in use, stays: buttons on messages already in people's
# chats must keep working after an upgrade.

# -- everywhere: a dialogue's Cancel, the language ------------------------------------------


@dataclass(frozen=True)
class CancelDialogue(CallbackData, prefix="cancel"):
    """❌ Cancel under any step of a dialogue."""

    # The dialogue's mark, added as the turn's answer is kept (handlers/turn.py), so a ✖️ on
    # a replaced dialogue's prompt does not cancel the newer one. None: made before, or under
    # a message of no dialogue.
    mark: int | None = None


@dataclass(frozen=True)
class RegistrationLanguage(CallbackData, prefix="reg.lang"):
    """The last step of joining."""

    language: str
    mark: int | None = None  # as NewShiftCreate's: an earlier joining's buttons join nothing


@dataclass(frozen=True)
class SetLanguage(CallbackData, prefix="lang"):
    """/lang."""

    language: str


# -- people: units and invite links ---------------------------------------------------------


@dataclass(frozen=True)
class UnitNew(CallbackData, prefix="unit.new"):
    pass


@dataclass(frozen=True)
class UnitRename(CallbackData, prefix="unit.ren"):
    unit_id: int


@dataclass(frozen=True)
class UnitPage(PageOffset, CallbackData, prefix="unit.p"):
    offset: int


@dataclass(frozen=True)
class UnitArchive(CallbackData, prefix="unit.arc"):
    unit_id: int
    archive: bool  # the state asked for, so a second tap or an older list does not undo it
    offset: int  # the page of /units the button is on, shown again after


@dataclass(frozen=True)
class InviteUnit(CallbackData, prefix="inv.u"):
    unit_id: int


@dataclass(frozen=True)
class InvitePage(PageOffset, CallbackData, prefix="inv.p"):
    offset: int


@dataclass(frozen=True)
class InviteRole(CallbackData, prefix="inv.r"):
    unit_id: int
    role: Role


@dataclass(frozen=True)
class InvitesUnit(CallbackData, prefix="inv.lu"):
    """/invites: the unit's active links (a page of them, after the first)."""

    unit_id: int
    offset: int | None = None

    def __post_init__(self) -> None:
        if self.offset is not None and self.offset < 0:
            raise ValueError(f"a page offset of {self.offset}")


@dataclass(frozen=True)
class InvitesUnitPage(PageOffset, CallbackData, prefix="inv.lp"):
    """/invites of an admin: another page of the units to pick from."""

    offset: int


@dataclass(frozen=True)
class InviteRevoke(CallbackData, prefix="inv.x"):
    """Revoke one link of the list; the list is shown again at its page."""

    invite_id: int
    offset: int

    def __post_init__(self) -> None:
        if self.offset < 0:
            raise ValueError(f"a page offset of {self.offset}")


# -- people: /members and leaving a unit ---------------------------------------------------


@dataclass(frozen=True)
class MembersUnit(CallbackData, prefix="mem.u"):
    """An admin picks the unit whose members to list; a page of it, after the first."""

    unit_id: int
    offset: int | None = None


@dataclass(frozen=True)
class MembersUnitPage(PageOffset, CallbackData, prefix="mem.up"):
    offset: int


@dataclass(frozen=True)
class MemberCard(CallbackData, prefix="mem"):
    member_id: int


@dataclass(frozen=True)
class MemberRemove(CallbackData, prefix="mem.rm"):
    member_id: int


@dataclass(frozen=True)
class MemberRemoveConfirm(CallbackData, prefix="mem.rmy"):
    member_id: int


@dataclass(frozen=True)
class MemberRoleTake(CallbackData, prefix="mem.rt"):
    member_id: int
    role: Role


@dataclass(frozen=True)
class MemberRoleTakeConfirm(CallbackData, prefix="mem.rty"):
    member_id: int
    role: Role


@dataclass(frozen=True)
class MemberTagToggle(CallbackData, prefix="mem.tg"):
    """Give or take one of the unit's tags on a member's card. A tag may be 32 characters of
    Chinese, more than the 64 bytes allow, and may hold ``:``: the button carries its
    ``people.tags.tag_key``, which the press looks up among the unit's tags."""

    member_id: int
    key: str
    give: bool  # the state asked for, so a second tap or an older card does not undo it


@dataclass(frozen=True)
class LeaveUnit(CallbackData, prefix="me.out"):
    unit_id: int


@dataclass(frozen=True)
class LeaveUnitConfirm(CallbackData, prefix="me.outy"):
    unit_id: int  # the unit the confirmation named: kept past joining another, it leaves nothing


# -- schedule: open shifts, sign-up, /my ----------------------------------------------------


@dataclass(frozen=True)
class ShiftList(CallbackData, prefix="sh"):
    """A page of /shifts, filtered by day and by kind of post."""

    offset: int
    day: dt.date | None
    post_type: PostType | None


@dataclass(frozen=True)
class ShiftDayPick(CallbackData, prefix="sh.d"):
    """Choose the day of /shifts, keeping the kind of post."""

    post_type: PostType | None


@dataclass(frozen=True)
class ShiftTypePick(CallbackData, prefix="sh.t"):
    """Choose the kind of post of /shifts, keeping the day."""

    day: dt.date | None


@dataclass(frozen=True)
class SignUp(CallbackData, prefix="su"):
    """Sent by the outbox too (broadcasts, understaffed calls)."""

    shift_id: int


@dataclass(frozen=True)
class JoinWaitlist(CallbackData, prefix="wl"):
    shift_id: int


@dataclass(frozen=True)
class MyShifts(CallbackData, prefix="my"):
    """Back to /my."""


@dataclass(frozen=True)
class MyCancel(CallbackData, prefix="mc"):
    assignment_id: int


@dataclass(frozen=True)
class MyCancelConfirm(CallbackData, prefix="mcy"):
    assignment_id: int


@dataclass(frozen=True)
class MyCalendar(CallbackData, prefix="ics"):
    """My shifts as a calendar file."""


# -- schedule: posts (/posts, /newpost) -----------------------------------------------------


@dataclass(frozen=True)
class PostCard(CallbackData, prefix="po"):
    post_id: int


@dataclass(frozen=True)
class PostPage(PageOffset, CallbackData, prefix="po.p"):
    offset: int


@dataclass(frozen=True)
class PostRename(CallbackData, prefix="po.ren"):
    post_id: int


@dataclass(frozen=True)
class PostMove(CallbackData, prefix="po.loc"):
    post_id: int


@dataclass(frozen=True)
class PostRadius(CallbackData, prefix="po.rad"):
    """Without a radius: ask for one; with one: set it."""

    post_id: int
    radius: int | None = None


@dataclass(frozen=True)
class PostArchive(CallbackData, prefix="po.arc"):
    post_id: int
    # The state the button asks for, so a second tap (or an older card) does not undo the
    # first; None on a button made before it said: the state is turned over.
    archive: bool | None = None


@dataclass(frozen=True)
class PostShifts(CallbackData, prefix="po.sh"):
    post_id: int


@dataclass(frozen=True)
class NewPostUnit(CallbackData, prefix="np.u"):
    unit_id: int


@dataclass(frozen=True)
class NewPostUnitPage(PageOffset, CallbackData, prefix="np.p"):
    offset: int


@dataclass(frozen=True)
class NewPostType(CallbackData, prefix="np.t"):
    post_type: PostType


@dataclass(frozen=True)
class NewPostRadius(CallbackData, prefix="np.r"):
    radius: int
    mark: int | None = None  # as NewShiftCreate's


# -- schedule: a new shift (/newshift) ------------------------------------------------------


@dataclass(frozen=True)
class NewShiftPost(CallbackData, prefix="ns.p"):
    post_id: int


@dataclass(frozen=True)
class NewShiftPostPage(PageOffset, CallbackData, prefix="ns.pg"):
    offset: int


@dataclass(frozen=True)
class NewShiftDay(CallbackData, prefix="ns.d"):
    day: dt.date


@dataclass(frozen=True)
class NewShiftTime(CallbackData, prefix="ns.t"):
    """A common time slot, such as ``0700-0900``."""

    slot: str


@dataclass(frozen=True)
class NewShiftCapacity(CallbackData, prefix="ns.c"):
    capacity: int


@dataclass(frozen=True)
class NewShiftCreate(CallbackData, prefix="ns.ok"):
    # The dialogue's mark (dialogues.mark): a button left on an earlier dialogue's message does
    # not finish the one open now. None on a button made before buttons carried it.
    mark: int | None = None


@dataclass(frozen=True)
class NewShiftTag(CallbackData, prefix="ns.tag"):
    pass


@dataclass(frozen=True)
class NewShiftNotes(CallbackData, prefix="ns.note"):
    pass


# -- schedule: a shift's card, the roster ---------------------------------------------------


@dataclass(frozen=True)
class ShiftCard(CallbackData, prefix="sc"):
    """The card in place; with an offset, a page of its people. Sent by the outbox too."""

    shift_id: int
    offset: int | None = None


@dataclass(frozen=True)
class RosterDayPage(CallbackData, prefix="ro"):
    day: dt.date
    page: int


@dataclass(frozen=True)
class ShiftEditCapacity(CallbackData, prefix="se.c"):
    shift_id: int


@dataclass(frozen=True)
class ShiftEditNotes(CallbackData, prefix="se.n"):
    shift_id: int


@dataclass(frozen=True)
class ShiftEditTime(CallbackData, prefix="se.t"):
    shift_id: int


@dataclass(frozen=True)
class ShiftCancel(CallbackData, prefix="sx"):
    shift_id: int


@dataclass(frozen=True)
class ShiftCancelConfirm(CallbackData, prefix="sxy"):
    shift_id: int


@dataclass(frozen=True)
class SeatRemove(CallbackData, prefix="rm"):
    assignment_id: int


@dataclass(frozen=True)
class SeatRemoveConfirm(CallbackData, prefix="rmy"):
    assignment_id: int


# -- schedule: import and broadcast ---------------------------------------------------------


@dataclass(frozen=True)
class ImportConfirm(CallbackData, prefix="imp.ok"):
    mark: int | None = None  # as NewShiftCreate's


class BroadcastChoice(enum.StrEnum):
    """What /broadcast sends."""

    TODAY = "today"
    TOMORROW = "tomorrow"
    WEEK = "week"
    OPEN = "open"
    TEXT = "text"  # an announcement


@dataclass(frozen=True)
class BroadcastUnit(CallbackData, prefix="bc.u", none="all"):
    """A unit, or (None) every unit."""

    unit_id: int | None


@dataclass(frozen=True)
class BroadcastUnitPage(PageOffset, CallbackData, prefix="bc.p"):
    offset: int


@dataclass(frozen=True)
class BroadcastWhat(CallbackData, prefix="bc.w"):
    choice: BroadcastChoice


@dataclass(frozen=True)
class BroadcastSend(CallbackData, prefix="bc.go"):
    mark: int | None = None  # as NewShiftCreate's


@dataclass(frozen=True)
class BroadcastStop(CallbackData, prefix="bc.stop"):
    """⏹ on a running broadcast's progress message (or its line in /broadcast): drop what is
    not sent yet. Only a hint: who may stop which broadcast is checked again on every press."""

    broadcast_id: int


# -- duty: check-in, check-out, attendance --------------------------------------------------


@dataclass(frozen=True)
class CheckInPick(CallbackData, prefix="ci.pick"):
    assignment_id: int


@dataclass(frozen=True)
class CheckOut(CallbackData, prefix="ci.out"):
    """Sent by the outbox too (the reminders of a check-in)."""

    checkin_id: int


@dataclass(frozen=True)
class OnPost(CallbackData, prefix="ci.here"):
    """“I am still on post”, under the left-post question of the outbox."""

    checkin_id: int


@dataclass(frozen=True)
class AttendancePhoto(CallbackData, prefix="att.photo"):
    checkin_id: int


@dataclass(frozen=True)
class AttendanceFix(CallbackData, prefix="att.fix"):
    assignment_id: int


@dataclass(frozen=True)
class AttendanceCorrect(CallbackData, prefix="att.do"):
    assignment_id: int
    correction: Correction


# -- reports: group chats and the ledger ----------------------------------------------------


class ExportPeriod(enum.StrEnum):
    """The periods /export offers."""

    THIS_WEEK = "this_week"
    LAST_WEEK = "last_week"
    THIS_MONTH = "this_month"
    LAST_MONTH = "last_month"


@dataclass(frozen=True)
class GroupScope(CallbackData, prefix="grp.s"):
    """Bind the group to a unit, or (0) to the whole campaign."""

    unit_id: int


@dataclass(frozen=True)
class GroupLanguage(CallbackData, prefix="grp.l"):
    language: str


@dataclass(frozen=True)
class GroupUnbind(CallbackData, prefix="grp.u"):
    pass


@dataclass(frozen=True)
class GroupPage(PageOffset, CallbackData, prefix="grp.p"):
    offset: int


@dataclass(frozen=True)
class Export(CallbackData, prefix="exp"):
    period: ExportPeriod


# -- swaps ----------------------------------------------------------------------------------


class SwapChoice(enum.StrEnum):
    """The kinds of swap offered for a seat (one letter each on the wire)."""

    GIVE_AWAY = "g"
    HAND_OVER = "h"
    EXCHANGE = "x"


@dataclass(frozen=True)
class SwapPick(CallbackData, prefix="sw"):
    assignment_id: int


@dataclass(frozen=True)
class SwapKindPick(CallbackData, prefix="swk"):
    assignment_id: int
    choice: SwapChoice


@dataclass(frozen=True)
class SwapExchange(CallbackData, prefix="swx"):
    assignment_id: int
    their_assignment_id: int


@dataclass(frozen=True)
class UnitSwapApproval(CallbackData, prefix="usa"):
    unit_id: int
    required: bool


@dataclass(frozen=True)
class UnitSwapPage(PageOffset, CallbackData, prefix="usp"):
    offset: int


@dataclass(frozen=True)
class SwapTake(CallbackData, prefix="swt"):
    """The swap buttons below are sent by the outbox too."""

    offer_id: int


@dataclass(frozen=True)
class SwapAccept(CallbackData, prefix="swa"):
    offer_id: int


@dataclass(frozen=True)
class SwapDecline(CallbackData, prefix="swd"):
    offer_id: int


@dataclass(frozen=True)
class SwapWithdraw(CallbackData, prefix="sww"):
    offer_id: int


@dataclass(frozen=True)
class SwapApprove(CallbackData, prefix="swy"):
    offer_id: int


@dataclass(frozen=True)
class SwapReject(CallbackData, prefix="swn"):
    offer_id: int


# -- the live board: wall-screen links ------------------------------------------------------


@dataclass(frozen=True)
class BoardNewScreen(CallbackData, prefix="brd.n"):
    pass


@dataclass(frozen=True)
class BoardScreenPage(PageOffset, CallbackData, prefix="brd.p"):
    offset: int


@dataclass(frozen=True)
class BoardScreenScope(CallbackData, prefix="brd.c"):
    """A screen of a unit, or (0) of the whole city."""

    unit_id: int


@dataclass(frozen=True)
class BoardScreens(CallbackData, prefix="brd.l"):
    pass


@dataclass(frozen=True)
class BoardScreenListPage(PageOffset, CallbackData, prefix="brd.lp"):
    """A page of the list of wall-screen links."""

    offset: int


@dataclass(frozen=True)
class BoardRevoke(CallbackData, prefix="brd.r"):
    screen_id: int


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
    mark: int | None = None  # as NewShiftCreate's


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
class PendingLeaves(CallbackData, prefix="ro.lp"):
    """Under /roster: the leave requests still waiting for a decision, each with 批准 / 驳回."""


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
    mark: int | None = None  # as NewShiftCreate's


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
    mark: int | None = None  # as NewShiftCreate's


@dataclass(frozen=True)
class InspectSubmit(CallbackData, prefix="ov.iok"):
    mark: int | None = None  # as NewShiftCreate's


@dataclass(frozen=True)
class ChecklistAdjust(CallbackData, prefix="ov.ca"):
    item_id: int
    delta: int


@dataclass(frozen=True)
class ChecklistToggle(CallbackData, prefix="ov.ct"):
    item_id: int
    active: bool | None = None  # as PostArchive's `archive`


@dataclass(frozen=True)
class ChecklistNew(CallbackData, prefix="ov.cn"):
    pass


@dataclass(frozen=True)
class ReportCategoryPick(CallbackData, prefix="ov.rk"):
    category: Category


@dataclass(frozen=True)
class ReportSubmit(CallbackData, prefix="ov.rs"):
    mark: int | None = None  # as NewShiftCreate's


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
    mark: int | None = None  # as NewShiftCreate's


@dataclass(frozen=True)
class OrderAcknowledge(CallbackData, prefix="ov.oa"):
    order_id: int


@dataclass(frozen=True)
class OrderReply(CallbackData, prefix="ov.orp"):
    order_id: int


@dataclass(frozen=True)
class OrderReplySubmit(CallbackData, prefix="ov.ors"):
    mark: int | None = None  # as NewShiftCreate's


@dataclass(frozen=True)
class OrderAccept(CallbackData, prefix="ov.ok"):
    order_id: int
    # Which reply it accepts: orders.reply_mark of the order when the button was made (None on
    # a notice sent before buttons carried it: the newest reply is shown instead).
    reply: int | None = None


@dataclass(frozen=True)
class OrderReturn(CallbackData, prefix="ov.ob"):
    order_id: int
    reply: int | None = None  # as OrderAccept's


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
