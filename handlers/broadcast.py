"""/broadcast: a coordinator sends open shifts with Sign up buttons (a day, the next week, a
date range, or open seats only), or an announcement, to the volunteers of their unit; an admin
to one unit or all. A progress message is then edited as the messages go out; its ⏹ 停止发送
stops the broadcast midway. /broadcast itself first lists the running broadcasts the person may
stop, each with that button: for when the progress message could not be posted, or was sent to
another coordinator of the unit."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import TelegramError, TimedOut

from bot.buttons import (
    BroadcastChoice,
    BroadcastSend,
    BroadcastStop,
    BroadcastUnit,
    BroadcastUnitPage,
    BroadcastWhat,
)
from bot.db.models import Dialogue, DialogueKind, Member, Role
from bot.errors import DomainError, ErrorCode
from bot.services.people import units
from bot.services.platform import dialogues
from bot.services.schedule import broadcast, broadcast_progress, broadcast_stop, timespec
from handlers.keyboards import button, cancel_row, inline, page
from handlers.turn import Turn, error_text

DIALOGUE = DialogueKind.BROADCAST


class Step(StrEnum):
    """The steps of /broadcast, as stored in its dialogue."""

    UNIT = "unit"
    WHAT = "what"
    TEXT = "text"
    CONFIRM = "confirm"


async def start(turn: Turn) -> None:
    t = turn.t
    turn.actor.require(Role.COORDINATOR)
    offer_stops(turn, await running_stoppable(turn))
    if turn.actor.is_admin:
        dialogue = await dialogues.begin(turn.session, turn.user_id, DIALOGUE, Step.UNIT, turn.now)
        await _ask_unit(turn, dialogue, 0)
        return
    unit_id = turn.actor.unit_id
    if unit_id is None:
        turn.reply(t("error.no_unit"))
        return
    # A unit archived (it left the campaign) gets no broadcast: said now, not at the next step.
    await broadcast.check_audience(turn.session, turn.actor, unit_id)
    dialogue = await dialogues.begin(
        turn.session, turn.user_id, DIALOGUE, Step.WHAT, turn.now, {"unit_id": unit_id}
    )
    await _ask_what(turn, dialogue)


async def running_stoppable(turn: Turn) -> list[tuple[int, broadcast_progress.Counts]]:
    """Each running broadcast this person may stop, with its counts now."""
    found = await broadcast_stop.stoppable(turn.session, turn.actor, turn.now)
    return [(running.id, current) for running, current in found]


async def announcements_going_out(
    turn: Turn, since: dt.datetime
) -> list[tuple[int, broadcast_progress.Counts]]:
    """The person's own announcements queued since `since` and still going out, with their
    counts now."""
    found = await broadcast_stop.announcements_going_out(turn.session, turn.actor, since, turn.now)
    return [(running.id, current) for running, current in found]


def offer_stops(turn: Turn, running: list[tuple[int, broadcast_progress.Counts]]) -> None:
    """Each of them with its count and ⏹ 停止发送."""
    t = turn.t
    for broadcast_id, current in running:
        rows = [[button(t("broadcast.button.stop"), BroadcastStop(broadcast_id))]]
        turn.reply(broadcast_progress.progress_text(t, current), inline(rows))


# The refusals of a ⏹ pressed once the broadcast can no longer be stopped.
_OVER = (ErrorCode.BROADCAST_FINISHED, ErrorCode.BROADCAST_ALREADY_STOPPED)


async def stop(turn: Turn, pressed: BroadcastStop) -> None:
    """⏹ 停止发送: what is not sent yet stays unsent; the pressed message shows the count."""
    t = turn.t
    query = turn.update.callback_query
    shown = (
        (query.message.chat.id, query.message.message_id)
        if query is not None and query.message is not None
        else None
    )
    try:
        stopped = await broadcast_stop.stop(
            turn.session,
            turn.actor,
            pressed.broadcast_id,
            now=turn.now,
            settings=turn.runtime.settings,
            pressed=shown,
        )
    except DomainError as error:
        if error.code not in _OVER:
            raise
        turn.refuse(error)
        # A ⏹ left on another message of it (one Telegram posted while its answer was lost)
        # goes: the message shows the count the progress message shows.
        current = await broadcast_progress.shown_now(turn.session, pressed.broadcast_id, turn.now)
        if current is not None:
            turn.edit(broadcast_progress.progress_text(t, *current))
        return
    turn.edit(broadcast_progress.progress_text(t, stopped.counts, stopped.stopped_by))
    if stopped.in_flight:
        turn.answer(
            t("broadcast.stopped_in_flight", count=stopped.dropped, in_flight=stopped.in_flight)
        )
    else:
        turn.answer(t("broadcast.stopped", count=stopped.dropped))


async def _ask_unit(turn: Turn, dialogue: Dialogue, offset: int) -> None:
    """An admin's audience: a page of units, and all of them at once. The dialogue's prompt:
    whatever ends /broadcast here (/cancel, a new command) takes its buttons off."""
    t = turn.t
    choices = await units.visible_to(turn.session, turn.actor)
    shown = page(t, choices, offset, BroadcastUnitPage)
    rows = [[button(unit.name, BroadcastUnit(unit.id))] for unit in shown.items]
    rows += shown.nav_rows
    rows.append([button(t("broadcast.button.all_units"), BroadcastUnit(None))])
    rows.append(cancel_row(t))
    text = t("broadcast.pick_unit")
    if shown.line is not None:
        text += "\n" + shown.line
    turn.show_prompt(dialogue, text, inline(rows))


async def _ask_what(turn: Turn, dialogue: Dialogue) -> None:
    t = turn.t
    unit_id = dialogue.data.get("unit_id")
    audience = (
        (await units.get(turn.session, int(unit_id))).name if unit_id else t("broadcast.all_units")
    )
    turn.show_prompt(dialogue, t("broadcast.pick_what", audience=audience), _what_rows(turn))


def _what_rows(turn: Turn) -> InlineKeyboardMarkup:
    """The "what" step's choices and ✖️, with its question and with a range asked again."""
    t = turn.t
    rows = [
        [
            button(t("broadcast.button.today"), BroadcastWhat(BroadcastChoice.TODAY)),
            button(t("broadcast.button.tomorrow"), BroadcastWhat(BroadcastChoice.TOMORROW)),
        ],
        [
            button(t("broadcast.button.week"), BroadcastWhat(BroadcastChoice.WEEK)),
            button(t("broadcast.button.open"), BroadcastWhat(BroadcastChoice.OPEN)),
        ],
        [button(t("broadcast.button.announcement"), BroadcastWhat(BroadcastChoice.TEXT))],
        cancel_row(t),
    ]
    return inline(rows)


