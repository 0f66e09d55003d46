"""Pieces the oversight journeys share: reading a photo or a place off a message (as the
check-in does), and showing evidence photos (one, or an album)."""

from __future__ import annotations

from collections.abc import Sequence

from handlers.checkin import photo_of, position_of
from handlers.turn import Turn

MAX_SHOWN = 10

__all__ = ["photo_of", "position_of", "send_photos"]


def send_photos(turn: Turn, file_ids: Sequence[str], caption: str | None = None) -> None:
    """Evidence photos into the chat as part of the answer (kept with the commit, so a crash
    loses none), the caption on the first. At most ten: an album's worth."""
    for index, file_id in enumerate(list(file_ids)[:MAX_SHOWN]):
        turn.reply_photo_file(file_id, caption if index == 0 else None)
