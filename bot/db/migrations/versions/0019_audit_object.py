"""an index of the audit trail by the object it is about

An order's or a swap offer's history, whether a no-show answer was already given, and a shift's
past changes read the trail by its object (``object_type``, ``object_id``); with only the index
of its time, each read went through every entry ever written (every seat assigned is one), so a
card grew slower with the city's age. The trail is only ever appended to: the index costs a
write little.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 16:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_audit_log_object", "audit_log", ["object_type", "object_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_audit_log_object", table_name="audit_log")
