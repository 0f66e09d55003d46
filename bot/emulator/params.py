"""Request parameters as Telegram reads them: JSON bodies, query strings and form fields alike."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


class ApiError(Exception):
    """An error answer of the Bot API: the HTTP status doubles as `error_code`."""

    def __init__(
        self,
        code: int,
        description: str,
        retry_after: int | None = None,
        *,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after
        self.migrate_to_chat_id = migrate_to_chat_id

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        if self.migrate_to_chat_id is not None:
            body["parameters"] = {"migrate_to_chat_id": self.migrate_to_chat_id}
        return body


def bad_request(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}")


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    filename: str
    content_type: str
    data: bytes


@dataclass
class Params:
    """Values arrive as native JSON types or, from form bodies, as strings that Telegram
    decodes per field; the getters accept both so every method works with either body."""

    values: dict[str, Any] = field(default_factory=dict)
    uploads: dict[str, Upload] = field(default_factory=dict)

    def has(self, name: str) -> bool:
        return self.values.get(name) not in (None, "")

    def text_or_none(self, name: str) -> str | None:
        value = self.values.get(name)
        if value is None:
            return None
        return value if isinstance(value, str) else str(value)

    def text(self, name: str) -> str:
        value = self.text_or_none(name)
        if value is None:
            raise bad_request(f"parameter {name!r} is required")
        return value

    def int_or_none(self, name: str) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise bad_request(f"parameter {name!r} must be a number")
        if isinstance(value, int):
            return value
        try:
            return int(str(value))
        except ValueError:
            raise bad_request(f"parameter {name!r} must be a number") from None

    def integer(self, name: str) -> int:
        value = self.int_or_none(name)
        if value is None:
            raise bad_request(f"parameter {name!r} is required")
        return value

    def number_or_none(self, name: str) -> float | None:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"parameter {name!r} must be a number") from None

    def number(self, name: str) -> float:
        value = self.number_or_none(name)
        if value is None:
            raise bad_request(f"parameter {name!r} is required")
        return value

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        return str(value).lower() in ("true", "1")

    def structured(self, name: str) -> Any:
        """A structured field; form bodies carry it JSON-encoded."""
        value = self.values.get(name)
        if isinstance(value, str):
            if value == "":
                return None
            try:
                return json.loads(value)
            except json.JSONDecodeError:
                raise bad_request(f"can't parse {name} JSON object") from None
        return value

    def chat_id(self) -> int | str:
        """`chat_id` may be an integer or an @username."""
        value = self.values.get("chat_id")
        if value is None or value == "":
            raise bad_request("chat_id is empty")
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        text = str(value)
        try:
            return int(text)
        except ValueError:
            return text

    def logged(self) -> dict[str, Any]:
        """The parameters with structured fields decoded, for `BotApiEmulator.calls`."""
        decoded: dict[str, Any] = {}
        for name, value in self.values.items():
            if isinstance(value, str) and value[:1] in ("{", "["):
                try:
                    decoded[name] = json.loads(value)
                    continue
                except json.JSONDecodeError:
                    pass
            decoded[name] = value
        for name, upload in self.uploads.items():
            decoded.setdefault(name, f"<upload {upload.filename} {len(upload.data)} bytes>")
        return decoded