UNREACHABLE_NAMED = 10  # names in the preview's line about those who blocked the bot


def _with_unreachable(turn: Turn, text: str, blocked: list[Member]) -> str:
    """The preview, and who of the audience blocked the bot, to be phoned."""
    t = turn.t
    if not blocked:
        return text
    names = t("common.list_separator").join(m.display_name for m in blocked[:UNREACHABLE_NAMED])
    if len(blocked) > UNREACHABLE_NAMED:
        names += "…"
    return "\n".join((text, t("broadcast.unreachable", count=len(blocked), names=names)))


def _with_quiet_hours(turn: Turn, text: str) -> str:
    """The text, and when the quiet hours hold the messages back, until when."""
    until = broadcast.held_until(turn.now, turn.runtime.settings)
    if until is None:
        return text
    return "\n".join((text, turn.t("broadcast.quiet_hours", time=turn.t.time(until))))


async def _dialogue(turn: Turn, *steps: Step) -> Dialogue | None:
    dialogue = await dialogues.current(turn.session, turn.user_id)
    if dialogue is None or dialogue.kind != DIALOGUE or dialogue.step not in steps:
        turn.stale()
        return None
    return dialogue


async def _audience_gone(turn: Turn, dialogue: Dialogue) -> bool:
    """Whether /broadcast ended here because its chosen audience is no longer the person's to
    send to (a coordinator moved to another unit since): said once, naming the unit, rather
    than refusing every later step until Cancel."""
    unit_id = dialogue.data.get("unit_id")
    try:
        await broadcast.check_audience(
            turn.session, turn.actor, int(unit_id) if unit_id is not None else None
        )
    except DomainError as error:
        if not error.for_good:
            raise
        await turn.end_refused(error, dialogue)
        return True
    return False


