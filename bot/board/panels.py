"""The board's panels and the registry they plug into.

A panel is a provider: a key, the catalog key of its heading, the view the page draws it with,
and ``collect``, which reads its data for one viewer's scope. The page shows exactly the panels
of the registry it is given, in order; a panel whose provider is not registered does not appear.

Views the page knows how to draw (bot/board/static/board.js):

- ``map``: markers with a state and a popup (the built-in map);
- ``figures``: labelled numbers and a curve over the day (the built-in "now");
- ``table``: a heading row and rows of cells, each cell text (the ranking, the rectification
  orders, any plugged-in table); ``text_columns`` names the columns of free text (a unit's,
  post's or place's name) that may wrap anywhere on a narrow phone.

A later domain adds its panel with one ``register`` call on the registry the server is built
with (``standard_panels()`` in bot/board/standard.py, or the ``panels`` argument of
BoardServer), and reads its figures for the ``PanelContext`` scope: ``unit_id`` None is the whole
city, any other value one unit, whose view must leave out what that unit may not see yet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from bot.board.data import Scene
from bot.i18n import Translator
from bot.settings import Settings

View = Literal["map", "figures", "table"]
PanelData = dict[str, Any]


@dataclass
class PanelContext:
    """One snapshot's inputs, shared by every panel of it; `shared` computes a value that
    several panels need (the day's tally, the day's check-ins) once per snapshot. `scene` is
    what the board read for the scope (bot/board/data.py): the built-in panels take everything
    from it; a plugged-in panel may read more through `session`."""

    session: AsyncSession
    unit_id: int | None  # None: the whole city (headquarters)
    now: dt.datetime
    settings: Settings
    t: Translator
    scene: Scene
    _memo: dict[str, Any] = field(default_factory=dict)

    @property
    def day(self) -> dt.date:
        return self.now.astimezone(self.settings.zone).date()

    async def shared(self, key: str, compute: Callable[[], Awaitable[Any]]) -> Any:
        if key not in self._memo:
            self._memo[key] = await compute()
        return self._memo[key]


class Panel(Protocol):
    key: str
    title_key: str
    view: View

    async def collect(self, context: PanelContext) -> PanelData:
        """The panel's data for the context's scope, as JSON-ready values."""
        ...


class PanelRegistry:
    """The panels a board shows, in order, each key once."""

    def __init__(self, panels: Sequence[Panel] = ()) -> None:
        self._panels: dict[str, Panel] = {}
        for panel in panels:
            self.register(panel)

    def register(self, panel: Panel) -> None:
        if panel.key in self._panels:
            raise ValueError(f"a board panel {panel.key!r} is registered already")
        self._panels[panel.key] = panel

    def __iter__(self) -> Iterator[Panel]:
        return iter(self._panels.values())

    def __contains__(self, key: object) -> bool:
        return key in self._panels

    def keys(self) -> list[str]:
        return list(self._panels)
