"""How one value of a button is written into callback data and read back from it."""

from __future__ import annotations

import datetime as dt
import enum
import types
import typing
from typing import Any

SEPARATOR = ":"
NONE = "-"

# What a button can carry: ids fit the database's 32-bit integer columns, and days stay far from
# the calendar's ends so date arithmetic never overflows. Anything else is a forged or corrupt
# press, answered as a stale button.
INT_MAX = 2**31 - 1
DAY_MIN, DAY_MAX = dt.date(2000, 1, 1), dt.date(2999, 12, 31)


def without_none(kind: Any) -> tuple[Any, bool]:
    """The type a field holds, and whether it may also be ``None``."""
    if isinstance(kind, types.UnionType) or typing.get_origin(kind) is typing.Union:
        members = [member for member in typing.get_args(kind) if member is not type(None)]
        if len(members) == 1:
            return members[0], True
    return kind, False


def encode(value: Any, kind: Any, none: str) -> str:
    base, optional = without_none(kind)
    if value is None:
        if not optional:
            raise ValueError("None in a field that does not allow it")
        return none
    if base is bool:
        return "1" if value else "0"
    if base is dt.date:
        return str(value.strftime("%Y%m%d"))
    if isinstance(base, type) and issubclass(base, enum.Enum):
        text = str(value.value)
    else:
        text = str(value)
    if SEPARATOR in text or (optional and text == none) or not text:
        raise ValueError(f"cannot put {text!r} into callback data")
    return text


def decode(text: str, kind: Any, none: str) -> Any:
    """The value ``text`` stands for; ``ValueError`` (or ``TypeError``) when it is malformed."""
    base, optional = without_none(kind)
    if optional and text == none:
        return None
    if base is int:
        if not text.lstrip("-").isdecimal() or not text.isascii():
            raise ValueError(text)
        value = int(text)
        if abs(value) > INT_MAX:
            raise ValueError(text)
        return value
    if base is bool:
        if text not in ("0", "1"):
            raise ValueError(text)
        return text == "1"
    if base is dt.date:
        if len(text) != 8 or not text.isdecimal():
            raise ValueError(text)
        day = dt.datetime.strptime(text, "%Y%m%d").date()
        if not DAY_MIN <= day <= DAY_MAX:
            raise ValueError(text)
        return day
    if isinstance(base, type) and issubclass(base, enum.Enum):
        return base(text)
    if base is str:
        if not text:
            raise ValueError(text)
        return text
    raise TypeError(f"unsupported callback field type {kind!r}")
