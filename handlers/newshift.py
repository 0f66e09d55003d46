"""Coordinators: /newshift, a dialogue that makes one shift or a series: the post, a day (or
weekdays with a date range), the time, the capacity, then an optional required tag and notes,
and a review before anything is created."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.buttons import (
    NewShiftCapacity,
    NewShiftCreate,
    NewShiftDay,
    NewShiftNotes,
    NewShiftPost,
    NewShiftPostPage,
    NewShiftTag,
    NewShiftTime,
    ShiftCard,
)
from bot.db.models import Dialogue, DialogueKind, Post
from bot.errors import DomainError, ErrorCode
from bot.i18n import Translator
from bot.services.people.tags import clean_tag
from bot.services.platform import dialogues
from bot.services.schedule import posts, shifts, timespec
from bot.services.schedule.counts import length_not_people, people_count
from bot.services.schedule.shift_text import shift_label
from handlers.keyboards import button, cancel_row, inline, page
from handlers.turn import Turn, error_text

DIALOGUE_NEW = DialogueKind.SHIFT_NEW
DAYS_OFFERED = 7
COMMON_SLOTS = ("07:00-09:00", "17:00-19:00")
CAPACITY_CHOICES = (1, 2, 3, 4, 6, 8)


class Step(StrEnum):
    """The steps of /newshift, as stored in its dialogue."""

    POST = "post"
    DAY = "day"
    TIME = "time"
    CAPACITY = "capacity"
    REVIEW = "review"
    TAG = "tag"
    NOTES = "notes"


async def start_new(turn: Turn) -> None:
    t = turn.t
    managed = await posts.managed(turn.session, turn.actor)
    if not managed:
        turn.reply(t("schedule.no_posts"))
        return
    dialogue = await dialogues.begin(turn.session, turn.user_id, DIALOGUE_NEW, Step.POST, turn.now)
    _ask_post(turn, dialogue, managed, 0)


def _ask_post(turn: Turn, dialogue: Dialogue, managed: list[Post], offset: int) -> None:
    t = turn.t
    shown = page(t, managed, offset, NewShiftPostPage, line_key="posts.page")
    rows = [
        [button(f"{post.name} · {post.unit.name}", NewShiftPost(post.id))] for post in shown.items
    ]
    text = t("schedule.pick_post")
    if shown.line is not None:
        text += "\n" + shown.line
    turn.show_prompt(dialogue, text, inline([*rows, *shown.nav_rows, cancel_row(t)]))


async def page_posts(turn: Turn, data: NewShiftPostPage) -> None:
    """Another page of posts, only while /newshift is at its post step."""
    dialogue = await _new_dialogue(turn, Step.POST)
    if dialogue is None:
        return
    managed = await posts.managed(turn.session, turn.actor)
    if not managed:
        turn.stale()
        return
    _ask_post(turn, dialogue, managed, data.offset)


async def pick_post(turn: Turn, data: NewShiftPost) -> None:
    """From /newshift's post list, or the New shift button of a post card."""
    t = turn.t
    post = await shifts.schedulable_post(turn.session, turn.actor, data.post_id)
    dialogue = await dialogues.begin(
        turn.session, turn.user_id, DIALOGUE_NEW, Step.DAY, turn.now, {"post_id": post.id}
    )
    turn.show_prompt(dialogue, t("schedule.ask_day", post=post.name), inline(_day_rows(turn)))


def _day_rows(turn: Turn) -> list[list[InlineKeyboardButton]]:
    t = turn.t
    today = turn.today
    days = [today + dt.timedelta(days=n) for n in range(DAYS_OFFERED)]
    rows = [
        [button(t.weekday_date(day), NewShiftDay(day)) for day in days[i : i + 4]]
        for i in range(0, len(days), 4)
    ]
    return [*rows, cancel_row(t)]


async def _new_dialogue(turn: Turn, step: Step) -> Dialogue | None:
    dialogue = await dialogues.current(turn.session, turn.user_id)
    if dialogue is None or dialogue.kind != DIALOGUE_NEW or dialogue.step != step:
        turn.stale()
        return None
    return dialogue


async def pick_day(turn: Turn, data: NewShiftDay) -> None:
    dialogue = await _new_dialogue(turn, Step.DAY)
    if dialogue is None:
        return
    day = data.day
    shifts.check_days([day], turn.today)
    _ask_time(turn, dialogue, [day.isoformat()], _describe_days(turn, [day]))


def _ask_time(turn: Turn, dialogue: Dialogue, days: list[str], described: str) -> None:
    t = turn.t
    dialogues.advance(dialogue, Step.TIME, turn.now, days=days)
    turn.show_prompt(dialogue, t("schedule.ask_time", days=described), _time_rows(turn))


