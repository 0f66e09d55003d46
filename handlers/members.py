"""A unit's members and the way out of a unit: /members lists them (an admin picks the unit
first), each with a card (roles, tags, phone, shifts ahead) where a coordinator removes a
volunteer or leader of the unit and an admin removes anyone or takes one role away, and where
the unit's tags are given and taken with a press (as /tag does); /me offers the member
退出本单位. The rules and the effects are ``rostering.departure``'s and ``people.tags``'."""

from __future__ import annotations

from telegram import InlineKeyboardButton

from bot.buttons import (
    LeaveUnit,
    LeaveUnitConfirm,
    MemberCard,
    MemberRemove,
    MemberRemoveConfirm,
    MemberRoleTake,
    MemberRoleTakeConfirm,
    MembersUnit,
    MembersUnitPage,
    MemberTagToggle,
)
from bot.db.models import Member, Role, Unit
from bot.services.people import tags, units
from bot.services.rostering import departure
from bot.services.schedule.shift_text import shift_label
from handlers.keyboards import button, close_row, inline, page
from handlers.menus import refresh_menu, role_names
from handlers.screens import show
from handlers.turn import Turn

# Tag buttons on a card, three a row: Telegram refuses a keyboard of more than 100 buttons.
TAG_BUTTONS_MAX = 30
TAGS_A_ROW = 3


async def start(turn: Turn) -> None:
    """/members: the coordinator's unit; an admin picks one (a page of units at a time)."""
    choices = await units.visible_to(turn.session, turn.actor)
    if not choices:
        turn.reply(turn.t("invite.no_units"))
        return
    if len(choices) == 1 or not turn.actor.is_admin:
        await _list(turn, choices[0], 0)
        return
    _unit_picker(turn, choices, 0)


async def unit_page(turn: Turn, data: MembersUnitPage) -> None:
    choices = await units.visible_to(turn.session, turn.actor)
    if not choices:
        turn.stale()
        return
    _unit_picker(turn, choices, data.offset)


def _unit_picker(turn: Turn, choices: list[Unit], offset: int) -> None:
    t = turn.t
    shown = page(t, choices, offset, MembersUnitPage)
    rows = [[button(unit.name, MembersUnit(unit.id))] for unit in shown.items]
    text = t("members.pick_unit")
    if shown.line is not None:
        text += "\n" + shown.line
    show(turn, text, [*rows, *shown.nav_rows, close_row(t)])


async def pick_unit(turn: Turn, data: MembersUnit) -> None:
    await _list(turn, await units.get(turn.session, data.unit_id), data.offset or 0)


async def _list(turn: Turn, unit: Unit, offset: int) -> None:
    """A page of the unit's members, by name, with a card button each."""
    t = turn.t
    people = await departure.roster(turn.session, turn.actor, unit.id)
    if not people:
        show(turn, t("members.none", unit=unit.name))
        return
    shown = page(
        t,
        people,
        offset,
        lambda at: MembersUnit(unit.id, at),
        line_key="members.page",
    )
    lines = [t("members.header", unit=unit.name, count=len(people))]
    if shown.line is not None:
        lines.append(shown.line)
    rows = []
    for member in shown.items:
        lines.append(t("members.line", name=member.display_name, roles=_roles(turn, member)))
        rows.append([button(member.display_name, MemberCard(member.id))])
    show(turn, "\n".join(lines), [*rows, *shown.nav_rows])


def _roles(turn: Turn, member: Member) -> str:
    return role_names(turn.t, member.roles)


async def show_card(turn: Turn, data: MemberCard) -> None:
    await _card(turn, data.member_id)


async def toggle_tag(turn: Turn, data: MemberTagToggle) -> None:
    """A tag button of the card: give or take it, then the card again with what changed."""
    toggled = await tags.toggle_by_key(
        turn.session, turn.actor, data.member_id, data.key, data.give, turn.now
    )
    if toggled is None:
        turn.stale()
        return
    key = "tags.given" if toggled.given else "tags.taken"
    await _card(
        turn, data.member_id, turn.t(key, name=toggled.member.display_name, tag=toggled.tag)
    )


