"""The rectification orders panel (整改令): the open and overdue orders by unit for the city, a
unit's own open orders for a unit.

The orders come with the board's one read of the scene (bot/board/data.py, ``open_orders``);
a unit's scene holds only the orders the unit may see, so a covert check's order shows on its
board from the daily tally after the check on (the moment the oversight domain set when it
issued the order), as in /orders. The city's board is headquarters': it counts every order.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.board.data import OpenOrder
from bot.board.panels import PanelContext, PanelData, View
from bot.db.models import OrderStatus
from bot.i18n import Translator


@dataclass
class UnitOrders:
    name: str
    open: int = 0
    overdue: int = 0
    replied: int = 0  # waiting for the inspector to accept the fix


def by_unit(orders: list[OpenOrder], names: dict[int, str], at: float) -> list[UnitOrders]:
    """Open orders per unit, most first (then by name), as /orders heads its list."""
    lines: dict[int, UnitOrders] = {}
    for order in orders:
        line = lines.get(order.unit_id)
        if line is None:
            line = lines[order.unit_id] = UnitOrders(names.get(order.unit_id, "—"))
        line.open += 1
        line.overdue += order.overdue(at)
        line.replied += order.status is OrderStatus.REPLIED
    return sorted(lines.values(), key=lambda line: (-line.open, line.name))


def _deadline(t: Translator, order: OpenOrder, at: float) -> str:
    text = t.datetime(dt.datetime.fromtimestamp(order.deadline, dt.UTC))
    return t("board.orders.overdue_mark", deadline=text) if order.overdue(at) else text


class OrdersPanel:
    key = "orders"
    title_key = "board.panel.orders"
    view: View = "table"

    async def collect(self, context: PanelContext) -> PanelData:
        t, scene = context.t, context.scene
        at = scene.now.timestamp()
        if context.unit_id is None:
            text_columns = [0]  # the unit's name
            columns = [
                t("board.orders.unit"),
                t("board.orders.open"),
                t("board.orders.overdue"),
                t("board.orders.replied"),
            ]
            rows = [
                {
                    "cells": [line.name, str(line.open), str(line.overdue), str(line.replied)],
                    "tone": "poor" if line.overdue else "none",
                }
                for line in by_unit(scene.orders, scene.unit_names, at)
            ]
        else:
            text_columns = [4]  # the place's name
            columns = [
                t("board.orders.number"),
                t("board.orders.category"),
                t("board.orders.deadline"),
                t("board.orders.state"),
                t("board.orders.place"),
            ]
            rows = [
                {
                    "cells": [
                        t("board.orders.id", id=order.id),
                        t(f"oversight.category.{order.category.value}"),
                        _deadline(t, order, at),
                        t(f"oversight.order.state.{order.status.value}"),
                        order.place or "—",
                    ],
                    # The table's third cell (the deadline) shows red for an overdue order.
                    "tone": "poor" if order.overdue(at) else "none",
                }
                for order in scene.orders
            ]
        if not rows:
            empty = [t("board.orders.none")] + ["—"] * (len(columns) - 1)
            rows = [{"cells": empty, "tone": "none"}]
        return {"columns": columns, "rows": rows, "text_columns": text_columns}
