"""An update as it comes in, by long polling or by the webhook."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram import Update


@dataclass(frozen=True)
class Received:
    """An update as PTB reads it, and as Telegram sent it (what the inbox keeps: building it
    again with `to_dict` cost more than storing it)."""

    update: Update
    payload: dict[str, Any]
