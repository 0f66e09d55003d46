"""The bot's own machinery: dialogues in progress, the inbox and the outbox, the audit trail and
the group chats bound to receive reports."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db.models.base import Base, enum_column
from bot.db.models.people import Unit
from bot.db.types import UtcDateTime


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


class InboxStatus(enum.StrEnum):
    RECEIVED = "received"  # stored before Telegram was told; not handled yet
    ANSWERING = "answering"  # handled (its change committed); its answer may not have gone out
    DONE = "done"  # handled and answered


class InboxUpdate(Base):
    """Every update, stored before Telegram is told it was received (DESIGN principle 6).

    It is marked handled in the transaction of the change it causes, together with the answer
    to send; the answer is marked sent once it went out. A process that dies at any moment leaves
    rows that say what is left: updates to handle, answers to send. The update itself is kept
    only until it is handled (it may hold a phone number)."""

    __tablename__ = "inbox"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    status: Mapped[InboxStatus] = mapped_column(
        enum_column(InboxStatus), default=InboxStatus.RECEIVED
    )
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


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    BLOCKED = "blocked"  # 403: the person blocked the bot or is gone; never retried
    PARKED = "parked"  # another 400: kept with its reason for admins, never retried
    DROPPED = "dropped"  # no longer wanted (the shift it was about was cancelled, say)


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
    status: Mapped[OutboxStatus] = mapped_column(
        enum_column(OutboxStatus), default=OutboxStatus.PENDING
    )
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
