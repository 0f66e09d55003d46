"""an order keeps the time it was first accepted

Reopening an order after a relapse (回头看) clears its acceptance. The on-time rate read the
acceptance of the orders due in a period, and the time to fix the orders accepted in it, so a
reopened order moved a closed period's figures. The first acceptance is kept apart and never
cleared.

An order never reopened has it in `accepted_at`. A reopened one lost it there, but the audit
trail kept it: its first acceptance step (`order.accept`).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 11:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db.types

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

_orders = sa.table(
    "rectification_orders",
    sa.column("id", sa.Integer()),
    sa.column("accepted_at", sa.DateTime()),
    sa.column("first_accepted_at", sa.DateTime()),
    sa.column("reopened", sa.Integer()),
)
_audit = sa.table(
    "audit_log",
    sa.column("action", sa.String()),
    sa.column("object_type", sa.String()),
    sa.column("object_id", sa.Integer()),
    sa.column("created_at", sa.DateTime()),
)


def upgrade() -> None:
    with op.batch_alter_table("rectification_orders", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("first_accepted_at", bot.db.types.UtcDateTime(), nullable=True)
        )
        batch_op.create_index(
            batch_op.f("ix_rectification_orders_first_accepted_at"),
            ["first_accepted_at"],
            unique=False,
        )
    connection = op.get_bind()
    connection.execute(
        _orders.update()
        .where(_orders.c.reopened == 0)
        .values(first_accepted_at=_orders.c.accepted_at)
    )
    first = (
        sa.select(sa.func.min(_audit.c.created_at))
        .where(
            _audit.c.object_type == "order",
            _audit.c.action == "order.accept",
            _audit.c.object_id == _orders.c.id,
        )
        .scalar_subquery()
    )
    # A reopened order whose trail lacks the step keeps the acceptance it has, if any.
    connection.execute(
        _orders.update()
        .where(_orders.c.reopened > 0)
        .values(first_accepted_at=sa.func.coalesce(first, _orders.c.accepted_at))
    )


def downgrade() -> None:
    with op.batch_alter_table("rectification_orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rectification_orders_first_accepted_at"))
        batch_op.drop_column("first_accepted_at")
