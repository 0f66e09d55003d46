"""Admins and coordinators: units (/units) and invite links (/invite)."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot.db.models import Dialogue, DialogueKind, Role, Unit
from bot.services.people import invites, units
from bot.services.platform import dialogues
from handlers.keyboards import (
    button,
    callback_args,
    cancel_row,
    inline,
    int_arg,
    page,
    page_offset,
)
from handlers.turn import Turn

UNIT_NEW_BUTTON = "unit.new"
UNIT_RENAME_BUTTON = "unit.ren"
UNIT_PAGE_BUTTON = "unit.p"  # unit.p:<offset>
INVITE_UNIT_BUTTON = "inv.u"
INVITE_PAGE_BUTTON = "inv.p"  # inv.p:<offset>
INVITE_ROLE_BUTTON = "inv.r"
DIALOGUE_UNIT_NEW = DialogueKind.UNIT_NEW
DIALOGUE_UNIT_RENAME = DialogueKind.UNIT_RENAME


async def list_units(turn: Turn) -> None:
    turn.actor.require(Role.ADMIN)
    text, markup = await _units_view(turn, 0)
    turn.reply(text, markup)


async def units_page(turn: Turn) -> None:
    """Another page of /units: each unit has two buttons, a keyboard holds 100."""
    turn.actor.require(Role.ADMIN)
    query = turn.update.callback_query
    assert query is not None
    offset = page_offset(query.data, UNIT_PAGE_BUTTON)
    if offset is None:
        turn.answer(turn.t("common.stale_button"), alert=True)
        return
    text, markup = await _units_view(turn, offset)
    turn.edit(text, markup)


async def _units_view(turn: Turn, offset: int) -> tuple[str, InlineKeyboardMarkup]:
    t = turn.t
    summaries = await units.list_with_counts(turn.session)
    shown = page(t, summaries, offset, UNIT_PAGE_BUTTON)
    lines = [t("units.header")]
    lines += [
        t("units.line", name=summary.unit.name, count=summary.members) for summary in shown.items
    ]
    if not summaries:
        lines.append(t("units.none"))
    if shown.line is not None:
        lines.append(shown.line)
    rows = [[button(t("units.button.new"), UNIT_NEW_BUTTON)]]
    rows += [
        [
            button(
                t("units.button.rename", name=summary.unit.name),
                f"{UNIT_RENAME_BUTTON}:{summary.unit.id}",
            ),
            button(t("units.button.invite"), f"{INVITE_UNIT_BUTTON}:{summary.unit.id}"),
        ]
        for summary in shown.items
    ]
    rows += shown.nav_rows
    return "\n".join(lines), inline(rows)


async def ask_unit_name(turn: Turn) -> None:
    turn.actor.require(Role.ADMIN)
    await dialogues.begin(turn.session, turn.user_id, DIALOGUE_UNIT_NEW, "name", turn.now)
    turn.edit(turn.t("units.ask_name"), inline([cancel_row(turn.t)]))


async def ask_unit_rename(turn: Turn) -> None:
    turn.actor.require(Role.ADMIN)
    query = turn.update.callback_query
    assert query is not None
    unit_id = int_arg(callback_args(query.data, UNIT_RENAME_BUTTON), 0)
    if unit_id is None:
        turn.answer(turn.t("common.stale_button"), alert=True)
        return
    unit = await units.get(turn.session, unit_id)
    await dialogues.begin(
        turn.session, turn.user_id, DIALOGUE_UNIT_RENAME, "name", turn.now, {"unit_id": unit.id}
    )
    turn.edit(turn.t("units.ask_rename", name=unit.name), inline([cancel_row(turn.t)]))


async def on_unit_name(turn: Turn, dialogue: Dialogue) -> None:
    t = turn.t
    message = turn.message
    if message is None or not message.text:
        turn.reply(t("units.need_text"), inline([cancel_row(t)]))
        return
    if dialogue.kind == DIALOGUE_UNIT_RENAME:
        unit = await units.rename(
            turn.session, turn.actor, int(dialogue.data["unit_id"]), message.text, turn.now
        )
        text = t("units.renamed", name=unit.name)
    else:
        unit = await units.create(turn.session, turn.actor, message.text, turn.now)
        text = t("units.created", name=unit.name)
    await dialogues.end(turn.session, turn.user_id)
    turn.reply(
        text, inline([[button(t("units.button.invite"), f"{INVITE_UNIT_BUTTON}:{unit.id}")]])
    )


async def start_invite(turn: Turn) -> None:
    t = turn.t
    choices = await units.visible_to(turn.session, turn.actor)
    if not invites.roles_actor_may_invite(turn.actor):
        turn.reply(t("error.forbidden"))
        return
    if not choices:
        turn.reply(t("invite.no_units"))
        return
    if len(choices) == 1:
        await _offer_roles(turn, choices[0].id)
        return
    turn.reply(*_invite_picker(turn, choices, 0))


async def invite_page(turn: Turn) -> None:
    """Another page of the units to invite to."""
    t = turn.t
    query = turn.update.callback_query
    assert query is not None
    offset = page_offset(query.data, INVITE_PAGE_BUTTON)
    choices = await units.visible_to(turn.session, turn.actor)
    if offset is None or not choices or not invites.roles_actor_may_invite(turn.actor):
        turn.answer(t("common.stale_button"), alert=True)
        return
    turn.edit(*_invite_picker(turn, choices, offset))


def _invite_picker(
    turn: Turn, choices: list[Unit], offset: int
) -> tuple[str, InlineKeyboardMarkup]:
    t = turn.t
    shown = page(t, choices, offset, INVITE_PAGE_BUTTON)
    rows = [[button(unit.name, f"{INVITE_UNIT_BUTTON}:{unit.id}")] for unit in shown.items]
    text = t("invite.pick_unit")
    if shown.line is not None:
        text += "\n" + shown.line
    return text, inline([*rows, *shown.nav_rows, cancel_row(t)])


async def pick_invite_unit(turn: Turn) -> None:
    query = turn.update.callback_query
    assert query is not None
    unit_id = int_arg(callback_args(query.data, INVITE_UNIT_BUTTON), 0)
    if unit_id is None:
        turn.answer(turn.t("common.stale_button"), alert=True)
        return
    await _offer_roles(turn, unit_id)


async def _offer_roles(turn: Turn, unit_id: int) -> None:
    t = turn.t
    turn.actor.require_unit(unit_id, Role.COORDINATOR)
    unit = await units.get(turn.session, unit_id)
    roles = invites.roles_actor_may_invite(turn.actor)
    if len(roles) == 1:
        await _issue(turn, unit_id, roles[0])
        return
    rows = [
        [button(t(f"role.{role.value}"), f"{INVITE_ROLE_BUTTON}:{unit_id}:{role.value}")]
        for role in roles
    ]
    text = t("invite.pick_role", unit=unit.name)
    if turn.update.callback_query is not None:
        turn.edit(text, inline([*rows, cancel_row(t)]))
    else:
        turn.reply(text, inline([*rows, cancel_row(t)]))


async def pick_invite_role(turn: Turn) -> None:
    query = turn.update.callback_query
    assert query is not None
    args = callback_args(query.data, INVITE_ROLE_BUTTON)
    unit_id = int_arg(args, 0)
    role = next((r for r in Role if len(args) > 1 and r.value == args[1]), None)
    if unit_id is None or role is None:
        turn.answer(turn.t("common.stale_button"), alert=True)
        return
    await _issue(turn, unit_id, role)


async def _issue(turn: Turn, unit_id: int, role: Role) -> None:
    t = turn.t
    invite = await invites.create(turn.session, turn.actor, unit_id, role, turn.now)
    text = t(
        "invite.created",
        unit=invite.unit.name,
        role=t(f"role.{role.value}"),
        link=turn.runtime.deep_link(invite.code),
        count=invite.max_uses,
        expires=t.datetime(invite.expires_at),
    )
    if turn.update.callback_query is not None:
        turn.edit(text)
    else:
        turn.reply(text)
