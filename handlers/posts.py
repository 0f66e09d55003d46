"""Coordinators: duty posts. /posts lists them with a card each (rename, move, radius, archive,
shifts); /newpost asks name, type, unit, a location pin and the radius."""

from __future__ import annotations

from telegram import InlineKeyboardButton

from bot.db.models import Dialogue, DialogueKind, Post, PostType, Role, Unit
from bot.errors import DomainError, ErrorCode
from bot.services.people import tags, units
from bot.services.platform import dialogues
from bot.services.schedule import posts, shifts
from bot.services.schedule.shift_text import post_type_name, shift_label
from handlers.keyboards import (
    button,
    callback_args,
    cancel_row,
    inline,
    int_arg,
    page,
    page_offset,
)
from handlers.longtext import reply_long
from handlers.newshift import NEW_FOR_POST_BUTTON
from handlers.screens import pressed_id, show
from handlers.shift_card import CARD_BUTTON as SHIFT_CARD_BUTTON
from handlers.turn import Turn

DIALOGUE_NEW = DialogueKind.POST_NEW
DIALOGUE_EDIT = DialogueKind.POST_EDIT
CARD_BUTTON = "po"
PAGE_BUTTON = "po.p"  # po.p:<offset>
RENAME_BUTTON = "po.ren"
MOVE_BUTTON = "po.loc"
RADIUS_BUTTON = "po.rad"
ARCHIVE_BUTTON = "po.arc"
SHIFTS_BUTTON = "po.sh"
NEW_UNIT_BUTTON = "np.u"
NEW_UNIT_PAGE_BUTTON = "np.p"  # np.p:<offset>
NEW_TYPE_BUTTON = "np.t"
NEW_RADIUS_BUTTON = "np.r"
RADIUS_CHOICES = (50, 100, 300, 500)


async def list_posts(turn: Turn) -> None:
    await _list_page(turn, 0)


async def page_posts(turn: Turn) -> None:
    """Another page of /posts; a forged offset changes nothing."""
    query = turn.update.callback_query
    assert query is not None
    offset = page_offset(query.data, PAGE_BUTTON)
    if offset is None:
        turn.answer(turn.t("common.stale_button"), alert=True)
        return
    await _list_page(turn, offset)


async def _list_page(turn: Turn, offset: int) -> None:
    """A page of the posts the actor manages (an admin: the whole city, archived ones too),
    with a button for each: Telegram takes at most 100 buttons in one keyboard."""
    t = turn.t
    found = await posts.managed(turn.session, turn.actor, include_archived=True)
    if not found:
        show(turn, t("posts.none"))
        return
    shown = page(t, found, offset, PAGE_BUTTON, line_key="posts.page")
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
        rows.append([button(post.name, f"{CARD_BUTTON}:{post.id}")])
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
            button(t("posts.button.rename"), f"{RENAME_BUTTON}:{post.id}"),
            button(t("posts.button.move"), f"{MOVE_BUTTON}:{post.id}"),
            button(t("posts.button.radius"), f"{RADIUS_BUTTON}:{post.id}"),
        ],
        [
            button(t("posts.button.shifts"), f"{SHIFTS_BUTTON}:{post.id}"),
            button(t(archive), f"{ARCHIVE_BUTTON}:{post.id}"),
        ],
    ]
    if not post.archived:
        rows[1].insert(1, button(t("posts.button.new_shift"), f"{NEW_FOR_POST_BUTTON}:{post.id}"))
    return rows


async def show_card(turn: Turn) -> None:
    post_id = pressed_id(turn, CARD_BUTTON)
    if post_id is None:
        turn.answer(turn.t("common.stale_button"), alert=True)
        return
    post = await posts.get_managed(turn.session, turn.actor, post_id)
    show(turn, card_text(turn, post), card_rows(turn, post))


async def toggle_archive(turn: Turn) -> None:
    post_id = pressed_id(turn, ARCHIVE_BUTTON)
    if post_id is None:
        turn.answer(turn.t("common.stale_button"), alert=True)
        return
    post = await posts.get_managed(turn.session, turn.actor, post_id)
    post = await posts.update(
        turn.session, turn.actor, post.id, turn.now, archived=not post.archived
    )
    turn.answer(turn.t("posts.archived" if post.archived else "posts.unarchived"))
    show(turn, card_text(turn, post), card_rows(turn, post))


async def list_post_shifts(turn: Turn) -> None:
    t = turn.t
    post_id = pressed_id(turn, SHIFTS_BUTTON)
    if post_id is None:
        turn.answer(t("common.stale_button"), alert=True)
        return
    post = await posts.get_managed(turn.session, turn.actor, post_id)
    upcoming = await shifts.upcoming_of_post(turn.session, turn.actor, post.id, turn.now)
    lines = [t("posts.shifts_header", name=post.name)]
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
        rows.append([button(label, f"{SHIFT_CARD_BUTTON}:{item.shift.id}")])
    if not upcoming:
        lines.append(t("posts.no_shifts"))
    rows.append([button(t("shifts.button.back"), f"{CARD_BUTTON}:{post.id}")])
    show(turn, "\n".join(lines), rows)