async def pick_unit(turn: Turn, data: BroadcastUnit) -> None:
    dialogue = await _dialogue(turn, Step.UNIT)
    if dialogue is None:
        return
    if data.unit_id is None:
        turn.actor.require(Role.ADMIN)
        dialogues.advance(dialogue, Step.WHAT, turn.now, unit_id=None)
    else:
        unit = await units.get(turn.session, data.unit_id)
        turn.actor.require_unit(unit.id, Role.COORDINATOR)
        dialogues.advance(dialogue, Step.WHAT, turn.now, unit_id=unit.id)
        # A unit archived since the picker was shown: said now, and /broadcast ends.
        if await _audience_gone(turn, dialogue):
            return
    await _ask_what(turn, dialogue)


async def page_units(turn: Turn, data: BroadcastUnitPage) -> None:
    """Another page of units at the unit step."""
    dialogue = await _dialogue(turn, Step.UNIT)
    if dialogue is None:
        return
    await _ask_unit(turn, dialogue, data.offset)


async def pick_what(turn: Turn, data: BroadcastWhat) -> None:
    t = turn.t
    dialogue = await _dialogue(turn, Step.WHAT)
    if dialogue is None or await _audience_gone(turn, dialogue):
        return
    settings = turn.runtime.settings
    today = turn.today
    choice = data.choice
    if choice is BroadcastChoice.TEXT:
        dialogues.advance(dialogue, Step.TEXT, turn.now)
        turn.show_prompt(
            dialogue,
            t("broadcast.ask_text", limit=broadcast.ANNOUNCEMENT_MAX),
            inline([cancel_row(t)]),
        )
        return
    first, last, open_only = broadcast.audience_days(choice, today, settings)
    await _preview_shifts(turn, dialogue, first, last, open_only)


async def _preview_shifts(
    turn: Turn, dialogue: Dialogue, first: dt.date, last: dt.date, open_only: bool
) -> None:
    t = turn.t
    unit_id = dialogue.data.get("unit_id")
    audience = broadcast.Audience(
        unit_id=int(unit_id) if unit_id is not None else None,
        first=first,
        last=last,
        open_only=open_only,
    )
    seen = await broadcast.preview(
        turn.session, turn.actor, audience, turn.now, turn.runtime.settings
    )
    dialogues.advance(
        dialogue,
        Step.CONFIRM,
        turn.now,
        kind="shifts",
        first=first.isoformat(),
        last=last.isoformat(),
        open_only=open_only,
        # Nobody would get it: the preview shows ✖️ alone, and what is typed is told so.
        sendable=seen.nobody is None,
    )
    days = (
        t.weekday_date(first)
        if first == last
        else t("broadcast.days", first=t.date(first), last=t.date(last))
    )
    scope = t("broadcast.open_only") if open_only else ""
    preview = t(
        "broadcast.preview_shifts",
        days=days,
        scope=scope,
        shifts=t("broadcast.shift_count", count=seen.shifts),
        people=t("broadcast.volunteer_count", count=seen.people),
    )
    rows = _confirm_rows(turn, dialogue, seen)
    turn.show_prompt(dialogue, _with_outcome(turn, preview, seen), inline(rows))