def _time_rows(turn: Turn) -> InlineKeyboardMarkup:
    """The common time slots and ✖️, asked first or again after a time not understood."""
    rows = [
        [button(slot.replace("-", "–"), NewShiftTime(slot.replace(":", "")))]
        for slot in COMMON_SLOTS
    ]
    return inline([*rows, cancel_row(turn.t)])


def _capacity_rows(turn: Turn) -> InlineKeyboardMarkup:
    rows = [[button(str(n), NewShiftCapacity(n)) for n in CAPACITY_CHOICES]]
    return inline([*rows, cancel_row(turn.t)])


async def pick_time(turn: Turn, data: NewShiftTime) -> None:
    dialogue = await _new_dialogue(turn, Step.TIME)
    if dialogue is None:
        return
    window = timespec.parse_time_range(data.slot)
    if window is None:
        turn.stale()
        return
    await _ask_capacity(turn, dialogue, window)


async def _ask_capacity(turn: Turn, dialogue: Dialogue, window: tuple[dt.time, dt.time]) -> None:
    t = turn.t
    start, end = shifts.check_times(*window)
    days = [dt.date.fromisoformat(day) for day in dialogue.data["days"]]
    try:
        await shifts.check_window(
            turn.session,
            int(dialogue.data["post_id"]),
            days,
            start,
            end,
            turn.now,
            turn.runtime.settings.zone,
        )
    except DomainError as error:
        if error.code is not ErrorCode.SHIFT_IN_PAST or min(days) >= turn.today:
            raise
        # The day itself went by (today picked just before midnight): no time typed can make
        # it, so the day is asked again, from the new today.
        dialogues.advance(dialogue, Step.DAY, turn.now, days=[])
        post = await posts.get(turn.session, int(dialogue.data["post_id"]))
        asked = t("schedule.ask_day", post=post.name)
        turn.show_prompt(dialogue, error_text(t, error) + "\n" + asked, inline(_day_rows(turn)))
        return
    # 24:00 is kept and shown as typed (00:00 would read as ending before the start).
    end_text = timespec.end_text(end)
    dialogues.advance(dialogue, Step.CAPACITY, turn.now, start=f"{start:%H:%M}", end=end_text)
    turn.show_prompt(dialogue, t("schedule.ask_capacity"), _capacity_rows(turn))


async def pick_capacity(turn: Turn, data: NewShiftCapacity) -> None:
    dialogue = await _new_dialogue(turn, Step.CAPACITY)
    if dialogue is None:
        return
    await _review(turn, dialogue, shifts.check_capacity(data.capacity))


async def _review(turn: Turn, dialogue: Dialogue, capacity: int | None = None) -> None:
    t = turn.t
    if capacity is not None:
        dialogues.advance(dialogue, Step.REVIEW, turn.now, capacity=capacity)
    else:
        dialogues.advance(dialogue, Step.REVIEW, turn.now)
    data = dialogue.data
    post = await posts.get(turn.session, int(data["post_id"]))
    days = [dt.date.fromisoformat(day) for day in data["days"]]
    lines = [
        t(
            "schedule.review",
            post=post.name,
            days=_describe_days(turn, days),
            start=data["start"],
            end=data["end"],
            people=t("schedule.people", count=int(data["capacity"])),
            shifts=t("schedule.review_count", count=len(days)),
        )
    ]
    if data.get("tag"):
        lines.append(t("schedule.review_tag", tag=data["tag"]))
    if data.get("notes"):
        lines.append(t("schedule.review_notes", notes=data["notes"]))
    rows = [
        [button(t("schedule.button.create"), NewShiftCreate(dialogues.mark(dialogue)))],
        [
            button(t("schedule.button.tag"), NewShiftTag()),
            button(t("schedule.button.notes"), NewShiftNotes()),
        ],
        cancel_row(t),
    ]
    turn.show_prompt(dialogue, "\n".join(lines), inline(rows))


def _describe_days(turn: Turn, days: list[dt.date]) -> str:
    t = turn.t
    if len(days) == 1:
        return t.day_in_year(days[0], turn.today)
    return t("schedule.days_range", first=t.date(days[0]), last=t.date(days[-1]), count=len(days))


async def ask_tag(turn: Turn, data: NewShiftTag) -> None:
    dialogue = await _new_dialogue(turn, Step.REVIEW)
    if dialogue is None:
        return
    dialogues.advance(dialogue, Step.TAG, turn.now)
    turn.show_prompt(dialogue, turn.t("schedule.ask_tag"), inline([cancel_row(turn.t)]))


async def ask_notes(turn: Turn, data: NewShiftNotes) -> None:
    dialogue = await _new_dialogue(turn, Step.REVIEW)
    if dialogue is None:
        return
    dialogues.advance(dialogue, Step.NOTES, turn.now)
    turn.show_prompt(dialogue, turn.t("schedule.ask_notes"), inline([cancel_row(turn.t)]))


