"""The composition root of the Telegram application: handlers from the command table, the
update processor, the HTTP pools and the error handler."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeDefault,
    Message,
    Update,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot import answers, metrics, scheduler
from bot.commands import REGISTRY
from bot.concurrency import ChatOrderedUpdateProcessor
from bot.db.leadership import sender_leadership
from bot.i18n import LANGUAGES, MENU_LANGUAGE_CODES, language_from_telegram
from bot.intake import Intake
from bot.request import AiohttpRequest
from bot.runtime import Runtime
from bot.sender import Sender, worker_name
from bot.services.people import members
from handlers import checkin, common, reports, street_report
from handlers.albums import AlbumAnswers
from handlers.routing import Button, Registry, Where
from handlers.turn import BotApplication, BotContext, Handler, explanation_rows, run_turn

log = logging.getLogger(__name__)

CHAT_FILTERS = {
    Where.PRIVATE: filters.ChatType.PRIVATE,
    Where.GROUP: filters.ChatType.GROUPS,
    Where.ANY: filters.ALL,
}
# A new message, but not a linked channel's post that Telegram forwards into its discussion
# group on its own: nobody sent that to the bot, and it is left alone.
NEW_MESSAGE = filters.UpdateType.MESSAGE & ~filters.IS_AUTOMATIC_FORWARD


class _NamesThisBot(filters.MessageFilter):
    """A command addressed to this bot by its username (/today@dutybot)."""

    def filter(self, message: Message) -> bool:
        text = message.text or ""
        if not text.startswith("/"):
            return False
        _, at, username = text.split()[0].partition("@")
        return bool(at) and username.lower() == message.get_bot().username.lower()


_NAMES_THIS_BOT = _NamesThisBot()


class _OneOfOurCommands(filters.MessageFilter):
    """A command this bot answers in a group: one naming it (/today@dutybot), or one of its
    commands without a name (/today); not one naming another bot."""

    def __init__(self, names: frozenset[str]) -> None:
        super().__init__()
        self.names = names

    def filter(self, message: Message) -> bool:
        text = message.text or ""
        if not text.startswith("/"):
            return False
        name, at, username = text.split()[0][1:].partition("@")
        if at:
            return username.lower() == message.get_bot().username.lower()
        return name.lower() in self.names


class _FirstEdit(filters.MessageFilter):
    """The first edit of a message that passes the filters before it: one answer for one
    message, however often it is edited. Remembered in memory for the latest `keep` messages
    (a restart forgets: at worst one answer more)."""

    def __init__(self, keep: int = 1000) -> None:
        super().__init__()
        self._seen: deque[tuple[int, int]] = deque(maxlen=keep)

    def filter(self, message: Message) -> bool:
        key = (message.chat_id, message.message_id)
        if key in self._seen:
            return False
        self._seen.append(key)
        return True


def _callback(
    handler: Handler, roles: Any, *, read_only: bool = False
) -> Callable[[Update, BotContext], Any]:
    async def callback(update: Update, context: BotContext) -> None:
        with metrics.update_handled(update):
            await run_turn(update, context, handler, roles, read_only=read_only)

    return callback


def _button_callback(action: Button[Any]) -> Callable[[Update, BotContext], Any]:
    async def callback(update: Update, context: BotContext) -> None:
        query = update.callback_query
        data = action.data.parse(query.data if query is not None else None)
        with metrics.update_handled(update):
            if data is None:
                # Forged, or from an older version of the bot: nothing is done.
                await run_turn(update, context, common.unknown_button, None)
                return
            await run_turn(
                update, context, action.bind(data), action.roles, read_only=action.read_only
            )

    return callback


def register_handlers(application: BotApplication, registry: Registry) -> None:
    # PTB's command handlers also match edited messages; an edit must not run a command again
    # (it is answered as an edit below), so commands take new messages only.
    for command in registry.commands:
        application.add_handler(
            CommandHandler(
                command.name,
                _callback(
                    command.handler,
                    None if command.refuses_itself else command.roles,
                    read_only=command.read_only,
                ),
                filters=NEW_MESSAGE & CHAT_FILTERS[command.where],
            )
        )
    for action in registry.buttons:
        application.add_handler(
            CallbackQueryHandler(_button_callback(action), pattern=action.data.matches)
        )
    # Check-in (issue 4): a location outside any other dialogue checks in, and the edits of a
    # live location (edited messages) are presence samples.
    application.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE & filters.LOCATION,
            _callback(checkin.on_location, None),
        )
    )
    application.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE & filters.UpdateType.EDITED_MESSAGE & filters.LOCATION,
            _callback(checkin.on_live_update, None),
        )
    )
    # Any other edit (a corrected text, a new caption) is not read again; the person is told.
    application.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE & filters.UpdateType.EDITED_MESSAGE & ~filters.LOCATION,
            _callback(common.edited_message, None),
        )
    )
    # A photo captioned 随手拍 outside any dialogue is a street report (issue 16); one sent as
    # a file is asked again as a photo.
    application.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE
            & filters.UpdateType.MESSAGE
            & (filters.PHOTO | filters.Document.IMAGE)
            & filters.CaptionRegex(street_report.CAPTION),
            _callback(street_report.from_caption, None),
        )
    )
    # Any other photo: the on-post photo sent before the location begins a check-in (one sent
    # as a file is asked for as a photo).
    application.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE
            & filters.UpdateType.MESSAGE
            & (filters.PHOTO | filters.Document.IMAGE),
            _callback(checkin.on_photo, None),
        )
    )
    # Whatever else the person sends, but not Telegram's service messages (they pinned a
    # message, set an auto-delete timer or a wallpaper): those say nothing to the bot, and
    # answering them "not understood", or as a wrong answer to a dialogue's question, would.
    application.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE
            & filters.UpdateType.MESSAGE
            & ~filters.COMMAND
            & ~filters.StatusUpdate.ALL,
            _callback(common.route_message, None),
        )
    )
    application.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE & filters.COMMAND,
            _callback(common.unknown_command, None),
        )
    )
    # One of our private-chat commands sent in a group (to this bot): say where it works rather
    # than stay silent. Other commands in a group are not addressed to us and stay unanswered.
    private_only = [c.name for c in registry.commands if c.where is Where.PRIVATE]
    application.add_handler(
        CommandHandler(
            private_only,
            _callback(common.private_only_command, None),
            filters=NEW_MESSAGE & filters.ChatType.GROUPS,
        )
    )
    # Any other command naming this bot in a group (/todya@bot): the commands that work there.
    # One without the bot's name may be another bot's, and is left alone.
    application.add_handler(
        MessageHandler(
            NEW_MESSAGE & filters.ChatType.GROUPS & _NAMES_THIS_BOT,
            _callback(common.unknown_group_command, None),
        )
    )
    # A command of ours in a group, edited after it was sent (a typo corrected): the edit is not
    # read, and the sender is told so rather than left waiting for an answer. Other edits there
    # (the group's talk, another bot's commands, a linked channel's post that Telegram edits in
    # its discussion group) are not ours to answer. A message edited again is not answered
    # again: the group was told once, under it.
    application.add_handler(
        MessageHandler(
            filters.ChatType.GROUPS
            & filters.UpdateType.EDITED_MESSAGE
            & ~filters.IS_AUTOMATIC_FORWARD
            & _OneOfOurCommands(frozenset(command.name for command in registry.commands))
            & _FirstEdit(),
            _callback(common.edited_in_group, None),
        )
    )
    application.add_handler(CallbackQueryHandler(_callback(common.unknown_button, None)))
    # A bound group's life on Telegram: upgraded to a supergroup (a new chat id), renamed, and
    # the bot removed from it.
    application.add_handler(
        MessageHandler(filters.StatusUpdate.MIGRATE, _callback(reports.group_migrated, None))
    )
    application.add_handler(
        MessageHandler(
            filters.StatusUpdate.NEW_CHAT_TITLE & filters.ChatType.GROUPS,
            _callback(reports.group_renamed, None),
        )
    )
    application.add_handler(
        ChatMemberHandler(_callback(reports.bot_membership, None), ChatMemberHandler.MY_CHAT_MEMBER)
    )
    application.add_error_handler(on_error)


def described(update: object) -> str:
    """An update for the log: its id, kind and chat, never what the person sent (a contact is
    their phone number, a location where they are, a message their words)."""
    if not isinstance(update, Update):
        return f"job {type(update).__name__}" if update is not None else "a job"
    kinds = [
        name for name in ("message", "edited_message", "callback_query") if getattr(update, name)
    ]
    kind = kinds[0] if kinds else "update"
    chat = update.effective_chat
    where = f" in chat {chat.id}" if chat is not None else ""
    return f"update {update.update_id} ({kind}{where})"


async def on_error(update: object, context: BotContext) -> None:
    """The last word: log everything, and never answer a person with silence. The failed
    update's work was rolled back; it is marked done with this answer, so it is not tried again
    after a restart."""
    log.error("%s failed", described(update), exc_info=context.error)
    if not isinstance(update, Update) or update.effective_user is None:
        return
    runtime = context.runtime
    language = language_from_telegram(
        update.effective_user.language_code, runtime.settings.default_language
    )
    try:
        async with runtime.db.read_session() as session:
            member = await members.by_telegram_id(session, update.effective_user.id)
            if member is not None and member.language:
                language = member.language
    except Exception:
        log.warning("could not read the member's language while reporting an error")
    rows = explanation_rows(update, runtime.translator(language)("common.internal_error"))
    try:
        if not await context.intake.finish(update, rows):
            # It was handled and Telegram refused part of its answer: say so now.
            await answers.send(context.bot, rows, runtime)
    except Exception:
        log.exception("could not tell the user about the error")


async def _post_init(application: BotApplication) -> None:
    runtime = application.bot_data["runtime"]
    assert isinstance(runtime, Runtime)
    runtime.bot_username = application.bot.username
    registry = application.bot_data["registry"]
    assert isinstance(registry, Registry)
    settings = runtime.settings
    # Strangers see the menu of someone with no role; members get theirs per chat. Groups see
    # the commands that work in a group (the reports and /setgroup).
    for language in (*LANGUAGES, None):
        code = MENU_LANGUAGE_CODES.get(language) if language is not None else ""
        if code is None:
            continue
        t = runtime.translator(language or settings.default_language)
        private = registry.menu_for(frozenset(), t, settings)
        groups = registry.group_menu(t, settings)
        for scope, menu in (
            (BotCommandScopeDefault(), private),
            (BotCommandScopeAllGroupChats(), groups),
        ):
            await application.bot.set_my_commands(
                [BotCommand(name, text) for name, text in menu],
                scope=scope,
                language_code=code or None,
            )


async def scheduled_tick(application: Application[Any, Any, Any, Any, Any, Any]) -> int:
    """One scheduler tick of this running bot: the no-show job only once the updates that
    waited while it was down are received (bot/intake/), so that the first tick after an
    outage does not call absent someone whose location is still in Telegram's queue."""
    runtime = application.bot_data["runtime"]
    intake = application.bot_data["intake"]
    assert isinstance(runtime, Runtime) and isinstance(intake, Intake)
    return await scheduler.tick(runtime, backlog_received=await intake.backlog_received())


