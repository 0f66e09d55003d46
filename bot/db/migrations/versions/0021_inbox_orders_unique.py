"""the inbox indexed by when an update came; one rectification order per check

The webhook's look-back at start (`inbox.highest_id` with `received_before`) asks for the
last update received more than a day ago: without an index on ``received_at`` it walked
through every update received since, a day of a city's traffic. The index holds the update's
id too (``received_at``, ``update_id``), so the answer is one step into it.

An order from a check (整改令) was kept unique only by a read before the insert: two taps on
"issue" (two inspectors, or a double tap) on PostgreSQL both read no order and both inserted
one. A unique index on ``inspection_id`` makes the second insert fail, and the service answers
as the read does ("an order was already issued for this check").

A check that already has two orders keeps the earliest issued (then the lowest id) as its
order. The later ones are not deleted, nor cut from the check: the unit may have acknowledged
or replied to them, with photos, the figures and the audit trail count them, and an order
finds its "before" photos, its source in the ledger and its problem worded in the reader's
language through its check. They are marked instead (``repeat_of_check``, false for every
other order and for every new one), and the unique index (``uq_…_inspection_id``) holds only
for the orders not so marked; the plain index on ``inspection_id`` stays for the look-ups.
Going back drops the mark and the unique index: the orders are as they were.

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

ONE_ORDER_PER_CHECK = "uq_rectification_orders_inspection_id"
NOT_A_REPEAT = "NOT repeat_of_check"

_orders = sa.table(
    "rectification_orders",
    sa.column("id", sa.Integer()),
    sa.column("inspection_id", sa.Integer()),
    sa.column("issued_at", sa.DateTime()),
    sa.column("repeat_of_check", sa.Boolean()),
)


def _mark_later_orders_of_each_check() -> None:
    """Every order of a check but its earliest is marked a repeat; it keeps its check."""
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
        .values(repeat_of_check=True)
    )


def upgrade() -> None:
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inbox_received"), ["received_at", "update_id"], unique=False
        )
    with op.batch_alter_table("rectification_orders", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("repeat_of_check", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    _mark_later_orders_of_each_check()
    with op.batch_alter_table("rectification_orders", schema=None) as batch_op:
        batch_op.create_index(
            ONE_ORDER_PER_CHECK,
            ["inspection_id"],
            unique=True,
            sqlite_where=sa.text(NOT_A_REPEAT),
            postgresql_where=sa.text(NOT_A_REPEAT),
        )


def downgrade() -> None:
    with op.batch_alter_table("rectification_orders", schema=None) as batch_op:
        batch_op.drop_index(ONE_ORDER_PER_CHECK)
        batch_op.drop_column("repeat_of_check")
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inbox_received"))
