"""Admins and coordinators: units (/units), invite links (/invite) and the active ones with a
button to revoke each (/invites)."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from telegram import InlineKeyboardMarkup

from bot.buttons import (
    CallbackData,
    InvitePage,
    InviteRevoke,
    InviteRole,
    InvitesUnit,
    InvitesUnitPage,
    InviteUnit,
    UnitArchive,
    UnitNew,
    UnitPage,
    UnitRename,
)
from bot.db.models import Dialogue, DialogueKind, Invite, Role, Unit
from bot.services.oversight import unit_archive
from bot.services.people import invites, units
from bot.services.platform import dialogues
from handlers.keyboards import button, cancel_row, close_row, inline, page
from handlers.turn import Turn

DIALOGUE_UNIT_NEW = DialogueKind.UNIT_NEW
DIALOGUE_UNIT_RENAME = DialogueKind.UNIT_RENAME


class UnitStep(StrEnum):
    """What the unit dialogues wait for."""

    NAME = "name"


async def list_units(turn: Turn) -> None:
    turn.actor.require(Role.ADMIN)
    text, markup = await _units_view(turn, 0)
    turn.reply(text, markup)


async def units_page(turn: Turn, data: UnitPage) -> None:
    """Another page of /units: each unit has up to three buttons, a keyboard holds 100."""
    turn.actor.require(Role.ADMIN)
    text, markup = await _units_view(turn, data.offset)
    turn.edit(text, markup)


async def toggle_unit_archive(turn: Turn, data: UnitArchive) -> None:
    archiving = await unit_archive.set_archived(
        turn.session, turn.actor, data.unit_id, data.archive, turn.now, turn.runtime.settings
    )
    done = archiving.done
    name = done.unit.name
    if not done.changed:
        key = "units.already_archived" if done.unit.archived else "units.already_restored"
        turn.answer(turn.t(key, name=name))
    elif done.unit.archived:
        lines = [
            turn.t("units.archived", name=name, count=done.links_revoked)
            if done.links_revoked
            else turn.t("units.archived_no_links", name=name)
        ]
        if archiving.reports_returned:
            lines.append(turn.t("units.archived_reports", count=archiving.reports_returned))
        turn.answer("\n".join(lines))
    else:
        turn.answer(turn.t("units.restored", name=name))
    text, markup = await _units_view(turn, data.offset)
    turn.edit(text, markup)


async def _units_view(turn: Turn, offset: int) -> tuple[str, InlineKeyboardMarkup]:
    t = turn.t
    summaries = await units.list_with_counts(turn.session)
    shown = page(t, summaries, offset, UnitPage)
    lines = [t("units.header")]
    lines += [
        t(
            "units.line_archived" if summary.unit.archived else "units.line",
            name=summary.unit.name,
            count=summary.members,
        )
        for summary in shown.items
    ]
    if not summaries:
        lines.append(t("units.none"))
    if shown.line is not None:
        lines.append(shown.line)
    rows = [[button(t("units.button.new"), UnitNew())]]
    for summary in shown.items:
        unit = summary.unit
        rename = button(t("units.button.rename", name=unit.name), UnitRename(unit.id))
        if unit.archived:
            rows.append(
                [rename, button(t("units.button.restore"), UnitArchive(unit.id, False, offset))]
            )
        else:
            rows.append(
                [
                    rename,
                    button(t("units.button.invite"), InviteUnit(unit.id)),
                    button(t("units.button.archive"), UnitArchive(unit.id, True, offset)),
                ]
            )
    rows += shown.nav_rows
    return "\n".join(lines), inline(rows)


async def ask_unit_name(turn: Turn, data: UnitNew) -> None:
    turn.actor.require(Role.ADMIN)
    dialogue = await dialogues.begin(
        turn.session, turn.user_id, DIALOGUE_UNIT_NEW, UnitStep.NAME, turn.now
    )
    turn.show_prompt(dialogue, turn.t("units.ask_name"), inline([cancel_row(turn.t)]))


async def ask_unit_rename(turn: Turn, data: UnitRename) -> None:
    turn.actor.require(Role.ADMIN)
    unit = await units.get(turn.session, data.unit_id)
    dialogue = await dialogues.begin(
        turn.session,
        turn.user_id,
        DIALOGUE_UNIT_RENAME,
        UnitStep.NAME,
        turn.now,
        {"unit_id": unit.id},
    )
    text = turn.t("units.ask_rename", name=unit.name)
    turn.show_prompt(dialogue, text, inline([cancel_row(turn.t)]))


async def on_unit_name(turn: Turn, dialogue: Dialogue) -> None:
    t = turn.t
    message = turn.message
    if message is None or not message.text:
        turn.prompt(dialogue, t("units.need_text"), inline([cancel_row(t)]))
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
    # An archived unit (renamed) takes no invite: its button could only be refused.
    invite = [] if unit.archived else [[button(t("units.button.invite"), InviteUnit(unit.id))]]
    turn.reply(text, inline(invite) if invite else None)


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


async def invite_page(turn: Turn, data: InvitePage) -> None:
    """Another page of the units to invite to."""
    choices = await units.visible_to(turn.session, turn.actor)
    if not choices or not invites.roles_actor_may_invite(turn.actor):
        turn.stale()
        return
    turn.edit(*_invite_picker(turn, choices, data.offset))


def _invite_picker(
    turn: Turn, choices: list[Unit], offset: int
) -> tuple[str, InlineKeyboardMarkup]:
    return _unit_picker(turn, choices, offset, "invite.pick_unit", InvitePage, InviteUnit)


def _unit_picker(
    turn: Turn,
    choices: list[Unit],
    offset: int,
    text_key: str,
    page_data: Callable[[int], CallbackData],
    pick_data: Callable[[int], CallbackData],
) -> tuple[str, InlineKeyboardMarkup]:
    """A page of the units to pick from, a button each, for /invite and /invites."""
    t = turn.t
    shown = page(t, choices, offset, page_data)
    rows = [[button(unit.name, pick_data(unit.id))] for unit in shown.items]
    text = t(text_key)
    if shown.line is not None:
        text += "\n" + shown.line
    return text, inline([*rows, *shown.nav_rows, close_row(t)])


async def pick_invite_unit(turn: Turn, data: InviteUnit) -> None:
    await _offer_roles(turn, data.unit_id)


async def _offer_roles(turn: Turn, unit_id: int) -> None:
    t = turn.t
    turn.actor.require_unit(unit_id, Role.COORDINATOR)
    unit = await units.get_open(turn.session, unit_id)
    roles = invites.roles_actor_may_invite(turn.actor)
    if len(roles) == 1:
        await _issue(turn, unit_id, roles[0])
        return
    rows = [[button(t(f"role.{role.value}"), InviteRole(unit_id, role))] for role in roles]
    text = t("invite.pick_role", unit=unit.name)
    if turn.update.callback_query is not None:
        turn.edit(text, inline([*rows, close_row(t)]))
    else:
        turn.reply(text, inline([*rows, close_row(t)]))


async def pick_invite_role(turn: Turn, data: InviteRole) -> None:
    await _issue(turn, data.unit_id, data.role)


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


async def list_invites(turn: Turn) -> None:
    """/invites: the coordinator's unit; an admin picks one (a page of units at a time)."""
    if not invites.roles_actor_may_invite(turn.actor):
        turn.reply(turn.t("error.forbidden"))
        return
    choices = await units.visible_to(turn.session, turn.actor)
    if not choices:
        turn.reply(turn.t("invite.no_units"))
        return
    if len(choices) == 1:
        await _invites_view(turn, choices[0].id, 0)
        return
    turn.reply(*_invites_unit_picker(turn, choices, 0))