async def _scheduler_tick(context: BotContext) -> None:
    queued = await scheduled_tick(context.application)
    if queued:
        log.info("scheduler tick queued %s messages", queued)


async def _start_background(application: BotApplication) -> None:
    """The production loops: the outbox sender and the periodic scheduler tick."""
    runtime = application.bot_data["runtime"]
    assert isinstance(runtime, Runtime)
    stop = asyncio.Event()
    application.bot_data["sender_stop"] = stop
    worker = worker_name()
    sender = Sender(
        application.bot,
        runtime,
        leadership=sender_leadership(runtime.db, worker),
        worker=worker,
        # On SQLite one process is the rule (bot/db/process_lock.py).
        sole_process=runtime.db.is_sqlite,
    )
    application.bot_data["sender"] = sender  # for the board's /healthz and /metrics
    application.bot_data["sender_task"] = asyncio.create_task(
        sender.run_forever(stop), name="outbox-sender"
    )
    assert application.job_queue is not None
    application.job_queue.run_repeating(
        _scheduler_tick,
        interval=runtime.settings.scheduler_tick_seconds,
        first=1.0,
        name="scheduler-tick",
    )


async def _stop_background(application: BotApplication) -> None:
    stop = application.bot_data.get("sender_stop")
    task = application.bot_data.get("sender_task")
    if isinstance(stop, asyncio.Event) and isinstance(task, asyncio.Task):
        stop.set()
        await task


