"""One update, one unit of work.

``run_turn`` opens a transaction, marks the update handled in the inbox (DESIGN principle 6),
loads the member, checks the roles the command table asks for and hands the handler a ``Turn``.
The handler's answer is kept in the same transaction (bot/answers.py) and sent after the commit:
the answer then never claims a change that was rolled back, SQLite's single write lock is never
held across a network round trip, and a crash between the commit and the sending leaves the
answer in the inbox to be sent at the next start. A command that only reads runs its handler on a
read-only snapshot (``read_only`` in the command table) and records the update and its answer in
a short write transaction afterwards.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from telegram import InlineKeyboardMarkup, Message, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application, CallbackContext, ExtBot

from bot import answers, wording
from bot.buttons import CancelDialogue
from bot.db.engine import DbSession
from bot.db.models import Dialogue, DialogueKind, Member, Role
from bot.errors import DomainError, ErrorCode
from bot.i18n import Translator, language_from_telegram
from bot.intake import Intake
from bot.runtime import Runtime
from bot.services.people import reachability, registration
from bot.services.people.access import Actor
from bot.services.platform import dialogues, inbox
from bot.services.reports.report_text import split_message
from handlers.albums import AlbumAnswers

if TYPE_CHECKING:
    from handlers.routing import Registry

log = logging.getLogger(__name__)

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove
_CANCEL = CancelDialogue().pack()
Deferred = Callable[[], Awaitable[Any]]


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """PTB's context with typed access to the runtime."""

    @property
    def runtime(self) -> Runtime:
        runtime = self.application.bot_data["runtime"]
        assert isinstance(runtime, Runtime)
        return runtime

    @property
    def registry(self) -> Registry:
        registry: Registry = self.application.bot_data["registry"]
        return registry

    @property
    def intake(self) -> Intake:
        intake = self.application.bot_data["intake"]
        assert isinstance(intake, Intake)
        return intake

    @property
    def albums(self) -> AlbumAnswers:
        albums = self.application.bot_data["albums"]
        assert isinstance(albums, AlbumAnswers)
        return albums


BotApplication = Application[
    ExtBot[None], BotContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any
]


class _Duplicate(Exception):
    """The update was handled before (Telegram redelivered it)."""


