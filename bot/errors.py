"""Domain errors: services raise one exception type with a stable code; handlers map codes to
localized messages (the catalog key is ``error.<code lower-case>``)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    NOT_REGISTERED = "NOT_REGISTERED"
    FORBIDDEN = "FORBIDDEN"
    INVITE_UNKNOWN = "INVITE_UNKNOWN"
    INVITE_EXPIRED = "INVITE_EXPIRED"
    INVITE_USED_UP = "INVITE_USED_UP"
    INVITE_REVOKED = "INVITE_REVOKED"
    ALREADY_MEMBER = "ALREADY_MEMBER"
    CONTACT_NOT_OWN = "CONTACT_NOT_OWN"
    UNIT_NAME_TAKEN = "UNIT_NAME_TAKEN"
    UNIT_NAME_INVALID = "UNIT_NAME_INVALID"
    UNIT_NOT_FOUND = "UNIT_NOT_FOUND"
    NAME_INVALID = "NAME_INVALID"
    ROLE_NOT_ALLOWED = "ROLE_NOT_ALLOWED"
    # posts, shifts and sign-up (issue 3)
    NO_UNIT = "NO_UNIT"
    POST_NOT_FOUND = "POST_NOT_FOUND"
    POST_NAME_INVALID = "POST_NAME_INVALID"
    POST_NAME_TAKEN = "POST_NAME_TAKEN"
    POST_ARCHIVED = "POST_ARCHIVED"
    LOCATION_INVALID = "LOCATION_INVALID"
    RADIUS_INVALID = "RADIUS_INVALID"
    SHIFT_NOT_FOUND = "SHIFT_NOT_FOUND"
    SHIFT_CANCELLED = "SHIFT_CANCELLED"
    SHIFT_STARTED = "SHIFT_STARTED"
    SHIFT_IN_PAST = "SHIFT_IN_PAST"
    SHIFT_TIMES_INVALID = "SHIFT_TIMES_INVALID"
    SHIFT_DUPLICATE = "SHIFT_DUPLICATE"
    DATE_INVALID = "DATE_INVALID"
    CAPACITY_INVALID = "CAPACITY_INVALID"
    CAPACITY_BELOW_SIGNED = "CAPACITY_BELOW_SIGNED"
    TAG_INVALID = "TAG_INVALID"
    SIGNUP_NOT_OPEN = "SIGNUP_NOT_OPEN"
    SHIFT_OTHER_UNIT = "SHIFT_OTHER_UNIT"
    TAG_REQUIRED = "TAG_REQUIRED"
    ALREADY_SIGNED_UP = "ALREADY_SIGNED_UP"
    ALREADY_WAITLISTED = "ALREADY_WAITLISTED"
    SHIFT_CLASH = "SHIFT_CLASH"
    WEEKLY_CAP_REACHED = "WEEKLY_CAP_REACHED"
    NO_SHOW_BLOCKED = "NO_SHOW_BLOCKED"
    CANCEL_TOO_LATE = "CANCEL_TOO_LATE"
    ASSIGNMENT_NOT_FOUND = "ASSIGNMENT_NOT_FOUND"
    IMPORT_UNREADABLE = "IMPORT_UNREADABLE"
    IMPORT_TOO_LARGE = "IMPORT_TOO_LARGE"
    IMPORT_EMPTY = "IMPORT_EMPTY"
    IMPORT_COLUMNS_MISSING = "IMPORT_COLUMNS_MISSING"
    NOTHING_TO_BROADCAST = "NOTHING_TO_BROADCAST"
    BROADCAST_TEXT_INVALID = "BROADCAST_TEXT_INVALID"


class DomainError(Exception):
    """A rule refused the request. ``params`` fill the placeholders of the message."""

    def __init__(self, code: ErrorCode, **params: Any) -> None:
        super().__init__(code.value)
        self.code = code
        self.params = params

    @property
    def message_key(self) -> str:
        return f"error.{self.code.value.lower()}"
