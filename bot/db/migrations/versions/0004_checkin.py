"""check-in: late/far/manual flags, live-location samples, coordinator corrections

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-22 03:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db.types

revision = "0004"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("late", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("far", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("manual", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("live_message_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("outside_since", bot.db.types.UtcDateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("photo_rejected", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("credited_override", sa.Integer(), nullable=True))

    op.create_table(
        "location_samples",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("checkin_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", bot.db.types.UtcDateTime(), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("accuracy_m", sa.Float(), nullable=True),
        sa.Column("distance_m", sa.Float(), nullable=False),
        sa.Column("inside", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["checkin_id"],
            ["checkins.id"],
            name=op.f("fk_location_samples_checkin_id_checkins"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_location_samples")),
    )
    with op.batch_alter_table("location_samples", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_location_samples_checkin_id"), ["checkin_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("location_samples", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_location_samples_checkin_id"))
    op.drop_table("location_samples")
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        batch_op.drop_column("credited_override")
        batch_op.drop_column("photo_rejected")
        batch_op.drop_column("outside_since")
        batch_op.drop_column("live_message_id")
        batch_op.drop_column("manual")
        batch_op.drop_column("far")
        batch_op.drop_column("late")
