"""The base of every button's data: its prefix, ``pack()`` and ``parse()``, and the registry of
every declared prefix."""

from __future__ import annotations

import dataclasses
import typing
from typing import Any, ClassVar, Self

from bot.buttons.wire import NONE, SEPARATOR, decode, encode

# Telegram's limit on callback_data, in bytes.
MAX_BYTES = 64


class CallbackData:
    """Base of every button's data. Fields may be ``int``, ``str`` (without ``:``), ``bool``,
    ``datetime.date``, a ``StrEnum``, or any of these ``| None``."""

    prefix: ClassVar[str]
    # What an absent (``None``) value is written as.
    none: ClassVar[str] = NONE
    _declared: ClassVar[dict[str, type[CallbackData]]] = {}

    def __init_subclass__(cls, *, prefix: str, none: str = NONE, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not prefix or SEPARATOR in prefix:
            raise ValueError(f"bad button prefix {prefix!r}")
        if prefix in CallbackData._declared:
            other = CallbackData._declared[prefix].__qualname__
            raise ValueError(f"button prefix {prefix!r} of {cls.__qualname__} is taken by {other}")
        if not none or SEPARATOR in none:
            raise ValueError(f"bad word for none {none!r}")
        cls.prefix = prefix
        cls.none = none
        CallbackData._declared[prefix] = cls

    def pack(self) -> str:
        hints = _field_types(type(self))
        values = [getattr(self, name) for name, _ in hints]
        shown = len(hints)
        while shown > _required_count(type(self)) and values[shown - 1] is None:
            shown -= 1
        parts = [self.prefix]
        parts.extend(
            encode(value, kind, self.none)
            for value, (_, kind) in zip(values[:shown], hints[:shown], strict=True)
        )
        data = SEPARATOR.join(parts)
        if len(data.encode()) > MAX_BYTES:
            raise ValueError(f"callback data over Telegram's {MAX_BYTES} bytes: {data!r}")
        return data

    @classmethod
    def parse(cls, data: object) -> Self | None:
        """The button's values, or None when ``data`` is not a well-formed button of this class."""
        if not isinstance(data, str):
            return None
        prefix, *values = data.split(SEPARATOR)
        hints = _field_types(cls)
        if prefix != cls.prefix or not _required_count(cls) <= len(values) <= len(hints):
            return None
        decoded: dict[str, Any] = {}
        for (name, kind), text in zip(hints, values, strict=False):
            try:
                decoded[name] = decode(text, kind, cls.none)
            except (TypeError, ValueError):
                return None
        try:
            return cls(**decoded)
        except ValueError:  # refused by the class's own check (`__post_init__`)
            return None

    @classmethod
    def matches(cls, data: object) -> bool:
        """Whether ``data`` names this button (well-formed or not): the registry routes on it."""
        return isinstance(data, str) and data.split(SEPARATOR, 1)[0] == cls.prefix


class PageOffset:
    """A page button: its ``offset`` (the first item shown) is never negative; a forged one
    parses to nothing."""

    offset: int

    def __post_init__(self) -> None:
        if self.offset < 0:
            raise ValueError(f"a page offset of {self.offset}")


def declared() -> dict[str, type[CallbackData]]:
    """Every button class, by prefix."""
    return dict(CallbackData._declared)


_FIELD_TYPES: dict[type[CallbackData], tuple[tuple[str, Any], ...]] = {}


def _field_types(cls: type[CallbackData]) -> tuple[tuple[str, Any], ...]:
    """The (name, type) of each field, resolved once per class."""
    cached = _FIELD_TYPES.get(cls)
    if cached is None:
        hints = typing.get_type_hints(cls)
        fields = dataclasses.fields(cls)  # type: ignore[arg-type]
        cached = _FIELD_TYPES[cls] = tuple((field.name, hints[field.name]) for field in fields)
    return cached


_REQUIRED: dict[type[CallbackData], int] = {}


def _required_count(cls: type[CallbackData]) -> int:
    """How many leading fields the data always carries: the trailing fields that default to
    ``None`` may be left out."""
    cached = _REQUIRED.get(cls)
    if cached is None:
        fields = dataclasses.fields(cls)  # type: ignore[arg-type]
        cached = len(fields)
        while cached > 0 and fields[cached - 1].default is None:
            cached -= 1
        _REQUIRED[cls] = cached
    return cached