async def _post_init_with_background(application: BotApplication) -> None:
    await _post_init(application)
    await _start_background(application)


def build_application(
    runtime: Runtime,
    *,
    registry: Registry = REGISTRY,
    on_update_done: Callable[[object], None] | None = None,
    background: bool = False,
) -> BotApplication:
    """The bot. With `background` it also runs the outbox sender and the scheduler tick
    (`dutybot run`); tests and the demo drive both by hand through the injected clock.

    Updates come in through the intake (bot/intake/) in `bot_data["intake"]`, which stores
    each in the inbox before it is acknowledged; PTB's Updater, which acknowledges a batch
    before it is handled, is not used. `on_update_done` is told of every update once it was
    handled or recognised as one handled before."""
    settings = runtime.settings
    context_types = ContextTypes(context=BotContext)
    intake = Intake(runtime, on_skipped=on_update_done)
    calls = AiohttpRequest()
    # Polling waits in a long getUpdates of its own, apart from the calls above.
    polling = AiohttpRequest(connections=2)
    application: BotApplication = (
        ApplicationBuilder()
        .token(settings.bot_token)
        .base_url(settings.bot_api_base_url)
        .base_file_url(settings.bot_api_file_url)
        .context_types(context_types)
        .concurrent_updates(ChatOrderedUpdateProcessor(on_done=on_update_done, after=intake.after))
        .request(calls)
        .get_updates_request(polling)
        .updater(None)
        .post_init(_post_init)
        .build()
    )
    intake.attach(application)
    application.bot_data["intake"] = intake
    # Closed by bot/runner.py when the Bot API could not be reached at start, before PTB owns
    # them (it closes only what it initialized whole).
    application.bot_data["requests"] = (calls, polling)
    if background:
        application.post_init = _post_init_with_background
        application.post_stop = _stop_background
    application.bot_data["runtime"] = runtime
    application.bot_data["registry"] = registry
    application.bot_data["albums"] = AlbumAnswers()
    register_handlers(application, registry)
    return application
