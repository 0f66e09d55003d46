"""the inbox indexed by when an update came; one rectification order per check

The webhook's look-back at start (`inbox.highest_id` with `received_before`) asks for the
last update received more than a day ago: without an index on ``received_at`` it walked
through every update received since, a day of a city's traffic. The index holds the update's
id too (``received_at``, ``update_id``), so the answer is one step into it.

An order from a check (整改令) was kept unique only by a read before the insert: two taps on
"issue" (two inspectors, or a double tap) on PostgreSQL both read no order and both inserted
one. The index of ``inspection_id`` becomes unique, so the second insert fails and the service
answers as the read does ("an order was already issued for this check").

A check that already has two orders keeps the earliest issued (then the lowest id) as its
order. The later ones are not deleted: the unit may have acknowledged or replied to them, with
photos, and the figures and the audit trail count them. They stay orders of their own, with
their problem, place and history, only no longer the check's (``inspection_id`` NULL), as an
order typed without a source. Going back leaves them so.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 19:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

_orders = sa.table(
    "rectification_orders",
    sa.column("id", sa.Integer()),
    sa.column("inspection_id", sa.Integer()),
    sa.column("issued_at", sa.DateTime()),
)


def _detach_later_orders_of_each_check() -> None:
    """Every order of a check but its earliest is no longer the check's."""
    earlier = sa.alias(_orders, "earlier")
    has_earlier = (
        sa.select(earlier.c.id)
        .where(
            earlier.c.inspection_id == _orders.c.inspection_id,
            sa.or_(
                earlier.c.issued_at < _orders.c.issued_at,
                sa.and_(earlier.c.issued_at == _orders.c.issued_at, earlier.c.id < _orders.c.id),
            ),
        )
        .exists()
    )
    op.get_bind().execute(
        _orders.update()
        .where(_orders.c.inspection_id.is_not(None), has_earlier)
        .values(inspection_id=None)
    )


def upgrade() -> None:
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inbox_received"), ["received_at", "update_id"], unique=False
        )
    _detach_later_orders_of_each_check()
    with op.batch_alter_table("rectification_orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rectification_orders_inspection_id"))
        batch_op.create_index(
            batch_op.f("ix_rectification_orders_inspection_id"), ["inspection_id"], unique=True
        )


def downgrade() -> None:
    with op.batch_alter_table("rectification_orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rectification_orders_inspection_id"))
        batch_op.create_index(
            batch_op.f("ix_rectification_orders_inspection_id"), ["inspection_id"], unique=False
        )
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inbox_received"))
