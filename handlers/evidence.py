"""Pieces the oversight journeys share: reading a photo or a place off a message (as the
check-in does), answering a photo that came in an album, and showing evidence photos (one, or
an album)."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardMarkup, Message

from bot.db.models import Dialogue
from bot.services.oversight import evidence
from handlers.checkin import photo_of, position_of
from handlers.turn import Markup, Turn

MAX_SHOWN = 10

__all__ = ["album_answered", "file_caption", "photo_of", "position_of", "send_photos"]


def file_caption(message: Message) -> str:
    """The caption of a picture sent as a file (a document of an image type): the line written
    with it, kept as a photo's caption is, though the file itself is refused; "" otherwise."""
    document = message.document
    if document is None or not (document.mime_type or "").startswith("image/"):
        return ""
    return message.caption or ""


def album_answered(
    turn: Turn,
    taken: evidence.Taken,
    markup: Markup | None = None,
    prompt_of: Dialogue | None = None,
) -> bool:
    """Answer what a photo of an album needs beyond the journey's usual answer: nothing for one
    more photo of an album already answered; how many of the album were kept (with `markup`)
    for its first photo that did not fit, as the prompt of dialogue `prompt_of` when given
    with inline buttons. False when the usual answer is still to be given."""
    if taken.answer is evidence.Answer.QUIET:
        return True
    if taken.answer is evidence.Answer.FULL:
        text = turn.t("oversight.album_full", count=taken.album_kept, limit=evidence.MAX_PHOTOS)
        if prompt_of is not None and isinstance(markup, InlineKeyboardMarkup):
            turn.prompt(prompt_of, text, markup)
        else:
            turn.reply(text, markup)
        return True
    return False


def send_photos(turn: Turn, file_ids: Sequence[str], caption: str | None = None) -> None:
    """Evidence photos into the chat as part of the answer (kept with the commit, so a crash
    loses none), the caption on the first. At most ten: an album's worth."""
    for index, file_id in enumerate(list(file_ids)[:MAX_SHOWN]):
        turn.reply_photo_file(file_id, caption if index == 0 else None)
