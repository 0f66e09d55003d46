"""an index of the assigned seats not yet acknowledged

The acknowledgment reminder looks, at every tick, for the seats of the running rotas that nobody
has acknowledged and that were not reminded yet. After a year of weekly rotas it read every seat
still held (25,000 for a city of 4,000 volunteers) to keep the tenth not acknowledged; this
partial index holds only those. Seats people took themselves (no rota) are never acknowledged
and are left out: in a city that volunteers, they are every seat held.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 01:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_UNACKNOWLEDGED = "status = 'signed_up' AND acknowledged_at IS NULL AND rota_id IS NOT NULL"


def upgrade() -> None:
    op.create_index(
        "ix_assignments_unacknowledged",
        "assignments",
        ["rota_id"],
        unique=False,
        sqlite_where=sa.text(_UNACKNOWLEDGED),
        postgresql_where=sa.text(_UNACKNOWLEDGED),
    )


def downgrade() -> None:
    op.drop_index("ix_assignments_unacknowledged", table_name="assignments")
