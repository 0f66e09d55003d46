"""The wall-screen links to the board (issue 18)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db.models.base import Base
from bot.db.models.people import Unit
from bot.db.types import UtcDateTime


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
