"""Assigned duty (issue 17): rotas, when members cannot serve, and their requests for leave."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    Text,
    Time,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db.models.base import Base, enum_column
from bot.db.models.people import Member, Unit
from bot.db.models.schedule import Assignment
from bot.db.types import UtcDateTime


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
    source: Mapped[RotaSource] = mapped_column(enum_column(RotaSource))
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
    WITHDRAWN = "withdrawn"  # nobody decided: the seat went first (left, taken off, cancelled)
    LAPSED = "lapsed"  # nobody decided before the shift started: they were expected on post


class LeaveRequest(Base):
    """A member asks to be excused from an assigned seat (请假); a coordinator of the unit
    approves (the seat is freed) or rejects it."""

    __tablename__ = "leave_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    status: Mapped[LeaveStatus] = mapped_column(enum_column(LeaveStatus), index=True)
    reason: Mapped[str] = mapped_column(Text)
    asked_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)

    assignment: Mapped[Assignment] = relationship(lazy="joined")
    member: Mapped[Member] = relationship(foreign_keys=[member_id], lazy="joined")
    decided_by: Mapped[Member | None] = relationship(foreign_keys=[decided_by_id], lazy="joined")
