"""Which refusals are final in every dialogue (`DomainError.for_good`, bot/errors.py), frozen:
a new error code fails here until it is put on one side, and the sets of refusals that ended
one dialogue each before the mark existed are all still ended by it or by their dialogue's
own small addition."""

from __future__ import annotations

from bot.errors import FOR_GOOD, DomainError, ErrorCode
from bot.services.duty import attendance, checkin_shifts
from bot.services.rostering import assign
from bot.services.schedule import posts, shifts
from bot.services.swaps import queries

_E = ErrorCode

# What the refusal is about is over, gone, decided or out of reach for good.
FINAL = frozenset(
    {
        _E.INVITE_EXPIRED,
        _E.INVITE_USED_UP,
        _E.INVITE_REVOKED,
        _E.MEMBER_GONE,
        _E.UNIT_NOT_FOUND,
        _E.UNIT_ARCHIVED,
        _E.GROUP_UNIT_ARCHIVED,
        _E.UNIT_ARCHIVED_NO_SHIFTS,
        _E.UNIT_ARCHIVED_NO_POSTS,
        _E.INVITE_UNIT_ARCHIVED,
        _E.POST_NOT_FOUND,
        _E.POST_UNIT_ARCHIVED,
        _E.POST_ARCHIVED,
        _E.SHIFT_NOT_FOUND,
        _E.SHIFT_CANCELLED,
        _E.SHIFT_STARTED,
        _E.SHIFT_STARTED_LOCKED,
        _E.ASSIGNMENT_NOT_FOUND,
        _E.BROADCAST_NOT_FOUND,
        _E.BROADCAST_ALREADY_STOPPED,
        _E.BROADCAST_FINISHED,
        _E.BROADCAST_UNIT_LEFT,
        _E.CHECKIN_SHIFT_OVER,
        _E.CHECKIN_SEAT_GONE,
        _E.ATTENDANCE_NOT_FOUND,
        _E.SWAP_NOT_OWN,
        _E.SWAP_SHIFT_STARTED,
        _E.SWAP_TOO_LATE,
        _E.SWAP_NOT_FOUND,
        _E.SWAP_WITHDRAWN,
        _E.SWAP_DECLINED,
        _E.SWAP_EXPIRED,
        _E.SWAP_CLOSED,
        _E.ASSIGN_SHIFT_STARTED,
        _E.ROTA_NOT_FOUND,
        _E.LEAVE_SHIFT_STARTED,
        _E.LEAVE_NOT_FOUND,
        _E.LEAVE_ALREADY_DECIDED,
        _E.LEAVE_APPROVE_STARTED,
        _E.LEAVE_SEAT_GONE,
        _E.INSPECT_POST_ARCHIVED,
        _E.INSPECT_UNIT_ARCHIVED,
        _E.INSPECT_POST_ARCHIVED_DURING,
        _E.INSPECT_UNIT_ARCHIVED_DURING,
        _E.INSPECTION_NOT_FOUND,
        _E.REPORT_NOT_FOUND,
        _E.REPORT_CLOSED,
        _E.REPORT_UNIT_ARCHIVED,
        _E.ORDER_NOT_FOUND,
        _E.ORDER_UNIT_ARCHIVED,
        _E.BOARD_UNIT_ARCHIVED,
        _E.BOARD_OWN_UNIT_ARCHIVED,
    }
)
# Mendable by a later step (another name, value, choice or time), or final only where a
# dialogue says so itself.
NOT_FINAL = frozenset(
    {
        _E.NOT_REGISTERED,
        _E.REGISTRATION_UNFINISHED,
        _E.FORBIDDEN,
        _E.INVITE_UNKNOWN,
        _E.ALREADY_MEMBER,
        _E.ALREADY_HAS_ROLE,
        _E.MEMBER_REMOVE_FORBIDDEN,
        _E.MEMBER_REMOVE_SELF,
        _E.MEMBER_REMOVE_ADMIN,
        _E.MEMBER_ON_POST,
        _E.LEAVE_UNIT_ON_POST,
        _E.LEAVE_UNIT_NONE,
        _E.ROLE_NOT_HELD,
        _E.CONTACT_NOT_OWN,
        _E.UNIT_NAME_TAKEN,
        _E.UNIT_NAME_INVALID,
        _E.UNIT_ARCHIVE_HAS_SHIFTS,
        _E.UNIT_ARCHIVE_HAS_ORDERS,
        _E.NAME_INVALID,
        _E.ROLE_NOT_ALLOWED,
        _E.NO_UNIT,
        _E.POST_NAME_INVALID,
        _E.POST_NAME_TAKEN,
        _E.LOCATION_INVALID,
        _E.RADIUS_INVALID,
        _E.SHIFT_IN_PAST,
        _E.SHIFT_TIMES_INVALID,
        _E.SHIFT_DUPLICATE,
        _E.DATE_INVALID,
        _E.CAPACITY_INVALID,
        _E.CAPACITY_BELOW_SIGNED,
        _E.TAG_INVALID,
        _E.SIGNUP_NOT_OPEN,
        _E.SHIFT_OTHER_UNIT,
        _E.TAG_REQUIRED,
        _E.ALREADY_SIGNED_UP,
        _E.ALREADY_WAITLISTED,
        _E.SHIFT_CLASH,
        _E.ON_LEAVE,
        _E.SHIFT_MOVE_CLASH,
        _E.WEEKLY_CAP_REACHED,
        _E.NO_SHOW_BLOCKED,
        _E.CANCEL_TOO_LATE,
        _E.CANCEL_AND_SWAP_CLOSED,
        _E.IMPORT_UNREADABLE,
        _E.IMPORT_TOO_LARGE,
        _E.FILE_DOWNLOAD_FAILED,
        _E.IMPORT_EMPTY,
        _E.IMPORT_COLUMNS_MISSING,
        _E.MEMBER_NOT_FOUND,
        _E.MEMBER_AMBIGUOUS,
        _E.NOTHING_TO_BROADCAST,
        _E.BROADCAST_NO_VOLUNTEERS,
        _E.BROADCAST_ALL_UNREACHABLE,
        _E.BROADCAST_NOBODY_ELIGIBLE,
        _E.BROADCAST_TEXT_INVALID,
        _E.BROADCAST_RANGE_INVALID,
        _E.BROADCAST_RANGE_PAST,
        _E.BROADCAST_STOP_FORBIDDEN,
        _E.CHECKIN_NO_SHIFT,
        _E.CHECKIN_NO_SHIFTS_AHEAD,
        _E.CHECKIN_NOT_OPEN,
        _E.CHECKIN_LIVE_ENDS_BEFORE_OPEN,
        _E.CHECKIN_LIVE_ENDED_BEFORE_OPEN,
        _E.CHECKIN_NOT_CHECKED_OUT,
        _E.CHECKIN_ALREADY,
        _E.CHECKOUT_REASON_PENDING,
        _E.CHECKIN_TOO_FAR,
        _E.CHECKIN_FORWARDED_LOCATION,
        _E.CHECKIN_VENUE,
        _E.CHECKIN_LIVE_REQUIRED,
        _E.CHECKIN_LOCATION_STALE,
        _E.CHECKIN_FORWARDED_PHOTO,
        _E.CHECKIN_PHOTO_REUSED,
        _E.CHECKIN_NOT_CHECKED_IN,
        _E.CHECKOUT_OLD_BUTTON,
        _E.CHECKOUT_REASON_INVALID,
        _E.CORRECTION_REASON_INVALID,
        _E.CORRECTION_HOURS_INVALID,
        _E.CORRECTION_ALREADY_PRESENT,
        _E.CORRECTION_SHIFT_NOT_STARTED,
        _E.CORRECTION_NO_CHECKIN,
        _E.CORRECTION_NO_PHOTO,
        _E.CORRECTION_STILL_OPEN,
        _E.NOSHOW_ALREADY_CHECKED_IN,
        _E.GROUP_NOT_BOUND,
        _E.REPORT_NO_UNIT,
        _E.EXPORT_RANGE_INVALID,
        _E.EXPORT_RANGE_FUTURE,
        _E.EXPORT_RANGE_BACKWARDS,
        _E.EXPORT_RANGE_TOO_LONG,
        _E.SWAP_NOT_SIGNED_UP,
        _E.SWAP_ALREADY_OFFERED,
        _E.SWAP_OWN_OFFER,
        _E.SWAP_NOT_FOR_YOU,
        _E.SWAP_NOT_YOURS,
        _E.SWAP_ALREADY_TAKEN,
        _E.SWAP_TAKEN_BY_YOU,
        _E.SWAP_ALREADY_DECIDED,
        _E.SWAP_TARGET_GONE,
        _E.SWAP_TARGET_UNREACHABLE,
        _E.SWAP_SELF,
        _E.SWAP_NAME_INVALID,
        _E.SWAP_MEMBER_NOT_FOUND,
        _E.SWAP_MEMBER_AMBIGUOUS,
        _E.SWAP_NOT_ELIGIBLE,
        _E.ASSIGN_NOT_ELIGIBLE,
        _E.CANCEL_ASSIGNED,
        _E.ASSIGN_FULL,
        _E.ASSIGN_TOO_MANY,
        _E.ASSIGN_NAMES_INVALID,
        _E.ACK_NOTHING_HELD,
        _E.ACK_ALL_STARTED,
        _E.LEAVE_NOT_ASSIGNED,
        _E.LEAVE_ALREADY_ASKED,
        _E.LEAVE_SWAP_OPEN,
        _E.SWAP_LEAVE_ASKED,
        _E.SWAP_ON_LEAVE,
        _E.SWAP_UNAVAILABLE,
        _E.SWAP_NOBODY_TO_TAKE,
        _E.LEAVE_REASON_INVALID,
        _E.UNAVAILABLE_INVALID,
        _E.UNAVAILABLE_NEEDS_END,
        _E.UNAVAILABLE_PAST,
        _E.UNAVAILABLE_TOO_LONG,
        _E.UNAVAILABLE_NOT_FOUND,
        _E.ROTATION_RANGE_INVALID,
        _E.ROTATION_TOO_LONG,
        _E.ROTATION_PAST,
        _E.ROTATION_NO_POSTS,
        _E.ROTATION_NOTHING_OPEN,
        _E.ROTATION_NO_MEMBERS,
        _E.ROTATION_STALE,
        _E.IMPORT_PEOPLE_STALE,
        _E.NOT_ON_POST,
        _E.EVIDENCE_PHOTO_REUSED,
        _E.EVIDENCE_PHOTOS_FULL,
        _E.INSPECT_NO_POST_NEAR,
        _E.INSPECT_NO_POSTS,
        _E.INSPECT_ITEM_OFF,
        _E.INSPECT_NEED_PHOTO,
        _E.NOTE_TOO_LONG,
        _E.CHECKLIST_ITEM_INVALID,
        _E.REPORT_NOT_YOURS,
        _E.REPORT_INCOMPLETE,
        _E.ORDER_DEADLINE_PAST,
        _E.ORDER_DEADLINE_INVALID,
        _E.ORDER_DEADLINE_BEFORE_VISIBLE,
        _E.ORDER_NOT_COORDINATOR,
        _E.ORDER_NOT_INSPECTOR,
        _E.ORDER_WRONG_STATE,
        _E.ORDER_NEWER_REPLY,
        _E.ORDER_ALREADY_ISSUED,
        _E.ORDER_NEED_AFTER_PHOTO,
        _E.ORDER_REASON_INVALID,
        _E.ORDER_NO_FOLLOW_UP,
        _E.ZONES_FILE_TOO_LARGE,
    }
)

