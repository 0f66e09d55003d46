"""a bound group remembers the forum topic it was bound in

In a forum supergroup (one with topics) /setgroup sent in a topic bound the group, but its
reports went to General, where a message without a topic lands. The topic is kept and the
reports go there. Groups bound before have none: their reports keep going to General.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("bound_groups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("thread_id", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("bound_groups", schema=None) as batch_op:
        batch_op.drop_column("thread_id")
