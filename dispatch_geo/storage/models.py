"""SQLAlchemy 2 ORM tables of the dispatch database.

These classes describe the schema for queries; the schema itself is created and changed only by the
Alembic migrations in :mod:`dispatch_geo.storage.migrations` (the integration tests check that the two
agree). Every point is a PostGIS ``geometry(Point, 4326)`` with a GiST index on PostgreSQL and WKT text
on SQLite (:class:`~dispatch_geo.storage.types.PointType`); every timestamp is timezone-aware UTC.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from dispatch_geo.domain.facilities import Facility, FacilityKind
from dispatch_geo.domain.incidents import IncidentStatus, IncidentType
from dispatch_geo.domain.units import Agency, Station, Unit, UnitStatus, UnitType
from dispatch_geo.domain.values import LonLat
from dispatch_geo.storage.types import PointType, UtcDateTime, enum_column_type

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
"""Constraint names are deterministic, so migrations can refer to them on every database."""

ID_LENGTH = 32
"""Length of call signs, station ids, device ids and user names."""

BigIntPK = BigInteger().with_variant(Integer(), "sqlite")
"""64-bit key on PostgreSQL; ``INTEGER PRIMARY KEY`` (the rowid, auto-incrementing) on SQLite."""

JsonDocument = JSON().with_variant(JSONB(), "postgresql")
"""JSON column: ``jsonb`` on PostgreSQL, JSON text on SQLite."""


SPATIAL_INDEX_NAMES = frozenset(
    {
        "ix_stations_location",
        "ix_units_last_position",
        "ix_incidents_location",
        "ix_position_fixes_position",
        "ix_facilities_location",
    }
)
"""GiST indexes on the point columns; they exist on PostgreSQL only (no spatial index on SQLite)."""

POSTGRESQL_ONLY_INDEX_NAMES = SPATIAL_INDEX_NAMES | {"ix_position_fixes_fix_time_brin"}
"""Indexes that exist on PostgreSQL only: the GiST ones and the BRIN index of the partitioned fixes."""


def _spatial_index(name: str, column: str) -> Index:
    index = Index(name, column, postgresql_using="gist")
    index.ddl_if(dialect="postgresql")
    return index


def _brin_index(name: str, column: str) -> Index:
    index = Index(name, column, postgresql_using="brin")
    index.ddl_if(dialect="postgresql")
    return index


class Base(DeclarativeBase):
    """Declarative base sharing one :class:`MetaData` with the naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class StationRow(Base):
    """A home post (fire station, hospital, puskesmas, police post, BPBD depot)."""

    __tablename__ = "stations"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    agency: Mapped[Agency] = mapped_column(enum_column_type(Agency, "agency"))
    location: Mapped[LonLat] = mapped_column(PointType())
    approximate: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (_spatial_index("ix_stations_location", "location"),)

    def to_domain(self) -> Station:
        """The row as a domain :class:`~dispatch_geo.domain.units.Station`."""
        return Station(
            id=self.id,
            name=self.name,
            agency=self.agency,
            location=self.location,
            approximate=self.approximate,
            note=self.note,
        )


class FacilityRow(Base):
    """A hospital, puskesmas or post: where units take patients or are based (admin-managed data)."""

    __tablename__ = "facilities"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[FacilityKind] = mapped_column(enum_column_type(FacilityKind, "kind"), index=True)
    location: Mapped[LonLat] = mapped_column(PointType())
    approximate: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    __table_args__ = (_spatial_index("ix_facilities_location", "location"),)

    def to_domain(self) -> Facility:
        """The row as a domain :class:`~dispatch_geo.domain.facilities.Facility`."""
        return Facility(
            id=self.id,
            name=self.name,
            kind=self.kind,
            location=self.location,
            approximate=self.approximate,
            source=self.source,
            note=self.note,
            active=self.active,
        )


