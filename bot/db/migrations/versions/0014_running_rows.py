"""the due jobs read only the rows still running, however long the history

Every rota knows its days, so the acknowledgment reminders read only the rotas still running.
Hand-made rotas (one shift's seats) had no days. Their days are filled in from their seats'
shifts, as UTC dates widened by a day on each side: the local zone is a setting the migration
does not see, and a day too wide only keeps a finished rota among the running ones a day longer.
A rota without seats gets the day it was made. Then the days are required, and the index on
the last day replaces the one on the creation time, which only that reminder's query used.

Two partial indexes hold the seats still signed up and the check-ins not checked out: the jobs
that look for them (absences, check-out reminders, auto check-out, left-post alerts) read those,
not every past shift and check-in.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 22:30:00
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_rotas = sa.table(
    "rotas",
    sa.column("id", sa.Integer()),
    sa.column("first_day", sa.Date()),
    sa.column("last_day", sa.Date()),
    sa.column("created_at", sa.DateTime()),
)
_assignments = sa.table("assignments", sa.column("rota_id", sa.Integer()), sa.column("shift_id"))
_shifts = sa.table("shifts", sa.column("id", sa.Integer()), sa.column("starts_at", sa.DateTime()))
_A_DAY = dt.timedelta(days=1)


def _fill_in_days() -> None:
    connection = op.get_bind()
    undated = connection.execute(
        sa.select(
            _rotas.c.id,
            _rotas.c.created_at,
            sa.func.min(_shifts.c.starts_at),
            sa.func.max(_shifts.c.starts_at),
        )
        .select_from(
            _rotas.outerjoin(_assignments, _assignments.c.rota_id == _rotas.c.id).outerjoin(
                _shifts, _shifts.c.id == _assignments.c.shift_id
            )
        )
        .where(sa.or_(_rotas.c.first_day.is_(None), _rotas.c.last_day.is_(None)))
        .group_by(_rotas.c.id, _rotas.c.created_at)
    ).all()
    days = []
    for rota_id, created_at, first_start, last_start in undated:
        if first_start is None:
            first = last = created_at.date()
        else:
            first, last = first_start.date() - _A_DAY, last_start.date() + _A_DAY
        days.append({"rota": rota_id, "first": first, "last": last})
    if days:
        connection.execute(
            _rotas.update()
            .where(_rotas.c.id == sa.bindparam("rota"))
            .values(first_day=sa.bindparam("first"), last_day=sa.bindparam("last")),
            days,
        )


def upgrade() -> None:
    _fill_in_days()
    with op.batch_alter_table("rotas", schema=None) as batch_op:
        batch_op.alter_column("first_day", existing_type=sa.Date(), nullable=False)
        batch_op.alter_column("last_day", existing_type=sa.Date(), nullable=False)
        batch_op.drop_index(batch_op.f("ix_rotas_created_at"))
        batch_op.create_index(batch_op.f("ix_rotas_last_day"), ["last_day"], unique=False)
    op.create_index(
        "ix_assignments_signed_up",
        "assignments",
        ["shift_id"],
        unique=False,
        sqlite_where=sa.text("status = 'signed_up'"),
        postgresql_where=sa.text("status = 'signed_up'"),
    )
    op.create_index(
        "ix_checkins_open",
        "checkins",
        ["assignment_id"],
        unique=False,
        sqlite_where=sa.text("checked_out_at IS NULL"),
        postgresql_where=sa.text("checked_out_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_checkins_open", table_name="checkins")
    op.drop_index("ix_assignments_signed_up", table_name="assignments")
    with op.batch_alter_table("rotas", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rotas_last_day"))
        batch_op.create_index(batch_op.f("ix_rotas_created_at"), ["created_at"], unique=False)
        batch_op.alter_column("last_day", existing_type=sa.Date(), nullable=True)
        batch_op.alter_column("first_day", existing_type=sa.Date(), nullable=True)
