"""What assigned duty tells people, rendered in each recipient's language for the outbox: the
assigned person's notice with ✅ 收到 and 🙋 请假, its reminder, the coordinator's list of who has
not acknowledged, leave asked and decided, and a seat freed by leave offered to the unit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence

from bot.buttons import (
    Acknowledge,
    ApproveLeave,
    AskLeave,
    CallbackData,
    RejectLeave,
    TakeFreedSeat,
)
from bot.db.models import Assignment, AssignmentStatus, LeaveRequest, Member, Shift
from bot.i18n import Translator
from bot.services.platform import outbox
from bot.services.platform.notify import Render
from bot.services.platform.outbox import Message
from bot.services.rostering.rotation_data import ShiftRow
from bot.services.schedule.shift_text import shift_label

LEAVE_BUTTONS_PER_ROW = 3


def leave_buttons(
    t: Translator, seats: Sequence[Assignment], asked: Collection[int] = ()
) -> list[list[tuple[str, CallbackData]]]:
    """🙋 请假 for each seat leave may be asked from, numbered as the seats are listed when there
    are several: none for a seat of `asked` (its leave waits for a decision) nor for one checked
    in ahead of its start (its holder is on post)."""
    skip = {
        seat.id
        for seat in seats
        if seat.id in asked or seat.status is not AssignmentStatus.SIGNED_UP
    }
    if len(seats) == 1:
        if seats[0].id in skip:
            return []
        return [[(t("rostering.button.leave"), AskLeave(seats[0].id))]]
    buttons: list[tuple[str, CallbackData]] = [
        (t("rostering.button.leave_n", n=number), AskLeave(seat.id))
        for number, seat in enumerate(seats, start=1)
        if seat.id not in skip
    ]
    return [
        buttons[i : i + LEAVE_BUTTONS_PER_ROW]
        for i in range(0, len(buttons), LEAVE_BUTTONS_PER_ROW)
    ]


def marked_seat_lines(
    t: Translator, seats: Sequence[Assignment], asked: Collection[int]
) -> list[str]:
    """The seats as `seat_lines` lists them, a seat of `asked` marked （请假待批）."""
    return [
        line + t("rostering.my.leave_asked") if seat.id in asked else line
        for line, seat in zip(seat_lines(t, seats), seats, strict=True)
    ]


def row_label(t: Translator, shift: ShiftRow) -> str:
    """A shift of a rotation's inputs named as ``shift_label`` names an ORM shift (one ending
    at the midnight after its day ends at 24:00)."""
    return t(
        "shifts.label",
        day=t.weekday_date(shift.starts_at),
        start=t.time(shift.starts_at),
        end=t.end_time(shift.starts_at, shift.ends_at),
        post=shift.post_name,
    )


def seat_lines(t: Translator, seats: Sequence[Assignment]) -> list[str]:
    return [
        t("rostering.item", n=number, shift=shift_label(t, seat.shift))
        for number, seat in enumerate(seats, start=1)
    ]


# What the notice of a rota's seats and the reminder to acknowledge them are drawn again from
# when they go out (bot/services/rostering/acknowledge.py): the rota and the person.
ROTA_NOTICE = "rota"
ACK_REMINDER = "ack-reminder"
# A leave request to decide, and the offer of a seat it freed (written by
# bot/services/rostering/leave.py and leave_decisions.py, drawn again by
# bot/services/rostering/leave_notices.py): the request; the shift (whoever reads it is the
# chat it goes to).
LEAVE_ASKED = "leave-asked"
FREED_SEAT = "freed-seat"
# Leave decided, to the asker: the request. A freed seat taken, to the coordinators, and the
# word that an import took someone off a shift (bot/services/rostering/importing.py): the seat.
LEAVE_DECIDED = "leave-decided"
FREED_TAKEN = "freed-taken"
UNASSIGNED = "unassigned"


def _ack_message(
    t: Translator,
    rota_id: int,
    seats: Sequence[Assignment],
    head: str,
    kind: str,
    asked: Collection[int] = (),
) -> Message:
    """The seats with ✅ 收到 and a 🙋 请假 each; a seat of `asked` (leave asked meanwhile, as
    from /my before a notice held by the quiet hours went out) is marked so, without one."""
    lines = [head, *marked_seat_lines(t, seats, asked)]
    leave = leave_buttons(t, seats, asked)
    # With no 🙋 请假 left to press, the line does not point to one.
    lines.append(t("rostering.notice.how_to_answer" if leave else "rostering.notice.how_to_ack"))
    rows: list[list[tuple[str, CallbackData]]] = [
        [(t("rostering.button.acknowledge"), Acknowledge(rota_id))],
        *leave,
    ]
    return outbox.payload(
        "\n".join(lines),
        buttons=rows,
        expires_at=max(seat.shift.starts_at for seat in seats),
        redraw=outbox.Redraw(kind, (rota_id, seats[0].member_id)),
    )


def unreached_line(t: Translator, names: Sequence[str]) -> str:
    """Who was assigned but cannot be told (they blocked the bot): to be phoned."""
    return t(
        "rostering.unreached",
        count=len(names),
        names=t("common.list_separator").join(names),
    )


def _by(t: Translator, name: str | None) -> str:
    """Who decided: a member by name; an admin of ADMIN_IDS who never joined as one, as 管理员."""
    return name if name else t("role.admin")


def assigned(
    rota_id: int, seats: Sequence[Assignment], by: str | None, asked: Collection[int] = ()
) -> Render:
    """To the person put on shifts: who did it, which shifts, and the two buttons (none to ask
    leave from a seat of `asked`, whose leave was asked already)."""

    def render(t: Translator) -> Message:
        head = t("rostering.notice.assigned", count=len(seats), name=_by(t, by))
        return _ack_message(t, rota_id, seats, head, ROTA_NOTICE, asked)

    return render


def ack_reminder(rota_id: int, seats: Sequence[Assignment], by: str | None) -> Render:
    def render(t: Translator) -> Message:
        head = t("rostering.notice.ack_reminder", count=len(seats), name=_by(t, by))
        return _ack_message(t, rota_id, seats, head, ACK_REMINDER)

    return render


def unacknowledged(
    day: dt.date, missing: Sequence[tuple[Shift, Sequence[Member]]], expires_at: dt.datetime
) -> Render:
    """To a coordinator the evening before: tomorrow's shifts and who has not acknowledged;
    dropped if it cannot go out before `expires_at` (the day it calls tomorrow begins)."""

    def render(t: Translator) -> Message:
        people = sum(len(members) for _, members in missing)
        lines = [t("rostering.notice.unacknowledged", count=people, day=t.weekday_date(day))]
        for shift, members in missing:
            names = t("common.list_separator").join(_who(member) for member in members)
            lines.append(t("rostering.notice.unacknowledged_shift", shift=shift_label(t, shift)))
            lines.append(t("rostering.notice.unacknowledged_names", names=names))
        return outbox.payload("\n".join(lines), expires_at=expires_at)

    return render


def _who(member: Member) -> str:
    return f"{member.display_name} {member.phone}" if member.phone else member.display_name


def leave_request(
    t: Translator, leave: LeaveRequest, leaves_this_month: int, within_cutoff_hours: int | None
) -> tuple[str, list[list[tuple[str, CallbackData]]]]:
    """A leave request as a coordinator reads it, with 批准 / 驳回: in the notice, and in the
    list of requests still waiting (/roster)."""
    assignment = leave.assignment
    lines = [
        t(
            "rostering.notice.leave_asked",
            name=_who(leave.member),
            shift=shift_label(t, assignment.shift),
            reason=leave.reason,
        ),
        t("rostering.notice.leaves_this_month", count=leaves_this_month),
    ]
    if within_cutoff_hours is not None:
        lines.append(t("rostering.notice.leave_late", hours=within_cutoff_hours))
    rows: list[list[tuple[str, CallbackData]]] = [
        [
            (t("rostering.button.approve"), ApproveLeave(leave.id)),
            (t("rostering.button.reject"), RejectLeave(leave.id)),
        ]
    ]
    return "\n".join(lines), rows


def leave_asked(
    leave: LeaveRequest, leaves_this_month: int, within_cutoff_hours: int | None
) -> Render:
    """To each coordinator of the unit: the request with 批准 / 驳回."""

    def render(t: Translator) -> Message:
        text, rows = leave_request(t, leave, leaves_this_month, within_cutoff_hours)
        return outbox.payload(
            text,
            buttons=rows,
            expires_at=leave.assignment.shift.starts_at,
            redraw=outbox.Redraw(LEAVE_ASKED, (leave.id,)),
            keep_id=True,
        )

    return render


def leave_closed(leave: LeaveRequest, approved: bool, by: str | None) -> Render:
    """On the other deciders' cards of `leave` once it is decided: the request, and who
    approved or rejected it when, without buttons (bot/services/platform/cards.py)."""

    def render(t: Translator) -> Message:
        assert leave.decided_at is not None  # decided
        request = t(
            "rostering.notice.leave_asked",
            name=_who(leave.member),
            shift=shift_label(t, leave.assignment.shift),
            reason=leave.reason,
        )
        key = (
            "rostering.notice.leave_closed_approved"
            if approved
            else ("rostering.notice.leave_closed_rejected")
        )
        outcome = t(key, name=_by(t, by), at=t.datetime(leave.decided_at))
        return outbox.payload(f"{request}\n{outcome}")

    return render


def leave_decided(leave: LeaveRequest, approved: bool, by: str | None) -> Render:
    """To the asker: approved (the seat is no longer theirs) or rejected (it still is)."""

    def render(t: Translator) -> Message:
        key = "rostering.notice.leave_approved" if approved else "rostering.notice.leave_rejected"
        return outbox.payload(
            t(key, shift=shift_label(t, leave.assignment.shift), name=_by(t, by)),
            redraw=outbox.Redraw(LEAVE_DECIDED, (leave.id,)),
        )

    return render


def freed_seat(shift: Shift) -> Render:
    """To members who may take a seat freed by leave: the first to tap takes it."""

    def render(t: Translator) -> Message:
        return outbox.payload(
            t("rostering.notice.freed_seat", shift=shift_label(t, shift)),
            buttons=[[(t("rostering.button.take"), TakeFreedSeat(shift.id))]],
            expires_at=shift.starts_at,
            redraw=outbox.Redraw(FREED_SEAT, (shift.id,)),
        )

    return render


def unassigned(seat: Assignment) -> Render:
    """To someone a re-imported schedule no longer lists on a shift (their seat, taken off)."""

    def render(t: Translator) -> Message:
        return outbox.payload(
            t("rostering.notice.unassigned", shift=shift_label(t, seat.shift)),
            redraw=outbox.Redraw(UNASSIGNED, (seat.id,)),
        )

    return render


def freed_seat_taken(seat: Assignment) -> Render:
    """To the unit's coordinators: who took a seat freed by leave (the seat they took)."""

    def render(t: Translator) -> Message:
        return outbox.payload(
            t(
                "rostering.notice.freed_seat_taken",
                shift=shift_label(t, seat.shift),
                name=seat.member.display_name,
            ),
            redraw=outbox.Redraw(FREED_TAKEN, (seat.id,)),
        )

    return render
