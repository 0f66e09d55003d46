"""Well-formed presses of any declared button, for the tests that walk them all."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import typing

from bot.buttons import CallbackData


def sample(cls: type[CallbackData], number: int = 7) -> CallbackData:
    """A value of `cls` with every number field set to `number`, every enum to its first member
    (a field that may be None gets a value)."""
    hints = typing.get_type_hints(cls)
    values: dict[str, object] = {}
    for field in dataclasses.fields(cls):  # type: ignore[arg-type]
        kind = hints[field.name]
        kind = next((k for k in typing.get_args(kind) if k is not type(None)), kind)
        if kind is bool:
            values[field.name] = True
        elif kind is dt.date:
            values[field.name] = dt.date(2026, 12, 2)
        elif kind is str:
            values[field.name] = "x"
        elif isinstance(kind, type) and issubclass(kind, enum.Enum):
            values[field.name] = next(iter(kind))
        else:
            values[field.name] = number
    return cls(**values)