def _with_outcome(turn: Turn, text: str, seen: broadcast.Preview) -> str:
    """The preview, then why nobody would get it (if so), who blocked the bot (to be phoned)
    and, when someone would get it during the quiet hours, until when it waits."""
    if seen.nobody is not None:
        text = "\n".join((text, error_text(turn.t, DomainError(seen.nobody))))
    text = _with_unreachable(turn, text, seen.unreachable)
    return text if seen.nobody is not None else _with_quiet_hours(turn, text)


def _confirm_rows(
    turn: Turn, dialogue: Dialogue, seen: broadcast.Preview
) -> list[list[InlineKeyboardButton]]:
    """Send and Cancel; only Cancel when nobody would get it (Send would only refuse)."""
    t = turn.t
    if seen.nobody is not None:
        return [cancel_row(t)]
    send = BroadcastSend(dialogues.mark(dialogue))
    return [[button(t("broadcast.button.send"), send)], cancel_row(t)]


async def on_dialogue(turn: Turn, dialogue: Dialogue) -> None:
    """Typed input: a date range at the "what" step (``12-01 12-07``), the announcement text."""
    t = turn.t
    message = turn.message
    assert message is not None
    text = (message.text or "").strip()
    if dialogue.step != Step.UNIT and await _audience_gone(turn, dialogue):
        return
    # At an announcement's preview, a text sent again is its correction (an edit of the text
    # typed is not read, and its answer says to send it again): a new preview.
    corrected = dialogue.step == Step.CONFIRM and dialogue.data.get("kind") == "text" and text
    if dialogue.step == Step.TEXT or corrected:
        if not text:
            turn.prompt(dialogue, t("broadcast.need_text"), inline([cancel_row(t)]))
            return
        try:
            cleaned = broadcast.clean_announcement(text)
        except DomainError as error:
            # Too long, or only invisible marks: typed again or cancelled, as a sticker is. A
            # correction refused leaves no announcement to send: back at the text step, and
            # the preview before loses its 📤 发送 (this question is the prompt now).
            if corrected:
                kept = {k: v for k, v in dialogue.data.items() if k not in ("kind", "text")}
                dialogue.data = kept
                dialogues.advance(dialogue, Step.TEXT, turn.now)
            turn.prompt(dialogue, error_text(t, error), inline([cancel_row(t)]))
            return
        unit_id = dialogue.data.get("unit_id")
        audience = int(unit_id) if unit_id is not None else None
        seen = await broadcast.announcement_preview(turn.session, turn.actor, audience)
        dialogues.advance(
            dialogue,
            Step.CONFIRM,
            turn.now,
            kind="text",
            text=cleaned,
            sendable=seen.nobody is None,
        )
        people_text = t("broadcast.volunteer_count", count=seen.people)
        # What is said about the sending comes after a blank line, apart from the text sent.
        notes = _with_outcome(turn, "", seen).strip("\n")
        preview = t("broadcast.preview_text", people=people_text, text=cleaned)
        rows = _confirm_rows(turn, dialogue, seen)
        asked = "\n\n".join((preview, notes)) if notes else preview
        turn.prompt(dialogue, asked, inline(rows))
        return
    if dialogue.step == Step.WHAT:
        # One reading with /rotate's: 12-01 12-07, 12-01至12-07, 12月1日到12月7日, 12-28 01-03;
        # a day of the last weeks is that past day, not next year's.
        days = timespec.parse_day_range(text, turn.today, recent_past=True)
        # Asked again as the step's prompt, its choices with it: the question before loses
        # its buttons, and one message of the dialogue has them.
        if days is None:
            turn.prompt(dialogue, t("broadcast.need_range"), _what_rows(turn))
            return
        try:
            first, last = broadcast.from_today(days, turn.today)
            broadcast.check_range(first, last, turn.runtime.settings)
        except DomainError as error:
            turn.prompt(dialogue, error_text(t, error), _what_rows(turn))
            return
        await _preview_shifts(turn, dialogue, first, last, False)
        return
    if dialogue.step == Step.UNIT:
        turn.reply(t("broadcast.need_unit_button"))
        return
    if dialogue.data.get("sendable") is False:
        turn.reply(t("broadcast.need_cancel_button"))
        return
    turn.reply(t("broadcast.need_button"))


