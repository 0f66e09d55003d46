"""The schema, a module per domain. States are enums stored as strings so both databases read
them alike. Every module is imported here, so that ``Base.metadata`` holds every table (Alembic
compares the migrations with it) and ``from bot.db.models import X`` finds any model."""

from __future__ import annotations

from bot.db.models.base import Base
from bot.db.models.board import BoardScreen
from bot.db.models.duty import (
    CheckIn,
    CheckoutKind,
    Correction,
    LocationSample,
)
from bot.db.models.oversight import (
    ORDERS_AWAITING_UNIT,
    UNDECIDED_REPORTS,
    Category,
    CheckKind,
    ChecklistGroup,
    ChecklistItem,
    EvidenceKind,
    EvidencePhoto,
    Inspection,
    OrderStatus,
    RectificationOrder,
    ReportStatus,
    RouteMethod,
    StreetReport,
    Zone,
)
from bot.db.models.people import (
    Invite,
    Member,
    MemberRole,
    MemberTag,
    Role,
    Unit,
)
from bot.db.models.platform import (
    AuditEntry,
    BoundGroup,
    Dialogue,
    DialogueKind,
    InboxStatus,
    InboxUpdate,
    OutboxMessage,
    OutboxStatus,
)
from bot.db.models.rostering import (
    LeaveRequest,
    LeaveStatus,
    Rota,
    RotaSource,
    Unavailability,
)
from bot.db.models.schedule import (
    UNACKNOWLEDGED_SEAT,
    Assignment,
    AssignmentStatus,
    Broadcast,
    BroadcastKind,
    Post,
    PostType,
    Shift,
    ShiftOffer,
    ShiftStatus,
)
from bot.db.models.swaps import (
    SwapKind,
    SwapOffer,
    SwapStatus,
)

__all__ = [
    "ORDERS_AWAITING_UNIT",
    "UNACKNOWLEDGED_SEAT",
    "UNDECIDED_REPORTS",
    "Assignment",
    "AssignmentStatus",
    "AuditEntry",
    "Base",
    "BoardScreen",
    "BoundGroup",
    "Broadcast",
    "BroadcastKind",
    "Category",
    "CheckIn",
    "CheckKind",
    "ChecklistGroup",
    "ChecklistItem",
    "CheckoutKind",
    "Correction",
    "Dialogue",
    "DialogueKind",
    "EvidenceKind",
    "EvidencePhoto",
    "InboxStatus",
    "InboxUpdate",
    "Inspection",
    "Invite",
    "LeaveRequest",
    "LeaveStatus",
    "LocationSample",
    "Member",
    "MemberRole",
    "MemberTag",
    "OrderStatus",
    "OutboxMessage",
    "OutboxStatus",
    "Post",
    "PostType",
    "RectificationOrder",
    "ReportStatus",
    "Role",
    "Rota",
    "RotaSource",
    "RouteMethod",
    "Shift",
    "ShiftOffer",
    "ShiftStatus",
    "StreetReport",
    "SwapKind",
    "SwapOffer",
    "SwapStatus",
    "Unavailability",
    "Unit",
    "Zone",
]
