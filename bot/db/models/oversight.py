"""Campaign oversight (issue 16): checklists and inspections, responsibility zones, street
reports, rectification orders and the photos kept as evidence."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db.models.base import Base, enum_column
from bot.db.models.people import Member, Unit
from bot.db.models.schedule import Post
from bot.db.types import UtcDateTime


class CheckKind(enum.StrEnum):
    """The "five checks" (五查): 日查, 周查, 月查, 抽查 and a leader's check (领导督查)."""

    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    SPOT = "spot"
    LEADER = "leader"


class ChecklistGroup(enum.StrEnum):
    STAFFING = "staffing"
    ATTIRE = "attire"
    CONDUCT = "conduct"
    SURROUNDINGS = "surroundings"


class ChecklistItem(Base):
    """One line of the inspectors' checklist with the points it deducts. The default lines carry
    a ``code`` (their label comes from the catalogs); lines admins add carry their own label. A
    ``per_person`` line deducts once for each planned person not seen on post."""

    __tablename__ = "checklist_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str | None] = mapped_column(String(32), unique=True)
    label: Mapped[str | None] = mapped_column(String(64))
    group: Mapped[ChecklistGroup] = mapped_column(enum_column(ChecklistGroup))
    deduction: Mapped[int] = mapped_column(Integer)
    per_person: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)

    __table_args__ = (CheckConstraint("deduction >= 0", name="deduction_not_negative"),)


class Inspection(Base):
    """An inspector's check of a post on site: who was planned, checked in and seen at that
    moment, the checklist lines found, and the score (100 minus deductions). A covert check is
    shown to the unit only from ``visible_from`` (the next daily tally)."""

    __tablename__ = "inspections"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    inspector_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    kind: Mapped[CheckKind] = mapped_column(enum_column(CheckKind))
    covert: Mapped[bool] = mapped_column(Boolean, default=False)
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    distance_m: Mapped[float] = mapped_column(Float)
    planned: Mapped[int] = mapped_column(Integer)  # seats of the shifts on at that moment
    held: Mapped[int] = mapped_column(Integer)  # of them, held by someone
    checked_in: Mapped[int] = mapped_column(Integer)  # of them, checked in and not out
    seen: Mapped[int] = mapped_column(Integer)
    # |checked in − seen|: checked in but not seen, or seen but not checked in.
    discrepancy: Mapped[int] = mapped_column(Integer, default=0)
    checked_in_names: Mapped[list[str]] = mapped_column(JSON, default=list)
    deductions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    score: Mapped[float] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)
    inspected_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    visible_from: Mapped[dt.datetime] = mapped_column(UtcDateTime)

    post: Mapped[Post] = relationship(lazy="joined")
    inspector: Mapped[Member | None] = relationship(lazy="joined")


class Category(enum.StrEnum):
    """What a street report or a rectification order is about; ``post`` is a duty post's own
    problem found in a check (staffing, attire, conduct)."""

    PARKING = "parking"
    LITTER = "litter"
    VENDING = "vending"
    FACILITY = "facility"
    CONDUCT = "conduct"
    OTHER = "other"
    POST = "post"


class ReportStatus(enum.StrEnum):
    NEW = "new"  # nobody is responsible by place: inspectors and admins dispatch it by hand
    ROUTED = "routed"  # a unit answers for the place
    ORDERED = "ordered"  # a rectification order was issued for it
    FIXED = "fixed"  # the order was accepted
    DISMISSED = "dismissed"  # not a problem the campaign handles, with a reason
    DUPLICATE = "duplicate"  # the same problem was reported nearby today: linked to that one


# Reports no order, dispatch or dismissal has decided yet: the inspectors' queue.
UNDECIDED_REPORTS = (ReportStatus.NEW, ReportStatus.ROUTED)


class RouteMethod(enum.StrEnum):
    ZONE = "zone"
    NEAREST_POST = "nearest_post"
    HAND = "hand"


class Zone(Base):
    """A unit's responsibility zone (包干区 / 责任路段): a GeoJSON polygon with its bounding box, so
    a point is tested only against the few zones whose box holds it."""

    __tablename__ = "zones"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    geometry: Mapped[dict[str, Any]] = mapped_column(JSON)
    min_latitude: Mapped[float] = mapped_column(Float)
    min_longitude: Mapped[float] = mapped_column(Float)
    max_latitude: Mapped[float] = mapped_column(Float)
    max_longitude: Mapped[float] = mapped_column(Float)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)

    unit: Mapped[Unit] = relationship(lazy="joined")