async def create(turn: Turn, pressed: NewShiftCreate) -> None:
    t = turn.t
    dialogue = await _new_dialogue(turn, Step.REVIEW)
    if dialogue is None or not turn.belongs(dialogue, pressed.mark):
        return
    data = dialogue.data
    start = timespec.parse_time(str(data["start"]))
    end = timespec.parse_end_time(str(data["end"]))
    assert start is not None and end is not None
    try:
        created = await shifts.create(
            turn.session,
            turn.actor,
            post_id=int(data["post_id"]),
            days=[dt.date.fromisoformat(day) for day in data["days"]],
            start=start,
            end=end,
            capacity=int(data["capacity"]),
            required_tag=data.get("tag"),
            notes=data.get("notes"),
            now=turn.now,
            settings=turn.runtime.settings,
        )
    except DomainError as error:
        # Nothing was written, and the review can change neither the post, the days nor the
        # time (the start went by, the post was archived, a colleague made the same shift):
        # every later press would be refused the same way, so /newshift ends, with its buttons.
        await dialogues.end(turn.session, turn.user_id)
        turn.refuse(error)
        turn.edit(error_text(t, error))
        return
    await dialogues.end(turn.session, turn.user_id)
    first = created[0]
    turn.edit(
        t("schedule.created", count=len(created), shift=shift_label(t, first)),
        inline(
            [
                [
                    button(t("schedule.button.open_card"), ShiftCard(first.id)),
                    button(t("schedule.button.another"), NewShiftPost(first.post_id)),
                ]
            ]
        ),
    )


async def on_new(turn: Turn, dialogue: Dialogue) -> None:
    t = turn.t
    message = turn.message
    assert message is not None
    text = (message.text or "").strip()
    step = dialogue.step
    if step == Step.DAY:
        await _on_day_text(turn, dialogue, text)
    elif step == Step.TIME:
        window = timespec.parse_time_range(text)
        if window is None:
            turn.prompt(dialogue, t("schedule.need_time"), _time_rows(turn))
            return
        await _ask_capacity(turn, dialogue, window)
    elif step == Step.CAPACITY:
        capacity = people_count(text)
        if capacity is None:
            turn.prompt(dialogue, capacity_question(t, text), _capacity_rows(turn))
            return
        await _review(turn, dialogue, shifts.check_capacity(capacity))
    elif step == Step.TAG:
        if not text:
            turn.prompt(dialogue, t("schedule.need_text"), inline([cancel_row(t)]))
            return
        # "-" takes back a tag given by mistake, as on a shift's card it clears the notes.
        dialogue.data = {**dialogue.data, "tag": None if text == "-" else clean_tag(text)}
        await _review(turn, dialogue)
    elif step == Step.NOTES:
        if not text:
            turn.prompt(dialogue, t("schedule.need_text"), inline([cancel_row(t)]))
            return
        notes = None if text == "-" else shifts.typed_notes(text)
        dialogue.data = {**dialogue.data, "notes": notes}
        await _review(turn, dialogue)
    else:
        turn.reply(t("schedule.need_button"))


async def _on_day_text(turn: Turn, dialogue: Dialogue, text: str) -> None:
    """A date (2026-12-01, 12-01), or weekdays with a range: ``mon-fri 12-01 12-31``."""
    t = turn.t
    today = turn.today
    parts = text.split()
    if len(parts) == 1:
        day = timespec.parse_date(parts[0], today, recent_past=True)
        if day is None:
            turn.prompt(dialogue, t("schedule.need_day"), inline(_day_rows(turn)))
            return
        shifts.check_days([day], today)
        _ask_time(turn, dialogue, [day.isoformat()], _describe_days(turn, [day]))
        return
    if len(parts) == 3:
        weekdays = timespec.parse_weekdays(parts[0])
        first = timespec.parse_date(parts[1], today, recent_past=True)
        # The end is the one nearest the start: one before it is a range with no day (refused),
        # not next year's (12-10 12-05 would be 257 days of shifts).
        last = timespec.parse_date(parts[2], first or today, nearest=True)
        if weekdays is not None and first is not None and last is not None:
            days = timespec.days_between(weekdays, first, last)
            shifts.check_days(days, today)
            _ask_time(turn, dialogue, [day.isoformat() for day in days], _describe_days(turn, days))
            return
    turn.prompt(dialogue, t("schedule.need_day"), inline(_day_rows(turn)))


def capacity_question(t: Translator, text: str) -> str:
    """What a capacity that is no number of people is answered: a length (150m) is told it is
    one, as the import tells it; anything else is asked for a number."""
    if length_not_people(text):
        return t("schedule.capacity_in_metres", value=text, high=shifts.CAPACITY_MAX)
    return t("schedule.need_capacity")
