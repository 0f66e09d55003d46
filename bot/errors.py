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
    # check-in and check-out (issue 4)
    CHECKIN_NO_SHIFT = "CHECKIN_NO_SHIFT"
    CHECKIN_NO_SHIFTS_AHEAD = "CHECKIN_NO_SHIFTS_AHEAD"
    CHECKIN_NOT_OPEN = "CHECKIN_NOT_OPEN"
    CHECKIN_SHIFT_OVER = "CHECKIN_SHIFT_OVER"
    CHECKIN_ALREADY = "CHECKIN_ALREADY"
    CHECKIN_TOO_FAR = "CHECKIN_TOO_FAR"
    CHECKIN_FORWARDED_LOCATION = "CHECKIN_FORWARDED_LOCATION"
    CHECKIN_VENUE = "CHECKIN_VENUE"
    CHECKIN_LIVE_REQUIRED = "CHECKIN_LIVE_REQUIRED"
    CHECKIN_FORWARDED_PHOTO = "CHECKIN_FORWARDED_PHOTO"
    CHECKIN_PHOTO_REUSED = "CHECKIN_PHOTO_REUSED"
    CHECKIN_NOT_CHECKED_IN = "CHECKIN_NOT_CHECKED_IN"
    CHECKOUT_REASON_INVALID = "CHECKOUT_REASON_INVALID"
    ATTENDANCE_NOT_FOUND = "ATTENDANCE_NOT_FOUND"
    CORRECTION_REASON_INVALID = "CORRECTION_REASON_INVALID"
    CORRECTION_HOURS_INVALID = "CORRECTION_HOURS_INVALID"
    CORRECTION_ALREADY_PRESENT = "CORRECTION_ALREADY_PRESENT"
    CORRECTION_SHIFT_NOT_STARTED = "CORRECTION_SHIFT_NOT_STARTED"
    CORRECTION_NO_CHECKIN = "CORRECTION_NO_CHECKIN"
    CORRECTION_NO_PHOTO = "CORRECTION_NO_PHOTO"
    CORRECTION_STILL_OPEN = "CORRECTION_STILL_OPEN"


class DomainError(Exception):
    """A rule refused the request. ``params`` fill the placeholders of the message."""

    def __init__(self, code: ErrorCode, **params: Any) -> None:
        super().__init__(code.value)
        self.code = code
        self.params = params

    @property
    def message_key(self) -> str:
        return f"error.{self.code.value.lower()}"