class UnitRow(Base):
    """A response vehicle, its current status and its last known position."""

    __tablename__ = "units"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, comment="call sign")
    unit_type: Mapped[UnitType] = mapped_column(enum_column_type(UnitType, "unit_type"))
    agency: Mapped[Agency] = mapped_column(enum_column_type(Agency, "agency"))
    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id", ondelete="RESTRICT"), index=True)
    status: Mapped[UnitStatus] = mapped_column(enum_column_type(UnitStatus, "status"), index=True)
    status_changed_at: Mapped[datetime] = mapped_column(UtcDateTime())
    device_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), unique=True)
    last_position: Mapped[LonLat | None] = mapped_column(PointType())
    last_fix_time: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_speed_kph: Mapped[float | None] = mapped_column(Float)
    last_course_deg: Mapped[float | None] = mapped_column(Float)
    snapped_edge_u: Mapped[int | None] = mapped_column(BigInteger, comment="OSM node id of the edge start")
    snapped_edge_v: Mapped[int | None] = mapped_column(BigInteger, comment="OSM node id of the edge end")
    snapped_edge_key: Mapped[int | None] = mapped_column(Integer)
    snapped_offset_m: Mapped[float | None] = mapped_column(Float, comment="distance along the edge from u")
    snapped_distance_m: Mapped[float | None] = mapped_column(Float, comment="distance from fix to edge")

    __table_args__ = (
        CheckConstraint("(last_position IS NULL) = (last_fix_time IS NULL)", name="position_has_fix_time"),
        CheckConstraint("(snapped_edge_u IS NULL) = (snapped_edge_v IS NULL)", name="snapped_edge_complete"),
        _spatial_index("ix_units_last_position", "last_position"),
    )

    def to_domain(self) -> Unit:
        """The row as a domain :class:`~dispatch_geo.domain.units.Unit`."""
        return Unit(
            id=self.id,
            unit_type=self.unit_type,
            agency=self.agency,
            station_id=self.station_id,
            status=self.status,
        )


class UnitStatusChangeRow(Base):
    """Audit trail: one row per unit status change."""

    __tablename__ = "unit_status_changes"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    from_status: Mapped[UnitStatus] = mapped_column(enum_column_type(UnitStatus, "from_status"))
    to_status: Mapped[UnitStatus] = mapped_column(enum_column_type(UnitStatus, "to_status"))
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime())
    changed_by: Mapped[str] = mapped_column(String(ID_LENGTH))
    incident_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("incidents.id", ondelete="SET NULL")
    )

    __table_args__ = (
        CheckConstraint("from_status <> to_status", name="changes_status"),
        Index("ix_unit_status_changes_unit_id_changed_at", "unit_id", "changed_at"),
        Index("ix_unit_status_changes_incident_id", "incident_id"),
    )


class IncidentRow(Base):
    """An emergency reported to 112."""

    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    incident_type: Mapped[IncidentType] = mapped_column(enum_column_type(IncidentType, "incident_type"))
    priority: Mapped[int] = mapped_column(SmallInteger)
    status: Mapped[IncidentStatus] = mapped_column(enum_column_type(IncidentStatus, "status"))
    location: Mapped[LonLat] = mapped_column(PointType())
    address: Mapped[str] = mapped_column(Text, default="")
    caller_phone: Mapped[str | None] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text, default="")
    desa_kode: Mapped[str | None] = mapped_column(String(16))
    desa_nama: Mapped[str | None] = mapped_column(String(80))
    kecamatan_kode: Mapped[str | None] = mapped_column(String(16))
    kecamatan_nama: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_by: Mapped[str] = mapped_column(String(ID_LENGTH))
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    landmark: Mapped[str] = mapped_column(String(200), default="", server_default="", comment="patokan")
    caller_name: Mapped[str | None] = mapped_column(String(120))
    victims: Mapped[int | None] = mapped_column(SmallInteger)
    call_received_at: Mapped[datetime | None] = mapped_column(
        UtcDateTime(), comment="when the call-taker began"
    )
    simulated: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false"), comment="generated by the demo, not a real call"
    )

    __table_args__ = (
        CheckConstraint("priority BETWEEN 1 AND 3", name="priority_range"),
        CheckConstraint("closed_at IS NULL OR closed_at >= created_at", name="closed_after_created"),
        CheckConstraint(
            "(status IN ('closed', 'cancelled')) = (closed_at IS NOT NULL)", name="closed_at_iff_final"
        ),
        Index("ix_incidents_status_priority", "status", "priority"),
        Index("ix_incidents_created_at", "created_at"),
        _spatial_index("ix_incidents_location", "location"),
    )


