"""an order keeps the deadline it was issued with

Reopening an order after a relapse (回头看) gives it a fresh deadline. The figures read the
deadline for "replied on time" and "due in the period", so a reopened order moved a closed
period's figures: a late first reply became one on time. The deadline an order was issued with
is kept apart and never changes.

The audit trail kept it: the issue step (`order.issue`) records the deadline an order was
issued with. `deadline_at` is only the fallback for an order without that step: a reopened
order lost its first deadline there, and one sent back late may have had it extended.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 10:00:00
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

import bot.db.types

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

_orders = sa.table(
    "rectification_orders",
    sa.column("id", sa.Integer()),
    sa.column("deadline_at", sa.DateTime()),
    sa.column("first_deadline_at", sa.DateTime()),
)
_audit = sa.table(
    "audit_log",
    sa.column("action", sa.String()),
    sa.column("object_type", sa.String()),
    sa.column("object_id", sa.Integer()),
    sa.column("after", sa.JSON()),
)


def _issued_deadlines() -> list[dict[str, object]]:
    """The deadlines the orders were issued with, from their issue step."""
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(_audit.c.object_id, _audit.c.after).where(
            _audit.c.object_type == "order", _audit.c.action == "order.issue"
        )
    ).all()
    found = []
    for order_id, after in rows:
        deadline = (after or {}).get("deadline")
        if not deadline:
            continue
        when = dt.datetime.fromisoformat(deadline)
        if when.tzinfo is not None:
            when = when.astimezone(dt.UTC).replace(tzinfo=None)
        found.append({"order": order_id, "first": when})
    return found


def upgrade() -> None:
    with op.batch_alter_table("rectification_orders", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("first_deadline_at", bot.db.types.UtcDateTime(), nullable=True)
        )
    connection = op.get_bind()
    connection.execute(_orders.update().values(first_deadline_at=_orders.c.deadline_at))
    issued = _issued_deadlines()
    if issued:
        connection.execute(
            _orders.update()
            .where(_orders.c.id == sa.bindparam("order"))
            .values(first_deadline_at=sa.bindparam("first")),
            issued,
        )
    with op.batch_alter_table("rectification_orders", schema=None) as batch_op:
        batch_op.alter_column(
            "first_deadline_at", existing_type=bot.db.types.UtcDateTime(), nullable=False
        )
        batch_op.create_index(
            batch_op.f("ix_rectification_orders_first_deadline_at"),
            ["first_deadline_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("rectification_orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rectification_orders_first_deadline_at"))
        batch_op.drop_column("first_deadline_at")
