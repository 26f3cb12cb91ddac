"""Initial schema: stations, units, status audit, incidents, assignments, recommendations, GPS fixes.

Revision ID: 0001
Revises:
Create Date: 2025-01-01

Enum values are frozen here on purpose: a later enum change needs a new migration that rewrites the
CHECK constraint. On PostgreSQL this revision also enables PostGIS and adds GiST indexes on every point.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from dispatch_geo.storage.types import PointType, UtcDateTime

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

AGENCIES = ("psc_119", "rsud", "puskesmas", "damkar", "polres", "polsek", "bpbd")
UNIT_TYPES = ("ambulance", "fire_engine", "water_tanker", "police_car", "police_motorbike", "rescue")
UNIT_STATUSES = (
    "available",
    "dispatched",
    "en_route",
    "on_scene",
    "transporting",
    "at_hospital",
    "returning",
    "out_of_service",
)
INCIDENT_TYPES = ("fire", "forest_fire", "medical", "traffic_accident", "crime", "flood", "other")
INCIDENT_STATUSES = ("new", "dispatched", "on_scene", "closed", "cancelled")
SPATIAL_INDEXES = (
    ("ix_stations_location", "stations", "location"),
    ("ix_units_last_position", "units", "last_position"),
    ("ix_incidents_location", "incidents", "location"),
    ("ix_position_fixes_position", "position_fixes", "position"),
)


def _enum(values: tuple[str, ...], name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _big_pk() -> sa.Column[int]:
    return sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True)


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    is_postgresql = op.get_bind().dialect.name == "postgresql"
    if is_postgresql:
        op.execute("CREATE EXTENSION IF NOT EXISTS postgis")

    op.create_table(
        "stations",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("agency", _enum(AGENCIES, "agency"), nullable=False),
        sa.Column("location", PointType(), nullable=False),
        sa.Column("approximate", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
    )
    op.create_table(
        "incidents",
        _big_pk(),
        sa.Column("incident_type", _enum(INCIDENT_TYPES, "incident_type"), nullable=False),
        sa.Column("priority", sa.SmallInteger(), nullable=False),
        sa.Column("status", _enum(INCIDENT_STATUSES, "status"), nullable=False),
        sa.Column("location", PointType(), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("caller_phone", sa.String(32), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("desa_kode", sa.String(16), nullable=True),
        sa.Column("desa_nama", sa.String(80), nullable=True),
        sa.Column("kecamatan_kode", sa.String(16), nullable=True),
        sa.Column("kecamatan_nama", sa.String(80), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("created_by", sa.String(32), nullable=False),
        sa.Column("closed_at", UtcDateTime(), nullable=True),
        sa.CheckConstraint("priority BETWEEN 1 AND 3", name="priority_range"),
        sa.CheckConstraint("closed_at IS NULL OR closed_at >= created_at", name="closed_after_created"),
        sa.CheckConstraint(
            "(status IN ('closed', 'cancelled')) = (closed_at IS NOT NULL)", name="closed_at_iff_final"
        ),
    )
    op.create_index("ix_incidents_status_priority", "incidents", ["status", "priority"])
    op.create_index("ix_incidents_created_at", "incidents", ["created_at"])

    op.create_table(
        "units",
        sa.Column("id", sa.String(32), primary_key=True, comment="call sign"),
        sa.Column("unit_type", _enum(UNIT_TYPES, "unit_type"), nullable=False),
        sa.Column("agency", _enum(AGENCIES, "agency"), nullable=False),
        sa.Column(
            "station_id", sa.String(32), sa.ForeignKey("stations.id", ondelete="RESTRICT"), nullable=False
        ),
        sa.Column("status", _enum(UNIT_STATUSES, "status"), nullable=False),
        sa.Column("status_changed_at", UtcDateTime(), nullable=False),
        sa.Column("device_id", sa.String(32), nullable=True),
        sa.Column("last_position", PointType(), nullable=True),
        sa.Column("last_fix_time", UtcDateTime(), nullable=True),
        sa.Column("last_speed_kph", sa.Float(), nullable=True),
        sa.Column("last_course_deg", sa.Float(), nullable=True),
        sa.Column("snapped_edge_u", sa.BigInteger(), nullable=True, comment="OSM node id of the edge start"),
        sa.Column("snapped_edge_v", sa.BigInteger(), nullable=True, comment="OSM node id of the edge end"),
        sa.Column("snapped_edge_key", sa.Integer(), nullable=True),
        sa.Column("snapped_offset_m", sa.Float(), nullable=True, comment="distance along the edge from u"),
        sa.Column("snapped_distance_m", sa.Float(), nullable=True, comment="distance from fix to edge"),
        sa.UniqueConstraint("device_id", name="uq_units_device_id"),
        sa.CheckConstraint("(last_position IS NULL) = (last_fix_time IS NULL)", name="position_has_fix_time"),
        sa.CheckConstraint(
            "(snapped_edge_u IS NULL) = (snapped_edge_v IS NULL)", name="snapped_edge_complete"
        ),
    )
    op.create_index("ix_units_station_id", "units", ["station_id"])
    op.create_index("ix_units_status", "units", ["status"])

    op.create_table(
        "unit_status_changes",
        _big_pk(),
        sa.Column("unit_id", sa.String(32), sa.ForeignKey("units.id", ondelete="CASCADE"), nullable=False),
        sa.Column("from_status", _enum(UNIT_STATUSES, "from_status"), nullable=False),
        sa.Column("to_status", _enum(UNIT_STATUSES, "to_status"), nullable=False),
        sa.Column("changed_at", UtcDateTime(), nullable=False),
        sa.Column("changed_by", sa.String(32), nullable=False),
        sa.Column(
            "incident_id", sa.BigInteger(), sa.ForeignKey("incidents.id", ondelete="SET NULL"), nullable=True
        ),
        sa.CheckConstraint("from_status <> to_status", name="changes_status"),
    )
    op.create_index(
        "ix_unit_status_changes_unit_id_changed_at", "unit_status_changes", ["unit_id", "changed_at"]
    )

    op.create_table(
        "assignments",
        _big_pk(),
        sa.Column(
            "incident_id", sa.BigInteger(), sa.ForeignKey("incidents.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("unit_id", sa.String(32), sa.ForeignKey("units.id", ondelete="CASCADE"), nullable=False),
        sa.Column("assigned_at", UtcDateTime(), nullable=False),
        sa.Column("assigned_by", sa.String(32), nullable=False),
        sa.Column("released_at", UtcDateTime(), nullable=True),
        sa.CheckConstraint(
            "released_at IS NULL OR released_at >= assigned_at", name="released_after_assigned"
        ),
    )
    op.create_index("ix_assignments_incident_id", "assignments", ["incident_id"])
    op.create_index("ix_assignments_unit_id_assigned_at", "assignments", ["unit_id", "assigned_at"])
    op.create_index(
        "uq_assignments_open_unit",
        "assignments",
        ["unit_id"],
        unique=True,
        postgresql_where=sa.text("released_at IS NULL"),
        sqlite_where=sa.text("released_at IS NULL"),
    )

    op.create_table(
        "recommendation_audit",
        _big_pk(),
        sa.Column(
            "incident_id", sa.BigInteger(), sa.ForeignKey("incidents.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "offered",
            _json(),
            nullable=False,
            comment="ranked offers, e.g. [{unit_id, travel_time_s, distance_m, ...}]",
        ),
        sa.Column(
            "chosen_unit_id", sa.String(32), sa.ForeignKey("units.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("decided_by", sa.String(32), nullable=False),
        sa.Column("decided_at", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_recommendation_audit_incident_id", "recommendation_audit", ["incident_id"])

    op.create_table(
        "position_fixes",
        _big_pk(),
        sa.Column("device_id", sa.String(32), nullable=False),
        sa.Column("unit_id", sa.String(32), sa.ForeignKey("units.id", ondelete="SET NULL"), nullable=True),
        sa.Column("fix_time", UtcDateTime(), nullable=False),
        sa.Column("received_at", UtcDateTime(), nullable=False),
        sa.Column("position", PointType(), nullable=False),
        sa.Column("speed_kph", sa.Float(), nullable=True),
        sa.Column("course_deg", sa.Float(), nullable=True),
        sa.Column("accuracy_m", sa.Float(), nullable=True),
        sa.Column("altitude_m", sa.Float(), nullable=True),
        sa.Column(
            "source_protocol", sa.String(32), nullable=False, comment="owntracks, osmand, simulator..."
        ),
        sa.Column("flags", _json(), nullable=False),
        sa.UniqueConstraint("device_id", "fix_time", name="uq_position_fixes_device_id_fix_time"),
        sa.CheckConstraint("speed_kph IS NULL OR speed_kph >= 0", name="speed_not_negative"),
        sa.CheckConstraint(
            "course_deg IS NULL OR (course_deg >= 0 AND course_deg <= 360)", name="course_range"
        ),
        sa.CheckConstraint("accuracy_m IS NULL OR accuracy_m >= 0", name="accuracy_not_negative"),
    )
    op.create_index("ix_position_fixes_unit_id_fix_time", "position_fixes", ["unit_id", "fix_time"])

    if is_postgresql:
        for name, table, column in SPATIAL_INDEXES:
            op.create_index(name, table, [column], postgresql_using="gist")


def downgrade() -> None:
    for table in (
        "position_fixes",
        "recommendation_audit",
        "assignments",
        "unit_status_changes",
        "units",
        "incidents",
        "stations",
    ):
        op.drop_table(table)
    # The postgis extension is left in place: other schemas in the database may use it.
