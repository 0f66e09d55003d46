"""Buttons of the schedule domain: open shifts and sign-up, /my, posts, a new shift, a
shift's card and the roster, import and broadcast."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from bot.buttons.callback_data import CallbackData, PageOffset
from bot.db.models import PostType


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
    # Asked as leaving the waitlist: a seat given meanwhile is not given up by it.
    queued: bool | None = None


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
    # The first shift of the page shown (None: the first page, as buttons made before said).
    offset: int | None = None


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


@dataclass(frozen=True)
class OpenShiftCard(CallbackData, prefix="sc.o"):
    """The shift card as a new message, so the notice it was opened from stays in the chat."""

    shift_id: int


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
