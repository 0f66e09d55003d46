"""One answer to an album: Telegram delivers an album (photos chosen at once) as one message
per photo, all carrying its media_group_id, and a handler answers each on its own. What one
photo of the album was told is not told again to the next: an album refused for what it is
(forwarded, used before), or sent at a step that takes no photo, gets one answer, not one per
photo. An answer the album has not had yet (another refusal, a photo taken after refused ones)
is given.

What was said is remembered here, in the process, not in the database: a refused photo changes
nothing (DESIGN principle 8), and an album is one burst of updates of one chat, handled in order
by the process that received it. A restart in the middle of an album forgets it: the rest of the
album is answered once more, as a photo of it was before."""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass, field

from telegram import Update

from bot import answers

# The chats whose last album is remembered: an album is answered within moments, so only the
# chats that sent one lately matter.
KEPT_CHATS = 1000


@dataclass
class _Said:
    album: str
    answers: set[str] = field(default_factory=set)


class AlbumAnswers:
    """The answers given to the photos of each chat's last album."""

    def __init__(self, kept: int = KEPT_CHATS) -> None:
        self._kept = kept
        self._chats: OrderedDict[int, _Said] = OrderedDict()

    def repeated(self, update: Update, rows: list[answers.Row]) -> bool:
        """Whether `rows`, the answer to a message of an album, were given to a message of the
        same album before (so are not given again)."""
        key = _key(update)
        if key is None or not rows:
            return False
        chat_id, album = key
        said = self._chats.get(chat_id)
        return said is not None and said.album == album and _text(rows) in said.answers

    def given(self, update: Update, rows: list[answers.Row]) -> None:
        """`rows` went to a message of an album (after its turn committed)."""
        key = _key(update)
        if key is None or not rows:
            return
        chat_id, album = key
        said = self._chats.get(chat_id)
        if said is None or said.album != album:
            said = _Said(album)
        said.answers.add(_text(rows))
        self._chats[chat_id] = said
        self._chats.move_to_end(chat_id)
        while len(self._chats) > self._kept:
            self._chats.popitem(last=False)


def _key(update: Update) -> tuple[int, str] | None:
    message = update.message
    if message is None or message.media_group_id is None:
        return None
    return message.chat.id, message.media_group_id


def _text(rows: list[answers.Row]) -> str:
    """What an answer says. Taking the buttons off the dialogue's prompt before is not part of
    it: a refusal asked as the prompt again takes them off the one the photo before was told."""
    said = [row for row in rows if row.get("op") != "buttons_off"] or rows
    return json.dumps(said, sort_keys=True, ensure_ascii=False)
