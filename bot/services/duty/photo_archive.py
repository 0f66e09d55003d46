"""Where an archived check-in photo goes: ``<PHOTO_ARCHIVE_DIR>/<local date>/<post>/``."""

from __future__ import annotations

import re
from pathlib import Path

from bot.db.models import CheckIn
from bot.settings import Settings

_UNSAFE = re.compile(r"[^\w\-]+", re.UNICODE)


def safe_name(text: str) -> str:
    """A file-name part: letters of any script, digits, - and _; nothing that walks paths."""
    cleaned = _UNSAFE.sub("_", text).strip("_.")
    return cleaned[:60] or "_"


def archive_path(settings: Settings, checkin: CheckIn, post_name: str, person: str) -> Path | None:
    """Where the photo of `checkin` (at the post named `post_name`, by `person`) is kept."""
    if not settings.photo_archive_dir or checkin.photo_file_id is None:
        return None
    local = checkin.checked_in_at.astimezone(settings.zone)
    folder = Path(settings.photo_archive_dir) / local.date().isoformat() / safe_name(post_name)
    name = f"{local:%H%M}-{safe_name(person)}-{checkin.id}.jpg"
    return folder / name
