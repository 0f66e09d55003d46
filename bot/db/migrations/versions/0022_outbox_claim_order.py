"""the outbox indexed in the order the sender claims it

The sender claims due messages edits first (a broadcast's running count), then by id. Ordered
by an expression no index held, every pass read every due row and sorted them: a backlog of
100,000 messages cost each pass of each process a sort of all of them (on PostgreSQL, spilled to
disk), to take thirty. The claim now reads the edits, then the others, each by id: two indexes
(status, kind, id) and (status, id) give each its rows in order, and a pass stops at what it
takes.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 23:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_outbox_edits", "outbox", ["status", "kind", "id"], unique=False)
    op.create_index("ix_outbox_claim", "outbox", ["status", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_outbox_claim", table_name="outbox")
    op.drop_index("ix_outbox_edits", table_name="outbox")
