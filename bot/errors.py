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
    # reports
    GROUP_NOT_BOUND = "GROUP_NOT_BOUND"
    REPORT_NO_UNIT = "REPORT_NO_UNIT"
    EXPORT_RANGE_INVALID = "EXPORT_RANGE_INVALID"


class DomainError(Exception):
    """A rule refused the request. ``params`` fill the placeholders of the message."""

    def __init__(self, code: ErrorCode, **params: Any) -> None:
        super().__init__(code.value)
        self.code = code
        self.params = params

    @property
    def message_key(self) -> str:
        return f"error.{self.code.value.lower()}"
