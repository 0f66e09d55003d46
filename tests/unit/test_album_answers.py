"""handlers/albums.py: what a message of an album was told is not told again to the next message
of the same album in the same chat; another album, another chat, or another answer is told."""

from __future__ import annotations

from telegram import Update

from bot import answers
from handlers.albums import AlbumAnswers


def _photo(update_id: int, chat_id: int, album: str | None) -> Update:
    message = {
        "message_id": update_id,
        "date": 1_780_000_000,
        "chat": {"id": chat_id, "type": "private"},
        "from": {"id": chat_id, "is_bot": False, "first_name": "王"},
        "photo": [
            {"file_id": f"P{update_id}", "file_unique_id": f"U{update_id}", "width": 1, "height": 1}
        ],
    }
    if album is not None:
        message["media_group_id"] = album
    return Update.de_json({"update_id": update_id, "message": message}, None)


def test_an_answer_is_given_once_per_album_and_chat() -> None:
    albums = AlbumAnswers(kept=2)
    refused = [answers.message(1, "这是转发的照片。")]
    other = [answers.message(1, "这张照片以前用过了。")]
    first = _photo(1, 1, "A")
    assert not albums.repeated(first, refused)
    albums.given(first, refused)
    assert albums.repeated(_photo(2, 1, "A"), refused)
    assert not albums.repeated(_photo(2, 1, "A"), other)  # another answer is told
    assert not albums.repeated(_photo(2, 1, "B"), refused)  # another album
    assert not albums.repeated(_photo(2, 1, None), refused)  # a photo alone
    assert not albums.repeated(_photo(2, 2, "A"), [answers.message(2, "这是转发的照片。")])
    assert not albums.repeated(_photo(2, 1, "A"), [])

    # A newer album of the chat replaces the older; only the chats of the latest are kept.
    albums.given(_photo(3, 1, "B"), refused)
    assert not albums.repeated(_photo(4, 1, "A"), refused)
    albums.given(_photo(5, 2, "C"), refused)
    albums.given(_photo(6, 3, "D"), refused)
    assert not albums.repeated(_photo(7, 1, "B"), refused)  # chat 1 was forgotten
    assert albums.repeated(_photo(8, 3, "D"), refused)
