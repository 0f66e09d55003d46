"""The one command table: every command, button action and dialogue, with its handler and the
roles that may use it. Handler registration, /help, the command menus and the permission
checks all come from here; adding a command is one row."""

from __future__ import annotations

from bot.services.registration import DIALOGUE as REGISTER_DIALOGUE
from handlers import admin, common, registration, reports
from handlers.keyboards import CANCEL_DATA
from handlers.routing import (
    ADMINS,
    COORDINATORS,
    LEADERS,
    MEMBERS,
    Button,
    Command,
    DialogueRoute,
    Registry,
    Where,
)

REGISTRY = Registry(
    commands=(
        Command("start", registration.start, None, "help.start"),
        Command("help", common.show_help, None, "help.help"),
        Command("me", common.show_profile, MEMBERS, "help.me"),
        Command("lang", common.choose_language, MEMBERS, "help.lang"),
        Command("cancel", common.cancel, None, "help.cancel"),
        Command("units", admin.list_units, ADMINS, "help.units"),
        Command("invite", admin.start_invite, COORDINATORS, "help.invite"),
        # reports (issue 6)
        Command("today", reports.today, LEADERS, "help.today", where=Where.ANY),
        Command("week", reports.week, LEADERS, "help.week", where=Where.ANY),
        Command("month", reports.month, LEADERS, "help.month", where=Where.ANY),
        Command("export", reports.start_export, COORDINATORS, "help.export"),
        Command("setgroup", reports.set_group, ADMINS, "help.setgroup", where=Where.GROUP),
    ),
    buttons=(
        Button(CANCEL_DATA, common.cancel, None),
        Button(registration.LANGUAGE_BUTTON, registration.choose_language, None),
        Button(common.LANGUAGE_BUTTON, common.set_language, MEMBERS),
        Button(admin.UNIT_NEW_BUTTON, admin.ask_unit_name, ADMINS),
        Button(admin.UNIT_RENAME_BUTTON, admin.ask_unit_rename, ADMINS),
        Button(admin.INVITE_UNIT_BUTTON, admin.pick_invite_unit, COORDINATORS),
        Button(admin.INVITE_ROLE_BUTTON, admin.pick_invite_role, COORDINATORS),
        # reports (issue 6)
        Button(reports.GROUP_SCOPE_BUTTON, reports.pick_group_scope, ADMINS),
        Button(reports.GROUP_LANGUAGE_BUTTON, reports.pick_group_language, ADMINS),
        Button(reports.GROUP_UNBIND_BUTTON, reports.unbind_group, ADMINS),
        Button(reports.EXPORT_BUTTON, reports.pick_export, COORDINATORS),
    ),
    dialogues=(
        DialogueRoute(REGISTER_DIALOGUE, registration.on_dialogue, None),
        DialogueRoute(admin.DIALOGUE_UNIT_NEW, admin.on_unit_name, ADMINS),
        DialogueRoute(admin.DIALOGUE_UNIT_RENAME, admin.on_unit_name, ADMINS),
    ),
)
