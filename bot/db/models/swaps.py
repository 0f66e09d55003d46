"""A member's offer of one of their seats to someone else (issue 7)."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    ForeignKey,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db.models.base import Base, enum_column
from bot.db.models.people import Member
from bot.db.models.schedule import Assignment
from bot.db.types import UtcDateTime


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


class SwapOffer(Base):
    """A member's offer of one of their seats (issue 7). Seats move only when it completes; until
    then the offering member holds the shift."""

    __tablename__ = "swap_offers"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[SwapKind] = mapped_column(enum_column(SwapKind))
    status: Mapped[SwapStatus] = mapped_column(enum_column(SwapStatus), index=True)
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
