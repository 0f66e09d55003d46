"""Coordinators: duty posts. /posts lists them with a card each (rename, move, radius, archive,
shifts); /newpost asks name, type, unit, a location pin and the radius."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.buttons import (
    CallbackData,
    NewPostRadius,
    NewPostType,
    NewPostUnit,
    NewPostUnitPage,
    NewShiftPost,
    PostArchive,
    PostCard,
    PostMove,
    PostPage,
    PostRadius,
    PostRename,
    PostShifts,
    ShiftCard,
)
from bot.db.models import Dialogue, DialogueKind, Post, PostType, Role, Unit
from bot.errors import DomainError
from bot.services.people import tags, units
from bot.services.platform import dialogues
from bot.services.schedule import posts, shifts
from bot.services.schedule.counts import metres
from bot.services.schedule.shift_text import post_type_name, shift_label
from handlers.keyboards import button, cancel_row, inline, page
from handlers.screens import show
from handlers.turn import Turn

DIALOGUE_NEW = DialogueKind.POST_NEW
DIALOGUE_EDIT = DialogueKind.POST_EDIT
RADIUS_CHOICES = (50, 100, 300, 500)
SHIFTS_PAGE_SIZE = 10  # shifts a page of a post's 📅 班次


class NewStep(StrEnum):
    """The steps of /newpost, as stored in its dialogue."""

    UNIT = "unit"
    NAME = "name"
    TYPE = "type"
    LOCATION = "location"
    RADIUS = "radius"


class EditStep(StrEnum):
    """What a post card's edit dialogue waits for."""

    NAME = "name"
    LOCATION = "location"
    RADIUS = "radius"


async def list_posts(turn: Turn) -> None:
    await _list_page(turn, 0)


async def page_posts(turn: Turn, data: PostPage) -> None:
    """Another page of /posts."""
    await _list_page(turn, data.offset)


async def _list_page(turn: Turn, offset: int) -> None:
    """A page of the posts the actor manages (an admin: the whole city, archived ones too),
    with a button for each: Telegram takes at most 100 buttons in one keyboard."""
    t = turn.t
    found = await posts.managed(turn.session, turn.actor, include_archived=True)
    if not found:
        show(turn, t("posts.none"))
        return
    shown = page(t, found, offset, PostPage, line_key="posts.page")
    lines = [t("posts.header")]
    if shown.line is not None:
        lines.append(shown.line)
    rows = []
    for post in shown.items:
        lines.append(
            t(
                "posts.line",
                name=post.name,
                kind=post_type_name(t, post.type),
                unit=post.unit.name,
                archived=t("posts.archived_mark") if post.archived else "",
            )
        )
        rows.append([button(post.name, PostCard(post.id))])
    show(turn, "\n".join(lines), [*rows, *shown.nav_rows])


def card_text(turn: Turn, post: Post) -> str:
    t = turn.t
    return t(
        "posts.card",
        name=post.name,
        kind=post_type_name(t, post.type),
        unit=post.unit.name,
        latitude=f"{post.latitude:.5f}",
        longitude=f"{post.longitude:.5f}",
        radius=post.radius_m,
        state=t("posts.state.archived") if post.archived else t("posts.state.active"),
    )


def card_rows(turn: Turn, post: Post) -> list[list[InlineKeyboardButton]]:
    t = turn.t
    archive = "posts.button.unarchive" if post.archived else "posts.button.archive"
    rows = [
        [
            button(t("posts.button.rename"), PostRename(post.id)),
            button(t("posts.button.move"), PostMove(post.id)),
            button(t("posts.button.radius"), PostRadius(post.id)),
        ],
        [
            button(t("posts.button.shifts"), PostShifts(post.id)),
            button(t(archive), PostArchive(post.id, not post.archived)),
        ],
    ]
    if not post.archived:
        rows[1].insert(1, button(t("posts.button.new_shift"), NewShiftPost(post.id)))
    return rows


async def show_card(turn: Turn, data: PostCard) -> None:
    post = await posts.get_managed(turn.session, turn.actor, data.post_id)
    show(turn, card_text(turn, post), card_rows(turn, post))


async def toggle_archive(turn: Turn, data: PostArchive) -> None:
    post = await posts.get_managed(turn.session, turn.actor, data.post_id)
    wanted = not post.archived if data.archive is None else data.archive
    if wanted != post.archived:
        post = await posts.update(turn.session, turn.actor, post.id, turn.now, archived=wanted)
    if not post.archived:
        turn.answer(turn.t("posts.unarchived"))
    elif remaining := await shifts.count_upcoming_of_post(turn.session, post.id, turn.now):
        # Archiving stops new shifts, not the ones planned: say so, where to cancel them.
        turn.answer(turn.t("posts.archived_with_shifts", count=remaining), alert=True)
    else:
        turn.answer(turn.t("posts.archived"))
    show(turn, card_text(turn, post), card_rows(turn, post))


