"""assigned duty: rotas, the assigned seat and its acknowledgment, unavailability, leave

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db.types

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rotas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column(
            "source",
            sa.Enum("hand", "rotation", "import", name="rotasource", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("first_day", sa.Date(), nullable=True),
        sa.Column("last_day", sa.Date(), nullable=True),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("created_at", bot.db.types.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_rotas_unit_id_units")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["members.id"], name=op.f("fk_rotas_created_by_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rotas")),
    )
    op.create_index(op.f("ix_rotas_unit_id"), "rotas", ["unit_id"], unique=False)
    op.create_index(op.f("ix_rotas_created_at"), "rotas", ["created_at"], unique=False)

    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rota_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("acknowledged_at", bot.db.types.UtcDateTime(), nullable=True))
        batch_op.create_index(batch_op.f("ix_assignments_rota_id"), ["rota_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_assignments_rota_id_rotas"), "rotas", ["rota_id"], ["id"]
        )

    op.create_table(
        "unavailability",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("weekdays", sa.Integer(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=True),
        sa.Column("end_time", sa.Time(), nullable=True),
        sa.Column("created_at", bot.db.types.UtcDateTime(), nullable=False),
        sa.CheckConstraint("last_day >= first_day", name=op.f("ck_unavailability_days_in_order")),
        sa.CheckConstraint(
            "weekdays > 0 AND weekdays < 128", name=op.f("ck_unavailability_weekdays_mask")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_unavailability_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unavailability")),
    )
    op.create_index(
        op.f("ix_unavailability_member_id"), "unavailability", ["member_id"], unique=False
    )
    op.create_index(
        op.f("ix_unavailability_last_day"), "unavailability", ["last_day"], unique=False
    )

    op.create_table(
        "leave_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "asked", "approved", "rejected", name="leavestatus", native_enum=False, length=24
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("asked_at", bot.db.types.UtcDateTime(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", bot.db.types.UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignments.id"],
            name=op.f("fk_leave_requests_assignment_id_assignments"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_leave_requests_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["members.id"],
            name=op.f("fk_leave_requests_decided_by_id_members"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leave_requests")),
    )
    op.create_index(
        op.f("ix_leave_requests_assignment_id"), "leave_requests", ["assignment_id"], unique=False
    )
    op.create_index(
        op.f("ix_leave_requests_member_id"), "leave_requests", ["member_id"], unique=False
    )
    op.create_index(op.f("ix_leave_requests_status"), "leave_requests", ["status"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_leave_requests_status"), table_name="leave_requests")
    op.drop_index(op.f("ix_leave_requests_member_id"), table_name="leave_requests")
    op.drop_index(op.f("ix_leave_requests_assignment_id"), table_name="leave_requests")
    op.drop_table("leave_requests")
    op.drop_index(op.f("ix_unavailability_last_day"), table_name="unavailability")
    op.drop_index(op.f("ix_unavailability_member_id"), table_name="unavailability")
    op.drop_table("unavailability")
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_assignments_rota_id_rotas"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_assignments_rota_id"))
        batch_op.drop_column("acknowledged_at")
        batch_op.drop_column("rota_id")
    op.drop_index(op.f("ix_rotas_created_at"), table_name="rotas")
    op.drop_index(op.f("ix_rotas_unit_id"), table_name="rotas")
    op.drop_table("rotas")
