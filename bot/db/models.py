"""The schema. States are enums stored as strings so both databases read them alike."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    Time,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from bot.db.types import UtcDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(
        cls,
        native_enum=False,
        length=24,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class Role(enum.StrEnum):
    VOLUNTEER = "volunteer"
    COORDINATOR = "coordinator"
    INSPECTOR = "inspector"
    LEADER = "leader"
    ADMIN = "admin"


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


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    BLOCKED = "blocked"  # 403: the person blocked the bot or is gone; never retried
    PARKED = "parked"  # another 400: kept with its reason for admins, never retried
    DROPPED = "dropped"  # no longer wanted (the shift it was about was cancelled, say)


class InboxStatus(enum.StrEnum):
    RECEIVED = "received"  # stored before Telegram was told; not handled yet
    ANSWERING = "answering"  # handled (its change committed); its answer may not have gone out
    DONE = "done"  # handled and answered


class SwapKind(enum.StrEnum):
    GIVE_AWAY = "give_away"  # offered to every eligible member; the first to take it wins
    HAND_OVER = "hand_over"  # to one named member, who accepts or declines
    EXCHANGE = "exchange"  # for one of another member's shifts


class SwapStatus(enum.StrEnum):
    PENDING = "pending"
    AWAITING_APPROVAL = "awaiting_approval"  # accepted; the unit wants a coordinator's approval
    COMPLETED = "completed"
    DECLINED = "declined"
    REJECTED = "rejected"  # by a coordinator
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    VOID = "void"  # a seat it was about moved or went away some other way

    @property
    def is_open(self) -> bool:
        return self in (SwapStatus.PENDING, SwapStatus.AWAITING_APPROVAL)


class Unit(Base):
    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    require_swap_approval: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    # A unit that no longer takes part (merged, dissolved): it gets no new rectification orders.
    archived: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    members: Mapped[list[Member]] = relationship(back_populates="unit")


class Member(Base):
    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(32))
    language: Mapped[str | None] = mapped_column(String(8))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    registered_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    blocked_bot: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    unit: Mapped[Unit | None] = relationship(back_populates="members", lazy="joined")
    role_rows: Mapped[list[MemberRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )
    tag_rows: Mapped[list[MemberTag]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(row.role for row in self.role_rows)

    @property
    def tags(self) -> frozenset[str]:
        return frozenset(row.tag for row in self.tag_rows)


class MemberRole(Base):
    __tablename__ = "member_roles"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[Role] = mapped_column(_enum(Role), primary_key=True)


class MemberTag(Base):
    __tablename__ = "member_tags"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(32), primary_key=True)


class Invite(Base):
    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    role: Mapped[Role] = mapped_column(_enum(Role))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    max_uses: Mapped[int] = mapped_column(Integer)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)

    unit: Mapped[Unit] = relationship(lazy="joined")

    __table_args__ = (CheckConstraint("uses <= max_uses", name="uses_within_max"),)


class DialogueKind(enum.StrEnum):
    """Every multi-step dialogue; each owner declares the steps of its own as an enum."""

    REGISTER = "register"
    UNIT_NEW = "unit_new"
    UNIT_RENAME = "unit_rename"
    POST_NEW = "post_new"
    POST_EDIT = "post_edit"
    SHIFT_NEW = "shift_new"
    SHIFT_EDIT = "shift_edit"
    IMPORT = "import"
    BROADCAST = "broadcast"
    CHECKIN = "checkin"
    CHECKOUT = "checkout"
    ATTENDANCE_FIX = "attendance_fix"
    SWAP = "swap"
    # assigned duty (issue 17)
    ASSIGN = "assign"
    LEAVE = "leave"
    UNAVAILABLE = "unavailable"
    ROTATE = "rotate"
    # campaign oversight (issue 16)
    INSPECT = "inspect"
    STREET_REPORT = "street_report"
    ORDER_DRAFT = "order_draft"
    ORDER_REPLY = "order_reply"
    ORDER_REASON = "order_reason"
    ZONES = "zones"
    CHECKLIST_NEW = "checklist_new"


class Dialogue(Base):
    """The step a multi-step command is at, so a restart resumes it (principle 1)."""

    __tablename__ = "dialogues"

    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    kind: Mapped[DialogueKind] = mapped_column(
        Enum(
            DialogueKind,
            native_enum=False,
            length=32,
            values_callable=lambda members: [m.value for m in members],
            validate_strings=True,
        )
    )
    step: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class Post(Base):
    __tablename__ = "posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    type: Mapped[PostType] = mapped_column(_enum(PostType))
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
    status: Mapped[ShiftStatus] = mapped_column(_enum(ShiftStatus), default=ShiftStatus.SCHEDULED)
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
    status: Mapped[AssignmentStatus] = mapped_column(_enum(AssignmentStatus))
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
    checkout_kind: Mapped[CheckoutKind | None] = mapped_column(_enum(CheckoutKind))
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


class InboxUpdate(Base):
    """Every update, stored before Telegram is told it was received (DESIGN principle 6).

    It is marked handled in the transaction of the change it causes, together with the answer
    to send; the answer is marked sent once it went out. A process that dies at any moment leaves
    rows that say what is left: updates to handle, answers to send. The update itself is kept
    only until it is handled (it may hold a phone number)."""

    __tablename__ = "inbox"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    status: Mapped[InboxStatus] = mapped_column(_enum(InboxStatus), default=InboxStatus.RECEIVED)
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    answer: Mapped[list[Any] | None] = mapped_column(JSON)
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    done_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, index=True)
    # The process that received it: on PostgreSQL another one leaves it alone for a while.
    worker: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        Index("ix_inbox_open", "status", "update_id"),
        # The webhook's look-back at start: the last update received a day ago, in one step.
        Index("ix_inbox_received", "received_at", "update_id"),
    )


class OutboxMessage(Base):
    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(160), unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    # Messages sent together (one broadcast, one tally), so progress can be counted.
    batch: Mapped[str | None] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[OutboxStatus] = mapped_column(_enum(OutboxStatus), default=OutboxStatus.PENDING)
    not_before: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (
        Index("ix_outbox_due", "status", "not_before"),
        # The sender's claim, in its order (outbox_claim.claim_queries): the edits, then the others.
        Index("ix_outbox_edits", "status", "kind", "id"),
        Index("ix_outbox_claim", "status", "id"),
    )


class AuditEntry(Base):
    """Who changed what, before and after, and why (coordinator corrections, approvals)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    action: Mapped[str] = mapped_column(String(48))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)

    # An object's history (an order's, a swap offer's, a shift's edits) is read by its object.
    __table_args__ = (Index("ix_audit_log_object", "object_type", "object_id"),)


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
    kind: Mapped[BroadcastKind] = mapped_column(_enum(BroadcastKind))
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


