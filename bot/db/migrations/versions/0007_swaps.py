"""shift swaps between members

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 02:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "swap_offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "give_away", "hand_over", "exchange", name="swapkind", native_enum=False, length=24
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "awaiting_approval",
                "completed",
                "declined",
                "rejected",
                "withdrawn",
                "expired",
                "void",
                name="swapstatus",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("from_assignment_id", sa.Integer(), nullable=False),
        sa.Column("offered_by_id", sa.Integer(), nullable=False),
        sa.Column("target_member_id", sa.Integer(), nullable=True),
        sa.Column("target_assignment_id", sa.Integer(), nullable=True),
        sa.Column("taken_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("expires_at", bot.db.types.UtcDateTime(), nullable=False),
        sa.Column("created_at", bot.db.types.UtcDateTime(), nullable=False),
        sa.Column("updated_at", bot.db.types.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["from_assignment_id"],
            ["assignments.id"],
            name=op.f("fk_swap_offers_from_assignment_id_assignments"),
        ),
        sa.ForeignKeyConstraint(
            ["offered_by_id"], ["members.id"], name=op.f("fk_swap_offers_offered_by_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["target_member_id"],
            ["members.id"],
            name=op.f("fk_swap_offers_target_member_id_members"),
        ),
        sa.ForeignKeyConstraint(
            ["target_assignment_id"],
            ["assignments.id"],
            name=op.f("fk_swap_offers_target_assignment_id_assignments"),
        ),
        sa.ForeignKeyConstraint(
            ["taken_by_id"], ["members.id"], name=op.f("fk_swap_offers_taken_by_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["members.id"], name=op.f("fk_swap_offers_decided_by_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_swap_offers")),
    )
    op.create_index(op.f("ix_swap_offers_status"), "swap_offers", ["status"], unique=False)
    op.create_index(
        op.f("ix_swap_offers_from_assignment_id"),
        "swap_offers",
        ["from_assignment_id"],
        unique=False,
    )
    op.create_index(op.f("ix_swap_offers_expires_at"), "swap_offers", ["expires_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_swap_offers_expires_at"), table_name="swap_offers")
    op.drop_index(op.f("ix_swap_offers_from_assignment_id"), table_name="swap_offers")
    op.drop_index(op.f("ix_swap_offers_status"), table_name="swap_offers")
    op.drop_table("swap_offers")