class AssignmentRow(Base):
    """A unit sent to an incident; open while ``released_at`` is NULL."""

    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    assigned_at: Mapped[datetime] = mapped_column(UtcDateTime())
    assigned_by: Mapped[str] = mapped_column(String(ID_LENGTH))
    released_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    destination_facility_id: Mapped[str | None] = mapped_column(
        ForeignKey("facilities.id"),
        comment="where the unit takes the patient (set with 'transporting'; kept after release)",
    )

    __table_args__ = (
        CheckConstraint("released_at IS NULL OR released_at >= assigned_at", name="released_after_assigned"),
        # A unit works one incident at a time: at most one open assignment per unit.
        Index(
            "uq_assignments_open_unit",
            "unit_id",
            unique=True,
            postgresql_where=text("released_at IS NULL"),
            sqlite_where=text("released_at IS NULL"),
        ),
        Index("ix_assignments_unit_id_assigned_at", "unit_id", "assigned_at"),
    )


class RecommendationAuditRow(Base):
    """What the system offered for an incident and what the dispatcher chose."""

    __tablename__ = "recommendation_audit"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    offered: Mapped[list[dict[str, Any]]] = mapped_column(
        JsonDocument, comment="ranked offers, e.g. [{unit_id, travel_time_s, distance_m, ...}]"
    )
    chosen_unit_id: Mapped[str | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    decided_by: Mapped[str] = mapped_column(String(ID_LENGTH))
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime())


class PositionFixRow(Base):
    """History of every accepted GPS fix (newest ``fix_time`` wins for the unit's last position)."""

    __tablename__ = "position_fixes"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    device_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    unit_id: Mapped[str | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    fix_time: Mapped[datetime] = mapped_column(UtcDateTime())
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
    position: Mapped[LonLat] = mapped_column(PointType())
    speed_kph: Mapped[float | None] = mapped_column(Float)
    course_deg: Mapped[float | None] = mapped_column(Float)
    accuracy_m: Mapped[float | None] = mapped_column(Float)
    altitude_m: Mapped[float | None] = mapped_column(Float)
    source_protocol: Mapped[str] = mapped_column(String(ID_LENGTH), comment="owntracks, osmand, simulator...")
    flags: Mapped[list[str]] = mapped_column(JsonDocument, default=list)

    __table_args__ = (
        UniqueConstraint("device_id", "fix_time"),
        CheckConstraint("speed_kph IS NULL OR speed_kph >= 0", name="speed_not_negative"),
        CheckConstraint("course_deg IS NULL OR (course_deg >= 0 AND course_deg <= 360)", name="course_range"),
        CheckConstraint("accuracy_m IS NULL OR accuracy_m >= 0", name="accuracy_not_negative"),
        Index("ix_position_fixes_unit_id_fix_time", "unit_id", "fix_time"),
        _spatial_index("ix_position_fixes_position", "position"),
        _brin_index("ix_position_fixes_fix_time_brin", "fix_time"),
    )


# Tables defined in their own modules register on Base.metadata here, so Alembic (env.py) and the
# schema comparison see every table whichever module was imported first.
from dispatch_geo.storage import (  # noqa: E402, F401
    auth_models,
    closure_models,
    event_models,
)

# the planners' saved what-if scenarios
from dispatch_geo.storage import planning_models  # noqa: E402, F401  # isort: skip

# each unit's device health (battery, clock, rejected fixes)
from dispatch_geo.storage import health_models  # noqa: E402, F401  # isort: skip
