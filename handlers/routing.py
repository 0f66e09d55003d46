"""The shapes of the one command table (``bot/commands.py``): each command, button action and
dialogue is declared once with its handler and the roles that may use it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, TypeVar

from bot.buttons import CallbackData
from bot.db.models import Dialogue, DialogueKind, Role
from bot.settings import Settings
from handlers.turn import Handler, Turn

# Roles that count as "a member": anyone registered in a unit, and admins.
MEMBERS: frozenset[Role] = frozenset(Role)
ADMINS: frozenset[Role] = frozenset({Role.ADMIN})
COORDINATORS: frozenset[Role] = frozenset({Role.COORDINATOR, Role.ADMIN})
LEADERS: frozenset[Role] = frozenset({Role.LEADER, Role.COORDINATOR, Role.ADMIN})
INSPECTORS: frozenset[Role] = frozenset({Role.INSPECTOR, Role.ADMIN})
# Who deals with rectification orders: inspectors issue them, coordinators answer them.
OVERSEERS: frozenset[Role] = frozenset({Role.INSPECTOR, Role.COORDINATOR, Role.ADMIN})


class Where(StrEnum):
    PRIVATE = "private"
    GROUP = "group"
    ANY = "any"


def always(settings: Settings) -> bool:
    return True


@dataclass(frozen=True)
class Command:
    name: str
    handler: Handler
    roles: frozenset[Role] | None  # None: anyone, strangers included
    help_key: str
    where: Where = Where.PRIVATE
    menu: bool = True
    # Only reads: the handler runs on a read-only snapshot that never holds SQLite's write lock.
    read_only: bool = False
    # Whether menus and /help offer it under these settings; typed, it answers either way (the
    # board says what to set when it is off).
    offered: Callable[[Settings], bool] = always
    # The handler refuses those without `roles` itself, to undo first what they may no longer
    # use (the board's menu button); menus and /help still follow `roles`.
    refuses_itself: bool = False


D = TypeVar("D", bound=CallbackData)


@dataclass(frozen=True)
class Button(Generic[D]):
    """An inline button action: presses of ``data`` (a class of the bot/buttons package) go to
    ``handler`` with the values parsed; a malformed press is answered as a stale button."""

    data: type[D]
    handler: Callable[[Turn, D], Awaitable[None]]
    roles: frozenset[Role] | None
    read_only: bool = False

    def bind(self, data: D) -> Handler:
        async def handle(turn: Turn) -> None:
            await self.handler(turn, data)

        return handle


DialogueHandler = Callable[[Turn, Dialogue], Awaitable[None]]
# Given the data the dialogue held when the turn began.
ReplacedHandler = Callable[[Turn, Mapping[str, Any]], Awaitable[None]]


@dataclass(frozen=True)
class DialogueRoute:
    kind: DialogueKind
    handler: DialogueHandler
    roles: frozenset[Role] | None
    # The steps that ask for a location; at any other step a location is a check-in.
    location_steps: frozenset[str] = frozenset()
    # What its question stood for, once a dialogue of another kind replaced it unanswered (a
    # new command begun instead of the answer): `Turn.dialogue_replaced`.
    replaced: ReplacedHandler | None = None


@dataclass(frozen=True)
class Registry:
    commands: tuple[Command, ...]
    buttons: tuple[Button[Any], ...]
    dialogues: tuple[DialogueRoute, ...]

    def commands_for(
        self, roles: frozenset[Role], *, where: Where = Where.PRIVATE
    ) -> list[Command]:
        return [
            command
            for command in self.commands
            if command.where in (where, Where.ANY)
            and (command.roles is None or command.roles & roles)
        ]

    def menu_for(
        self, roles: frozenset[Role], translate: Callable[[str], str], settings: Settings
    ) -> list[tuple[str, str]]:
        return [
            (command.name, translate(command.help_key))
            for command in self.commands_for(roles)
            if command.menu and command.offered(settings)
        ]

    def group_only_for(
        self, roles: frozenset[Role], translate: Callable[[str], str], settings: Settings
    ) -> list[tuple[str, str]]:
        """The commands these roles can send only in a group chat: no private menu shows them,
        so /help names them apart."""
        return [
            (command.name, translate(command.help_key))
            for command in self.commands
            if command.where is Where.GROUP
            and command.menu
            and command.offered(settings)
            and (command.roles is None or command.roles & roles)
        ]

    def group_menu(
        self, translate: Callable[[str], str], settings: Settings
    ) -> list[tuple[str, str]]:
        """The menu of every group chat: the commands that work there (who may send them is
        checked as they arrive)."""
        return [
            (command.name, translate(command.help_key))
            for command in self.commands
            if command.where in (Where.GROUP, Where.ANY)
            and command.menu
            and command.offered(settings)
        ]

    def dialogue(self, kind: DialogueKind) -> DialogueRoute | None:
        return next((route for route in self.dialogues if route.kind == kind), None)


def in_a_unit(handler: Handler) -> Handler:
    """A command of one's own duty (shifts, check-ins, hours): an admin outside every unit is
    told they have none, and how to join one, before the handler runs."""

    async def handle(turn: Turn) -> None:
        turn.actor.require_unit_member()
        await handler(turn)

    return handle