# The sets each service declared, before the mark, to end its dialogue with.
BEFORE = {
    "check-in": {
        _E.CHECKIN_ALREADY,
        _E.CHECKIN_SEAT_GONE,
        _E.CHECKIN_SHIFT_OVER,
        _E.CHECKIN_NO_SHIFTS_AHEAD,
    },
    "correction": {
        _E.ATTENDANCE_NOT_FOUND,
        _E.FORBIDDEN,
        _E.CORRECTION_ALREADY_PRESENT,
        _E.CORRECTION_NO_PHOTO,
    },
    "shift edit": {_E.SHIFT_NOT_FOUND, _E.SHIFT_CANCELLED, _E.SHIFT_STARTED_LOCKED, _E.FORBIDDEN},
    "new post": {_E.UNIT_ARCHIVED_NO_POSTS, _E.UNIT_NOT_FOUND, _E.FORBIDDEN},
    "new post created": {
        _E.UNIT_ARCHIVED_NO_POSTS,
        _E.UNIT_NOT_FOUND,
        _E.FORBIDDEN,
        _E.POST_NAME_TAKEN,
    },
    "assign": {_E.SHIFT_CANCELLED, _E.POST_ARCHIVED, _E.ASSIGN_SHIFT_STARTED, _E.ASSIGN_FULL},
    "broadcast audience": {_E.BROADCAST_UNIT_LEFT, _E.UNIT_NOT_FOUND},
    "swap seat": {
        _E.SWAP_NOT_OWN,
        _E.SHIFT_CANCELLED,
        _E.SWAP_SHIFT_STARTED,
        _E.SWAP_NOT_SIGNED_UP,
        _E.SWAP_TOO_LATE,
        _E.SWAP_ALREADY_OFFERED,
        _E.SWAP_LEAVE_ASKED,
    },
}
# Each dialogue's own addition to the mark, as it stands now.
ADDED = {
    "check-in": checkin_shifts.CHECK_IN_ENDS,
    "correction": attendance.CORRECTION_ENDS,
    "shift edit": shifts.EDIT_ENDS,
    "new post": posts.NEW_POST_ENDS,
    "new post created": posts.CREATE_ENDS,
    "assign": assign.NAMING_ENDS,
    "broadcast audience": frozenset(),
    "swap seat": queries.SEAT_ENDS,
}


def test_every_code_is_put_on_one_side() -> None:
    unclassified = set(ErrorCode) - FINAL - NOT_FINAL
    assert not unclassified, f"final for good or not? add to FOR_GOOD or NOT_FINAL: {unclassified}"
    assert not FINAL & NOT_FINAL


def test_the_final_codes_are_frozen() -> None:
    assert FOR_GOOD == FINAL
    assert DomainError(ErrorCode.SHIFT_CANCELLED).for_good
    assert not DomainError(ErrorCode.ASSIGN_FULL).for_good


def test_every_set_removed_is_still_ended_by_the_mark_or_its_dialogue() -> None:
    for dialogue, codes in BEFORE.items():
        ended = {code for code in ErrorCode if code in FOR_GOOD or code in ADDED[dialogue]}
        assert codes <= ended, dialogue


def test_a_dialogue_adds_only_what_the_mark_does_not_say() -> None:
    for dialogue, added in ADDED.items():
        assert not added & FOR_GOOD, dialogue
