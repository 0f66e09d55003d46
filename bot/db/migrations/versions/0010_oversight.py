"""campaign oversight: checks, street reports, rectification orders, zones

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 06:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db.types

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "checklist_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=True),
        sa.Column("label", sa.String(length=64), nullable=True),
        sa.Column(
            "group",
            sa.Enum(
                "staffing",
                "attire",
                "conduct",
                "surroundings",
                name="checklistgroup",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("deduction", sa.Integer(), nullable=False),
        sa.Column("per_person", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", bot.db.types.UtcDateTime(), nullable=False),
        sa.CheckConstraint(
            "deduction >= 0", name=op.f("ck_checklist_items_deduction_not_negative")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_items")),
        sa.UniqueConstraint("code", name=op.f("uq_checklist_items_code")),
    )
    op.create_table(
        "zones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("geometry", sa.JSON(), nullable=False),
        sa.Column("min_latitude", sa.Float(), nullable=False),
        sa.Column("min_longitude", sa.Float(), nullable=False),
        sa.Column("max_latitude", sa.Float(), nullable=False),
        sa.Column("max_longitude", sa.Float(), nullable=False),
        sa.Column("created_at", bot.db.types.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_zones_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zones")),
    )
    with op.batch_alter_table("zones", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_zones_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "inspections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("inspector_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "daily",
                "weekly",
                "monthly",
                "spot",
                "leader",
                name="checkkind",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("covert", sa.Boolean(), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("distance_m", sa.Float(), nullable=False),
        sa.Column("planned", sa.Integer(), nullable=False),
        sa.Column("held", sa.Integer(), nullable=False),
        sa.Column("checked_in", sa.Integer(), nullable=False),
        sa.Column("seen", sa.Integer(), nullable=False),
        sa.Column("discrepancy", sa.Integer(), nullable=False),
        sa.Column("checked_in_names", sa.JSON(), nullable=False),
        sa.Column("deductions", sa.JSON(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("inspected_at", bot.db.types.UtcDateTime(), nullable=False),
        sa.Column("visible_from", bot.db.types.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["inspector_id"], ["members.id"], name=op.f("fk_inspections_inspector_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_inspections_post_id_posts")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_inspections_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspections")),
    )
    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inspections_inspected_at"), ["inspected_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_inspections_post_id"), ["post_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_inspections_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "street_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "parking",
                "litter",
                "vending",
                "facility",
                "conduct",
                "other",
                "post",
                name="category",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "new",
                "routed",
                "ordered",
                "fixed",
                "dismissed",
                "duplicate",
                name="reportstatus",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column(
            "route_method",
            sa.Enum(
                "zone", "nearest_post", "hand", name="routemethod", native_enum=False, length=24
            ),
            nullable=True,
        ),
        sa.Column("route_distance_m", sa.Float(), nullable=True),
        sa.Column("duplicate_of_id", sa.Integer(), nullable=True),
        sa.Column("status_note", sa.Text(), nullable=True),
        sa.Column("created_at", bot.db.types.UtcDateTime(), nullable=False),
        sa.Column("updated_at", bot.db.types.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["duplicate_of_id"],
            ["street_reports.id"],
            name=op.f("fk_street_reports_duplicate_of_id_street_reports"),
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"], ["members.id"], name=op.f("fk_street_reports_reporter_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_street_reports_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_street_reports")),
    )
    with op.batch_alter_table("street_reports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_street_reports_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_street_reports_reporter_id"), ["reporter_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_street_reports_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_street_reports_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "rectification_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "parking",
                "litter",
                "vending",
                "facility",
                "conduct",
                "other",
                "post",
                name="category",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "issued",
                "acknowledged",
                "replied",
                "returned",
                "accepted",
                name="orderstatus",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("inspection_id", sa.Integer(), nullable=True),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("issued_at", bot.db.types.UtcDateTime(), nullable=False),
        sa.Column("visible_from", bot.db.types.UtcDateTime(), nullable=False),
        sa.Column("deadline_at", bot.db.types.UtcDateTime(), nullable=False),
        sa.Column("acknowledged_at", bot.db.types.UtcDateTime(), nullable=True),
        sa.Column("first_replied_at", bot.db.types.UtcDateTime(), nullable=True),
        sa.Column("replied_at", bot.db.types.UtcDateTime(), nullable=True),
        sa.Column("reply_note", sa.Text(), nullable=True),
        sa.Column("accepted_at", bot.db.types.UtcDateTime(), nullable=True),
        sa.Column("accepted_by_id", sa.Integer(), nullable=True),
        sa.Column("escalated_at", bot.db.types.UtcDateTime(), nullable=True),
        sa.Column("follow_up_at", bot.db.types.UtcDateTime(), nullable=True),
        sa.Column("follow_up_done_at", bot.db.types.UtcDateTime(), nullable=True),
        sa.Column("reopened", sa.Integer(), nullable=False),
        sa.Column("updated_at", bot.db.types.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["accepted_by_id"],
            ["members.id"],
            name=op.f("fk_rectification_orders_accepted_by_id_members"),
        ),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspections.id"],
            name=op.f("fk_rectification_orders_inspection_id_inspections"),
        ),
        sa.ForeignKeyConstraint(
            ["issued_by_id"],
            ["members.id"],
            name=op.f("fk_rectification_orders_issued_by_id_members"),
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_rectification_orders_post_id_posts")
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["street_reports.id"],
            name=op.f("fk_rectification_orders_report_id_street_reports"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_rectification_orders_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rectification_orders")),
    )
    with op.batch_alter_table("rectification_orders", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rectification_orders_deadline_at"), ["deadline_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_rectification_orders_accepted_at"), ["accepted_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_rectification_orders_inspection_id"), ["inspection_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_rectification_orders_issued_at"), ["issued_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_rectification_orders_report_id"), ["report_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_rectification_orders_status"), ["status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_rectification_orders_unit_id"), ["unit_id"], unique=False
        )

    op.create_table(
        "evidence_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("check", "report", "after", name="evidencekind", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column("inspection_id", sa.Integer(), nullable=True),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("file_id", sa.String(length=256), nullable=False),
        sa.Column("file_unique_id", sa.String(length=128), nullable=False),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", bot.db.types.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["added_by_id"], ["members.id"], name=op.f("fk_evidence_photos_added_by_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspections.id"],
            name=op.f("fk_evidence_photos_inspection_id_inspections"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["rectification_orders.id"],
            name=op.f("fk_evidence_photos_order_id_rectification_orders"),
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["street_reports.id"],
            name=op.f("fk_evidence_photos_report_id_street_reports"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_photos")),
    )
    with op.batch_alter_table("evidence_photos", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_evidence_photos_file_unique_id"), ["file_unique_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_evidence_photos_inspection_id"), ["inspection_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_evidence_photos_order_id"), ["order_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_evidence_photos_report_id"), ["report_id"], unique=False
        )

    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("archived", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.drop_column("archived")

    with op.batch_alter_table("evidence_photos", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_photos_report_id"))
        batch_op.drop_index(batch_op.f("ix_evidence_photos_order_id"))
        batch_op.drop_index(batch_op.f("ix_evidence_photos_inspection_id"))
        batch_op.drop_index(batch_op.f("ix_evidence_photos_file_unique_id"))

    op.drop_table("evidence_photos")
    with op.batch_alter_table("rectification_orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rectification_orders_accepted_at"))
        batch_op.drop_index(batch_op.f("ix_rectification_orders_unit_id"))
        batch_op.drop_index(batch_op.f("ix_rectification_orders_status"))
        batch_op.drop_index(batch_op.f("ix_rectification_orders_report_id"))
        batch_op.drop_index(batch_op.f("ix_rectification_orders_issued_at"))
        batch_op.drop_index(batch_op.f("ix_rectification_orders_inspection_id"))
        batch_op.drop_index(batch_op.f("ix_rectification_orders_deadline_at"))

    op.drop_table("rectification_orders")
    with op.batch_alter_table("street_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_street_reports_unit_id"))
        batch_op.drop_index(batch_op.f("ix_street_reports_status"))
        batch_op.drop_index(batch_op.f("ix_street_reports_reporter_id"))
        batch_op.drop_index(batch_op.f("ix_street_reports_created_at"))

    op.drop_table("street_reports")
    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspections_unit_id"))
        batch_op.drop_index(batch_op.f("ix_inspections_post_id"))
        batch_op.drop_index(batch_op.f("ix_inspections_inspected_at"))

    op.drop_table("inspections")
    with op.batch_alter_table("zones", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_zones_unit_id"))

    op.drop_table("zones")
    op.drop_table("checklist_items")
