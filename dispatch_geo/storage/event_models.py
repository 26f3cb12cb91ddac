"""Table of incident events: creation, lifecycle status changes and edits, with who and when.

Unit status changes, assignments and recommendations have their own audit tables; this one holds what
happens to the incident itself, so the incident timeline can be told in full.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dispatch_geo.domain.incidents import IncidentStatus
from dispatch_geo.storage.models import ID_LENGTH, Base, BigIntPK, JsonDocument
from dispatch_geo.storage.types import UtcDateTime, enum_column_type


class IncidentEventKind(StrEnum):
    """What an incident event records."""

    CREATED = "created"
    STATUS = "status"
    UPDATED = "updated"


class IncidentEventRow(Base):
    """One event in the life of an incident."""

    __tablename__ = "incident_events"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    incident_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("incidents.id", ondelete="CASCADE"))
    kind: Mapped[IncidentEventKind] = mapped_column(enum_column_type(IncidentEventKind, "kind"))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    by: Mapped[str] = mapped_column(String(ID_LENGTH))
    from_status: Mapped[IncidentStatus | None] = mapped_column(
        enum_column_type(IncidentStatus, "from_status")
    )
    to_status: Mapped[IncidentStatus | None] = mapped_column(enum_column_type(IncidentStatus, "to_status"))
    detail: Mapped[dict[str, Any]] = mapped_column(JsonDocument, comment="changed fields, old and new values")

    __table_args__ = (Index("ix_incident_events_incident_id_at", "incident_id", "at"),)


class IncidentNoteRow(Base):
    """A note a dispatcher added to an incident (shown in its timeline)."""

    __tablename__ = "incident_notes"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    incident_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("incidents.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    by: Mapped[str] = mapped_column(String(ID_LENGTH))
    text: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("ix_incident_notes_incident_id_at", "incident_id", "at"),)


class IncidentRequirementRow(Base):
    """Units a dispatcher asked for beyond the incident type's table (``count`` of any ``unit_types``)."""

    __tablename__ = "incident_requirements"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    unit_types: Mapped[list[str]] = mapped_column(
        JsonDocument, comment='acceptable unit types, e.g. ["ambulance"]'
    )
    count: Mapped[int] = mapped_column(SmallInteger)
    added_at: Mapped[datetime] = mapped_column(UtcDateTime())
    added_by: Mapped[str] = mapped_column(String(ID_LENGTH))

    __table_args__ = (CheckConstraint("count BETWEEN 1 AND 50", name="count_range"),)