# -- editing: a dialogue step that waits for text or a location ------------------------------


async def _begin_edit(turn: Turn, prefix: str, step: str, prompt: str) -> None:
    post_id = pressed_id(turn, prefix)
    if post_id is None:
        turn.answer(turn.t("common.stale_button"), alert=True)
        return
    post = await posts.get_managed(turn.session, turn.actor, post_id)
    await dialogues.begin(
        turn.session, turn.user_id, DIALOGUE_EDIT, step, turn.now, {"post_id": post.id}
    )
    rows = [cancel_row(turn.t)]
    if step == "radius":
        rows.insert(0, _radius_row(turn, f"{RADIUS_BUTTON}:{post.id}"))
    turn.edit(turn.t(prompt, name=post.name), inline(rows))


def _radius_row(turn: Turn, prefix: str) -> list[InlineKeyboardButton]:
    return [button(f"{r} m", f"{prefix}:{r}") for r in RADIUS_CHOICES]


async def ask_rename(turn: Turn) -> None:
    await _begin_edit(turn, RENAME_BUTTON, "name", "posts.ask_rename")


async def ask_move(turn: Turn) -> None:
    await _begin_edit(turn, MOVE_BUTTON, "location", "posts.ask_move")


async def ask_radius(turn: Turn) -> None:
    query = turn.update.callback_query
    assert query is not None
    args = callback_args(query.data, RADIUS_BUTTON)
    if len(args) == 2:  # a radius button of the prompt
        post_id, radius = int_arg(args, 0), int_arg(args, 1)
        if post_id is None or radius is None:
            turn.answer(turn.t("common.stale_button"), alert=True)
            return
        post = await posts.update(turn.session, turn.actor, post_id, turn.now, radius_m=radius)
        await dialogues.end(turn.session, turn.user_id)
        show(turn, card_text(turn, post), card_rows(turn, post))
        return
    await _begin_edit(turn, RADIUS_BUTTON, "radius", "posts.ask_radius")


async def on_edit(turn: Turn, dialogue: Dialogue) -> None:
    t = turn.t
    message = turn.message
    assert message is not None
    post_id = int(dialogue.data["post_id"])
    if dialogue.step == "location":
        if message.location is None:
            turn.reply(t("posts.need_location"), inline([cancel_row(t)]))
            return
        location = (message.location.latitude, message.location.longitude)
        post = await posts.update(turn.session, turn.actor, post_id, turn.now, location=location)
    elif dialogue.step == "radius":
        radius = _int_text(message.text)
        if radius is None:
            turn.reply(t("posts.need_radius"), inline([cancel_row(t)]))
            return
        post = await posts.update(turn.session, turn.actor, post_id, turn.now, radius_m=radius)
    else:
        if not message.text:
            turn.reply(t("posts.need_name"), inline([cancel_row(t)]))
            return
        post = await posts.update(turn.session, turn.actor, post_id, turn.now, name=message.text)
    await dialogues.end(turn.session, turn.user_id)
    turn.reply(card_text(turn, post), inline(card_rows(turn, post)))


def _int_text(text: str | None) -> int | None:
    cleaned = (text or "").strip().lower().removesuffix("m").removesuffix("米").strip()
    return int(cleaned) if cleaned.isdigit() else None


# -- /newpost --------------------------------------------------------------------------------


async def start_new(turn: Turn) -> None:
    t = turn.t
    turn.actor.require(Role.COORDINATOR)
    choices = await units.visible_to(turn.session, turn.actor)
    if not choices:
        turn.reply(t("posts.no_units"))
        return
    if len(choices) == 1:
        await dialogues.begin(
            turn.session, turn.user_id, DIALOGUE_NEW, "name", turn.now, {"unit_id": choices[0].id}
        )
        turn.reply(t("posts.ask_name", unit=choices[0].name), inline([cancel_row(t)]))
        return
    await dialogues.begin(turn.session, turn.user_id, DIALOGUE_NEW, "unit", turn.now)
    _ask_unit(turn, choices, 0)


def _ask_unit(turn: Turn, choices: list[Unit], offset: int) -> None:
    t = turn.t
    shown = page(t, choices, offset, NEW_UNIT_PAGE_BUTTON)
    rows = [[button(unit.name, f"{NEW_UNIT_BUTTON}:{unit.id}")] for unit in shown.items]
    text = t("posts.pick_unit")
    if shown.line is not None:
        text += "\n" + shown.line
    show(turn, text, [*rows, *shown.nav_rows, cancel_row(t)])


async def _new_dialogue(turn: Turn, step: str) -> Dialogue | None:
    dialogue = await dialogues.current(turn.session, turn.user_id)
    if dialogue is None or dialogue.kind != DIALOGUE_NEW or dialogue.step != step:
        turn.answer(turn.t("common.stale_button"), alert=True)
        return None
    return dialogue