async def invites_unit_page(turn: Turn, data: InvitesUnitPage) -> None:
    choices = await units.visible_to(turn.session, turn.actor)
    if not choices or not invites.roles_actor_may_invite(turn.actor):
        turn.stale()
        return
    turn.edit(*_invites_unit_picker(turn, choices, data.offset))


def _invites_unit_picker(
    turn: Turn, choices: list[Unit], offset: int
) -> tuple[str, InlineKeyboardMarkup]:
    return _unit_picker(turn, choices, offset, "invites.pick_unit", InvitesUnitPage, InvitesUnit)


async def pick_invites_unit(turn: Turn, data: InvitesUnit) -> None:
    await _invites_view(turn, data.unit_id, data.offset or 0)


async def revoke_invite(turn: Turn, data: InviteRevoke) -> None:
    t = turn.t
    result = await invites.revoke(turn.session, turn.actor, data.invite_id, turn.now)
    if result is None:
        turn.stale()
        return
    invite = result.invite
    role = t(f"role.{invite.role.value}")
    key = "invites.revoked" if result.now else "invites.already_revoked"
    turn.answer(t(key, role=role, tail=invites.tail(invite)))
    await _invites_view(turn, invite.unit_id, data.offset)


async def _invites_view(turn: Turn, unit_id: int, offset: int) -> None:
    """A page of the unit's active links, newest first, each with its role, uses, expiry and
    the end of its code, and a button to revoke those the actor may revoke."""
    t = turn.t
    active = await invites.active(turn.session, turn.actor, unit_id, turn.now)
    unit = await units.get(turn.session, unit_id)
    if not active:
        show_text = t("invites.none", unit=unit.name)
        if turn.update.callback_query is not None:
            turn.edit(show_text)
        else:
            turn.reply(show_text)
        return
    shown = page(t, active, offset, lambda at: InvitesUnit(unit_id, at), line_key="invites.page")
    lines = [t("invites.header", unit=unit.name)]
    rows = []
    for number, invite in enumerate(shown.items, start=shown.offset + 1):
        lines.append(_invite_line(turn, number, invite))
        if invites.may_revoke(turn.actor, invite):
            label = t(
                "invites.button.revoke",
                number=number,
                role=t(f"role.{invite.role.value}"),
                tail=invites.tail(invite),
            )
            rows.append([button(label, InviteRevoke(invite.id, shown.offset))])
    if shown.line is not None:
        lines.append(shown.line)
    markup = inline([*rows, *shown.nav_rows]) if rows or shown.nav_rows else None
    if turn.update.callback_query is not None:
        turn.edit("\n".join(lines), markup)
    else:
        turn.reply("\n".join(lines), markup)


def _invite_line(turn: Turn, number: int, invite: Invite) -> str:
    t = turn.t
    return t(
        "invites.line",
        number=number,
        role=t(f"role.{invite.role.value}"),
        uses=invite.uses,
        count=invite.max_uses,
        expires=t.datetime(invite.expires_at),
        tail=invites.tail(invite),
    )
