"""Joining by invite link: /start <code>, own phone number, display name, language."""

from __future__ import annotations

from collections.abc import Callable

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot.buttons import CallbackData, RegistrationLanguage
from bot.db.models import Dialogue
from bot.errors import DomainError
from bot.i18n import LANGUAGES, MENU_LANGUAGE_CODES, Translator
from bot.services.people import invites, registration
from bot.services.people.access import Actor
from bot.services.platform import dialogues
from handlers.keyboards import button, cancel_row, inline
from handlers.menus import help_text, refresh_menu, role_names
from handlers.turn import Turn, error_text


def _contact_keyboard(t: Translator) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        [
            [KeyboardButton(t("registration.button.share_contact"), request_contact=True)],
            [KeyboardButton(t("common.button.cancel_text"))],
        ],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


def language_keyboard(
    choose: Callable[[str], CallbackData], t: Translator
) -> list[list[InlineKeyboardButton]]:
    return [[button(t(f"language.name.{code}"), choose(code))] for code in LANGUAGES]


def _stranger_menu(turn: Turn) -> None:
    """Telegram keys the menus set at start-up by a two-letter language, so zh-hant, zh-TW and
    zh-HK read the "zh" one, in Simplified Chinese: a stranger whose language has no menu of its
    own gets the stranger's menu in their language in this chat."""
    if turn.t.language not in MENU_LANGUAGE_CODES:
        refresh_menu(turn, frozenset())


async def start(turn: Turn) -> None:
    """/start with a code joins; without one it greets members and guides strangers."""
    t = turn.t
    if turn.actor.member is None and not turn.actor.is_admin:
        _stranger_menu(turn)
    if turn.args:
        result = await registration.start(turn.session, turn.user_id, turn.args[0], turn.now)
        invite = result.invite
        role = t(f"role.{invite.role.value}")
        if isinstance(result, registration.RoleAdded):
            turn.reply(t("registration.role_added", role=role, unit=invite.unit.name))
            refresh_menu(turn, turn.actor.roles | {invite.role})
            return
        turn.reply(
            t("registration.welcome", unit=invite.unit.name, role=role),
            _contact_keyboard(t),
        )
        return
    actor = turn.actor
    if actor.member is None and actor.is_admin:
        member = (await admin_record(turn)).require_member()
        turn.reply(t("registration.admin_welcome", name=member.display_name))
        refresh_menu(turn, actor.roles)
        return
    if actor.member is None or not actor.roles:
        # One still on an invite's steps (/start tapped in the menu, the code left off) is
        # told to finish them, not to go and ask for the link they have just opened.
        dialogue = await dialogues.current(turn.session, turn.user_id)
        registering = registration.is_registering(dialogue)
        turn.reply(t("error.registration_unfinished" if registering else "registration.stranger"))
        return
    turn.reply(
        t(
            "registration.welcome_back",
            name=actor.member.display_name,
            roles=role_names(t, actor.roles),
        )
    )
    # As /help does: the chat's menu as /help shows it, under today's release and settings.
    refresh_menu(turn, actor.roles)


def to_private_chat(turn: Turn) -> bool:
    """/start with an invite's code sent in a group (its link opened there, or the command
    typed there): joining asks for one's phone number, so it happens in the private chat; the
    answer is a button that opens it with the same code. The invite is neither looked up nor
    used here. False when there is no code a link could carry."""
    if not turn.args or invites.CODE_PATTERN.match(turn.args[0]) is None:
        return False
    t = turn.t
    link = turn.runtime.deep_link(turn.args[0])
    turn.reply(
        t("registration.open_in_private"),
        InlineKeyboardMarkup(
            [[InlineKeyboardButton(t("registration.button.open_in_private"), url=link)]]
        ),
    )
    return True


async def admin_record(turn: Turn) -> Actor:
    """The actor, with their record: an admin of ADMIN_IDS needs no invite, and one whose first
    word to the bot is not /start (/lang, /me) has it made then, as /start makes it."""
    actor = turn.actor
    if actor.member is None and actor.is_admin:
        user = turn.update.effective_user
        assert user is not None
        member = await registration.ensure_admin_member(
            turn.session, turn.user_id, user.full_name, turn.t.language, turn.now
        )
        actor = turn.actor = Actor.of(turn.user_id, member, turn.runtime.settings.admin_ids)
    return actor


async def on_dialogue(turn: Turn, dialogue: Dialogue) -> None:
    message = turn.message
    assert message is not None
    t = turn.t
    if dialogue.step == registration.Step.CONTACT:
        if message.contact is None:
            # Typed: not to be typed; a sticker, a photo, a location: what the step needs.
            wanted = "registration.need_contact" if message.text else "registration.contact_only"
            turn.reply(t(wanted), _contact_keyboard(t))
            return
        registration.receive_contact(
            dialogue,
            turn.user_id,
            message.contact.user_id,
            message.contact.phone_number,
            turn.now,
        )
        user = turn.update.effective_user
        assert user is not None
        # The profile's name on a button, unless the name step would refuse it.
        suggested = registration.suggested_name(user.full_name)
        rows = [[suggested]] if suggested is not None else []
        suggestion = ReplyKeyboardMarkup(
            [*rows, [t("common.button.cancel_text")]],
            resize_keyboard=True,
            one_time_keyboard=True,
        )
        turn.reply(t("registration.ask_name"), suggestion)
        return
    if dialogue.step == registration.Step.NAME:
        if not message.text:
            turn.reply(t("registration.need_name_text", limit=registration.NAME_MAX))
            return
        name = registration.receive_name(dialogue, message.text, turn.now)
        mark = dialogues.mark(dialogue)

        def _choose(code: str) -> RegistrationLanguage:
            return RegistrationLanguage(code, mark)

        turn.reply(t("registration.name_ok", name=name), ReplyKeyboardRemove())
        # The dialogue's prompt: whatever ends the joining (/cancel, another link) takes its
        # buttons off, ✖️ included.
        turn.prompt(
            dialogue,
            t("registration.ask_language"),
            inline([*language_keyboard(_choose, t), cancel_row(t)]),
        )
        return
    turn.reply(t("registration.need_language_button"))


async def choose_language(turn: Turn, data: RegistrationLanguage) -> None:
    language = data.language
    dialogue = await dialogues.current(turn.session, turn.user_id)
    if (
        language not in LANGUAGES
        or dialogue is None
        or dialogue.kind != registration.DIALOGUE
        or dialogue.step != registration.Step.LANGUAGE
    ):
        turn.stale()
        return
    if not turn.belongs(dialogue, data.mark):
        return
    try:
        member = await registration.complete(turn.session, dialogue, language, turn.now)
    except DomainError as error:
        # The invite went bad meanwhile and the dialogue ended: the language buttons go too.
        turn.refuse(error)
        turn.edit(error_text(turn.t, error))
        return
    turn.use_language(language)
    t = turn.t
    roles = frozenset(member.roles) | turn.actor.roles
    unit = member.unit.name if member.unit else "-"
    turn.edit(
        t("registration.done", name=member.display_name, unit=unit, roles=role_names(t, roles))
    )
    turn.reply(help_text(turn, roles))
    refresh_menu(turn, roles)
