"""Rectification orders in the unit's chat: the coordinators' 签收 (acknowledge) and 回复
(reply) with an "after" photo and a line of text."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.buttons import OrderAcknowledge, OrderReply, OrderReplySubmit
from bot.db.models import Dialogue
from bot.errors import DomainError, ErrorCode
from bot.i18n import Translator
from bot.services.duty.photo_rules import Photo
from bot.services.oversight import orders
from bot.services.platform import dialogues
from handlers.evidence import album_answered, file_caption, photo_of
from handlers.keyboards import button, cancel_row, inline
from handlers.turn import Turn, error_text

# The album whose first photo found the reply moot (see `on_reply`).
MOOT_ALBUM = "moot_album"


async def acknowledge(turn: Turn, data: OrderAcknowledge) -> None:
    t = turn.t
    try:
        order, changed = await orders.acknowledge(
            turn.session, turn.actor, data.order_id, turn.now, turn.runtime.settings
        )
    except DomainError as error:
        turn.refuse(error)
        return
    key = "oversight.order.acknowledged_you" if changed else "oversight.order.acknowledged_before"
    turn.answer(t("oversight.order.acknowledged_toast"))
    turn.reply(
        t(key, id=order.id, deadline=t.datetime(order.deadline_at)),
        inline([[button(t("oversight.button.reply"), OrderReply(order.id))]]),
    )


def _reply_markup(t: Translator, dialogue: Dialogue) -> list[list[InlineKeyboardButton]]:
    submit = OrderReplySubmit(dialogues.mark(dialogue))
    return [[button(t("oversight.button.submit_reply"), submit)], cancel_row(t)]


async def start_reply(turn: Turn, data: OrderReply) -> None:
    t = turn.t
    try:
        order = await orders.begin_reply(turn.session, turn.actor, data.order_id, turn.now)
    except DomainError as error:
        turn.refuse(error)
        return
    turn.reply(t("oversight.order.ask_reply", id=order.id), inline([cancel_row(t)]))


async def on_reply(turn: Turn, dialogue: Dialogue) -> None:
    t = turn.t
    message = turn.message
    assert message is not None
    try:
        await orders.check_reply_open(turn.session, turn.actor, dialogue)
    except DomainError as error:
        # Replied by a colleague, closed, or the replier moved off the unit meanwhile: the
        # reply is moot, so it ends at once.
        album = message.media_group_id
        if album is not None and dialogue.data.get(MOOT_ALBUM) == album:
            return  # one more photo of the album whose first photo was refused
        turn.refuse(error)
        if album is None:
            await dialogues.end(turn.session, turn.user_id)
        else:
            # The rest of the album comes next, photo by photo: the reply stays only to let
            # it pass unanswered (not as messages "not understood"); anything else ends it.
            dialogues.advance(dialogue, dialogue.step, turn.now, **{MOOT_ALBUM: album})
        return
    photo = photo_of(message)
    if photo is not None:
        caption = message.caption or ""
        await _take_photo(turn, dialogue, photo, message.media_group_id, captioned=bool(caption))
        if caption:
            # A photo's caption is the line written with it, as if typed after it: kept even
            # when the photo itself was refused (forwarded, used before, one too many).
            _take_note(turn, dialogue, caption)
        return
    if message.text:
        _take_note(turn, dialogue, message.text)
        return
    caption = file_caption(message)
    if caption and message.media_group_id is None:
        # A picture sent as a file is refused, its caption kept as a photo's is.
        turn.reply(t("oversight.photo_as_file"))
        _take_note(turn, dialogue, caption)
        return
    if caption:
        # A file of an album: its caption is kept without an answer of its own, so that the
        # album's files are answered once, alike (a caption refused is told).
        try:
            orders.set_reply_note(dialogue, caption, turn.now)
        except DomainError as error:
            turn.refuse(error)
    key = "oversight.photo_as_file" if message.document else "oversight.order.need_after_photo"
    turn.reply(t(key), _held_markup(t, dialogue))


async def _take_photo(
    turn: Turn, dialogue: Dialogue, photo: Photo, album: str | None, *, captioned: bool
) -> None:
    """One more "after" photo, answered; a refused one is told why. With a caption the line's
    answer that follows carries the reply's buttons."""
    t = turn.t
    try:
        taken = await orders.add_reply_photo(
            turn.session, dialogue, photo, album, turn.now, turn.runtime.settings
        )
    except DomainError as error:
        # Full of photos, the reply still goes on: Submit stays at hand once it holds a photo.
        goes_on = error.code is ErrorCode.EVIDENCE_PHOTOS_FULL and not captioned
        turn.refuse(error, _held_markup(t, dialogue) if goes_on else None)
        return
    markup = inline(_reply_markup(t, dialogue))
    if not album_answered(turn, taken, markup):
        if taken.album:
            turn.reply(t("oversight.order.reply_album_added"), markup)
        else:
            count = len(taken.photos)
            turn.reply(t("oversight.order.reply_photo_added", count=count), markup)


def _take_note(turn: Turn, dialogue: Dialogue, text: str) -> None:
    """The reply's line, typed or a photo's caption."""
    t = turn.t
    try:
        orders.set_reply_note(dialogue, text, turn.now)
    except DomainError as error:
        # A line refused, the reply still goes on: Submit stays at hand once it holds a photo.
        turn.refuse(error, _held_markup(t, dialogue))
        return
    # Before any photo, Submit would only refuse (a reply needs one): ask for the photo.
    key = (
        "oversight.order.reply_note_added"
        if dialogue.data.get("photos")
        else "oversight.order.reply_note_needs_photo"
    )
    turn.reply(t(key), _held_markup(t, dialogue))


def _held_markup(t: Translator, dialogue: Dialogue) -> InlineKeyboardMarkup:
    """Submit and Cancel once the reply holds a photo; Cancel alone before."""
    if not dialogue.data.get("photos"):
        return inline([cancel_row(t)])
    return inline(_reply_markup(t, dialogue))


async def submit_reply(turn: Turn, data: OrderReplySubmit) -> None:
    t = turn.t
    dialogue = await dialogues.current(turn.session, turn.user_id)
    if dialogue is None or dialogue.kind != orders.REPLY:
        turn.stale()
        return
    if not turn.belongs(dialogue, data.mark):
        return
    try:
        order = await orders.submit_reply(
            turn.session, turn.actor, dialogue, turn.now, turn.runtime.settings
        )
    except DomainError as error:
        turn.refuse(error)
        if error.code in (ErrorCode.ORDER_WRONG_STATE, ErrorCode.ORDER_NOT_COORDINATOR):
            # Replied by a colleague, closed, or the replier moved off the unit meanwhile: this
            # reply is moot, so it ends, and its message keeps no Submit that would only be
            # refused again.
            await dialogues.end(turn.session, turn.user_id)
            turn.edit(error_text(t, error))
        return
    turn.answer(t("oversight.order.replied_toast"))
    turn.edit(t("oversight.order.replied_you", id=order.id))
