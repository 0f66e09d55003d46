"""The one command table: every command, button action and dialogue, with its handler and the
roles that may use it. Handler registration, /help, the command menus and the permission
checks all come from here; adding a command is one row."""

from __future__ import annotations

from bot.services import attendance as attendance_service
from bot.services import checkin as checkin_service
from bot.services.registration import DIALOGUE as REGISTER_DIALOGUE
from handlers import admin, attendance, checkin, common, registration
from handlers.keyboards import CANCEL_DATA
from handlers.routing import (
    ADMINS,
    COORDINATORS,
    MEMBERS,
    Button,
    Command,
    DialogueRoute,
    Registry,
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
        # check-in (issue 4)
        Command("checkin", checkin.start, MEMBERS, "help.checkin"),
        Command("checkout", checkin.checkout, MEMBERS, "help.checkout"),
        Command("hours", checkin.show_hours, MEMBERS, "help.hours"),
    ),
    buttons=(
        Button(CANCEL_DATA, common.cancel, None),
        Button(registration.LANGUAGE_BUTTON, registration.choose_language, None),
        Button(common.LANGUAGE_BUTTON, common.set_language, MEMBERS),
        Button(admin.UNIT_NEW_BUTTON, admin.ask_unit_name, ADMINS),
        Button(admin.UNIT_RENAME_BUTTON, admin.ask_unit_rename, ADMINS),
        Button(admin.INVITE_UNIT_BUTTON, admin.pick_invite_unit, COORDINATORS),
        Button(admin.INVITE_ROLE_BUTTON, admin.pick_invite_role, COORDINATORS),
        # check-in (issue 4)
        Button(checkin_service.BUTTON_PICK, checkin.pick, MEMBERS),
        Button(checkin_service.BUTTON_CHECKOUT, checkin.checkout, MEMBERS),
        Button(checkin_service.BUTTON_ON_POST, checkin.confirm_on_post, MEMBERS),
        Button(attendance_service.BUTTON_PHOTO, attendance.show_photo, COORDINATORS),
        Button(attendance_service.BUTTON_FIX, attendance.offer_corrections, COORDINATORS),
        Button(attendance_service.BUTTON_FIX_ACTION, attendance.choose_correction, COORDINATORS),
    ),
    dialogues=(
        DialogueRoute(REGISTER_DIALOGUE, registration.on_dialogue, None),
        DialogueRoute(admin.DIALOGUE_UNIT_NEW, admin.on_unit_name, ADMINS),
        DialogueRoute(admin.DIALOGUE_UNIT_RENAME, admin.on_unit_name, ADMINS),
        # check-in (issue 4)
        DialogueRoute(checkin_service.DIALOGUE, checkin.on_dialogue, MEMBERS),
        DialogueRoute(checkin_service.CHECKOUT_DIALOGUE, checkin.on_checkout_dialogue, MEMBERS),
        DialogueRoute(attendance_service.DIALOGUE, attendance.on_dialogue, COORDINATORS),
    ),
)
