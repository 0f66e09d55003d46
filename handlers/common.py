"""What every member has: /help, /lang, /me, /cancel, and routing free messages to the dialogue
they belong to."""

from __future__ import annotations

from functools import cache

from telegram import Chat, ReplyKeyboardRemove

from bot.buttons import CancelDialogue, ClosePicker, KeepLanguage, SetLanguage
from bot.db.models import Role
from bot.i18n import LANGUAGES, catalogs, language_named
from bot.services.people import members
from bot.services.platform import dialogues
from handlers import broadcast, importer, zones
from handlers.board import menu_button_follows_language
from handlers.keyboards import button, inline
from handlers.members import leave_button
from handlers.menus import help_text, refresh_menu, role_names
from handlers.registration import admin_record, language_keyboard, to_private_chat
from handlers.routing import Where
from handlers.turn import Turn, refusal


async def show_help(turn: Turn) -> None:
    turn.reply(help_text(turn, turn.actor.roles))
    # The menu Telegram keeps for the chat was set when it last changed (joining, /lang, a
    # role): since then a release or a setting (BOARD_URL, ADMIN_IDS) may offer other commands.
    refresh_menu(turn, turn.actor.roles)


async def choose_language(turn: Turn) -> None:
    """/lang: the picker; /lang en (or 简体, zh-tw, ...): that language at once."""
    t = turn.t
    typed = language_named(" ".join(turn.args)) if turn.args else None
    if typed is not None:
        await _use_language(turn, typed)
        turn.reply(turn.t("language.changed", language=turn.t(f"language.name.{typed}")))
        return
    turn.reply(
        t("language.choose", current=t(f"language.name.{t.language}")),
        inline(
            [
                *language_keyboard(SetLanguage, t),
                [button(t("common.button.cancel"), KeepLanguage())],
            ]
        ),
    )


async def keep_language(turn: Turn, data: KeepLanguage) -> None:
    """The language picker closed: the dialogue /lang was sent in the middle of goes on."""
    t = turn.t
    turn.edit(t("language.kept", language=t(f"language.name.{t.language}")))


async def set_language(turn: Turn, data: SetLanguage) -> None:
    language = data.language
    if language not in LANGUAGES:
        turn.stale()
        return
    await _use_language(turn, language)
    turn.edit(turn.t("language.changed", language=turn.t(f"language.name.{language}")))


async def _use_language(turn: Turn, language: str) -> None:
    """The member's language from now on: their record, this turn's replies, their menus."""
    await members.set_language(await admin_record(turn), language)
    turn.use_language(language)
    refresh_menu(turn, turn.actor.roles)
    await menu_button_follows_language(turn)


async def show_profile(turn: Turn) -> None:
    t = turn.t
    actor = turn.actor
    if actor.member is None and actor.is_admin:
        # An admin whose record /start, /lang or a first change has not made yet (/me only
        # reads): who they are, not a stranger's way in.
        user = turn.update.effective_user
        assert user is not None
        turn.reply(t("registration.admin_welcome", name=user.full_name))
        return
    profile = members.profile(actor)
    member = profile.member
    turn.reply(
        t(
            "profile.card",
            name=member.display_name,
            unit=profile.unit_name or t("profile.no_unit"),
            roles=role_names(t, frozenset(profile.roles)),
            phone=member.phone or "-",
            language=t(f"language.name.{member.language or t.language}"),
            since=t.date(member.registered_at),
            tags=t("common.list_separator").join(sorted(member.tags)) or "-",
        ),
        inline(rows) if (rows := leave_button(turn, member)) else None,
    )


async def cancel(turn: Turn) -> None:
    ended = await dialogues.end(turn.session, turn.user_id)
    text = turn.t("common.cancelled" if ended else "common.nothing_to_cancel")
    if turn.update.callback_query is not None:
        turn.edit(text)
        return
    running = [] if ended else await broadcast.running_stoppable(turn)
    if running:
        # /cancel sent to call off a broadcast going out stops nothing: said so, rather than
        # "nothing in progress", with each running one the person may stop and its ⏹.
        turn.reply(turn.t("common.cancel_broadcast_running"), ReplyKeyboardRemove())
        broadcast.offer_stops(turn, running)
        return
    turn.reply(text, ReplyKeyboardRemove())


async def cancel_pressed(turn: Turn, data: CancelDialogue) -> None:
    chat = turn.update.effective_chat
    if chat is not None and chat.type != Chat.PRIVATE:
        # A picker in a group (/setgroup's) is closed by those who may use it, and a press
        # there ends nobody's private dialogue.
        if not turn.actor.is_admin:
            turn.answer(turn.t("error.forbidden"), alert=True)
            return
        turn.edit(turn.t("common.cancelled"))
        return
    dialogue = await dialogues.current(turn.session, turn.user_id)
    if dialogue is not None and not dialogues.carries(dialogue, data.mark):
        # The prompt's dialogue was replaced since: it closes, and the newer one goes on.
        turn.edit(turn.t("common.cancelled"))
        return
    await cancel(turn)


