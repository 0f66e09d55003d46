"""/rotate: a coordinator (an admin: for a unit they pick) fills a period's open seats fairly.
They pick the period (next week, the rest of this week, or typed dates) and the posts (all of
the unit or some), read the preview with its .xlsx, and press 确认排班, 重新排 or 取消. The plan
lives in the dialogue, so a restart between preview and confirmation loses nothing. The rules
are in ``bot/services/rostering/rotate.py`` and ``rotation.py``."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.buttons import (
    RotateConfirm,
    RotatePeriod,
    RotatePost,
    RotatePostPage,
    RotatePosts,
    RotateReroll,
    RotateUnit,
    RotateUnitPage,
)
from bot.db.models import Dialogue, DialogueKind, Post, Unit
from bot.errors import DomainError, ErrorCode
from bot.i18n import Translator
from bot.services.people.members import PHONE_TAIL
from bot.services.platform import dialogues
from bot.services.reports.report_text import number, utf16_len
from bot.services.rostering import rotate, rotation_xlsx
from bot.services.rostering.notices import row_label, unreached_line
from bot.services.rostering.rotate import Preview
from bot.services.rostering.rotation_data import Period, Person
from handlers.keyboards import PAGE_SIZE, button, cancel_row, inline
from handlers.turn import Turn, error_text

DIALOGUE = DialogueKind.ROTATE
# A preview is one message: its text within Telegram's 4096 characters (UTF-16 units).
TEXT_BUDGET = 3800


class Step(StrEnum):
    UNIT = "unit"
    PERIOD = "period"
    POSTS = "posts"
    PREVIEW = "preview"


def _show(
    turn: Turn, dialogue: Dialogue, text: str, rows: list[list[InlineKeyboardButton]]
) -> None:
    """A step's question: the dialogue's prompt, in place of the message whose button was
    pressed, else a new one; the question before it loses its buttons, and /cancel takes
    these off."""
    turn.show_prompt(dialogue, text, inline(rows))


async def _dialogue(turn: Turn, *steps: Step) -> Dialogue | None:
    dialogue = await dialogues.current(turn.session, turn.user_id)
    if dialogue is None or dialogue.kind != DIALOGUE or dialogue.step not in steps:
        turn.stale()
        return None
    return dialogue


def _rotation_ends(error: DomainError) -> bool:
    """Whether a refusal at a step ends the rotation: final everywhere, or the unit no longer
    the coordinator's (moved since), which no press or answer of theirs could undo."""
    return error.for_good or error.code == ErrorCode.FORBIDDEN


def _period(data: dict[str, Any]) -> Period:
    return Period(dt.date.fromisoformat(data["first"]), dt.date.fromisoformat(data["last"]))


def _range(t: Translator, period: Period) -> str:
    if period.first == period.last:
        return t.weekday_date(period.first)
    return t(
        "rostering.window.range",
        first=t.weekday_date(period.first),
        last=t.weekday_date(period.last),
    )


# -- the unit ----------------------------------------------------------------------------------


async def start(turn: Turn) -> None:
    """/rotate [first [last]]"""
    units = await rotate.units(turn.session, turn.actor)
    if not units:
        turn.reply(turn.t("rostering.rotate.no_units"))
        return
    typed = " ".join(turn.args)
    # Read before anything starts, so a wrong range is answered at once, and kept for the unit
    # picker so the dates typed with the command survive the choice of unit.
    period = rotate.parse_period(typed, turn.today) if typed else None
    if len(units) == 1:
        await _ask_period(turn, units[0], period)
        return
    kept = (
        {}
        if period is None
        else {"first": period.first.isoformat(), "last": period.last.isoformat()}
    )
    dialogue = await dialogues.begin(
        turn.session, turn.user_id, DIALOGUE, Step.UNIT, turn.now, kept
    )
    _unit_page(turn, dialogue, units, 0)


