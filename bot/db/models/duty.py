"""Being on post: check-ins, the positions of a shared live location, and corrections."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    BigInteger,
    Boolean,
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
from bot.db.models.schedule import Assignment
from bot.db.types import UtcDateTime


class CheckoutKind(enum.StrEnum):
    NORMAL = "normal"
    EARLY = "early"
    AUTO = "auto"
    MANUAL = "manual"


class Correction(enum.StrEnum):
    """A coordinator's correction of someone's attendance (bot/services/duty/attendance.py)."""

    MANUAL = "manual"  # present without a check-in (a dead phone)
    REJECT_PHOTO = "reject_photo"
    HOURS = "hours"


class CheckIn(Base):
    __tablename__ = "checkins"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), unique=True)
    checked_in_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    distance_m: Mapped[float] = mapped_column(Float)
    accuracy_m: Mapped[float | None] = mapped_column(Float)
    live: Mapped[bool] = mapped_column(Boolean, default=False)
    photo_file_id: Mapped[str | None] = mapped_column(String(256))
    photo_file_unique_id: Mapped[str | None] = mapped_column(String(128), index=True)
    photo_flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    minutes_late: Mapped[int] = mapped_column(Integer, default=0)
    checked_out_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    checkout_kind: Mapped[CheckoutKind | None] = mapped_column(enum_column(CheckoutKind))
    early_reason: Mapped[str | None] = mapped_column(Text)
    presence_ratio: Mapped[float | None] = mapped_column(Float)
    credited_minutes: Mapped[int | None] = mapped_column(Integer)
    # Check-in rules (issue 4): late beyond LATE_AFTER_MIN; accepted only thanks to the
    # reported accuracy (farther than the radius); recorded by a coordinator; the message id
    # of a shared live location, whose edits are presence samples; since when the live
    # location has been outside the geofence; a coordinator's corrections; since when the
    # volunteer was away the first time they stayed outside for LEFT_POST_ALERT_MIN (they left
    # their post: the tallies list it).
    late: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    far: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    manual: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    live_message_id: Mapped[int | None] = mapped_column(BigInteger)
    outside_since: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    photo_rejected: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    credited_override: Mapped[int | None] = mapped_column(Integer)
    left_post_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)

    assignment: Mapped[Assignment] = relationship(lazy="joined")

    # The check-ins not checked out: the people on post now. The jobs that watch them (reminders
    # to check out, auto check-out, left-post alerts) read these, not a year of history.
    __table_args__ = (
        Index(
            "ix_checkins_open",
            "assignment_id",
            sqlite_where=text("checked_out_at IS NULL"),
            postgresql_where=text("checked_out_at IS NULL"),
        ),
    )


class LocationSample(Base):
    """One position of a live location shared at check-in (an edited message), for presence."""

    __tablename__ = "location_samples"

    id: Mapped[int] = mapped_column(primary_key=True)
    checkin_id: Mapped[int] = mapped_column(
        ForeignKey("checkins.id", ondelete="CASCADE"), index=True
    )
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    accuracy_m: Mapped[float | None] = mapped_column(Float)
    distance_m: Mapped[float] = mapped_column(Float)
    inside: Mapped[bool] = mapped_column(Boolean)