@dataclass
class Turn:
    update: Update
    context: BotContext
    session: DbSession
    actor: Actor
    t: Translator
    now: dt.datetime
    _answers: list[answers.Row] = field(default_factory=list)
    _after: list[Deferred] = field(default_factory=list)
    answered: bool = False
    # The prompt and the mark of the dialogue open as the turn began, and the prompts whose
    # buttons this turn takes off (each once).
    opening_prompt: int | None = None
    opening_mark: int | None = None
    # The kind and data of the dialogue open as the turn began (`dialogue_replaced`).
    opening_kind: DialogueKind | None = None
    opening_data: dict[str, Any] = field(default_factory=dict)
    _buttons_off: set[int] = field(default_factory=set)

    @property
    def runtime(self) -> Runtime:
        return self.context.runtime

    @property
    def registry(self) -> Registry:
        return self.context.registry

    @property
    def user_id(self) -> int:
        user = self.update.effective_user
        assert user is not None
        return user.id

    @property
    def chat_id(self) -> int:
        chat = self.update.effective_chat
        assert chat is not None
        return chat.id

    @property
    def message(self) -> Message | None:
        return self.update.effective_message

    @property
    def args(self) -> list[str]:
        return list(self.context.args or [])

    def use_language(self, language: str) -> None:
        self.t = self.runtime.translator(language)

    def later(self, action: Deferred) -> None:
        """Run after the answer went out, in the order queued; not kept by the inbox, so only
        for what may be lost in a crash (archiving a copy of a photo, say). A Telegram error
        there is logged: the person already has their answer."""
        self._after.append(action)

    def refuse(self, error: DomainError, markup: Markup | None = None) -> None:
        """A refusal caught by the handler: an alert on a pressed button, else a reply."""
        text = error_text(self.t, error)
        if self.update.callback_query is not None:
            self.answer(text, alert=True)
        else:
            self.reply(text, markup)

    async def end_refused(self, error: DomainError, dialogue: Dialogue | None = None) -> None:
        """The dialogue ends with a refusal no later step could undo (`DomainError.for_good`,
        or what its step adds): said once, and its buttons go with it: those of the pressed
        message, which shows the refusal instead, or, on a typed answer, those of the
        `dialogue`'s last `prompt`."""
        await dialogues.end(self.session, self.user_id)
        self.refuse(error)
        if self.update.callback_query is not None:
            self.edit(error_text(self.t, error))
        elif dialogue is not None:
            self.prompt_buttons_off(dialogue)

    def stale(self) -> None:
        """A button whose moment has passed (the state moved on, or it was never ours)."""
        self.answer(self.t("common.stale_button"), alert=True)

    def pressed_buttons_off(self) -> None:
        """Take the buttons off the message whose button was pressed: refused for good, none
        of them has anything left to do there. Nothing when no button was pressed."""
        query = self.update.callback_query
        if query is None or query.message is None:
            return
        self._answers.append(answers.buttons_off(query.message.chat.id, query.message.message_id))

    def belongs(self, dialogue: Dialogue, button_mark: int | None) -> bool:
        """Whether a finishing button carrying `button_mark` was made for this open dialogue;
        one left on the message of an earlier dialogue, since replaced, is answered here."""
        if dialogues.carries(dialogue, button_mark):
            return True
        self.answer(self.t("common.older_dialogue_button"), alert=True)
        return False

    @property
    def today(self) -> dt.date:
        """Today's date where the campaign is (ZONE), as every date a person types means it."""
        return self.now.astimezone(self.runtime.settings.zone).date()

    def reply(self, text: str, markup: Markup | None = None, *, chat_id: int | None = None) -> None:
        """A text longer than one Telegram message goes out as several, cut at line breaks;
        the buttons go with the last."""
        target = chat_id if chat_id is not None else self.chat_id
        thread = self.topic if target == self.chat_id else None
        parts = split_message(text) or [text]
        for part in parts[:-1]:
            self._answers.append(answers.message(target, part, thread=thread))
        self._answers.append(answers.message(target, parts[-1], markup, thread=thread))

    def prompt(self, dialogue: Dialogue, text: str, markup: InlineKeyboardMarkup) -> None:
        """A dialogue's question with buttons, in the person's private chat, whose message id
        the dialogue keeps once it is sent, so that `prompt_buttons_off` can take them off.
        It replaces the dialogue's prompt before it (a question asked again after a wrong
        answer, say), whose buttons go: one question of a dialogue has buttons at a time."""
        dialogue_mark = dialogues.mark(dialogue)
        if dialogue_mark is None or self.chat_id != self.user_id:
            self.reply(text, markup)
            return
        query = self.update.callback_query
        pressed = query.message.message_id if query and query.message else None
        if dialogues.prompt_message(dialogue) != pressed:  # the pressed one this turn edits
            self.prompt_buttons_off(dialogue)
        # Longer than one Telegram message (a long announcement in its preview): the parts
        # before go as they are, the question with its buttons is the last.
        *before, last = split_message(text) or [text]
        for part in before:
            self._answers.append(answers.message(self.chat_id, part))
        self._answers.append(
            answers.message(self.chat_id, last, markup, prompt=[self.user_id, dialogue_mark])
        )

    def show_prompt(self, dialogue: Dialogue, text: str, markup: InlineKeyboardMarkup) -> None:
        """A dialogue's question in place of the message whose button was pressed, which the
        dialogue keeps as its `prompt`; a new `prompt` when nothing was pressed."""
        query = self.update.callback_query
        if query is None or query.message is None:
            self.prompt(dialogue, text, markup)
            return
        self.edit(text, markup)
        if self.chat_id == self.user_id:
            if dialogues.prompt_message(dialogue) != query.message.message_id:
                self.prompt_buttons_off(dialogue)
            dialogues.prompt_at(dialogue, query.message.message_id)

    def prompt_buttons_off(self, dialogue: Dialogue) -> None:
        """Take the buttons off the dialogue's last `prompt`: it ended by a typed answer, and
        no button there has anything left to do."""
        self._take_buttons_off(dialogues.prompt_message(dialogue))

    def _take_buttons_off(self, message_id: int | None) -> None:
        if message_id is not None and message_id not in self._buttons_off:
            self._buttons_off.add(message_id)
            self._answers.append(answers.buttons_off(self.user_id, message_id))

    def dialogue_settled(self) -> None:
        """After the handler: a dialogue with a prompt that this update ended (a typed answer,
        /cancel, a button on another message) or replaced by another (a new command, begun
        afresh) takes the prompt's buttons off, as nothing is left for them to do. A pressed
        prompt is the handler's to edit."""
        query = self.update.callback_query
        pressed = query.message.message_id if query and query.message else None
        open_now = dialogues.known(self.session, self.user_id)
        if (
            self.opening_prompt is not None
            and self.opening_prompt != pressed
            and self.chat_id == self.user_id
            and (open_now is None or dialogues.mark(open_now) != self.opening_mark)
        ):
            self._take_buttons_off(self.opening_prompt)

    async def dialogue_replaced(self) -> None:
        """After the handler: a dialogue this update replaced, unanswered, by one of another
        kind (a new command begun instead of the answer) settles what its question stood for,
        if its route says how (an early check-out asked for its reason is made as sent)."""
        if self.opening_kind is None:
            return
        open_now = dialogues.known(self.session, self.user_id)
        if open_now is None or open_now.kind == self.opening_kind:
            return
        route = self.registry.dialogue(self.opening_kind)
        if route is not None and route.replaced is not None:
            answered = len(self._answers)
            await route.replaced(self, self.opening_data)
            # Said before the new dialogue's question, which stays last: what she answers next.
            settled = self._answers[answered:]
            del self._answers[answered:]
            self._answers[:0] = settled

    @property
    def topic(self) -> int | None:
        """The forum topic this update came from, where its answers go."""
        return topic_of(self.update)

    def reply_document(self, filename: str, data: bytes, caption: str | None = None) -> None:
        self._answers.append(
            answers.document(self.chat_id, filename, data, caption, thread=self.topic)
        )

    def reply_photo(self, data: bytes, caption: str | None = None) -> None:
        self._answers.append(
            answers.photo(self.chat_id, data=data, caption=caption, thread=self.topic)
        )

    def reply_photo_file(
        self, file_id: str, caption: str | None = None, markup: Markup | None = None
    ) -> None:
        """A photo Telegram holds (a check-in photo), by its file_id."""
        self._answers.append(
            answers.photo(
                self.chat_id, file_id=file_id, caption=caption, markup=markup, thread=self.topic
            )
        )

    def edit(self, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
        """Replace the message whose button was pressed, unless it already shows this text and
        these buttons: Telegram refuses such an edit ("message is not modified")."""
        query = self.update.callback_query
        if query is None or query.message is None:
            self.reply(text, markup)
            return
        shown = query.message
        row = answers.edit(query.message.chat.id, query.message.message_id, text, markup)
        if isinstance(shown, Message) and shown.text == text:
            # Compared as it would go out, its ✖️ marked (the mark is added as the turn ends).
            marked = self._cancel_marked(row)["markup"]
            was = shown.reply_markup.to_dict() if shown.reply_markup is not None else None
            if was == (marked["data"] if marked is not None else None):
                return
        self._answers.append(row)

    def answer(self, text: str | None = None, *, alert: bool = False) -> None:
        query = self.update.callback_query
        if query is None:
            if text:
                self.reply(text)
            return
        self.answered = True
        self._answers.append(
            answers.answer_query(query.id, text, alert=alert, user=query.from_user.id)
        )

    def set_menu(self, commands: Sequence[tuple[str, str]], *, chat_id: int | None = None) -> None:
        """The command menu of this person's chat, or of another's (one whose roles this turn
        changed)."""
        self._answers.append(
            answers.menu(chat_id if chat_id is not None else self.user_id, commands)
        )

    def _cancel_marked(self, row: answers.Row) -> answers.Row:
        """The row with its ✖️ buttons naming the dialogue open as the turn ends (the one its
        prompt belongs to): pressed after a newer dialogue replaced that one, it cancels
        nothing of the newer. Only in the person's private chat, where their dialogues are."""
        markup = row.get("markup")
        if not markup or markup.get("kind") != "inline" or self.chat_id != self.user_id:
            return row
        lines = markup["data"].get("inline_keyboard", [])
        if not any(key.get("callback_data") == _CANCEL for line in lines for key in line):
            return row
        dialogue = dialogues.known(self.session, self.user_id)
        mark = dialogues.mark(dialogue) if dialogue is not None else None
        if mark is None:
            return row
        marked = CancelDialogue(mark).pack()
        keyboard = [
            [
                {**key, "callback_data": marked} if key.get("callback_data") == _CANCEL else key
                for key in line
            ]
            for line in lines
        ]
        return {
            **row,
            "markup": {**markup, "data": {**markup["data"], "inline_keyboard": keyboard}},
        }

    def answer_rows(self) -> list[answers.Row]:
        """Everything this turn says, in order; a pressed button is always answered."""
        rows = [self._cancel_marked(row) for row in self._answers]
        query = self.update.callback_query
        if query is not None and not self.answered:
            rows.append(answers.answer_query(query.id, user=query.from_user.id))
        return rows

    def quiet_if_repeated(self) -> None:
        """To a message of an album, say nothing that a message of the album before it was
        told already (handlers/albums.py)."""
        if self.context.albums.repeated(self.update, self.answer_rows()):
            self._answers.clear()

    async def _keep_prompts(self, sent: list[tuple[Any, int]]) -> None:
        """The dialogue keeps the message id of its prompt just sent (a later update of this
        chat waits for this: bot/concurrency.py). Lost in a crash, the buttons merely stay."""
        if not sent:
            return
        try:
            async with self.runtime.db.session() as session:
                for (telegram_id, dialogue_mark), message_id in sent:
                    await dialogues.keep_prompt(session, telegram_id, dialogue_mark, message_id)
        except Exception:
            log.exception("could not keep the prompt of update %s", self.update.update_id)

    async def flush(self) -> None:
        """Send the answer kept with the commit, then the deferred actions. A refusal by
        Telegram (a bug: a text too long, a bad button) is raised for the error handler."""
        outcome = await self.context.intake.answer(self.update.update_id, self.answer_rows())
        await self._keep_prompts(outcome.prompts)
        actions, self._after = self._after, []
        for action in actions:
            try:
                await action()
            except TelegramError as error:
                # The answer is out and the work committed: a menu button or a progress
                # message Telegram refuses now is logged, not reported as a failed update.
                log.warning("a follow-up of update %s failed: %s", self.update.update_id, error)
        if outcome.refused is not None:
            raise outcome.refused


Handler = Callable[[Turn], Awaitable[None]]


def error_text(t: Translator, error: DomainError) -> str:
    """A refusal in words, wherever it is caught (bot/wording.py)."""
    return t(error.message_key, **wording.params(t, error.params))


async def _begin(
    update: Update,
    context: BotContext,
    session: DbSession,
    roles: frozenset[Role] | None,
    now: dt.datetime,
) -> tuple[Turn, DomainError | None]:
    """Load the member, build the turn, and check the roles the command table asks for: the
    refusal comes with the turn, to be raised once the turn is known, so that it is worded in
    the language the person chose (/lang), not their Telegram app's."""
    runtime = context.runtime
    user = update.effective_user
    assert user is not None
    # The dialogue comes with the member: most updates read it next (platform/dialogues.py).
    member, dialogue = await dialogues.with_member(session, user.id)
    actor = Actor.of(user.id, member, runtime.settings.admin_ids)
    language = (
        member.language
        if member and member.language
        else language_from_telegram(user.language_code, runtime.settings.default_language)
    )
    turn = Turn(update, context, session, actor, runtime.translator(language), now)
    if dialogue is not None:
        turn.opening_prompt = dialogues.prompt_message(dialogue)
        turn.opening_mark = dialogues.mark(dialogue)
        turn.opening_kind = dialogue.kind
        turn.opening_data = dict(dialogue.data)
    if roles is not None and not actor.has_any(roles):
        return turn, refusal(update, member, dialogue)
    return turn, None


def refusal(update: Update, member: Member | None, dialogue: Dialogue | None) -> DomainError:
    """Why someone without the roles a command asks is refused (`dialogue`: theirs, open)."""
    if on_behalf_of_a_chat(update):
        return DomainError(ErrorCode.GROUP_ANONYMOUS_SENDER)
    if member is not None and member.active:
        return DomainError(ErrorCode.FORBIDDEN)
    # Someone who opened an invite and is still on its steps needs no other invite.
    registering = registration.is_registering(dialogue)
    return DomainError(
        ErrorCode.REGISTRATION_UNFINISHED if registering else ErrorCode.NOT_REGISTERED
    )


def on_behalf_of_a_chat(update: Update) -> bool:
    """A message sent in a group on behalf of a chat: by an admin who remains anonymous (the
    group itself is its sender) or as a channel. Its `from` is a stand-in (GroupAnonymousBot),
    never the person, so who sent it cannot be known."""
    message = update.message
    return message is not None and message.sender_chat is not None


def _wrote_in_private(update: Update, member: Member | None) -> bool:
    """The member wrote (or pressed) in their private chat: the bot can reach them. Blocking
    the bot there (`my_chat_member`) is no sign of that."""
    chat, user = update.effective_chat, update.effective_user
    if update.my_chat_member is not None:
        return False
    return member is not None and chat is not None and user is not None and chat.id == user.id


async def run_turn(
    update: Update,
    context: BotContext,
    handler: Handler,
    roles: frozenset[Role] | None,
    *,
    read_only: bool = False,
) -> None:
    runtime = context.runtime
    user = update.effective_user
    if user is None:
        return
    now = runtime.clock.now()
    fallback_language = language_from_telegram(
        user.language_code, runtime.settings.default_language
    )
    turn: Turn | None = None
    try:
        if read_only:
            async with runtime.db.read_session() as session:
                turn, refused = await _begin(update, context, session, roles, now)
                if refused is not None:
                    raise refused
                await handler(turn)
                turn.quiet_if_repeated()
            async with runtime.db.session() as session:
                member = turn.actor.member
                if _wrote_in_private(update, member) and member is not None and member.blocked_bot:
                    await reachability.reachable_again(session, member.id)
                if not await inbox.handled(session, update.update_id, now, turn.answer_rows()):
                    raise _Duplicate
        else:
            async with runtime.db.session() as session:
                turn, refused = await _begin(update, context, session, roles, now)
                if refused is not None:
                    raise refused
                member = turn.actor.member
                unblocked = (
                    member is not None
                    and _wrote_in_private(update, member)
                    and reachability.seen_reachable(member)
                )
                await handler(turn)
                await turn.dialogue_replaced()
                turn.dialogue_settled()
                turn.quiet_if_repeated()
                if unblocked and member is not None:
                    await reachability.reachable_again(session, member.id)
                # Last, so that a redelivery of a handled update rolls back all it did.
                if not await inbox.handled(session, update.update_id, now, turn.answer_rows()):
                    raise _Duplicate
    except _Duplicate:
        context.intake.settled(update.update_id)
        log.info("update %s was handled before; skipped", update.update_id)
        if update.callback_query is not None:
            # The first delivery answered it; Telegram refuses a second answer, which is fine.
            try:
                await update.callback_query.answer()
            except BadRequest:
                log.debug("callback query of update %s already answered", update.update_id)
        return
    except DomainError as error:
        t = turn.t if turn is not None else runtime.translator(fallback_language)
        rows = refusal_rows(update, t, error)
        if context.albums.repeated(update, rows):
            rows = []
        if await context.intake.finish(update, rows):
            context.albums.given(update, rows)
        return
    context.intake.settled(update.update_id)
    assert turn is not None
    context.albums.given(update, turn.answer_rows())
    await turn.flush()


def refusal_rows(update: Update, t: Translator, error: DomainError) -> list[answers.Row]:
    """A refusal rolled everything back; only the explanation goes out."""
    return explanation_rows(update, error_text(t, error))


def explanation_rows(update: Update, text: str) -> list[answers.Row]:
    """`text` as an alert on a pressed button (cut to fit by `answer_query`), or as a message in
    the chat."""
    query = update.callback_query
    if query is not None:
        return [answers.answer_query(query.id, text, alert=True, user=query.from_user.id)]
    chat = update.effective_chat
    if chat is None:
        return []
    thread = topic_of(update)
    return [answers.message(chat.id, part, thread=thread) for part in split_message(text) or [text]]


def topic_of(update: Update) -> int | None:
    """The forum topic an update was written in (a message in it, a button of a message in
    it): its answers go there, not to General. None in General and outside forums, where a
    message_thread_id names a thread of replies, not a topic."""
    message = update.effective_message
    if not isinstance(message, Message) or not message.is_topic_message:
        return None
    return message.message_thread_id