def _unit_page(turn: Turn, dialogue: Dialogue, units: list[Unit], offset: int) -> None:
    t = turn.t
    offset = max(0, min(offset, (len(units) - 1) // PAGE_SIZE * PAGE_SIZE))
    shown = units[offset : offset + PAGE_SIZE]
    rows = [[button(unit.name, RotateUnit(unit.id))] for unit in shown]
    nav = []
    if offset > 0:
        nav.append(button(t("common.button.previous"), RotateUnitPage(offset - PAGE_SIZE)))
    if offset + PAGE_SIZE < len(units):
        nav.append(button(t("common.button.next"), RotateUnitPage(offset + PAGE_SIZE)))
    if nav:
        rows.append(nav)
    lines = [t("rostering.rotate.pick_unit")]
    if len(units) > PAGE_SIZE:
        last = offset + len(shown)
        lines.append(t("common.units_page", first=offset + 1, last=last, total=len(units)))
    _show(turn, dialogue, "\n".join(lines), [*rows, cancel_row(t)])


async def unit_page(turn: Turn, data: RotateUnitPage) -> None:
    dialogue = await _dialogue(turn, Step.UNIT)
    if dialogue is None:
        return
    _unit_page(turn, dialogue, await rotate.units(turn.session, turn.actor), data.offset)


async def pick_unit(turn: Turn, data: RotateUnit) -> None:
    dialogue = await _dialogue(turn, Step.UNIT)
    if dialogue is None:
        return
    unit = await rotate.unit_of(turn.session, turn.actor, data.unit_id)
    period = None
    if "first" in dialogue.data:
        # Checked again: the day may have turned since the command was sent.
        kept = _period(dialogue.data)
        try:
            period = rotate.check_period(kept.first, kept.last, turn.today)
        except DomainError as error:
            # The dates typed have passed: said, and another period asked for (pressing the
            # unit again would only meet the same refusal).
            asking = await dialogues.begin(
                turn.session, turn.user_id, DIALOGUE, Step.PERIOD, turn.now, {"unit_id": unit.id}
            )
            _ask_period_again(turn, asking, error)
            return
    await _ask_period(turn, unit, period)


# -- the period --------------------------------------------------------------------------------


async def _ask_period(turn: Turn, unit: Unit, period: Period | None) -> None:
    t = turn.t
    dialogue = await dialogues.begin(
        turn.session, turn.user_id, DIALOGUE, Step.PERIOD, turn.now, {"unit_id": unit.id}
    )
    if period is not None:
        try:
            found = await _open_posts(turn, dialogue, period)
        except DomainError as error:
            if error.code != ErrorCode.ROTATION_NOTHING_OPEN:
                raise
            # As when the period is typed at the period step: the step stays open.
            _ask_period_again(turn, dialogue, error)
            return
        await _offer_posts(turn, dialogue, period, found)
        return
    turn.show_prompt(
        dialogue,
        t("rostering.rotate.ask_period", unit=unit.name, count=rotate.MAX_DAYS),
        _period_rows(turn),
    )


def _period_rows(turn: Turn) -> InlineKeyboardMarkup:
    """The period's choices (next week, the rest of this one) and ✖️."""
    t = turn.t
    today = turn.today
    choices = [(t("rostering.rotate.next_week"), rotate.next_week(today))]
    rest = rotate.rest_of_week(today)
    if rest is not None:
        choices.append((t("rostering.rotate.rest_of_week"), rest))
    rows = [
        [
            button(
                f"{label} · {_range(t, period)}"[:60],
                RotatePeriod(period.first, period.last),
            )
        ]
        for label, period in choices
    ]
    return inline([*rows, cancel_row(t)])


def _ask_period_again(turn: Turn, dialogue: Dialogue, error: DomainError) -> None:
    """A period refused (misread, past, nothing open): the reason, the hint and the choices."""
    text = "\n".join((error_text(turn.t, error), turn.t("rostering.rotate.how_period")))
    turn.show_prompt(dialogue, text, _period_rows(turn))


async def pick_period(turn: Turn, data: RotatePeriod) -> None:
    dialogue = await _dialogue(turn, Step.PERIOD)
    if dialogue is None:
        return
    # A period passed since it was offered (or with nothing open): why, and today's choices in
    # place of the stale ones, as for a period typed at this step.
    await _take_period(
        turn, dialogue, lambda: rotate.check_period(data.first, data.last, turn.today)
    )


async def _take_period(turn: Turn, dialogue: Dialogue, read: Callable[[], Period]) -> None:
    """The period pressed or typed at the period step: its posts offered, or the period asked
    again with the reason, or the rotation ended when the coordinator may rotate no longer."""
    try:
        period = read()
        found = await _open_posts(turn, dialogue, period)
    except DomainError as error:
        if _rotation_ends(error):
            await turn.end_refused(error, dialogue)
            return
        _ask_period_again(turn, dialogue, error)
        return
    await _offer_posts(turn, dialogue, period, found)


# -- the posts ---------------------------------------------------------------------------------


async def _open_posts(turn: Turn, dialogue: Dialogue, period: Period) -> list[Post]:
    """The unit's posts, or a refusal of a period with nothing open; changes nothing."""
    unit_id = int(dialogue.data["unit_id"])
    found = await rotate.posts(turn.session, turn.actor, unit_id)
    settings = turn.runtime.settings
    await rotate.require_open_seats(turn.session, unit_id, period, turn.now, settings)
    return found


async def _offer_posts(turn: Turn, dialogue: Dialogue, period: Period, found: list[Post]) -> None:
    selected = [int(post_id) for post_id in dialogue.data.get("posts", [])]
    dialogues.advance(
        dialogue,
        Step.POSTS,
        turn.now,
        first=period.first.isoformat(),
        last=period.last.isoformat(),
        posts=selected,
    )
    if len(found) == 1:
        await _preview(turn, dialogue, None, 0)
        return
    _posts_page(turn, dialogue, period, found, selected, 0)


def _posts_page(
    turn: Turn,
    dialogue: Dialogue,
    period: Period,
    found: list[Post],
    selected: list[int],
    offset: int,
) -> None:
    t = turn.t
    offset = max(0, min(offset, (len(found) - 1) // PAGE_SIZE * PAGE_SIZE))
    shown = found[offset : offset + PAGE_SIZE]
    rows = [[button(t("rostering.rotate.every_post", posts=len(found)), RotatePosts(every=True))]]
    for post in shown:
        mark = "☑️" if post.id in selected else "⬜"
        rows.append([button(f"{mark} {post.name}"[:60], RotatePost(post.id))])
    nav = []
    if offset > 0:
        nav.append(button(t("common.button.previous"), RotatePostPage(offset - PAGE_SIZE)))
    if offset + PAGE_SIZE < len(found):
        nav.append(button(t("common.button.next"), RotatePostPage(offset + PAGE_SIZE)))
    if nav:
        rows.append(nav)
    if selected:
        label = t("rostering.rotate.chosen_posts", count=len(selected))
        rows.append([button(label, RotatePosts(every=False))])
    lines = [t("rostering.rotate.ask_posts", period=_range(t, period))]
    if len(found) > PAGE_SIZE:
        last = offset + len(shown)
        lines.append(t("posts.page", first=offset + 1, last=last, total=len(found)))
    _show(turn, dialogue, "\n".join(lines), [*rows, cancel_row(t)])


async def _posts_of(turn: Turn, dialogue: Dialogue) -> list[Post] | None:
    """The unit's posts; None when the rotation ended instead (the unit no longer theirs)."""
    try:
        return await rotate.posts(turn.session, turn.actor, int(dialogue.data["unit_id"]))
    except DomainError as error:
        if not _rotation_ends(error):
            raise
        await turn.end_refused(error, dialogue)
        return None


async def toggle_post(turn: Turn, data: RotatePost) -> None:
    dialogue = await _dialogue(turn, Step.POSTS)
    if dialogue is None:
        return
    found = await _posts_of(turn, dialogue)
    if found is None:
        return
    index = next((i for i, post in enumerate(found) if post.id == data.post_id), None)
    if index is None:
        turn.stale()
        return
    selected = [int(post_id) for post_id in dialogue.data.get("posts", [])]
    if data.post_id in selected:
        selected.remove(data.post_id)
    else:
        selected.append(data.post_id)
    dialogues.advance(dialogue, Step.POSTS, turn.now, posts=selected)
    offset = index // PAGE_SIZE * PAGE_SIZE
    _posts_page(turn, dialogue, _period(dialogue.data), found, selected, offset)


async def posts_page(turn: Turn, data: RotatePostPage) -> None:
    dialogue = await _dialogue(turn, Step.POSTS)
    if dialogue is None:
        return
    found = await _posts_of(turn, dialogue)
    if found is None:
        return
    selected = [int(post_id) for post_id in dialogue.data.get("posts", [])]
    _posts_page(turn, dialogue, _period(dialogue.data), found, selected, data.offset)


async def pick_posts(turn: Turn, data: RotatePosts) -> None:
    dialogue = await _dialogue(turn, Step.POSTS)
    if dialogue is None:
        return
    selected = [int(post_id) for post_id in dialogue.data.get("posts", [])]
    if not data.every and not selected:
        turn.stale()
        return
    try:
        await _preview(turn, dialogue, None if data.every else selected, 0)
    except DomainError as error:
        if not _rotation_ends(error):
            raise
        await turn.end_refused(error, dialogue)


# -- preview, re-roll, confirm -----------------------------------------------------------------


async def _preview(
    turn: Turn, dialogue: Dialogue, post_ids: list[int] | None, round_: int, note: str = ""
) -> Preview:
    t = turn.t
    settings = turn.runtime.settings
    unit_id = int(dialogue.data["unit_id"])
    period = _period(dialogue.data)
    preview = await rotate.preview(
        turn.session, turn.actor, unit_id, period, post_ids, round_, turn.now, settings
    )
    dialogues.advance(
        dialogue,
        Step.PREVIEW,
        turn.now,
        every=post_ids is None,
        posts=post_ids or [],
        round=round_,
        seats=[list(seat) for seat in preview.plan.seats],
    )
    unit = await rotate.unit_of(turn.session, turn.actor, unit_id)
    lines = [note] if note else []
    lines += preview_lines(t, unit.name, preview)
    rows = []
    if preview.plan.seats:
        rows.append(
            [
                button(
                    t("rostering.button.confirm"),
                    RotateConfirm(round_, dialogues.mark(dialogue)),
                ),
                button(t("rostering.button.reroll"), RotateReroll(round_)),
            ]
        )
    rows.append(cancel_row(t))
    _show(turn, dialogue, "\n".join(lines), rows)
    if preview.plan.seats:
        turn.reply_document(
            rotation_xlsx.filename(preview),
            rotation_xlsx.workbook_bytes(t, preview),
            caption=t("rostering.rotate.sheet_caption"),
        )
    return preview


def _size(lines: list[str]) -> int:
    """The lines joined, as Telegram counts them."""
    return sum(utf16_len(line) + 1 for line in lines)


def _shown_names(t: Translator, people: Mapping[int, Person]) -> dict[int, str]:
    """Each member's name as the preview shows it: with the last digits of the phone for a
    name two of them bear (as ➕ 安排人员's list shows them), which one is meant being unclear."""
    counted = Counter(" ".join(p.name.split()).casefold() for p in people.values())
    shown: dict[int, str] = {}
    for member_id, p in people.items():
        tail = (p.phone or "")[-PHONE_TAIL:]
        repeated = counted[" ".join(p.name.split()).casefold()] > 1
        # No phone on record: the name alone, as a typed name's refusal shows it.
        shown[member_id] = (
            t("rostering.assign.match", name=p.name, phone=tail) if repeated and tail else p.name
        )
    return shown


def preview_lines(t: Translator, unit: str, preview: Preview) -> list[str]:
    """The preview: a summary, the plan day by day, each person's share, the seats nobody may
    take with why; cut to one message (the .xlsx has everything)."""
    inputs = preview.inputs
    plan = preview.plan
    head = [
        t("rostering.rotate.preview_title", unit=unit, period=_range(t, inputs.period)),
        t(
            "rostering.rotate.preview_summary",
            count=inputs.open_seats,
            planned=len(plan.seats),
            people=preview.people,
        ),
    ]
    if not plan.seats:
        head.append(t("rostering.rotate.nobody"))
    shown = _shown_names(t, inputs.people)
    names: dict[int, list[str]] = defaultdict(list)
    for shift_id, member_id in plan.seats:
        names[shift_id].append(shown[member_id])
    missing = {gap.shift.id: gap.missing for gap in preview.gaps}
    days: list[str] = []
    current: dt.date | None = None
    for shift in sorted(inputs.shifts.values(), key=lambda s: (s.starts_at, s.post_name)):
        day = t.local(shift.starts_at).date()
        if day != current:
            days += ["", t.weekday_date(day)]
            current = day
        who = t("common.list_separator").join(names[shift.id]) or "-"
        line = t(
            "rostering.rotate.preview_shift",
            start=t.time(shift.starts_at),
            end=t.end_time(shift.starts_at, shift.ends_at),
            post=shift.post_name,
            names=who,
        )
        if shift.id in missing:
            line += " " + t("rostering.rotate.short", count=missing[shift.id])
        days.append(line)
    people = ["", t("rostering.rotate.preview_people")]
    for standing in sorted(preview.standings, key=lambda s: (s.name, s.member_id)):
        people.append(
            t(
                "rostering.rotate.preview_person",
                count=standing.period_shifts,
                name=shown[standing.member_id],
                hours=number(t, standing.period_minutes / 60),
                recent=number(t, standing.recent_minutes / 60),
            )
        )
    gaps = []
    if preview.gaps:
        gaps = ["", t("rostering.rotate.preview_gaps")]
        gaps += [
            t(
                "rostering.rotate.preview_gap",
                count=gap.missing,
                shift=row_label(t, gap.shift),
                why=rotation_xlsx.reasons_text(t, gap.reasons),
            )
            for gap in preview.gaps
        ]
    foot = ["", t("rostering.rotate.preview_hint")] if plan.seats else []
    more = t("rostering.rotate.preview_more")
    lines = list(head)
    budget = TEXT_BUDGET - _size(head) - _size(foot) - _size([more])
    cut = False
    for section in (gaps, days, people):
        for line in section:
            if _size([line]) > budget:
                cut = True
                break
            lines.append(line)
            budget -= _size([line])
    if cut:
        lines.append(more)
    return lines + foot


async def reroll(turn: Turn, data: RotateReroll) -> None:
    t = turn.t
    dialogue = await _dialogue(turn, Step.PREVIEW)
    if dialogue is None or int(dialogue.data.get("round", -1)) != data.round:
        if dialogue is not None:
            turn.stale()
        return
    before = dialogue.data.get("seats")
    posts = None if dialogue.data.get("every") else list(dialogue.data.get("posts", []))
    try:
        preview = await _preview(turn, dialogue, posts, data.round + 1)
    except DomainError as error:
        if not _rotation_ends(error):
            raise
        await turn.end_refused(error, dialogue)
        return
    if [list(seat) for seat in preview.plan.seats] == before:
        turn.answer(t("rostering.rotate.same_again"), alert=True)


async def confirm(turn: Turn, data: RotateConfirm) -> None:
    t = turn.t
    dialogue = await _dialogue(turn, Step.PREVIEW)
    if dialogue is None or not turn.belongs(dialogue, data.mark):
        return
    if int(dialogue.data.get("round", -1)) != data.round:
        turn.stale()
        return
    posts = None if dialogue.data.get("every") else list(dialogue.data.get("posts", []))
    seats = [(int(shift_id), int(member_id)) for shift_id, member_id in dialogue.data["seats"]]
    try:
        done = await rotate.confirm(
            turn.session,
            turn.actor,
            int(dialogue.data["unit_id"]),
            _period(dialogue.data),
            posts,
            seats,
            turn.now,
            turn.runtime.settings,
        )
    except DomainError as error:
        if not _rotation_ends(error):
            raise  # a plan overtaken by events (ROTATION_STALE) is drawn again with 🔀
        await turn.end_refused(error, dialogue)
        return
    await dialogues.end(turn.session, turn.user_id)
    lines = [
        t(
            "rostering.rotate.confirmed_unreached"
            if done.unreached
            else "rostering.rotate.confirmed",
            count=done.seats,
            people=done.people,
            period=_range(t, _period(dialogue.data)),
        )
    ]
    if done.unreached:
        lines.append(unreached_line(t, done.unreached))
    if done.open_left:
        lines.append(t("rostering.rotate.left_open", count=done.open_left))
    turn.answer(t("rostering.rotate.confirmed_toast"))
    turn.edit("\n".join(lines))


async def on_dialogue(turn: Turn, dialogue: Dialogue) -> None:
    """Typed dates at the period step; elsewhere the buttons are the way on."""
    t = turn.t
    message = turn.message
    assert message is not None
    if dialogue.step != Step.PERIOD:
        # The question above keeps its buttons (and its ✖️): they are the way on.
        turn.reply(t("rostering.rotate.use_buttons"))
        return
    # A period misread, or with nothing open, is asked again: the step stays open.
    await _take_period(turn, dialogue, lambda: rotate.parse_period(message.text or "", turn.today))
