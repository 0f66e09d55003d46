"""The one command table: every command, button action and dialogue, with its handler and the
roles that may use it. Handler registration, /help, the command menus and the permission
checks all come from here; adding a command is one row."""

from __future__ import annotations

from bot.buttons import (
    Acknowledge,
    ApproveLeave,
    AskLeave,
    AssignAnyway,
    AssignPage,
    AssignPick,
    AssignStart,
    ChecklistAdjust,
    ChecklistNew,
    ChecklistToggle,
    FollowUpHolds,
    FollowUpReopen,
    InspectItem,
    InspectItemsDone,
    InspectKind,
    InspectPost,
    InspectSeen,
    InspectSubmit,
    NoShowComing,
    NoShowNotComing,
    OpenShiftCard,
    OrderAccept,
    OrderAcknowledge,
    OrderCard,
    OrderDeadline,
    OrderFollowUp,
    OrderFromCheck,
    OrderFromReport,
    OrderIssue,
    OrderList,
    OrderReply,
    OrderReplySubmit,
    OrderReturn,
    RejectLeave,
    RemoveUnavailable,
    ReportCard,
    ReportCategoryPick,
    ReportDismiss,
    ReportDispatch,
    ReportDispatchPage,
    ReportSubmit,
    RotateConfirm,
    RotatePeriod,
    RotatePost,
    RotatePostPage,
    RotatePosts,
    RotateReroll,
    RotateUnit,
    RotateUnitPage,
    TakeFreedSeat,
)
from bot.db.models import DialogueKind
from bot.services.duty import attendance as attendance_service
from bot.services.duty import checkin as checkin_service
from bot.services.duty import checkout as checkout_service
from bot.services.duty import presence as presence_service
from bot.services.people.registration import DIALOGUE as REGISTER_DIALOGUE
from handlers import (
    admin,
    assign,
    attendance,
    availability,
    board,
    broadcast,
    checkin,
    common,
    delivery,
    importer,
    inspect,
    leave,
    newshift,
    noshow,
    registration,
    reports,
    roster,
    rotate,
    shift_card,
    street_report,
    zones,
)
from handlers import orders as order_handlers
from handlers import posts as post_handlers
from handlers import shifts as shift_handlers
from handlers import swaps as swap_handlers
from handlers.keyboards import CANCEL_DATA
from handlers.routing import (
    ADMINS,
    COORDINATORS,
    INSPECTORS,
    LEADERS,
    MEMBERS,
    OVERSEERS,
    Button,
    Command,
    DialogueRoute,
    PrefixButton,
    Registry,
    Where,
)

