"""the inbox: updates stored before they are acknowledged, with their answers

The processed-updates record becomes the inbox: its rows are carried over as handled updates,
so a redelivery of an update handled before the upgrade is still recognised.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db.types

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

STATUS = sa.Enum("received", "answering", "done", name="inboxstatus", native_enum=False, length=24)


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("status", STATUS, nullable=False),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.Column("answer", sa.JSON(), nullable=True),
        sa.Column("received_at", bot.db.types.UtcDateTime(), nullable=False),
        sa.Column("done_at", bot.db.types.UtcDateTime(), nullable=True),
        sa.Column("worker", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_inbox")),
    )
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inbox_done_at"), ["done_at"], unique=False)
        batch_op.create_index("ix_inbox_open", ["status", "update_id"], unique=False)
    op.execute(
        "INSERT INTO inbox (update_id, status, received_at, done_at)"
        " SELECT update_id, 'done', processed_at, processed_at FROM processed_updates"
    )
    with op.batch_alter_table("processed_updates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_processed_updates_processed_at"))
    op.drop_table("processed_updates")


def downgrade() -> None:
    op.create_table(
        "processed_updates",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("processed_at", bot.db.types.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_processed_updates")),
    )
    with op.batch_alter_table("processed_updates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_processed_updates_processed_at"), ["processed_at"], unique=False
        )
    op.execute(
        "INSERT INTO processed_updates (update_id, processed_at)"
        " SELECT update_id, done_at FROM inbox WHERE status != 'received'"
    )
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.drop_index("ix_inbox_open")
        batch_op.drop_index(batch_op.f("ix_inbox_done_at"))
    op.drop_table("inbox")