async def close_picker(turn: Turn, data: ClosePicker) -> None:
    """A picker of no dialogue closed; any dialogue open goes on. In a group, as a dialogue's
    ✖️ there, only admins close it."""
    chat = turn.update.effective_chat
    if chat is not None and chat.type != Chat.PRIVATE and not turn.actor.is_admin:
        turn.answer(turn.t("error.forbidden"), alert=True)
        return
    turn.edit(turn.t("common.cancelled"))


@cache
def _cancel_keys() -> frozenset[str]:
    """The Cancel key of a reply keyboard in every language: one shown before the person
    switched language (/lang in the middle of a dialogue) stays on screen until replaced."""
    return frozenset(
        str(catalogs()[language].messages["common.button.cancel_text"]) for language in LANGUAGES
    )


async def route_message(turn: Turn) -> None:
    """A message that is not a command continues the person's open dialogue, if any."""
    message = turn.message
    assert message is not None
    if message.text and message.text.strip() in _cancel_keys():
        await cancel(turn)
        return
    dialogue = await dialogues.current(turn.session, turn.user_id)
    route = turn.registry.dialogue(dialogue.kind) if dialogue is not None else None
    if dialogue is None or route is None:
        member = turn.actor.member
        # Someone never registered, or a member removed since: how to join, not "not understood".
        if not turn.actor.roles and (member is None or not member.active):
            turn.reply(turn.t("registration.stranger"))
        elif importer.hint_stray_sheet(turn) or zones.hint_stray_file(turn):
            return
        else:
            turn.reply(turn.t("common.not_understood"))
        return
    if route.roles is not None and not turn.actor.has_any(route.roles):
        await dialogues.end(turn.session, turn.user_id)
        turn.reply(turn.t("error.forbidden"))
        return
    await route.handler(turn, dialogue)


async def edited_message(turn: Turn) -> None:
    """An edit of a message already handled: say that it is not read, rather than stay silent
    while the person believes the correction took effect. (Live-location edits go elsewhere.)
    An edit of a text typed before one's announcement went out (its text, most likely) is told
    that the announcement goes out unchanged, with its ⏹ to stop it."""
    message = turn.message
    # Only a text may have been the announcement (a photo's caption, say, was not).
    running = (
        await broadcast.announcements_going_out(turn, message.date)
        if message is not None and message.text is not None
        else []
    )
    if running:
        turn.reply(turn.t("broadcast.edited_after_send"))
        broadcast.offer_stops(turn, running)
        return
    turn.reply(turn.t("common.edit_ignored"))


async def edited_in_group(turn: Turn) -> None:
    """A command of ours edited in a group: not read again (nor run), and said so there."""
    turn.reply(turn.t("common.edit_ignored"))


async def unknown_command(turn: Turn) -> None:
    message = turn.update.effective_message
    text = message.text if message is not None and message.text else ""
    name = text.split()[0].lstrip("/").split("@")[0].lower() if text.startswith("/") else ""
    group_only = next(
        (
            command
            for command in turn.context.registry.commands
            if command.name == name and command.where == Where.GROUP
        ),
        None,
    )
    if group_only is not None:
        await _may_use(turn, group_only.roles)
        turn.reply(turn.t("common.group_only_command", command=name))
        return
    turn.reply(turn.t("common.unknown_command"))


async def private_only_command(turn: Turn) -> None:
    """A command that works only in a private chat with the bot, sent in a group."""
    message = turn.update.effective_message
    text = message.text if message is not None and message.text else ""
    name = text.split()[0].lstrip("/").split("@")[0].lower() if text.startswith("/") else ""
    command = next((c for c in turn.context.registry.commands if c.name == name), None)
    if command is not None:
        await _may_use(turn, command.roles)
    # An invite link opened in a group keeps its code: a button opens the private chat with it.
    if name == "start" and to_private_chat(turn):
        return
    turn.reply(turn.t("common.private_only_command", command=name))


async def _may_use(turn: Turn, roles: frozenset[Role] | None) -> None:
    """Before saying where a command works: whether the sender may use it at all, refused as
    in the right chat (no use sending them to a chat that refuses them)."""
    actor = turn.actor
    if roles is None or actor.has_any(roles):
        return
    raise refusal(turn.update, actor.member, await dialogues.current(turn.session, turn.user_id))


async def unknown_group_command(turn: Turn) -> None:
    """A command naming this bot in a group that no handler took (a typo): the commands that
    work in a group, rather than silence."""
    names = turn.registry.group_menu(turn.t, turn.runtime.settings)
    commands = " ".join(f"/{name}" for name, _ in names)
    turn.reply(turn.t("common.unknown_group_command", commands=commands))


async def unknown_button(turn: Turn) -> None:
    turn.stale()