async def page_new_units(turn: Turn) -> None:
    """Another page of units at the unit step of /newpost."""
    query = turn.update.callback_query
    assert query is not None
    offset = page_offset(query.data, NEW_UNIT_PAGE_BUTTON)
    dialogue = await _new_dialogue(turn, "unit")
    if dialogue is None:
        return
    choices = await units.visible_to(turn.session, turn.actor)
    if offset is None or not choices:
        turn.answer(turn.t("common.stale_button"), alert=True)
        return
    _ask_unit(turn, choices, offset)


async def pick_new_unit(turn: Turn) -> None:
    t = turn.t
    unit_id = pressed_id(turn, NEW_UNIT_BUTTON)
    dialogue = await _new_dialogue(turn, "unit")
    if dialogue is None:
        return
    if unit_id is None:
        turn.answer(t("common.stale_button"), alert=True)
        return
    turn.actor.require_unit(unit_id, Role.COORDINATOR)
    unit = await units.get(turn.session, unit_id)
    dialogues.advance(dialogue, "name", turn.now, unit_id=unit.id)
    turn.edit(t("posts.ask_name", unit=unit.name), inline([cancel_row(t)]))


async def pick_new_type(turn: Turn) -> None:
    t = turn.t
    query = turn.update.callback_query
    assert query is not None
    args = callback_args(query.data, NEW_TYPE_BUTTON)
    kind = next((k for k in PostType if args and k.value == args[0]), None)
    dialogue = await _new_dialogue(turn, "type")
    if dialogue is None:
        return
    if kind is None:
        turn.answer(t("common.stale_button"), alert=True)
        return
    dialogues.advance(dialogue, "location", turn.now, type=kind.value)
    turn.edit(t("posts.chosen_type", kind=post_type_name(t, kind)))
    turn.reply(t("posts.ask_location"), inline([cancel_row(t)]))


async def pick_new_radius(turn: Turn) -> None:
    radius = pressed_id(turn, NEW_RADIUS_BUTTON)
    dialogue = await _new_dialogue(turn, "radius")
    if dialogue is None:
        return
    if radius is None:
        turn.answer(turn.t("common.stale_button"), alert=True)
        return
    await _create(turn, dialogue, radius)


async def on_new(turn: Turn, dialogue: Dialogue) -> None:
    t = turn.t
    message = turn.message
    assert message is not None
    if dialogue.step == "unit":
        turn.reply(t("posts.need_unit_button"))
    elif dialogue.step == "name":
        if not message.text:
            turn.reply(t("posts.need_name"), inline([cancel_row(t)]))
            return
        name = posts.clean_name(message.text)
        if await posts.by_name(turn.session, int(dialogue.data["unit_id"]), name) is not None:
            raise DomainError(ErrorCode.POST_NAME_TAKEN, name=name)
        dialogues.advance(dialogue, "type", turn.now, name=name)
        rows = [
            [button(post_type_name(t, kind), f"{NEW_TYPE_BUTTON}:{kind.value}")]
            for kind in PostType
        ]
        turn.reply(t("posts.ask_type", name=name), inline([*rows, cancel_row(t)]))
    elif dialogue.step == "type":
        turn.reply(t("posts.need_type_button"))
    elif dialogue.step == "location":
        if message.location is None:
            turn.reply(t("posts.need_location"), inline([cancel_row(t)]))
            return
        posts.check_location(message.location.latitude, message.location.longitude)
        dialogues.advance(
            dialogue,
            "radius",
            turn.now,
            latitude=message.location.latitude,
            longitude=message.location.longitude,
        )
        default = turn.runtime.settings.default_post_radius_m
        rows = [
            [
                button(
                    t("posts.button.default_radius", radius=default),
                    f"{NEW_RADIUS_BUTTON}:{default}",
                )
            ],
            _radius_row(turn, NEW_RADIUS_BUTTON),
            cancel_row(t),
        ]
        turn.reply(t("posts.ask_new_radius", default=default), inline(rows))
    else:
        radius = _int_text(message.text)
        if radius is None:
            turn.reply(t("posts.need_radius"), inline([cancel_row(t)]))
            return
        await _create(turn, dialogue, radius)


async def _create(turn: Turn, dialogue: Dialogue, radius: int) -> None:
    data = dialogue.data
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
    await dialogues.end(turn.session, turn.user_id)
    text = turn.t("posts.created", name=post.name) + "\n\n" + card_text(turn, post)
    show(turn, text, card_rows(turn, post))


# -- member tags (required by some shifts) ---------------------------------------------------


async def tag(turn: Turn) -> None:
    """/tag <name> <tag> gives or takes a tag; /tag alone lists the members and their tags."""
    t = turn.t
    args = turn.args
    if len(args) < 2:
        people = await tags.members(turn.session, turn.actor)
        lines = [t("tags.usage")]
        lines += [
            t(
                "tags.line",
                name=member.display_name,
                tags=t("common.list_separator").join(sorted(member.tags)) or "-",
            )
            for member in people
        ]
        reply_long(turn, lines)
        return
    member, given = await tags.toggle(
        turn.session, turn.actor, " ".join(args[:-1]), args[-1], turn.now
    )
    key = "tags.given" if given else "tags.taken"
    turn.reply(t(key, name=member.display_name, tag=args[-1].strip()))
