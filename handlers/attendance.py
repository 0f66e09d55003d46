"""The coordinator's side of check-in: an attendance line and buttons for the roster, the
check-in photo, and corrections with a reason."""

from __future__ import annotations

from telegram import InlineKeyboardButton

from bot.buttons import AttendanceCorrect, AttendanceFix, AttendancePhoto
from bot.db.models import Correction, Dialogue
from bot.errors import DomainError
from bot.i18n import Translator
from bot.services.duty import attendance
from bot.services.duty.attendance import Attendance, AttendanceState
from bot.services.duty.checkin_text import duration
from bot.services.platform import dialogues
from handlers.keyboards import button, cancel_row, inline
from handlers.turn import Turn, error_text

STATE_ICONS = {
    AttendanceState.NOT_YET: "⏳",
    AttendanceState.ON_POST: "✅",
    AttendanceState.LEFT_EARLY: "↩️",
    AttendanceState.CHECKED_OUT: "☑️",
    AttendanceState.ABSENT: "❌",
}


def status_line(t: Translator, record: Attendance) -> str:
    """One line for the roster: state, time, and whatever deserves a second look."""
    parts = [f"{STATE_ICONS[record.state]} {t(f'attendance.state.{record.state.value}')}"]
    if record.checked_in_at is not None and not record.manual:
        parts.append(t("attendance.in_at", time=t.time(record.checked_in_at)))
    if record.late:
        parts.append(t("attendance.late", minutes=record.minutes_late))
    if record.far:
        parts.append(t("attendance.far"))
    if record.photo_flagged:
        parts.append(t("attendance.photo_flagged"))
    if record.photo_rejected:
        parts.append(t("attendance.photo_rejected"))
    if record.manual:
        parts.append(t("attendance.manual"))
    if record.auto_checkout:
        parts.append(t("attendance.auto_checkout"))
    if record.presence_ratio is not None:
        parts.append(t("attendance.presence", percent=round(record.presence_ratio * 100)))
    if record.credited_minutes is not None:
        parts.append(t("attendance.credited", hours=duration(t, record.credited_minutes)))
    return t("attendance.separator").join(parts)


def roster_buttons(
    t: Translator, record: Attendance, name: str | None = None
) -> list[InlineKeyboardButton]:
    """Buttons for one volunteer's line of the roster: the photo, and corrections when one
    applies now. With several people in one message, the name tells whose buttons they are."""
    photo, fix = (
        (t("attendance.button.photo"), t("attendance.button.fix"))
        if name is None
        else (
            t("attendance.button.photo_of", name=name),
            t("attendance.button.fix_of", name=name),
        )
    )
    buttons = []
    if record.has_photo and record.checkin_id is not None:
        buttons.append(button(photo[:60], AttendancePhoto(record.checkin_id)))
    if record.correctable:
        buttons.append(button(fix[:60], AttendanceFix(record.assignment_id)))
    return buttons


async def show_photo(turn: Turn, data: AttendancePhoto) -> None:
    try:
        view = await attendance.photo_of(turn.session, turn.actor, data.checkin_id)
    except DomainError as error:
        turn.refuse(error)
        return
    t = turn.t
    record = view.checkin
    assignment = record.assignment
    caption = t(
        "attendance.photo_caption",
        name=assignment.member.display_name,
        post=assignment.shift.post.name,
        time=t.datetime(record.checked_in_at),
        distance=round(record.distance_m),
    )
    markup = (
        None
        if view.own
        else inline([[button(t("attendance.button.fix"), AttendanceFix(assignment.id))]])
    )
    turn.reply_photo_file(view.file_id, caption, markup)


async def offer_corrections(turn: Turn, data: AttendanceFix) -> None:
    assignment_id = data.assignment_id
    try:
        assignment, record, possible = await attendance.corrections_for(
            turn.session, turn.actor, assignment_id, turn.now, turn.runtime.settings
        )
    except DomainError as error:
        turn.refuse(error)
        return
    t = turn.t
    shift = assignment.shift
    text = t(
        "attendance.fix.header",
        name=assignment.member.display_name,
        post=shift.post.name,
        day=t.weekday_date(shift.starts_at),
        start=t.time(shift.starts_at),
        end=t.end_time(shift.starts_at, shift.ends_at),
        status=status_line(t, record),
    )
    if not possible:
        turn.reply(t("attendance.fix.nothing", record=text))
        return
    rows = [
        [
            button(
                t(f"attendance.fix.{correction.value}"),
                AttendanceCorrect(assignment_id, correction),
            )
        ]
        for correction in possible
    ]
    turn.reply(text, inline([*rows, cancel_row(t)]))


async def choose_correction(turn: Turn, pressed: AttendanceCorrect) -> None:
    assignment_id, correction = pressed.assignment_id, pressed.correction
    try:
        assignment = await attendance.check_correction(
            turn.session, turn.actor, assignment_id, correction, turn.now
        )
    except DomainError as error:
        turn.refuse(error)
        return
    t = turn.t
    data = {"assignment_id": assignment_id, "correction": correction.value}
    if correction is Correction.HOURS:
        step, text = (
            attendance.FixStep.HOURS,
            t(
                "attendance.ask_hours",
                name=assignment.member.display_name,
                max=duration(t, attendance.shift_minutes(assignment.shift)),
            ),
        )
    else:
        step, text = attendance.FixStep.REASON, t("attendance.ask_reason")
    dialogue = await dialogues.begin(
        turn.session, turn.user_id, attendance.DIALOGUE, step, turn.now, data
    )
    turn.show_prompt(dialogue, text, inline([cancel_row(t)]))


async def on_dialogue(turn: Turn, dialogue: Dialogue) -> None:
    message = turn.message
    assert message is not None
    t = turn.t
    if not message.text:
        turn.prompt(dialogue, t("attendance.need_text"), inline([cancel_row(t)]))
        return
    assignment_id = int(dialogue.data["assignment_id"])
    correction = Correction(dialogue.data["correction"])
    try:
        if dialogue.step == attendance.FixStep.HOURS:
            assignment = await attendance.check_correction(
                turn.session, turn.actor, assignment_id, correction, turn.now
            )
            minutes = attendance.parse_hours(
                message.text, attendance.shift_minutes(assignment.shift)
            )
            dialogues.advance(dialogue, attendance.FixStep.REASON, turn.now, minutes=minutes)
            turn.prompt(dialogue, t("attendance.ask_reason"), inline([cancel_row(t)]))
            return
        record = await attendance.apply(
            turn.session,
            turn.actor,
            assignment_id,
            correction,
            message.text,
            turn.now,
            turn.runtime.settings,
            minutes=dialogue.data.get("minutes"),
        )
    except DomainError as error:
        # Nothing was written. A correction a colleague made meanwhile ends this one, rather
        # than refuse every later message the same way.
        if error.for_good or error.code in attendance.CORRECTION_ENDS:
            await turn.end_refused(error, dialogue)
        else:
            turn.prompt(dialogue, error_text(t, error), inline([cancel_row(t)]))
        return
    await dialogues.end(turn.session, turn.user_id)
    assignment = record.assignment
    turn.reply(
        t(
            "attendance.fixed",
            name=assignment.member.display_name,
            post=assignment.shift.post.name,
            hours=duration(t, record.credited_minutes or 0),
        )
    )