class BoundGroup(Base):
    """A group chat that receives tallies and reports: headquarters (no unit) or one unit."""

    __tablename__ = "bound_groups"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    title: Mapped[str] = mapped_column(String(128))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    language: Mapped[str] = mapped_column(String(8))
    bound_by: Mapped[int] = mapped_column(BigInteger)
    bound_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    # In a forum supergroup, the topic /setgroup was sent in, where reports go (None: General).
    thread_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)

    unit: Mapped[Unit | None] = relationship(lazy="joined")


class SwapOffer(Base):
    """A member's offer of one of their seats (issue 7). Seats move only when it completes; until
    then the offering member holds the shift."""

    __tablename__ = "swap_offers"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[SwapKind] = mapped_column(_enum(SwapKind))
    status: Mapped[SwapStatus] = mapped_column(_enum(SwapStatus), index=True)
    from_assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), index=True)
    offered_by_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    # A hand-over or an exchange names the member; an exchange also names their seat.
    target_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    target_assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id"))
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)

    from_assignment: Mapped[Assignment] = relationship(
        foreign_keys=[from_assignment_id], lazy="joined"
    )
    target_assignment: Mapped[Assignment | None] = relationship(
        foreign_keys=[target_assignment_id], lazy="joined"
    )
    offered_by: Mapped[Member] = relationship(foreign_keys=[offered_by_id], lazy="joined")
    target_member: Mapped[Member | None] = relationship(
        foreign_keys=[target_member_id], lazy="joined"
    )
    taken_by: Mapped[Member | None] = relationship(foreign_keys=[taken_by_id], lazy="joined")


