"""The live board (/board): open it as a Telegram Mini App (a button, and the chat's menu
button); admins also make, list and revoke wall-screen links."""

from __future__ import annotations

from urllib.parse import urlencode

from telegram import InlineKeyboardButton, MenuButtonWebApp, WebAppInfo

from bot.board import data as board_data
from bot.board import screens
from bot.buttons import (
    BoardNewScreen,
    BoardRevoke,
    BoardScreenListPage,
    BoardScreenPage,
    BoardScreens,
    BoardScreenScope,
)
from bot.db.models import BoardScreen
from bot.errors import DomainError, ErrorCode
from bot.i18n import Translator
from bot.services.platform import dialogues
from bot.settings import Settings
from handlers.keyboards import button, close_row, inline, page
from handlers.routing import LEADERS
from handlers.turn import Turn, refusal


def mini_app_url(settings: Settings, language: str) -> str:
    """BOARD_URL with the page's language (the page shows no data until Telegram's signed
    initData comes back with it)."""
    return f"{settings.board_url}?{urlencode({'lang': language})}"


def _scope_label(t: Translator, screen: BoardScreen) -> str:
    return screen.unit.name if screen.unit is not None else t("report.scope.all")


async def open_board(turn: Turn) -> None:
    """/board: the Mini App button (and the chat's menu button) for the person's scope."""
    settings = turn.runtime.settings
    t = turn.t
    if not turn.actor.has_any(LEADERS):
        # Refused here, not by the router (`refuses_itself`): a menu button an earlier /board
        # set, before their role was taken, would open nothing but a refusal.
        _menu_button_off(turn)
        dialogue = await dialogues.current(turn.session, turn.user_id)
        turn.refuse(refusal(turn.update, turn.actor.member, dialogue))
        return
    if not settings.board_url:
        turn.reply(t("board.not_configured"))
        return
    viewer = await board_data.person(turn.session, turn.user_id, None, settings)
    if viewer.archived_unit is not None or not viewer.allowed:
        # A menu button an earlier /board set would open nothing but this refusal.
        _menu_button_off(turn)
        if viewer.archived_unit is not None:
            turn.refuse(DomainError(ErrorCode.BOARD_OWN_UNIT_ARCHIVED, unit=viewer.archived_unit))
        else:
            turn.refuse(DomainError(ErrorCode.FORBIDDEN))
        return
    scope = await board_data.unit_name(turn.session, viewer.unit_id) or t("report.scope.all")
    url = mini_app_url(settings, t.language)
    lines = [t("board.intro", scope=scope, seconds=settings.board_refresh_seconds)]
    rows = [[InlineKeyboardButton(t("board.button.open"), web_app=WebAppInfo(url))]]
    if turn.actor.is_admin:
        lines.append(t("board.intro_admin", count=screens.LINK_VALID.days))
        count = len(await screens.active(turn.session, turn.now))
        rows.append([button(t("board.button.screen"), BoardNewScreen())])
        rows.append([button(t("board.button.screens", links=count), BoardScreens())])
    turn.reply("\n\n".join(lines), inline(rows))
    bot, chat_id, button_ = turn.context.bot, turn.chat_id, _menu_button(turn)

    async def set_menu_button() -> None:
        await bot.set_chat_menu_button(chat_id=chat_id, menu_button=button_)

    turn.later(set_menu_button)


def _menu_button(turn: Turn) -> MenuButtonWebApp:
    url = mini_app_url(turn.runtime.settings, turn.t.language)
    return MenuButtonWebApp(turn.t("board.menu_button"), WebAppInfo(url))


def _menu_button_off(turn: Turn) -> None:
    """The chat's menu button back to the bot's default, if it is the board's: for someone
    who may no longer see the board (their role taken, their unit archived)."""
    bot, chat_id = turn.context.bot, turn.chat_id

    async def reset() -> None:
        if isinstance(await bot.get_chat_menu_button(chat_id=chat_id), MenuButtonWebApp):
            await bot.set_chat_menu_button(chat_id=chat_id)

    turn.later(reset)


