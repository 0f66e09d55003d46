"""Posts, their shifts and the seats people hold on them; the offers and broadcasts of shifts."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db.models.base import Base, enum_column
from bot.db.models.people import Member, Unit
from bot.db.types import UtcDateTime


class PostType(enum.StrEnum):
    TRAFFIC = "traffic"
    CIVILITY = "civility"
    HYGIENE = "hygiene"
    SORTING = "sorting"
    PATROL = "patrol"
    OTHER = "other"


class ShiftStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class AssignmentStatus(enum.StrEnum):
    SIGNED_UP = "signed_up"
    WAITLISTED = "waitlisted"
    CHECKED_IN = "checked_in"
    CHECKED_OUT = "checked_out"
    ABSENT = "absent"
    CANCELLED = "cancelled"
    REMOVED = "removed"


class Post(Base):
    __tablename__ = "posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    type: Mapped[PostType] = mapped_column(enum_column(PostType))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    radius_m: Mapped[int] = mapped_column(Integer)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)

    unit: Mapped[Unit] = relationship(lazy="joined")

    __table_args__ = (UniqueConstraint("unit_id", "name", name="uq_posts_unit_name"),)


class Shift(Base):
    __tablename__ = "shifts"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"), index=True)
    starts_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    ends_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    capacity: Mapped[int] = mapped_column(Integer)
    required_tag: Mapped[str | None] = mapped_column(String(32))
    notes: Mapped[str | None] = mapped_column(Text)
    status: Mapped[ShiftStatus] = mapped_column(
        enum_column(ShiftStatus), default=ShiftStatus.SCHEDULED
    )
    series_id: Mapped[str | None] = mapped_column(String(32), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)

    post: Mapped[Post] = relationship(lazy="joined")

    __table_args__ = (
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        UniqueConstraint("post_id", "starts_at", name="uq_shifts_post_start"),
    )


# A seat assigned by a rota, held and not acknowledged (seats people took themselves have no
# acknowledgment).
UNACKNOWLEDGED_SEAT = "status = 'signed_up' AND acknowledged_at IS NULL AND rota_id IS NOT NULL"


class Assignment(Base):
    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shifts.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    status: Mapped[AssignmentStatus] = mapped_column(enum_column(AssignmentStatus))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)

    # Assigned duty (issue 17): the rota that put the member on the shift (None: they signed
    # up themselves), and when they acknowledged it.
    rota_id: Mapped[int | None] = mapped_column(ForeignKey("rotas.id"), index=True)
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)

    shift: Mapped[Shift] = relationship(lazy="joined")
    member: Mapped[Member] = relationship(lazy="joined")

    __table_args__ = (
        UniqueConstraint("shift_id", "member_id", name="uq_assignments_seat"),
        # The seats still held: upcoming ones and the few just started. A job that looks for
        # them among past shifts (checkin.mark_absent) reads this, not a year of history; on
        # PostgreSQL only a query naming the literal 'signed_up' may use it in a generic plan.
        Index(
            "ix_assignments_signed_up",
            "shift_id",
            sqlite_where=text("status = 'signed_up'"),
            postgresql_where=text("status = 'signed_up'"),
        ),
        # The assigned seats held and not acknowledged: the acknowledgment reminder's tick
        # reads these, not every seat held (a query naming 'signed_up' literally, as above).
        Index(
            "ix_assignments_unacknowledged",
            "rota_id",
            sqlite_where=text(UNACKNOWLEDGED_SEAT),
            postgresql_where=text(UNACKNOWLEDGED_SEAT),
        ),
    )

    @property
    def assigned(self) -> bool:
        return self.rota_id is not None


class ShiftOffer(Base):
    """A shift offered to a member with a Sign up button (a broadcast, the understaffed alert):
    by which path and when last, so the other path does not offer it to them again soon after
    (bot/services/schedule/offers.py)."""

    __tablename__ = "shift_offers"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    shift_id: Mapped[int] = mapped_column(
        ForeignKey("shifts.id", ondelete="CASCADE"), primary_key=True
    )
    source: Mapped[str] = mapped_column(String(16))
    offered_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class BroadcastKind(enum.StrEnum):
    SHIFTS = "shifts"
    ANNOUNCEMENT = "announcement"


class Broadcast(Base):
    """One send-out by a coordinator; its outbox rows share the batch ``broadcast:<id>`` and a
    progress message in the coordinator's chat is edited with their counts."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    language: Mapped[str] = mapped_column(String(8))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))  # None: every unit
    kind: Mapped[BroadcastKind] = mapped_column(enum_column(BroadcastKind))
    text: Mapped[str | None] = mapped_column(Text)
    total: Mapped[int] = mapped_column(Integer)
    progress_message_id: Mapped[int | None] = mapped_column(Integer)
    reported: Mapped[str | None] = mapped_column(String(64))
    finished_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    # Stopped midway (⏹): when, and by whom (None with stopped_at set: an admin of ADMIN_IDS
    # without a member record). The audit trail keeps the same.
    stopped_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    stopped_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
