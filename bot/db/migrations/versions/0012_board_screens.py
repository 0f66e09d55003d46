"""wall-screen links of the live board

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 07:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db.types

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "board_screens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", bot.db.types.UtcDateTime(), nullable=False),
        sa.Column("expires_at", bot.db.types.UtcDateTime(), nullable=False),
        sa.Column("revoked_at", bot.db.types.UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_board_screens_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_board_screens")),
    )


def downgrade() -> None:
    op.drop_table("board_screens")
