"""Who may do what: effective roles of the person behind an update, and the checks services run."""

from __future__ import annotations

from dataclasses import dataclass

from bot.db.models import Member, Role
from bot.errors import DomainError, ErrorCode


@dataclass(frozen=True)
class Actor:
    """The person behind an update: their member record (if registered) and effective roles.

    Admins come from ``ADMIN_IDS``, so the admin role is derived here and never stored.
    """

    telegram_id: int
    member: Member | None
    roles: frozenset[Role]

    @classmethod
    def of(cls, telegram_id: int, member: Member | None, admin_ids: list[int]) -> Actor:
        roles = set(member.roles) if member is not None and member.active else set()
        if telegram_id in admin_ids:
            roles.add(Role.ADMIN)
        return cls(telegram_id=telegram_id, member=member, roles=frozenset(roles))

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    @property
    def unit_id(self) -> int | None:
        return self.member.unit_id if self.member is not None else None

    def has_any(self, roles: frozenset[Role]) -> bool:
        return bool(self.roles & roles)

    def require_member(self) -> Member:
        """Someone with a record. An admin without one (never sent /start, or removed from
        their unit) is told they belong to no unit and how to join one, not "not registered,
        ask your coordinator", whatever path they came by (a command, a location, a photo, a
        button)."""
        if self.member is None or not self.member.active:
            code = ErrorCode.ADMIN_NO_UNIT if self.is_admin else ErrorCode.NOT_REGISTERED
            raise DomainError(code)
        return self.member

    def require_unit_member(self) -> Member:
        """Someone with duty of their own (shifts, check-ins, hours): a member of a unit. An
        admin outside every unit (no record yet, or one with no unit) is told so, with the way
        in, rather than taken for a stranger."""
        if self.is_admin and (
            self.member is None or not self.member.active or self.member.unit_id is None
        ):
            raise DomainError(ErrorCode.ADMIN_NO_UNIT)
        return self.require_member()

    def require(self, *roles: Role) -> None:
        if not self.is_admin and not self.has_any(frozenset(roles)):
            raise DomainError(ErrorCode.FORBIDDEN)

    def require_unit(self, unit_id: int, *roles: Role) -> None:
        """Admins act on every unit; the given roles only on their own unit."""
        if self.is_admin:
            return
        if not self.has_any(frozenset(roles)) or self.unit_id != unit_id:
            raise DomainError(ErrorCode.FORBIDDEN)
