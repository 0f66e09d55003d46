"""One update, one unit of work.

``run_turn`` opens a transaction, records the update id (idempotency), loads the member, checks
the roles the command table asks for and hands the handler a ``Turn``. Replies the handler
queues are sent only after the commit: the reply then never claims a change that was rolled
back, and SQLite's single write lock is never held across a network round trip.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import (
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import BadRequest, RetryAfter
from telegram.ext import Application, CallbackContext, ExtBot

from bot.db.models import Role
from bot.errors import DomainError, ErrorCode
from bot.i18n import Translator, language_from_telegram
from bot.runtime import Runtime
from bot.sender import retry_seconds
from bot.services.people import members, reachability
from bot.services.people.access import Actor
from bot.services.platform import idempotency

if TYPE_CHECKING:
    from handlers.routing import Registry

log = logging.getLogger(__name__)

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove
Deferred = Callable[[], Awaitable[Any]]
# How often a direct reply that meets Telegram's flood limit is tried again.
REPLY_RETRIES = 2


async def patiently(action: Deferred) -> None:
    """Send a direct reply; on a 429 wait as long as Telegram asks and try again. The person is
    waiting for this answer, and giving up would leave them with silence. (Notices through the
    outbox are paced by the sender and never get here.)"""
    for attempt in range(REPLY_RETRIES + 1):
        try:
            await action()
            return
        except RetryAfter as error:
            if attempt == REPLY_RETRIES:
                raise
            log.warning("direct reply hit the flood limit; retrying in %ss", retry_seconds(error))
            await asyncio.sleep(retry_seconds(error))


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


BotApplication = Application[
    ExtBot[None], BotContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any
]


class _Duplicate(Exception):
    """The update was handled before (Telegram redelivered it)."""


@dataclass
class Turn:
    update: Update
    context: BotContext
    session: AsyncSession
    actor: Actor
    t: Translator
    now: dt.datetime
    _after: list[Deferred] = field(default_factory=list)
    answered: bool = False

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
        """Run after the commit, in the order queued."""
        self._after.append(action)

    def reply(self, text: str, markup: Markup | None = None, *, chat_id: int | None = None) -> None:
        target = chat_id if chat_id is not None else self.chat_id
        bot = self.context.bot

        async def send() -> None:
            await bot.send_message(target, text, reply_markup=markup)

        self.later(send)

    def reply_document(self, filename: str, data: bytes, caption: str | None = None) -> None:
        bot, target = self.context.bot, self.chat_id

        async def send() -> None:
            await bot.send_document(target, InputFile(data, filename=filename), caption=caption)

        self.later(send)

    def reply_photo(self, data: bytes, caption: str | None = None) -> None:
        bot, target = self.context.bot, self.chat_id

        async def send() -> None:
            await bot.send_photo(target, InputFile(data, filename="chart.png"), caption=caption)

        self.later(send)

    def edit(self, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
        """Replace the message whose button was pressed, unless it already shows this text and
        these buttons: Telegram refuses such an edit ("message is not modified")."""
        query = self.update.callback_query
        if query is None:
            self.reply(text, markup)
            return
        shown = query.message
        if isinstance(shown, Message) and shown.text == text and shown.reply_markup == markup:
            return

        async def send() -> None:
            try:
                await query.edit_message_text(text, reply_markup=markup)
            except BadRequest as exc:
                # A double tap: the second press carries the message as it was before the first
                # edit, so only Telegram knows it already shows this. Anything else is an error.
                if "not modified" not in str(exc).lower():
                    raise

        self.later(send)

    def answer(self, text: str | None = None, *, alert: bool = False) -> None:
        query = self.update.callback_query
        if query is None:
            if text:
                self.reply(text)
            return
        self.answered = True

        async def send() -> None:
            await query.answer(text, show_alert=alert)

        self.later(send)

    def set_menu(self, commands: Sequence[tuple[str, str]]) -> None:
        bot, target = self.context.bot, self.user_id

        async def send() -> None:
            await bot.set_my_commands(
                [BotCommand(name, description) for name, description in commands],
                scope=BotCommandScopeChat(target),
            )

        self.later(send)

    async def flush(self) -> None:
        actions, self._after = self._after, []
        for action in actions:
            await patiently(action)
        if self.update.callback_query is not None and not self.answered:
            self.answered = True
            await self.update.callback_query.answer()


Handler = Callable[[Turn], Awaitable[None]]


def error_text(t: Translator, error: DomainError) -> str:
    return t(error.message_key, **error.params)


async def run_turn(
    update: Update,
    context: BotContext,
    handler: Handler,
    roles: frozenset[Role] | None,
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
        async with runtime.db.session() as session:
            if not await idempotency.claim_update(session, update.update_id, now):
                raise _Duplicate
            member = await members.by_telegram_id(session, user.id)
            chat = update.effective_chat
            if member is not None and chat is not None and chat.id == user.id:
                reachability.mark_reachable(member)
            actor = Actor.of(user.id, member, runtime.settings.admin_ids)
            language = member.language if member and member.language else fallback_language
            turn = Turn(update, context, session, actor, runtime.translator(language), now)
            if roles is not None and not actor.has_any(roles):
                is_stranger = member is None or not member.active
                raise DomainError(ErrorCode.NOT_REGISTERED if is_stranger else ErrorCode.FORBIDDEN)
            await handler(turn)
    except _Duplicate:
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
        await _tell_refusal(update, context, t, error)
        return
    assert turn is not None
    await turn.flush()


async def _tell_refusal(
    update: Update, context: BotContext, t: Translator, error: DomainError
) -> None:
    """A refusal rolled everything back; only the explanation goes out."""
    text = error_text(t, error)
    query = update.callback_query
    if query is not None:
        await query.answer(text, show_alert=True)
        return
    chat = update.effective_chat
    if chat is not None:
        await context.bot.send_message(chat.id, text)
