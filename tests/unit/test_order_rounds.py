"""The round an order's reminders and escalation are sent once in, in every state: a reopen
starts one, and so does each send-back; a reply to a send-back stays in the send-back's round
(it must not fall back to the first round's key), and an order never sent back keeps the key it
always had."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.db.engine import Database
from bot.db.models import AuditEntry, OrderStatus, RectificationOrder
from bot.services.oversight import order_jobs

DEADLINE = dt.datetime(2026, 12, 3, 9, 30, tzinfo=dt.UTC)
RETURNED_KEY = "1:returned:202612030930"


def _order(status: OrderStatus, reopened: int = 1) -> RectificationOrder:
    return RectificationOrder(id=7, status=status, reopened=reopened, deadline_at=DEADLINE)


@pytest.mark.parametrize(
    "status", [OrderStatus.ISSUED, OrderStatus.ACKNOWLEDGED, OrderStatus.REPLIED]
)
def test_an_order_never_sent_back_keeps_the_key_of_its_round(status: OrderStatus) -> None:
    assert order_jobs.round_key(_order(status), sent_back=False) == "1"
    assert order_jobs.round_key(_order(status, reopened=0), sent_back=False) == "0"


def test_a_returned_order_is_in_the_round_its_send_back_started() -> None:
    assert order_jobs.round_key(_order(OrderStatus.RETURNED), sent_back=True) == RETURNED_KEY


@pytest.mark.parametrize("status", [OrderStatus.REPLIED, OrderStatus.ACCEPTED])
def test_a_reply_to_a_send_back_stays_in_the_send_backs_round(status: OrderStatus) -> None:
    assert order_jobs.round_key(_order(status), sent_back=True) == RETURNED_KEY


def test_an_accepted_order_never_sent_back_is_in_its_first_round() -> None:
    assert order_jobs.round_key(_order(OrderStatus.ACCEPTED), sent_back=False) == "1"


@pytest.mark.parametrize("status", [OrderStatus.ISSUED, OrderStatus.ACKNOWLEDGED])
def test_issued_or_acknowledged_begins_a_round_no_send_back_is_in(status: OrderStatus) -> None:
    """Issuing and reopening start a round, and a returned order is not acknowledged again:
    a send-back of an earlier round does not count."""
    assert order_jobs.round_key(_order(status), sent_back=True) == "1"


async def test_the_trail_says_whether_the_order_was_sent_back_since_its_last_reopen(
    database: Database,
) -> None:
    now = DEADLINE
    async with database.session() as session:
        order = _order(OrderStatus.REPLIED, reopened=0)

        def mark(action: str) -> None:
            session.add(
                AuditEntry(
                    actor_id=None, action=action, object_type="order", object_id=7, created_at=now
                )
            )

        assert not await order_jobs.sent_back_this_round(session, order)
        mark("order.return")
        await session.flush()
        assert await order_jobs.sent_back_this_round(session, order)
        assert await order_jobs.round_of(session, order) == "0:returned:202612030930"
        mark("order.reopen")
        await session.flush()
        assert not await order_jobs.sent_back_this_round(session, order)
        mark("order.return")
        await session.flush()
        assert await order_jobs.sent_back_this_round(session, order)