REGISTRY = Registry(
    commands=(
        Command("start", registration.start, None, "help.start"),
        Command("help", common.show_help, None, "help.help", read_only=True),
        Command("me", common.show_profile, MEMBERS, "help.me", read_only=True),
        Command("lang", common.choose_language, MEMBERS, "help.lang"),
        Command("cancel", common.cancel, None, "help.cancel"),
        Command("units", admin.list_units, ADMINS, "help.units"),
        Command("invite", admin.start_invite, COORDINATORS, "help.invite"),
        # posts, shifts and sign-up
        Command(
            "shifts",
            shift_handlers.list_open,
            MEMBERS,
            "help.shifts",
            read_only=True,
        ),
        Command("my", shift_handlers.show_mine, MEMBERS, "help.my", read_only=True),
        Command(
            "posts",
            post_handlers.list_posts,
            COORDINATORS,
            "help.posts",
            read_only=True,
        ),
        Command("newpost", post_handlers.start_new, COORDINATORS, "help.newpost"),
        Command("newshift", newshift.start_new, COORDINATORS, "help.newshift"),
        Command("roster", roster.show, COORDINATORS, "help.roster", read_only=True),
        Command("template", importer.send_template, COORDINATORS, "help.template"),
        Command("import", importer.start, COORDINATORS, "help.import"),
        Command("broadcast", broadcast.start, COORDINATORS, "help.broadcast"),
        Command("tag", post_handlers.tag, COORDINATORS, "help.tag"),
        # check-in (issue 4)
        Command("checkin", checkin.start, MEMBERS, "help.checkin"),
        Command("checkout", checkin.checkout, MEMBERS, "help.checkout"),
        Command("hours", checkin.show_hours, MEMBERS, "help.hours", read_only=True),
        # reports (issue 6)
        Command(
            "today",
            reports.today,
            LEADERS,
            "help.today",
            where=Where.ANY,
            read_only=True,
        ),
        Command(
            "week",
            reports.week,
            LEADERS,
            "help.week",
            where=Where.ANY,
            read_only=True,
        ),
        Command(
            "month",
            reports.month,
            LEADERS,
            "help.month",
            where=Where.ANY,
            read_only=True,
        ),
        Command(
            "export",
            reports.start_export,
            COORDINATORS,
            "help.export",
            read_only=True,
        ),
        Command("setgroup", reports.set_group, ADMINS, "help.setgroup", where=Where.GROUP),
        # delivery (issue 5)
        Command("outbox", delivery.show_outbox, ADMINS, "help.outbox", read_only=True),
        # shift swaps (issue 7)
        Command("swap", swap_handlers.start, MEMBERS, "help.swap"),
        Command("swaps", swap_handlers.list_swaps, MEMBERS, "help.swaps", read_only=True),
        Command("unitsettings", swap_handlers.unit_settings, COORDINATORS, "help.unitsettings"),
        # the live board (issue 18)
        Command("board", board.open_board, LEADERS, "help.board"),
        # assigned duty (issue 17)
        Command("rotate", rotate.start, COORDINATORS, "help.rotate"),
        Command("unavailable", availability.start, MEMBERS, "help.unavailable"),
        # campaign oversight (issue 16)
        Command("inspect", inspect.start, INSPECTORS, "help.inspect"),
        Command("report", street_report.start, MEMBERS, "help.report"),
        Command("orders", order_handlers.list_orders, OVERSEERS, "help.orders"),
        Command("zones", zones.start, ADMINS, "help.zones"),
        Command("checklist", inspect.show_checklist, ADMINS, "help.checklist"),
    ),
    buttons=(
        PrefixButton(CANCEL_DATA, common.cancel, None),
        PrefixButton(registration.LANGUAGE_BUTTON, registration.choose_language, None),
        PrefixButton(common.LANGUAGE_BUTTON, common.set_language, MEMBERS),
        PrefixButton(admin.UNIT_NEW_BUTTON, admin.ask_unit_name, ADMINS),
        PrefixButton(admin.UNIT_RENAME_BUTTON, admin.ask_unit_rename, ADMINS),
        PrefixButton(admin.UNIT_PAGE_BUTTON, admin.units_page, ADMINS),
        PrefixButton(admin.INVITE_UNIT_BUTTON, admin.pick_invite_unit, COORDINATORS),
        PrefixButton(admin.INVITE_PAGE_BUTTON, admin.invite_page, COORDINATORS),
        PrefixButton(admin.INVITE_ROLE_BUTTON, admin.pick_invite_role, COORDINATORS),
        # posts, shifts and sign-up
        PrefixButton(shift_handlers.LIST_BUTTON, shift_handlers.page, MEMBERS, read_only=True),
        PrefixButton(
            shift_handlers.DAY_PICK_BUTTON, shift_handlers.pick_day, MEMBERS, read_only=True
        ),
        PrefixButton(
            shift_handlers.TYPE_PICK_BUTTON, shift_handlers.pick_type, MEMBERS, read_only=True
        ),
        PrefixButton(shift_handlers.SIGN_UP_BUTTON, shift_handlers.sign_up, MEMBERS),
        PrefixButton(shift_handlers.WAITLIST_BUTTON, shift_handlers.join_waitlist, MEMBERS),
        PrefixButton(shift_handlers.MY_BUTTON, shift_handlers.show_mine, MEMBERS, read_only=True),
        PrefixButton(shift_handlers.MY_CANCEL_BUTTON, shift_handlers.ask_cancel, MEMBERS),
        PrefixButton(shift_handlers.MY_CANCEL_YES_BUTTON, shift_handlers.confirm_cancel, MEMBERS),
        PrefixButton(
            shift_handlers.CALENDAR_BUTTON, shift_handlers.send_calendar, MEMBERS, read_only=True
        ),
        PrefixButton(
            post_handlers.PAGE_BUTTON, post_handlers.page_posts, COORDINATORS, read_only=True
        ),
        PrefixButton(
            post_handlers.CARD_BUTTON, post_handlers.show_card, COORDINATORS, read_only=True
        ),
        PrefixButton(post_handlers.RENAME_BUTTON, post_handlers.ask_rename, COORDINATORS),
        PrefixButton(post_handlers.MOVE_BUTTON, post_handlers.ask_move, COORDINATORS),
        PrefixButton(post_handlers.RADIUS_BUTTON, post_handlers.ask_radius, COORDINATORS),
        PrefixButton(post_handlers.ARCHIVE_BUTTON, post_handlers.toggle_archive, COORDINATORS),
        PrefixButton(
            post_handlers.SHIFTS_BUTTON,
            post_handlers.list_post_shifts,
            COORDINATORS,
            read_only=True,
        ),
        PrefixButton(post_handlers.NEW_UNIT_BUTTON, post_handlers.pick_new_unit, COORDINATORS),
        PrefixButton(
            post_handlers.NEW_UNIT_PAGE_BUTTON, post_handlers.page_new_units, COORDINATORS
        ),
        PrefixButton(post_handlers.NEW_TYPE_BUTTON, post_handlers.pick_new_type, COORDINATORS),
        PrefixButton(post_handlers.NEW_RADIUS_BUTTON, post_handlers.pick_new_radius, COORDINATORS),
        PrefixButton(newshift.NEW_FOR_POST_BUTTON, newshift.pick_post, COORDINATORS),
        PrefixButton(newshift.NEW_POST_PAGE_BUTTON, newshift.page_posts, COORDINATORS),
        PrefixButton(newshift.NEW_DAY_BUTTON, newshift.pick_day, COORDINATORS),
        PrefixButton(newshift.NEW_TIME_BUTTON, newshift.pick_time, COORDINATORS),
        PrefixButton(newshift.NEW_CAPACITY_BUTTON, newshift.pick_capacity, COORDINATORS),
        PrefixButton(newshift.NEW_CREATE_BUTTON, newshift.create, COORDINATORS),
        PrefixButton(newshift.NEW_TAG_BUTTON, newshift.ask_tag, COORDINATORS),
        PrefixButton(newshift.NEW_NOTES_BUTTON, newshift.ask_notes, COORDINATORS),
        PrefixButton(shift_card.CARD_BUTTON, shift_card.show_card, COORDINATORS, read_only=True),
        Button(OpenShiftCard, shift_card.open_card, COORDINATORS),
        PrefixButton(roster.PAGE_BUTTON, roster.turn_page, COORDINATORS, read_only=True),
        PrefixButton(shift_card.EDIT_CAPACITY_BUTTON, shift_card.ask_capacity, COORDINATORS),
        PrefixButton(shift_card.EDIT_NOTES_BUTTON, shift_card.ask_edit_notes, COORDINATORS),
        PrefixButton(shift_card.EDIT_TIME_BUTTON, shift_card.ask_time, COORDINATORS),
        PrefixButton(shift_card.CANCEL_SHIFT_BUTTON, shift_card.ask_cancel_shift, COORDINATORS),
        PrefixButton(shift_card.CANCEL_SHIFT_YES_BUTTON, shift_card.cancel_shift, COORDINATORS),
        PrefixButton(shift_card.REMOVE_BUTTON, shift_card.ask_remove, COORDINATORS),
        PrefixButton(shift_card.REMOVE_YES_BUTTON, shift_card.remove, COORDINATORS),
        PrefixButton(importer.CONFIRM_BUTTON, importer.confirm, COORDINATORS),
        PrefixButton(broadcast.UNIT_BUTTON, broadcast.pick_unit, COORDINATORS),
        PrefixButton(broadcast.UNIT_PAGE_BUTTON, broadcast.page_units, COORDINATORS),
        PrefixButton(broadcast.WHAT_BUTTON, broadcast.pick_what, COORDINATORS),
        PrefixButton(broadcast.SEND_BUTTON, broadcast.send, COORDINATORS),
        # check-in (issue 4)
        PrefixButton(checkin_service.BUTTON_PICK, checkin.pick, MEMBERS),
        PrefixButton(checkout_service.BUTTON_CHECKOUT, checkin.checkout, MEMBERS),
        PrefixButton(presence_service.BUTTON_ON_POST, checkin.confirm_on_post, MEMBERS),
        # no-show answers (issue 5)
        Button(NoShowComing, noshow.coming, MEMBERS),
        Button(NoShowNotComing, noshow.not_coming, MEMBERS),
        PrefixButton(
            attendance_service.BUTTON_PHOTO, attendance.show_photo, COORDINATORS, read_only=True
        ),
        PrefixButton(attendance_service.BUTTON_FIX, attendance.offer_corrections, COORDINATORS),
        PrefixButton(
            attendance_service.BUTTON_FIX_ACTION, attendance.choose_correction, COORDINATORS
        ),
        # reports (issue 6)
        PrefixButton(reports.GROUP_SCOPE_BUTTON, reports.pick_group_scope, ADMINS),
        PrefixButton(reports.GROUP_LANGUAGE_BUTTON, reports.pick_group_language, ADMINS),
        PrefixButton(reports.GROUP_UNBIND_BUTTON, reports.unbind_group, ADMINS),
        PrefixButton(reports.GROUP_PAGE_BUTTON, reports.group_scope_page, ADMINS),
        PrefixButton(reports.EXPORT_BUTTON, reports.pick_export, COORDINATORS, read_only=True),
        # shift swaps (issue 7)
        PrefixButton(swap_handlers.PICK_BUTTON, swap_handlers.pick, MEMBERS),
        PrefixButton(swap_handlers.KIND_BUTTON, swap_handlers.pick_kind, MEMBERS),
        PrefixButton(swap_handlers.EXCHANGE_BUTTON, swap_handlers.pick_exchange, MEMBERS),
        PrefixButton(swap_handlers.TAKE_BUTTON, swap_handlers.take, MEMBERS),
        PrefixButton(swap_handlers.ACCEPT_BUTTON, swap_handlers.accept, MEMBERS),
        PrefixButton(swap_handlers.DECLINE_BUTTON, swap_handlers.decline, MEMBERS),
        PrefixButton(swap_handlers.WITHDRAW_BUTTON, swap_handlers.withdraw, MEMBERS),
        PrefixButton(swap_handlers.APPROVE_BUTTON, swap_handlers.approve, COORDINATORS),
        PrefixButton(swap_handlers.REJECT_BUTTON, swap_handlers.reject, COORDINATORS),
        PrefixButton(
            swap_handlers.UNIT_APPROVAL_BUTTON, swap_handlers.toggle_unit_approval, COORDINATORS
        ),
        PrefixButton(
            swap_handlers.UNIT_PAGE_BUTTON, swap_handlers.unit_settings_page, COORDINATORS
        ),
        # the live board (issue 18)
        PrefixButton(board.NEW_SCREEN_BUTTON, board.new_screen, ADMINS),
        PrefixButton(board.SCREEN_PAGE_BUTTON, board.screen_scope_page, ADMINS),
        PrefixButton(board.SCREEN_SCOPE_BUTTON, board.create_screen, ADMINS),
        PrefixButton(board.SCREENS_BUTTON, board.list_screens, ADMINS),
        PrefixButton(board.REVOKE_BUTTON, board.revoke_screen, ADMINS),
        # assigned duty (issue 17)
        Button(AssignStart, assign.start, COORDINATORS),
        Button(AssignPick, assign.pick, COORDINATORS),
        Button(AssignPage, assign.page, COORDINATORS),
        Button(AssignAnyway, assign.anyway, COORDINATORS),
        Button(Acknowledge, assign.acknowledged, MEMBERS),
        Button(AskLeave, leave.ask, MEMBERS),
        Button(ApproveLeave, leave.approve, COORDINATORS),
        Button(RejectLeave, leave.reject, COORDINATORS),
        Button(TakeFreedSeat, leave.take, MEMBERS),
        Button(RemoveUnavailable, availability.remove, MEMBERS),
        Button(RotateUnit, rotate.pick_unit, COORDINATORS),
        Button(RotateUnitPage, rotate.unit_page, COORDINATORS),
        Button(RotatePeriod, rotate.pick_period, COORDINATORS),
        Button(RotatePost, rotate.toggle_post, COORDINATORS),
        Button(RotatePostPage, rotate.posts_page, COORDINATORS),
        Button(RotatePosts, rotate.pick_posts, COORDINATORS),
        Button(RotateReroll, rotate.reroll, COORDINATORS),
        Button(RotateConfirm, rotate.confirm, COORDINATORS),
        # campaign oversight (issue 16): checks
        Button(InspectPost, inspect.pick_post, INSPECTORS),
        Button(InspectKind, inspect.pick_kind, INSPECTORS),
        Button(InspectSeen, inspect.seen, INSPECTORS),
        Button(InspectItem, inspect.toggle_item, INSPECTORS),
        Button(InspectItemsDone, inspect.items_done, INSPECTORS),
        Button(InspectSubmit, inspect.submit, INSPECTORS),
        Button(ChecklistAdjust, inspect.adjust_item, ADMINS),
        Button(ChecklistToggle, inspect.toggle_checklist_item, ADMINS),
        Button(ChecklistNew, inspect.ask_new_item, ADMINS),
        # street reports: the reporter's steps; a card for whoever may see it
        Button(ReportCategoryPick, street_report.pick_category, MEMBERS),
        Button(ReportSubmit, street_report.submit, MEMBERS),
        Button(ReportCard, street_report.show_card, MEMBERS),
        Button(ReportDispatchPage, street_report.dispatch_page, INSPECTORS),
        Button(ReportDispatch, street_report.dispatch, INSPECTORS),
        Button(ReportDismiss, street_report.ask_dismiss, INSPECTORS),
        # rectification orders: the unit's answers and the issuer's decisions are open to every
        # member so that the wrong person gets the rule's own answer, not a bare refusal
        Button(OrderFromCheck, order_handlers.from_check, INSPECTORS),
        Button(OrderFromReport, order_handlers.from_report, INSPECTORS),
        Button(OrderDeadline, order_handlers.pick_deadline, INSPECTORS),
        Button(OrderIssue, order_handlers.issue, INSPECTORS),
        Button(OrderList, order_handlers.show_list, OVERSEERS),
        Button(OrderCard, order_handlers.show_card, OVERSEERS),
        Button(OrderAcknowledge, order_handlers.acknowledge, MEMBERS),
        Button(OrderReply, order_handlers.start_reply, MEMBERS),
        Button(OrderReplySubmit, order_handlers.submit_reply, MEMBERS),
        Button(OrderAccept, order_handlers.accept, MEMBERS),
        Button(OrderReturn, order_handlers.ask_return, MEMBERS),
        Button(OrderFollowUp, order_handlers.follow_up, INSPECTORS),
        Button(FollowUpHolds, order_handlers.follow_up_holds, INSPECTORS),
        Button(FollowUpReopen, order_handlers.follow_up_reopen, INSPECTORS),
    ),
    dialogues=(
        DialogueRoute(REGISTER_DIALOGUE, registration.on_dialogue, None),
        DialogueRoute(admin.DIALOGUE_UNIT_NEW, admin.on_unit_name, ADMINS),
        DialogueRoute(admin.DIALOGUE_UNIT_RENAME, admin.on_unit_name, ADMINS),
        # posts, shifts and sign-up
        DialogueRoute(post_handlers.DIALOGUE_NEW, post_handlers.on_new, COORDINATORS),
        DialogueRoute(post_handlers.DIALOGUE_EDIT, post_handlers.on_edit, COORDINATORS),
        DialogueRoute(newshift.DIALOGUE_NEW, newshift.on_new, COORDINATORS),
        DialogueRoute(shift_card.DIALOGUE_EDIT, shift_card.on_edit, COORDINATORS),
        DialogueRoute(importer.DIALOGUE, importer.on_dialogue, COORDINATORS),
        DialogueRoute(broadcast.DIALOGUE, broadcast.on_dialogue, COORDINATORS),
        # check-in (issue 4)
        DialogueRoute(checkin_service.DIALOGUE, checkin.on_dialogue, MEMBERS),
        DialogueRoute(checkout_service.CHECKOUT_DIALOGUE, checkin.on_checkout_dialogue, MEMBERS),
        DialogueRoute(attendance_service.DIALOGUE, attendance.on_dialogue, COORDINATORS),
        # shift swaps (issue 7)
        DialogueRoute(swap_handlers.DIALOGUE, swap_handlers.on_dialogue, MEMBERS),
        # assigned duty (issue 17)
        DialogueRoute(assign.DIALOGUE, assign.on_dialogue, COORDINATORS),
        DialogueRoute(leave.DIALOGUE, leave.on_dialogue, MEMBERS),
        DialogueRoute(availability.DIALOGUE, availability.on_dialogue, MEMBERS),
        DialogueRoute(rotate.DIALOGUE, rotate.on_dialogue, COORDINATORS),
        # campaign oversight (issue 16)
        DialogueRoute(DialogueKind.INSPECT, inspect.on_dialogue, INSPECTORS),
        DialogueRoute(DialogueKind.CHECKLIST_NEW, inspect.on_new_item, ADMINS),
        DialogueRoute(DialogueKind.STREET_REPORT, street_report.on_dialogue, MEMBERS),
        DialogueRoute(DialogueKind.ORDER_DRAFT, order_handlers.on_draft, INSPECTORS),
        DialogueRoute(DialogueKind.ORDER_REPLY, order_handlers.on_reply, MEMBERS),
        DialogueRoute(DialogueKind.ORDER_REASON, order_handlers.on_reason, INSPECTORS),
        DialogueRoute(DialogueKind.ZONES, zones.on_dialogue, ADMINS),
    ),
)