class StreetReport(Base):
    """A member's report of a problem on the street (随手拍), like an Open311 service request:
    category, place, photo (EvidencePhoto), the unit it was routed to and how."""

    __tablename__ = "street_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    category: Mapped[Category] = mapped_column(enum_column(Category))
    description: Mapped[str | None] = mapped_column(Text)
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    status: Mapped[ReportStatus] = mapped_column(enum_column(ReportStatus), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    route_method: Mapped[RouteMethod | None] = mapped_column(enum_column(RouteMethod))
    route_distance_m: Mapped[float | None] = mapped_column(Float)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("street_reports.id"))
    status_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)

    reporter: Mapped[Member] = relationship(lazy="joined")
    unit: Mapped[Unit | None] = relationship(lazy="joined")


class OrderStatus(enum.StrEnum):
    ISSUED = "issued"  # 派单: the unit's coordinators were told
    ACKNOWLEDGED = "acknowledged"  # 签收
    REPLIED = "replied"  # 回复: the fix, with an "after" photo
    RETURNED = "returned"  # 退回: the reply was not accepted; back to the unit
    ACCEPTED = "accepted"  # 办结

    @property
    def is_open(self) -> bool:
        return self is not OrderStatus.ACCEPTED

    @property
    def awaits_unit(self) -> bool:
        """The unit has to act (its deadline runs)."""
        return self in ORDERS_AWAITING_UNIT


# Orders the unit has to act on, its deadline running.
ORDERS_AWAITING_UNIT = (OrderStatus.ISSUED, OrderStatus.ACKNOWLEDGED, OrderStatus.RETURNED)


def _issued_deadline(context: Any) -> Any:
    """An order's first deadline is the one it is inserted with, whoever inserts it."""
    return context.get_current_parameters()["deadline_at"]


def _inserted_acceptance(context: Any) -> Any:
    """An order inserted accepted (a fixture, an import) was first accepted then."""
    return context.get_current_parameters().get("accepted_at")


class RectificationOrder(Base):
    """A problem handed to a unit to fix by a deadline (整改令), from a check or a street report.
    Every step is in the audit trail (object type ``order``)."""

    __tablename__ = "rectification_orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    category: Mapped[Category] = mapped_column(enum_column(Category))
    status: Mapped[OrderStatus] = mapped_column(enum_column(OrderStatus), index=True)
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspections.id"), index=True)
    # A later order of a check that had two before one order per check was enforced (a double
    # tap on PostgreSQL): kept, with its check, but left out of the rule. New orders: never.
    repeat_of_check: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    report_id: Mapped[int | None] = mapped_column(ForeignKey("street_reports.id"), index=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id"))
    description: Mapped[str | None] = mapped_column(Text)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    issued_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    # A covert check's order reaches the unit with the check, at the next daily tally.
    visible_from: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    deadline_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    # The deadline it was issued with, never moved: reopening (回头看) sets a fresh
    # deadline_at, and the figures of a closed period must still read the first round's.
    first_deadline_at: Mapped[dt.datetime] = mapped_column(
        UtcDateTime, index=True, default=_issued_deadline
    )
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    first_replied_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    replied_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    reply_note: Mapped[str | None] = mapped_column(Text)
    accepted_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, index=True)
    # The first acceptance, kept when a relapse reopens the order (which clears accepted_at):
    # the on-time rate and the time to fix of a closed period must not move.
    first_accepted_at: Mapped[dt.datetime | None] = mapped_column(
        UtcDateTime, index=True, default=_inserted_acceptance
    )
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    escalated_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    follow_up_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    follow_up_done_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    reopened: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)

    unit: Mapped[Unit] = relationship(lazy="joined")
    issued_by: Mapped[Member | None] = relationship(foreign_keys=[issued_by_id], lazy="joined")

    # One order per check, so two taps on "issue" at once cannot make two; the repeats kept
    # from before the rule are left out of it.
    __table_args__ = (
        Index(
            "uq_rectification_orders_inspection_id",
            "inspection_id",
            unique=True,
            sqlite_where=text("NOT repeat_of_check"),
            postgresql_where=text("NOT repeat_of_check"),
        ),
    )


class EvidenceKind(enum.StrEnum):
    CHECK = "check"  # taken by an inspector during a check
    REPORT = "report"  # sent with a street report
    AFTER = "after"  # the unit's reply to an order: the place after the fix


class EvidencePhoto(Base):
    """A photo kept as evidence of a check, a report, or an order's fix (file ids only: the
    photos stay on Telegram)."""

    __tablename__ = "evidence_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[EvidenceKind] = mapped_column(enum_column(EvidenceKind))
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspections.id"), index=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("street_reports.id"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("rectification_orders.id"), index=True)
    file_id: Mapped[str] = mapped_column(String(256))
    file_unique_id: Mapped[str] = mapped_column(String(128), index=True)
    # Used before and accepted all the same (CHECKIN_DUPLICATE_PHOTO=flag).
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