async def send(turn: Turn, pressed: BroadcastSend) -> None:
    t = turn.t
    dialogue = await _dialogue(turn, Step.CONFIRM)
    if dialogue is None or not turn.belongs(dialogue, pressed.mark):
        return
    if await _audience_gone(turn, dialogue):
        return
    data = dialogue.data
    unit_id = int(data["unit_id"]) if data.get("unit_id") is not None else None
    settings = turn.runtime.settings
    member = turn.actor.require_member() if not turn.actor.is_admin else turn.actor.member
    if data.get("kind") == "text":
        sent = await broadcast.send_announcement(
            turn.session,
            turn.actor,
            unit_id,
            str(data["text"]),
            chat_id=turn.chat_id,
            language=t.language,
            now=turn.now,
            settings=settings,
            sender_name=member.display_name if member is not None else t("role.admin"),
        )
    else:
        audience = broadcast.Audience(
            unit_id=unit_id,
            first=dt.date.fromisoformat(str(data["first"])),
            last=dt.date.fromisoformat(str(data["last"])),
            open_only=bool(data.get("open_only")),
        )
        sent = await broadcast.send_shifts(
            turn.session,
            turn.actor,
            audience,
            chat_id=turn.chat_id,
            language=t.language,
            now=turn.now,
            settings=settings,
        )
    await dialogues.end(turn.session, turn.user_id)
    # The answer promises no progress message: it is posted after it, and may be refused.
    queued = _with_quiet_hours(turn, t("broadcast.queued", count=sent.total))
    turn.edit(queued)
    query = turn.update.callback_query
    answer_id = query.message.message_id if query is not None and query.message else None
    without_progress = "\n".join((queued, t("broadcast.no_progress_message")))
    broadcast_id, total = sent.id, sent.total
    bot, chat_id, runtime = turn.context.bot, turn.chat_id, turn.runtime
    db = runtime.db
    first_count = broadcast_progress.progress_text(t, broadcast_progress.opening(total))
    stop_rows = inline([[button(t("broadcast.button.stop"), BroadcastStop(broadcast_id))]])

    async def post_progress() -> None:
        # The progress message exists only once sent; its id is stored for the edits.
        try:
            message = await bot.send_message(chat_id, first_count, reply_markup=stop_rows)
            progress_id = message.message_id
        except TimedOut:
            if answer_id is None:
                raise
            # Telegram may have posted it all the same, under an id the bot never learns: its
            # ⏹ still works (stop answers a press on any message of the broadcast). Another
            # post could meet the same fate; the answer is edited instead, which may be
            # repeated safely, and carries the count from here on.
            await bot.edit_message_text(
                first_count, chat_id=chat_id, message_id=answer_id, reply_markup=stop_rows
            )
            progress_id = answer_id
        except TelegramError:
            # Refused: the answer says where the count will come from instead.
            if answer_id is not None:
                await bot.edit_message_text(without_progress, chat_id=chat_id, message_id=answer_id)
            raise
        async with db.session() as session:
            taken = await broadcast_progress.set_progress_message(
                session, broadcast_id, progress_id, runtime.clock.now(), runtime.settings
            )
        if not taken:
            # It came after the broadcast's count ended elsewhere: it would show ⏹ for good.
            if progress_id == answer_id:
                await bot.edit_message_text(queued, chat_id=chat_id, message_id=answer_id)
            else:
                await bot.delete_message(chat_id, progress_id)

    turn.later(post_progress)