class BoardScreen(Base):
    """A wall-screen link to the board (issue 18): its scope (a unit, or the whole city when
    unit_id is empty), the language it shows, when it expires and whether an admin revoked it.
    The link carries this row's id under a signature; the row decides whether it still works."""

    __tablename__ = "board_screens"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    language: Mapped[str] = mapped_column(String(8))
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)

    unit: Mapped[Unit | None] = relationship(lazy="joined")


# -- assigned duty (issue 17) -------------------------------------------------------------------


class RotaSource(enum.StrEnum):
    HAND = "hand"  # a coordinator picked the people on a shift's card
    ROTATION = "rotation"  # /rotate filled a period fairly
    IMPORT = "import"  # the column 人员 of the schedule spreadsheet


class Rota(Base):
    """One act of assigning people (排班): the seats it made point to it, so each person's
    notice can be acknowledged in one tap and the figures can tell assigned from volunteered."""

    __tablename__ = "rotas"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    source: Mapped[RotaSource] = mapped_column(_enum(RotaSource))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    # The local days of its seats' shifts, first and last: a rota whose last day has passed
    # has nothing left to remind of, so the reminders read only the rotas still running.
    first_day: Mapped[dt.date] = mapped_column(Date)
    last_day: Mapped[dt.date] = mapped_column(Date, index=True)
    seats: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)

    unit: Mapped[Unit] = relationship(lazy="joined")
    created_by: Mapped[Member | None] = relationship(lazy="joined")


class Unavailability(Base):
    """When a member cannot serve (/unavailable): the days from `first_day` to `last_day` whose
    weekday is in `weekdays` (a bit per weekday, Monday the lowest), all day or between two
    local times."""

    __tablename__ = "unavailability"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    first_day: Mapped[dt.date] = mapped_column(Date)
    last_day: Mapped[dt.date] = mapped_column(Date, index=True)
    weekdays: Mapped[int] = mapped_column(Integer)
    start_time: Mapped[dt.time | None] = mapped_column(Time)
    end_time: Mapped[dt.time | None] = mapped_column(Time)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        CheckConstraint("last_day >= first_day", name="days_in_order"),
        CheckConstraint("weekdays > 0 AND weekdays < 128", name="weekdays_mask"),
    )


class LeaveStatus(enum.StrEnum):
    ASKED = "asked"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"  # nobody decided: the member left the unit (or the posts) first


class LeaveRequest(Base):
    """A member asks to be excused from an assigned seat (请假); a coordinator of the unit
    approves (the seat is freed) or rejects it."""

    __tablename__ = "leave_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    status: Mapped[LeaveStatus] = mapped_column(_enum(LeaveStatus), index=True)
    reason: Mapped[str] = mapped_column(Text)
    asked_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)

    assignment: Mapped[Assignment] = relationship(lazy="joined")
    member: Mapped[Member] = relationship(foreign_keys=[member_id], lazy="joined")
    decided_by: Mapped[Member | None] = relationship(foreign_keys=[decided_by_id], lazy="joined")


# -- campaign oversight (issue 16) -------------------------------------------------------------


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
    group: Mapped[ChecklistGroup] = mapped_column(_enum(ChecklistGroup))
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
    kind: Mapped[CheckKind] = mapped_column(_enum(CheckKind))
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
    category: Mapped[Category] = mapped_column(_enum(Category))
    description: Mapped[str | None] = mapped_column(Text)
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    status: Mapped[ReportStatus] = mapped_column(_enum(ReportStatus), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    route_method: Mapped[RouteMethod | None] = mapped_column(_enum(RouteMethod))
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
    category: Mapped[Category] = mapped_column(_enum(Category))
    status: Mapped[OrderStatus] = mapped_column(_enum(OrderStatus), index=True)
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
    kind: Mapped[EvidenceKind] = mapped_column(_enum(EvidenceKind))
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspections.id"), index=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("street_reports.id"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("rectification_orders.id"), index=True)
    file_id: Mapped[str] = mapped_column(String(256))
    file_unique_id: Mapped[str] = mapped_column(String(128), index=True)
    # Used before and accepted all the same (CHECKIN_DUPLICATE_PHOTO=flag).
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
