"""Buttons of the people domain: units, invite links, /members and leaving a unit."""

from __future__ import annotations

from dataclasses import dataclass

from bot.buttons.callback_data import CallbackData, PageOffset
from bot.db.models import Role


@dataclass(frozen=True)
class UnitNew(CallbackData, prefix="unit.new"):
    pass


@dataclass(frozen=True)
class UnitRename(CallbackData, prefix="unit.ren"):
    unit_id: int


@dataclass(frozen=True)
class UnitPage(PageOffset, CallbackData, prefix="unit.p"):
    offset: int


@dataclass(frozen=True)
class UnitArchive(CallbackData, prefix="unit.arc"):
    unit_id: int
    archive: bool  # the state asked for, so a second tap or an older list does not undo it
    offset: int  # the page of /units the button is on, shown again after


@dataclass(frozen=True)
class InviteUnit(CallbackData, prefix="inv.u"):
    unit_id: int


@dataclass(frozen=True)
class InvitePage(PageOffset, CallbackData, prefix="inv.p"):
    offset: int


@dataclass(frozen=True)
class InviteRole(CallbackData, prefix="inv.r"):
    unit_id: int
    role: Role


@dataclass(frozen=True)
class InvitesUnit(CallbackData, prefix="inv.lu"):
    """/invites: the unit's active links (a page of them, after the first)."""

    unit_id: int
    offset: int | None = None

    def __post_init__(self) -> None:
        if self.offset is not None and self.offset < 0:
            raise ValueError(f"a page offset of {self.offset}")


@dataclass(frozen=True)
class InvitesUnitPage(PageOffset, CallbackData, prefix="inv.lp"):
    """/invites of an admin: another page of the units to pick from."""

    offset: int


@dataclass(frozen=True)
class InviteRevoke(CallbackData, prefix="inv.x"):
    """Revoke one link of the list; the list is shown again at its page."""

    invite_id: int
    offset: int

    def __post_init__(self) -> None:
        if self.offset < 0:
            raise ValueError(f"a page offset of {self.offset}")


# -- people: /members and leaving a unit ---------------------------------------------------


@dataclass(frozen=True)
class MembersUnit(CallbackData, prefix="mem.u"):
    """An admin picks the unit whose members to list; a page of it, after the first."""

    unit_id: int
    offset: int | None = None


@dataclass(frozen=True)
class MembersUnitPage(PageOffset, CallbackData, prefix="mem.up"):
    offset: int


@dataclass(frozen=True)
class MemberCard(CallbackData, prefix="mem"):
    member_id: int


@dataclass(frozen=True)
class MemberRemove(CallbackData, prefix="mem.rm"):
    member_id: int


@dataclass(frozen=True)
class MemberRemoveConfirm(CallbackData, prefix="mem.rmy"):
    member_id: int
    # The unit the confirmation named: kept past the member's move to another, it removes
    # nobody from that one. None: a button from before.
    unit_id: int | None = None


@dataclass(frozen=True)
class MemberRoleTake(CallbackData, prefix="mem.rt"):
    member_id: int
    role: Role


@dataclass(frozen=True)
class MemberRoleTakeConfirm(CallbackData, prefix="mem.rty"):
    member_id: int
    role: Role
    # What the confirmation said: False, that they stay in the unit (other roles were left),
    # so it removes nobody; True, that taking it removes them. None: a button from before.
    removes: bool | None = None
    # The unit it named, as MemberRemoveConfirm's: nothing is taken in another.
    unit_id: int | None = None


@dataclass(frozen=True)
class MemberTagToggle(CallbackData, prefix="mem.tg"):
    """Give or take one of the unit's tags on a member's card. A tag may be 32 characters of
    Chinese, more than the 64 bytes allow, and may hold ``:``: the button carries its
    ``people.tags.tag_key``, which the press looks up among the unit's tags."""

    member_id: int
    key: str
    give: bool  # the state asked for, so a second tap or an older card does not undo it


@dataclass(frozen=True)
class LeaveUnit(CallbackData, prefix="me.out"):
    unit_id: int


@dataclass(frozen=True)
class LeaveUnitConfirm(CallbackData, prefix="me.outy"):
    unit_id: int  # the unit the confirmation named: kept past joining another, it leaves nothing
