"""The one command table: every command, button action and dialogue, with its handler and the
roles that may use it. Handler registration, /help, the command menus and the permission
checks all come from here; adding a command is one row."""

from __future__ import annotations

from bot.services import attendance as attendance_service
from bot.services import checkin as checkin_service
from bot.services import noshow as noshow_service
from bot.services.registration import DIALOGUE as REGISTER_DIALOGUE
from handlers import (
    admin,
    attendance,
    board,
    broadcast,
    checkin,
    common,
    delivery,
    importer,
    noshow,
    registration,
    reports,
    roster,
    schedule,
)
from handlers import posts as post_handlers
from handlers import shifts as shift_handlers
from handlers import swaps as swap_handlers
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
        # posts, shifts and sign-up
        Command("shifts", shift_handlers.list_open, MEMBERS, "help.shifts"),
        Command("my", shift_handlers.show_mine, MEMBERS, "help.my"),
        Command("posts", post_handlers.list_posts, COORDINATORS, "help.posts"),
        Command("newpost", post_handlers.start_new, COORDINATORS, "help.newpost"),
        Command("newshift", schedule.start_new, COORDINATORS, "help.newshift"),
        Command("roster", roster.show, COORDINATORS, "help.roster"),
        Command("template", importer.send_template, COORDINATORS, "help.template"),
        Command("import", importer.start, COORDINATORS, "help.import"),
        Command("broadcast", broadcast.start, COORDINATORS, "help.broadcast"),
        Command("tag", post_handlers.tag, COORDINATORS, "help.tag"),
        # check-in (issue 4)
        Command("checkin", checkin.start, MEMBERS, "help.checkin"),
        Command("checkout", checkin.checkout, MEMBERS, "help.checkout"),
        Command("hours", checkin.show_hours, MEMBERS, "help.hours"),
        # reports (issue 6)
        Command("today", reports.today, LEADERS, "help.today", where=Where.ANY),
        Command("week", reports.week, LEADERS, "help.week", where=Where.ANY),
        Command("month", reports.month, LEADERS, "help.month", where=Where.ANY),
        Command("export", reports.start_export, COORDINATORS, "help.export"),
        Command("setgroup", reports.set_group, ADMINS, "help.setgroup", where=Where.GROUP),
        # delivery (issue 5)
        Command("outbox", delivery.show_outbox, ADMINS, "help.outbox"),
        # shift swaps (issue 7)
        Command("swap", swap_handlers.start, MEMBERS, "help.swap"),
        Command("swaps", swap_handlers.list_swaps, MEMBERS, "help.swaps"),
        Command("unitsettings", swap_handlers.unit_settings, COORDINATORS, "help.unitsettings"),
        # the live board (issue 18)
        Command("board", board.open_board, LEADERS, "help.board"),
    ),
    buttons=(
        Button(CANCEL_DATA, common.cancel, None),
        Button(registration.LANGUAGE_BUTTON, registration.choose_language, None),
        Button(common.LANGUAGE_BUTTON, common.set_language, MEMBERS),
        Button(admin.UNIT_NEW_BUTTON, admin.ask_unit_name, ADMINS),
        Button(admin.UNIT_RENAME_BUTTON, admin.ask_unit_rename, ADMINS),
        Button(admin.UNIT_PAGE_BUTTON, admin.units_page, ADMINS),
        Button(admin.INVITE_UNIT_BUTTON, admin.pick_invite_unit, COORDINATORS),
        Button(admin.INVITE_PAGE_BUTTON, admin.invite_page, COORDINATORS),
        Button(admin.INVITE_ROLE_BUTTON, admin.pick_invite_role, COORDINATORS),
        # posts, shifts and sign-up
        Button(shift_handlers.LIST_BUTTON, shift_handlers.page, MEMBERS),
        Button(shift_handlers.DAY_PICK_BUTTON, shift_handlers.pick_day, MEMBERS),
        Button(shift_handlers.TYPE_PICK_BUTTON, shift_handlers.pick_type, MEMBERS),
        Button(shift_handlers.SIGN_UP_BUTTON, shift_handlers.sign_up, MEMBERS),
        Button(shift_handlers.WAITLIST_BUTTON, shift_handlers.join_waitlist, MEMBERS),
        Button(shift_handlers.MY_BUTTON, shift_handlers.show_mine, MEMBERS),
        Button(shift_handlers.MY_CANCEL_BUTTON, shift_handlers.ask_cancel, MEMBERS),
        Button(shift_handlers.MY_CANCEL_YES_BUTTON, shift_handlers.confirm_cancel, MEMBERS),
        Button(shift_handlers.CALENDAR_BUTTON, shift_handlers.send_calendar, MEMBERS),
        Button(post_handlers.PAGE_BUTTON, post_handlers.page_posts, COORDINATORS),
        Button(post_handlers.CARD_BUTTON, post_handlers.show_card, COORDINATORS),
        Button(post_handlers.RENAME_BUTTON, post_handlers.ask_rename, COORDINATORS),
        Button(post_handlers.MOVE_BUTTON, post_handlers.ask_move, COORDINATORS),
        Button(post_handlers.RADIUS_BUTTON, post_handlers.ask_radius, COORDINATORS),
        Button(post_handlers.ARCHIVE_BUTTON, post_handlers.toggle_archive, COORDINATORS),
        Button(post_handlers.SHIFTS_BUTTON, post_handlers.list_post_shifts, COORDINATORS),
        Button(post_handlers.NEW_UNIT_BUTTON, post_handlers.pick_new_unit, COORDINATORS),
        Button(post_handlers.NEW_UNIT_PAGE_BUTTON, post_handlers.page_new_units, COORDINATORS),
        Button(post_handlers.NEW_TYPE_BUTTON, post_handlers.pick_new_type, COORDINATORS),
        Button(post_handlers.NEW_RADIUS_BUTTON, post_handlers.pick_new_radius, COORDINATORS),
        Button(schedule.NEW_FOR_POST_BUTTON, schedule.pick_post, COORDINATORS),
        Button(schedule.NEW_POST_PAGE_BUTTON, schedule.page_posts, COORDINATORS),
        Button(schedule.NEW_DAY_BUTTON, schedule.pick_day, COORDINATORS),
        Button(schedule.NEW_TIME_BUTTON, schedule.pick_time, COORDINATORS),
        Button(schedule.NEW_CAPACITY_BUTTON, schedule.pick_capacity, COORDINATORS),
        Button(schedule.NEW_CREATE_BUTTON, schedule.create, COORDINATORS),
        Button(schedule.NEW_TAG_BUTTON, schedule.ask_tag, COORDINATORS),
        Button(schedule.NEW_NOTES_BUTTON, schedule.ask_notes, COORDINATORS),
        Button(schedule.CARD_BUTTON, schedule.show_card, COORDINATORS),
        Button(roster.PAGE_BUTTON, roster.turn_page, COORDINATORS),
        Button(schedule.EDIT_CAPACITY_BUTTON, schedule.ask_capacity, COORDINATORS),
        Button(schedule.EDIT_NOTES_BUTTON, schedule.ask_edit_notes, COORDINATORS),
        Button(schedule.EDIT_TIME_BUTTON, schedule.ask_time, COORDINATORS),
        Button(schedule.CANCEL_SHIFT_BUTTON, schedule.ask_cancel_shift, COORDINATORS),
        Button(schedule.CANCEL_SHIFT_YES_BUTTON, schedule.cancel_shift, COORDINATORS),
        Button(schedule.REMOVE_BUTTON, schedule.ask_remove, COORDINATORS),
        Button(schedule.REMOVE_YES_BUTTON, schedule.remove, COORDINATORS),
        Button(importer.CONFIRM_BUTTON, importer.confirm, COORDINATORS),
        Button(broadcast.UNIT_BUTTON, broadcast.pick_unit, COORDINATORS),
        Button(broadcast.UNIT_PAGE_BUTTON, broadcast.page_units, COORDINATORS),
        Button(broadcast.WHAT_BUTTON, broadcast.pick_what, COORDINATORS),
        Button(broadcast.SEND_BUTTON, broadcast.send, COORDINATORS),
        # check-in (issue 4)
        Button(checkin_service.BUTTON_PICK, checkin.pick, MEMBERS),
        Button(checkin_service.BUTTON_CHECKOUT, checkin.checkout, MEMBERS),
        Button(checkin_service.BUTTON_ON_POST, checkin.confirm_on_post, MEMBERS),
        # no-show answers (issue 5)
        Button(noshow_service.BUTTON_COMING, noshow.coming, MEMBERS),
        Button(noshow_service.BUTTON_NOT_COMING, noshow.not_coming, MEMBERS),
        Button(attendance_service.BUTTON_PHOTO, attendance.show_photo, COORDINATORS),
        Button(attendance_service.BUTTON_FIX, attendance.offer_corrections, COORDINATORS),
        Button(attendance_service.BUTTON_FIX_ACTION, attendance.choose_correction, COORDINATORS),
        # reports (issue 6)
        Button(reports.GROUP_SCOPE_BUTTON, reports.pick_group_scope, ADMINS),
        Button(reports.GROUP_LANGUAGE_BUTTON, reports.pick_group_language, ADMINS),
        Button(reports.GROUP_UNBIND_BUTTON, reports.unbind_group, ADMINS),
        Button(reports.GROUP_PAGE_BUTTON, reports.group_scope_page, ADMINS),
        Button(reports.EXPORT_BUTTON, reports.pick_export, COORDINATORS),
        # shift swaps (issue 7)
        Button(swap_handlers.PICK_BUTTON, swap_handlers.pick, MEMBERS),
        Button(swap_handlers.KIND_BUTTON, swap_handlers.pick_kind, MEMBERS),
        Button(swap_handlers.EXCHANGE_BUTTON, swap_handlers.pick_exchange, MEMBERS),
        Button(swap_handlers.TAKE_BUTTON, swap_handlers.take, MEMBERS),
        Button(swap_handlers.ACCEPT_BUTTON, swap_handlers.accept, MEMBERS),
        Button(swap_handlers.DECLINE_BUTTON, swap_handlers.decline, MEMBERS),
        Button(swap_handlers.WITHDRAW_BUTTON, swap_handlers.withdraw, MEMBERS),
        Button(swap_handlers.APPROVE_BUTTON, swap_handlers.approve, COORDINATORS),
        Button(swap_handlers.REJECT_BUTTON, swap_handlers.reject, COORDINATORS),
        Button(
            swap_handlers.UNIT_APPROVAL_BUTTON, swap_handlers.toggle_unit_approval, COORDINATORS
        ),
        Button(swap_handlers.UNIT_PAGE_BUTTON, swap_handlers.unit_settings_page, COORDINATORS),
        # the live board (issue 18)
        Button(board.NEW_SCREEN_BUTTON, board.new_screen, ADMINS),
        Button(board.SCREEN_PAGE_BUTTON, board.screen_scope_page, ADMINS),
        Button(board.SCREEN_SCOPE_BUTTON, board.create_screen, ADMINS),
        Button(board.SCREENS_BUTTON, board.list_screens, ADMINS),
        Button(board.REVOKE_BUTTON, board.revoke_screen, ADMINS),
    ),
    dialogues=(
        DialogueRoute(REGISTER_DIALOGUE, registration.on_dialogue, None),
        DialogueRoute(admin.DIALOGUE_UNIT_NEW, admin.on_unit_name, ADMINS),
        DialogueRoute(admin.DIALOGUE_UNIT_RENAME, admin.on_unit_name, ADMINS),
        # posts, shifts and sign-up
        DialogueRoute(post_handlers.DIALOGUE_NEW, post_handlers.on_new, COORDINATORS),
        DialogueRoute(post_handlers.DIALOGUE_EDIT, post_handlers.on_edit, COORDINATORS),
        DialogueRoute(schedule.DIALOGUE_NEW, schedule.on_new, COORDINATORS),
        DialogueRoute(schedule.DIALOGUE_EDIT, schedule.on_edit, COORDINATORS),
        DialogueRoute(importer.DIALOGUE, importer.on_dialogue, COORDINATORS),
        DialogueRoute(broadcast.DIALOGUE, broadcast.on_dialogue, COORDINATORS),
        # check-in (issue 4)
        DialogueRoute(checkin_service.DIALOGUE, checkin.on_dialogue, MEMBERS),
        DialogueRoute(checkin_service.CHECKOUT_DIALOGUE, checkin.on_checkout_dialogue, MEMBERS),
        DialogueRoute(attendance_service.DIALOGUE, attendance.on_dialogue, COORDINATORS),
        # shift swaps (issue 7)
        DialogueRoute(swap_handlers.DIALOGUE, swap_handlers.on_dialogue, MEMBERS),
    ),
)