async def _card(turn: Turn, member_id: int, notice: str | None = None) -> None:
    t = turn.t
    settings = turn.runtime.settings
    card = await departure.card(turn.session, turn.actor, member_id, turn.now, settings)
    member = card.member
    lines = [
        t(
            "members.card",
            name=member.display_name,
            unit=member.unit.name if member.unit is not None else "-",
            roles=role_names(t, frozenset(card.roles)),
            tags=t("common.list_separator").join(sorted(member.tags)) or "-",
            phone=member.phone or "-",
            count=len(card.upcoming),
        )
    ]
    lines += [f"• {shift_label(t, seat.shift)}" for seat in card.upcoming]
    rows: list[list[InlineKeyboardButton]] = []
    if card.tags is not None:
        tag_lines, tag_rows = _tag_buttons(turn, member, card.tags)
        lines += tag_lines
        rows += tag_rows
    if card.removable:
        rows.append([button(t("members.button.remove"), MemberRemove(member.id))])
    if card.takeable:
        rows.append(
            [
                button(
                    t("members.button.take_role", role=t(f"role.{role.value}")),
                    MemberRoleTake(member.id, role),
                )
                for role in card.takeable
            ]
        )
    assert member.unit_id is not None
    rows.append([button(t("shifts.button.back"), MembersUnit(member.unit_id))])
    text = "\n".join(lines)
    if notice is not None:
        text = notice + "\n\n" + text
    show(turn, text, rows)


def _tag_buttons(
    turn: Turn, member: Member, unit_tags: list[str]
) -> tuple[list[str], list[list[InlineKeyboardButton]]]:
    """The card's lines and buttons for the unit's tags: ✅ one the member has, ➕ one to give;
    a unit without any is told how /tag makes the first."""
    t = turn.t
    if not unit_tags:
        return [t("members.no_tags", name=member.display_name)], []
    shown = unit_tags
    lines = [t("members.tags_hint")]
    if len(unit_tags) > TAG_BUTTONS_MAX:
        # The member's own first, so that each of theirs can be taken away here.
        others = [tag for tag in unit_tags if tag not in member.tags]
        shown = sorted([*sorted(member.tags), *others][:TAG_BUTTONS_MAX])
        lines.append(t("members.tags_more", count=len(unit_tags) - len(shown)))
    buttons = [
        button(
            t("members.button.tag_on" if tag in member.tags else "members.button.tag_off", tag=tag),
            MemberTagToggle(member.id, tags.tag_key(tag), tag not in member.tags),
        )
        for tag in shown
    ]
    rows = [buttons[at : at + TAGS_A_ROW] for at in range(0, len(buttons), TAGS_A_ROW)]
    return lines, rows


async def ask_remove(turn: Turn, data: MemberRemove) -> None:
    t = turn.t
    member, count = await departure.removable(
        turn.session, turn.actor, data.member_id, turn.now, turn.runtime.settings
    )
    unit = member.unit.name if member.unit is not None else "-"
    show(
        turn,
        t("members.confirm_remove", name=member.display_name, unit=unit, count=count),
        [
            [
                button(
                    t("members.button.confirm_remove"),
                    MemberRemoveConfirm(member.id, member.unit_id),
                ),
                button(t("shifts.button.back"), MemberCard(member.id)),
            ]
        ],
    )


async def remove(turn: Turn, data: MemberRemoveConfirm) -> None:
    departed = await departure.remove(
        turn.session,
        turn.actor,
        data.member_id,
        turn.now,
        turn.runtime.settings,
        unit_id=data.unit_id,
    )
    _menu_of_the_departed(turn, departed.member)
    turn.edit(
        turn.t(
            "members.removed",
            name=departed.member.display_name,
            unit=departed.unit_name,
            count=len(departed.released),
        )
    )