async def menu_button_follows_language(turn: Turn) -> None:
    """After /lang: the chat's menu button that /board set, if it still shows it, says its
    label and opens the board in the person's new language (other chats keep their menu);
    for someone who may no longer see the board, it goes back to the command menu."""
    settings = turn.runtime.settings
    if not settings.board_url:
        return
    viewer = await board_data.person(turn.session, turn.user_id, None, settings)
    if not viewer.allowed:
        _menu_button_off(turn)
        return
    bot, chat_id, button_ = turn.context.bot, turn.chat_id, _menu_button(turn)

    async def set_again() -> None:
        if isinstance(await bot.get_chat_menu_button(chat_id=chat_id), MenuButtonWebApp):
            await bot.set_chat_menu_button(chat_id=chat_id, menu_button=button_)

    turn.later(set_again)


# -- wall-screen links (admins) -----------------------------------------------------------------


async def new_screen(turn: Turn, data: BoardNewScreen) -> None:
    await _scope_picker(turn, 0)


async def screen_scope_page(turn: Turn, data: BoardScreenPage) -> None:
    await _scope_picker(turn, data.offset)


async def _scope_picker(turn: Turn, offset: int) -> None:
    t = turn.t
    choices = await board_data.unit_choices(turn.session, turn.actor)
    shown = page(t, choices, offset, BoardScreenPage)
    lines = [t("board.screen.pick_scope")]
    if shown.line is not None:
        lines.append(shown.line)
    rows = [[button(t("board.screen.button.city"), BoardScreenScope(0))]]
    rows += [[button(unit.name, BoardScreenScope(unit.id))] for unit in shown.items]
    rows += shown.nav_rows
    rows.append(close_row(t))
    turn.edit("\n".join(lines), inline(rows))


async def create_screen(turn: Turn, data: BoardScreenScope) -> None:
    unit_id = data.unit_id
    settings = turn.runtime.settings
    if not settings.board_url:
        turn.stale()
        return
    t = turn.t
    screen = await screens.create(
        turn.session, turn.actor, unit_id=unit_id or None, language=t.language, now=turn.now
    )
    link = screens.url(settings, screens.token_of(screen, settings), screen.language)
    text = t(
        "board.screen.created",
        scope=await board_data.unit_name(turn.session, screen.unit_id) or t("report.scope.all"),
        expires=t.datetime(screen.expires_at),
        url=link,
    )
    rows = [
        [InlineKeyboardButton(t("board.screen.button.open"), url=link)],
        [button(t("board.screen.button.revoke"), BoardRevoke(screen.id))],
    ]
    turn.edit(text, inline(rows))


async def list_screens(turn: Turn, data: BoardScreens) -> None:
    await _screen_list(turn, 0)


async def screens_page(turn: Turn, data: BoardScreenListPage) -> None:
    await _screen_list(turn, data.offset)


async def _screen_list(turn: Turn, offset: int) -> None:
    t = turn.t
    active = await screens.active(turn.session, turn.now)
    if not active:
        turn.edit(t("board.screen.list.empty"))
        return
    shown = page(t, active, offset, BoardScreenListPage, line_key="board.screen.list.page")
    lines = [t("board.screen.list.header")]
    if shown.line is not None:
        lines.append(shown.line)
    rows: list[list[InlineKeyboardButton]] = []
    # Numbered by place in the whole list, so "Revoke 23" on page two is the 23rd line.
    for number, screen in enumerate(shown.items, start=shown.offset + 1):
        # A link of a unit archived since is still in force (restoring the unit brings its
        # screen back), but shows nothing meanwhile: the admin deciding whether to revoke it
        # is told so.
        archived = screen.unit is not None and screen.unit.archived
        lines.append(
            t(
                "board.screen.list.line_archived" if archived else "board.screen.list.line",
                number=number,
                scope=_scope_label(t, screen),
                created=t.datetime(screen.created_at),
                expires=t.datetime(screen.expires_at),
            )
        )
        rows.append(
            [
                button(
                    t("board.screen.button.revoke_number", number=number),
                    BoardRevoke(screen.id),
                )
            ]
        )
    rows += shown.nav_rows
    rows.append(close_row(t))
    turn.edit("\n".join(lines), inline(rows))


async def revoke_screen(turn: Turn, data: BoardRevoke) -> None:
    screen = await screens.revoke(turn.session, turn.actor, data.screen_id, turn.now)
    if screen is None:
        turn.answer(turn.t("board.screen.gone"), alert=True)
        return
    turn.edit(turn.t("board.screen.revoked", scope=_scope_label(turn.t, screen)))
