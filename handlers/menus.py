"""Help text and the per-person command menu, both derived from the command table."""

from __future__ import annotations

from bot.db.models import Role
from bot.i18n import Translator
from bot.services.people import registration
from bot.services.people.members import ROLE_ORDER
from bot.services.platform import dialogues
from handlers.turn import Turn


def role_names(t: Translator, roles: frozenset[Role]) -> str:
    names = [t(f"role.{role.value}") for role in ROLE_ORDER if role in roles]
    return t("common.list_separator").join(names) if names else t("role.none")


def help_text(turn: Turn, roles: frozenset[Role]) -> str:
    t = turn.t
    lines = [t("help.header")]
    settings = turn.runtime.settings
    lines += [f"/{name} — {text}" for name, text in turn.registry.menu_for(roles, t, settings)]
    in_groups = turn.registry.group_only_for(roles, t, settings)
    if in_groups:
        lines += ["", t("help.in_groups")]
        lines += [f"/{name} — {text}" for name, text in in_groups]
    if not roles:
        registering = registration.is_registering(dialogues.known(turn.session, turn.user_id))
        lines.append("")
        lines.append(t("error.registration_unfinished" if registering else "registration.stranger"))
    return "\n".join(lines)


def refresh_menu(turn: Turn, roles: frozenset[Role]) -> None:
    """The Telegram command menu of this person's chat, in their language, for their roles."""
    turn.set_menu(turn.registry.menu_for(roles, turn.t, turn.runtime.settings))
