"""Approved leave that still excuses someone: leave is from a seat on a shift, and a shift since
cancelled excuses nobody from anything. One condition for every reader: the count a coordinator
reads with a request (本月已批准请假), the list and the refusals of ➕ 安排人员, the import's
check of its people, the rotation, the offer of a freed seat and the swaps."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select

from bot.db.models import Assignment, LeaveRequest, LeaveStatus, Shift, ShiftStatus

Query = TypeVar("Query", bound=Select[*tuple[Any, ...]])


def approved(query: Query) -> Query:
    """`query` over LeaveRequest, joined to its seat (Assignment) and the seat's Shift, kept to
    approved leave from shifts still scheduled."""
    return (
        query.join(Assignment, LeaveRequest.assignment_id == Assignment.id)
        .join(Shift, Assignment.shift_id == Shift.id)
        .where(
            LeaveRequest.status == LeaveStatus.APPROVED,
            Shift.status == ShiftStatus.SCHEDULED,
        )
    )