async def ask_take_role(turn: Turn, data: MemberRoleTake) -> None:
    t = turn.t
    settings = turn.runtime.settings
    card = await departure.card(turn.session, turn.actor, data.member_id, turn.now, settings)
    member = card.member
    if data.role not in card.takeable:
        turn.stale()
        return
    role = t(f"role.{data.role.value}")
    left = member.roles - {data.role}
    if not left:
        _, count = await departure.removable(
            turn.session, turn.actor, member.id, turn.now, settings
        )
        unit = member.unit.name if member.unit is not None else "-"
        text = t(
            "members.confirm_last_role",
            name=member.display_name,
            role=role,
            unit=unit,
            count=count,
        )
    else:
        text = t("members.confirm_take_role", name=member.display_name, role=role)
        if card.upcoming and departure.stands_down(member.roles, data.role):
            text += "\n" + t("members.confirm_seats_released", count=len(card.upcoming))
    show(
        turn,
        text,
        [
            [
                button(
                    t("members.button.confirm_take_role"),
                    MemberRoleTakeConfirm(
                        member.id, data.role, removes=not left, unit_id=member.unit_id
                    ),
                ),
                button(t("shifts.button.back"), MemberCard(member.id)),
            ]
        ],
    )


async def take_role(turn: Turn, data: MemberRoleTakeConfirm) -> None:
    t = turn.t
    result = await departure.take_role(
        turn.session,
        turn.actor,
        data.member_id,
        data.role,
        turn.now,
        turn.runtime.settings,
        removes=data.removes,
        unit_id=data.unit_id,
    )
    if isinstance(result, departure.Departed):
        _menu_of_the_departed(turn, result.member)
        turn.edit(
            t(
                "members.removed",
                name=result.member.display_name,
                unit=result.unit_name,
                count=len(result.released),
            )
        )
        return
    member = result.member
    _menu_of(turn, member, member.roles)
    text = t(
        "members.role_taken",
        name=member.display_name,
        role=t(f"role.{result.role.value}"),
        roles=role_names(t, member.roles),
    )
    if result.released:
        text += "\n" + t("members.seats_released", count=len(result.released))
    turn.edit(text, inline([[button(t("shifts.button.back"), MemberCard(member.id))]]))


def _menu_of_the_departed(turn: Turn, member: Member) -> None:
    admin = member.telegram_id in turn.runtime.settings.admin_ids
    _menu_of(turn, member, frozenset({Role.ADMIN}) if admin else frozenset())


def _menu_of(turn: Turn, member: Member, roles: frozenset[Role]) -> None:
    """The command menu of the person changed, in their language, for the roles they keep."""
    t = turn.runtime.translator(member.language or turn.runtime.settings.default_language)
    turn.set_menu(
        turn.registry.menu_for(roles, t, turn.runtime.settings), chat_id=member.telegram_id
    )


def leave_button(turn: Turn, member: Member) -> list[list[InlineKeyboardButton]]:
    """/me's 退出本单位, for a member of a unit."""
    if member.unit_id is None:
        return []
    return [[button(turn.t("members.button.leave"), LeaveUnit(member.unit_id))]]


async def ask_leave(turn: Turn, data: LeaveUnit) -> None:
    t = turn.t
    member, count = await departure.leavable(turn.session, turn.actor, turn.now)
    if member.unit_id != data.unit_id:
        turn.stale()
        return
    unit = member.unit.name if member.unit is not None else "-"
    show(
        turn,
        t("members.confirm_leave", unit=unit, count=count),
        [
            [button(t("members.button.confirm_leave"), LeaveUnitConfirm(data.unit_id))],
            close_row(t),
        ],
    )


async def leave(turn: Turn, data: LeaveUnitConfirm) -> None:
    departed = await departure.leave_unit(
        turn.session, turn.actor, data.unit_id, turn.now, turn.runtime.settings
    )
    turn.edit(turn.t("members.left", unit=departed.unit_name, count=len(departed.released)))
    admin = turn.actor.is_admin
    refresh_menu(turn, frozenset({Role.ADMIN}) if admin else frozenset())