async def list_post_shifts(turn: Turn, data: PostShifts) -> None:
    """The post's shifts still to end, SHIFTS_PAGE_SIZE a page: archiving a post tells how many
    it has ahead and to cancel those not needed here, so each of them is reachable."""
    t = turn.t
    post = await posts.get_managed(turn.session, turn.actor, data.post_id)
    total = await shifts.count_upcoming_of_post(turn.session, post.id, turn.now)
    last_page = (max(total, 1) - 1) // SHIFTS_PAGE_SIZE * SHIFTS_PAGE_SIZE
    offset = max(0, min((data.offset or 0) // SHIFTS_PAGE_SIZE * SHIFTS_PAGE_SIZE, last_page))
    upcoming = await shifts.upcoming_of_post(
        turn.session, turn.actor, post.id, turn.now, limit=SHIFTS_PAGE_SIZE, offset=offset
    )
    lines = [t("posts.shifts_header", name=post.name)]
    nav = []
    if total > SHIFTS_PAGE_SIZE:
        last = offset + len(upcoming)
        lines.append(t("posts.shifts_page", first=offset + 1, last=last, count=total))
        if offset > 0:
            previous = PostShifts(post.id, offset - SHIFTS_PAGE_SIZE)
            nav.append(button(t("common.button.previous"), previous))
        if offset + SHIFTS_PAGE_SIZE < total:
            following = PostShifts(post.id, offset + SHIFTS_PAGE_SIZE)
            nav.append(button(t("common.button.next"), following))
    rows = []
    for item in upcoming:
        label = shift_label(t, item.shift)
        lines.append(
            t(
                "posts.shift_line",
                shift=label,
                seated=item.seats.seated,
                capacity=item.shift.capacity,
            )
        )
        rows.append([button(label, ShiftCard(item.shift.id))])
    if not upcoming:
        lines.append(t("posts.no_shifts"))
    if nav:
        rows.append(nav)
    rows.append([button(t("shifts.button.back"), PostCard(post.id))])
    show(turn, "\n".join(lines), rows)


# -- editing: a dialogue step that waits for text or a location ------------------------------


async def _begin_edit(turn: Turn, post_id: int, step: EditStep, prompt: str) -> None:
    post = await posts.get_managed(turn.session, turn.actor, post_id)
    dialogue = await dialogues.begin(
        turn.session, turn.user_id, DIALOGUE_EDIT, step, turn.now, {"post_id": post.id}
    )
    turn.show_prompt(dialogue, turn.t(prompt, name=post.name), _edit_rows(turn, dialogue))


def _edit_rows(turn: Turn, dialogue: Dialogue) -> InlineKeyboardMarkup:
    """The buttons of an edit step's question, asked first or again after a wrong answer."""
    rows = [cancel_row(turn.t)]
    if dialogue.step == EditStep.RADIUS:
        post_id = int(dialogue.data["post_id"])
        rows.insert(0, _radius_row(turn, lambda radius: PostRadius(post_id, radius)))
    return inline(rows)


def _radius_row(turn: Turn, choose: Callable[[int], CallbackData]) -> list[InlineKeyboardButton]:
    return [button(turn.t("geo.metres", value=r), choose(r)) for r in RADIUS_CHOICES]


async def ask_rename(turn: Turn, data: PostRename) -> None:
    await _begin_edit(turn, data.post_id, EditStep.NAME, "posts.ask_rename")


async def ask_move(turn: Turn, data: PostMove) -> None:
    await _begin_edit(turn, data.post_id, EditStep.LOCATION, "posts.ask_move")


async def ask_radius(turn: Turn, data: PostRadius) -> None:
    if data.radius is not None:  # a radius button of the prompt
        post = await posts.update(
            turn.session, turn.actor, data.post_id, turn.now, radius_m=data.radius
        )
        # The prompt's own dialogue ends; an old prompt's button ends no other one.
        dialogue = await dialogues.current(turn.session, turn.user_id)
        if (
            dialogue is not None
            and dialogue.kind == DIALOGUE_EDIT
            and dialogue.step == EditStep.RADIUS
            and dialogue.data.get("post_id") == data.post_id
        ):
            await dialogues.end(turn.session, turn.user_id)
        show(turn, card_text(turn, post), card_rows(turn, post))
        return
    await _begin_edit(turn, data.post_id, EditStep.RADIUS, "posts.ask_radius")


async def on_edit(turn: Turn, dialogue: Dialogue) -> None:
    t = turn.t
    message = turn.message
    assert message is not None
    post_id = int(dialogue.data["post_id"])
    if dialogue.step == EditStep.LOCATION:
        if message.location is None:
            turn.prompt(dialogue, t("posts.need_location"), _edit_rows(turn, dialogue))
            return
        location = (message.location.latitude, message.location.longitude)
        post = await posts.update(turn.session, turn.actor, post_id, turn.now, location=location)
    elif dialogue.step == EditStep.RADIUS:
        radius = _int_text(message.text)
        if radius is None:
            turn.prompt(dialogue, t("posts.need_radius"), _edit_rows(turn, dialogue))
            return
        post = await posts.update(turn.session, turn.actor, post_id, turn.now, radius_m=radius)
    else:
        if not message.text:
            turn.prompt(dialogue, t("posts.need_name"), _edit_rows(turn, dialogue))
            return
        post = await posts.update(turn.session, turn.actor, post_id, turn.now, name=message.text)
    await dialogues.end(turn.session, turn.user_id)
    turn.reply(card_text(turn, post), inline(card_rows(turn, post)))


def _int_text(text: str | None) -> int | None:
    return metres(text or "")


# -- /newpost --------------------------------------------------------------------------------


async def start_new(turn: Turn) -> None:
    t = turn.t
    turn.actor.require(Role.COORDINATOR)
    choices = await units.visible_to(turn.session, turn.actor)
    if not choices:
        turn.reply(t("posts.no_units"))
        return
    if len(choices) == 1:
        await posts.open_unit(turn.session, turn.actor, choices[0].id)
        dialogue = await dialogues.begin(
            turn.session,
            turn.user_id,
            DIALOGUE_NEW,
            NewStep.NAME,
            turn.now,
            {"unit_id": choices[0].id},
        )
        turn.prompt(dialogue, t("posts.ask_name", unit=choices[0].name), inline([cancel_row(t)]))
        return
    await dialogues.begin(turn.session, turn.user_id, DIALOGUE_NEW, NewStep.UNIT, turn.now)
    _ask_unit(turn, choices, 0)


def _ask_unit(turn: Turn, choices: list[Unit], offset: int) -> None:
    t = turn.t
    shown = page(t, choices, offset, NewPostUnitPage)
    rows = [[button(unit.name, NewPostUnit(unit.id))] for unit in shown.items]
    text = t("posts.pick_unit")
    if shown.line is not None:
        text += "\n" + shown.line
    show(turn, text, [*rows, *shown.nav_rows, cancel_row(t)])


async def _new_dialogue(turn: Turn, step: NewStep) -> Dialogue | None:
    dialogue = await dialogues.current(turn.session, turn.user_id)
    if dialogue is None or dialogue.kind != DIALOGUE_NEW or dialogue.step != step:
        turn.stale()
        return None
    return dialogue


async def page_new_units(turn: Turn, data: NewPostUnitPage) -> None:
    """Another page of units at the unit step of /newpost."""
    dialogue = await _new_dialogue(turn, NewStep.UNIT)
    if dialogue is None:
        return
    choices = await units.visible_to(turn.session, turn.actor)
    if not choices:
        turn.stale()
        return
    _ask_unit(turn, choices, data.offset)


async def pick_new_unit(turn: Turn, data: NewPostUnit) -> None:
    t = turn.t
    unit_id = data.unit_id
    dialogue = await _new_dialogue(turn, NewStep.UNIT)
    if dialogue is None:
        return
    unit = await posts.open_unit(turn.session, turn.actor, unit_id)
    dialogues.advance(dialogue, NewStep.NAME, turn.now, unit_id=unit.id)
    turn.show_prompt(dialogue, t("posts.ask_name", unit=unit.name), inline([cancel_row(t)]))


async def pick_new_type(turn: Turn, data: NewPostType) -> None:
    t = turn.t
    kind = data.post_type
    dialogue = await _new_dialogue(turn, NewStep.TYPE)
    if dialogue is None:
        return
    dialogues.advance(dialogue, NewStep.LOCATION, turn.now, type=kind.value)
    turn.edit(t("posts.chosen_type", kind=post_type_name(t, kind)))
    turn.prompt(dialogue, t("posts.ask_location"), inline([cancel_row(t)]))


async def pick_new_radius(turn: Turn, data: NewPostRadius) -> None:
    dialogue = await _new_dialogue(turn, NewStep.RADIUS)
    if dialogue is None or not turn.belongs(dialogue, data.mark):
        return
    await _create(turn, dialogue, data.radius)


async def on_new(turn: Turn, dialogue: Dialogue) -> None:
    t = turn.t
    message = turn.message
    assert message is not None
    if dialogue.step == NewStep.UNIT:
        turn.reply(t("posts.need_unit_button"))
    elif dialogue.step == NewStep.NAME:
        if not message.text:
            turn.prompt(dialogue, t("posts.need_name"), inline([cancel_row(t)]))
            return
        try:
            name = await posts.new_name(
                turn.session, turn.actor, int(dialogue.data["unit_id"]), message.text
            )
        except DomainError as error:
            if not (error.for_good or error.code in posts.NEW_POST_ENDS):
                raise  # a name taken or too long: another may be typed
            await turn.end_refused(error, dialogue)
            return
        dialogues.advance(dialogue, NewStep.TYPE, turn.now, name=name)
        rows = [[button(post_type_name(t, kind), NewPostType(kind))] for kind in PostType]
        turn.prompt(dialogue, t("posts.ask_type", name=name), inline([*rows, cancel_row(t)]))
    elif dialogue.step == NewStep.TYPE:
        turn.reply(t("posts.need_type_button"))
    elif dialogue.step == NewStep.LOCATION or (
        dialogue.step == NewStep.RADIUS and message.location is not None
    ):
        if message.location is None:
            turn.prompt(dialogue, t("posts.need_location"), inline([cancel_row(t)]))
            return
        # At the radius question, a pin sent again corrects the place: it is not ignored.
        replaced = dialogue.step == NewStep.RADIUS
        posts.check_location(message.location.latitude, message.location.longitude)
        dialogues.advance(
            dialogue,
            NewStep.RADIUS,
            turn.now,
            latitude=message.location.latitude,
            longitude=message.location.longitude,
        )
        default = turn.runtime.settings.default_post_radius_m
        question = t("posts.ask_new_radius", default=default)
        if replaced:
            question = t("posts.place_replaced") + "\n" + question
        turn.prompt(dialogue, question, _new_radius_rows(turn, dialogue))
    else:
        radius = _int_text(message.text)
        if radius is None:
            turn.prompt(dialogue, t("posts.need_radius"), _new_radius_rows(turn, dialogue))
            return
        await _create(turn, dialogue, radius)


def _new_radius_rows(turn: Turn, dialogue: Dialogue) -> InlineKeyboardMarkup:
    """The radius choices of /newpost, asked first or again after a radius not understood."""
    default = turn.runtime.settings.default_post_radius_m
    mark = dialogues.mark(dialogue)
    return inline(
        [
            [
                button(
                    turn.t("posts.button.default_radius", radius=default),
                    NewPostRadius(default, mark),
                )
            ],
            _radius_row(turn, lambda radius: NewPostRadius(radius, mark)),
            cancel_row(turn.t),
        ]
    )


async def _create(turn: Turn, dialogue: Dialogue, radius: int) -> None:
    data = dialogue.data
    try:
        post = await posts.create(
            turn.session,
            turn.actor,
            unit_id=int(data["unit_id"]),
            name=str(data["name"]),
            post_type=PostType(str(data["type"])),
            latitude=float(data["latitude"]),
            longitude=float(data["longitude"]),
            radius_m=radius,
            now=turn.now,
        )
    except DomainError as error:
        if not (error.for_good or error.code in posts.CREATE_ENDS):
            raise  # a radius out of range: another may be typed
        # No radius typed next could change the name or the unit: a colleague made the post
        # meanwhile, or an admin archived the unit, say.
        await turn.end_refused(error, dialogue)
        return
    await dialogues.end(turn.session, turn.user_id)
    text = turn.t("posts.created", name=post.name) + "\n\n" + card_text(turn, post)
    show(turn, text, card_rows(turn, post))
    if turn.update.callback_query is None:
        # A typed radius: the question's radius buttons have nothing left to do.
        turn.prompt_buttons_off(dialogue)


# -- member tags (required by some shifts) ---------------------------------------------------


async def tag(turn: Turn) -> None:
    """/tag <name> <tag> gives or takes a tag; /tag alone lists each tag with its holders."""
    t = turn.t
    args = turn.args
    if len(args) < 2:
        found = await tags.directory(turn.session, turn.actor)
        separator = t("common.list_separator")
        lines = [t("tags.usage"), ""]
        lines += [
            t("tags.holders", count=len(names), tag=tag, names=separator.join(names))
            for tag, names in found.holders.items()
        ]
        if not found.holders:
            lines.append(t("tags.none"))
        elif found.untagged:
            lines.append(t("tags.untagged", count=found.untagged))
        lines.append(t("tags.on_card"))
        turn.reply("\n".join(lines))
        return
    member, given = await tags.toggle(
        turn.session, turn.actor, " ".join(args[:-1]), args[-1], turn.now
    )
    key = "tags.given" if given else "tags.taken"
    turn.reply(t(key, name=member.display_name, tag=args[-1].strip()))
