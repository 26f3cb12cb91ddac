"""Tables of shifts: who opened and closed each one, who was on duty, and its handover.

A supervisor opens a shift (its name and planned bounds proposed from the configured shift times), the
operators who log in while it is open are its members, and at close the handover summary is frozen in
``summary`` with the outgoing supervisor's notes; the incoming supervisor acknowledges it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dispatch_geo.storage.models import ID_LENGTH, Base, BigIntPK, JsonDocument
from dispatch_geo.storage.types import UtcDateTime


class ShiftRow(Base):
    """One shift of the call centre."""

    __tablename__ = "shifts"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    name: Mapped[str] = mapped_column(String(ID_LENGTH), comment="e.g. 07-15 (WIB)")
    planned_start: Mapped[datetime] = mapped_column(UtcDateTime())
    planned_end: Mapped[datetime] = mapped_column(UtcDateTime())
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime())
    opened_by: Mapped[str] = mapped_column(String(ID_LENGTH))
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    closed_by: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    handover_notes: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument, comment="handover, frozen at close")
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    acknowledged_by: Mapped[str | None] = mapped_column(String(ID_LENGTH))

    __table_args__ = (Index("ix_shifts_opened_at", "opened_at"),)


class ShiftMemberRow(Base):
    """An operator on duty in a shift (joined at their first login while it was open)."""

    __tablename__ = "shift_members"

    shift_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("shifts.id", ondelete="CASCADE"), primary_key=True
    )
    username: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    desk: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    roles: Mapped[list[str]] = mapped_column(JsonDocument)
    joined_at: Mapped[datetime] = mapped_column(UtcDateTime())
