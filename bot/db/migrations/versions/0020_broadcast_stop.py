"""a broadcast can be stopped midway

A coordinator who sent a wrong announcement to thousands could only watch it go out. ⏹ on the
progress message drops what is not sent yet; the broadcast keeps when it was stopped and by whom
(the count then says so), as the audit trail does. Broadcasts sent before were never stopped.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 19:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db.types

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("broadcasts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stopped_at", bot.db.types.UtcDateTime(), nullable=True))
        batch_op.add_column(sa.Column("stopped_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_broadcasts_stopped_by_id_members"), "members", ["stopped_by_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("broadcasts", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_broadcasts_stopped_by_id_members"), type_="foreignkey"
        )
        batch_op.drop_column("stopped_by_id")
        batch_op.drop_column("stopped_at")
