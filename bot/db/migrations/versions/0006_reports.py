"""group chats bound for tallies and reports

Revision ID: 0006
Revises: 0001
Create Date: 2026-11-22 02:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db.types

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bound_groups",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("title", sa.String(length=128), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("bound_by", sa.BigInteger(), nullable=False),
        sa.Column("bound_at", bot.db.types.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_bound_groups_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("chat_id", name=op.f("pk_bound_groups")),
    )
    op.create_index(op.f("ix_bound_groups_unit_id"), "bound_groups", ["unit_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_bound_groups_unit_id"), table_name="bound_groups")
    op.drop_table("bound_groups")
