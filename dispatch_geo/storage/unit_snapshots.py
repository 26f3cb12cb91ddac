"""A column-only read of the units a recommendation ranks, and the live picture shows: no ORM objects,
no WKB parsing.

Loading every candidate as a full :class:`~dispatch_geo.storage.models.UnitRow` (identity map, one
shapely parse of the point per row) was about half of a recommendation at 500 units. This query
selects only the columns the recommender and the live picture read (the live picture's build, twice a
second with a moving fleet, spent most of its time making ORM objects: 31 % of ``serve``'s CPU at
1,000 units and 100 consoles); on PostGIS the position comes back as two floats
(``ST_X``/``ST_Y``), on SQLite the stored WKT is parsed. Like every repository it never commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Float, cast, func, select
from sqlalchemy.orm import Session

from dispatch_geo.domain.units import Agency, UnitStatus, UnitType
from dispatch_geo.domain.values import LonLat
from dispatch_geo.storage._common import as_set
from dispatch_geo.storage.models import UnitRow
from dispatch_geo.storage.types import point_to_lonlat


@dataclass(frozen=True, slots=True)
class UnitSnapshot:
    """What the recommender and the live picture read of one unit, named as on :class:`UnitRow` (either
    can be ranked or shown)."""

    id: str
    unit_type: UnitType
    status: UnitStatus
    last_position: LonLat | None
    last_fix_time: datetime | None
    snapped_edge_u: int | None
    snapped_edge_v: int | None
    snapped_offset_m: float | None
    agency: Agency
    station_id: str
    status_changed_at: datetime
    device_id: str | None


def list_unit_snapshots(
    session: Session, *, unit_type: UnitType | Iterable[UnitType] | None = None
) -> list[UnitSnapshot]:
    """Units of the given types (all when None) as :class:`UnitSnapshot`, ordered by id."""
    postgis = session.get_bind().dialect.name == "postgresql"
    position = (
        (cast(func.ST_X(UnitRow.last_position), Float), cast(func.ST_Y(UnitRow.last_position), Float))
        if postgis
        else (UnitRow.last_position,)
    )
    stmt = select(
        UnitRow.id,
        UnitRow.unit_type,
        UnitRow.status,
        UnitRow.last_fix_time,
        UnitRow.snapped_edge_u,
        UnitRow.snapped_edge_v,
        UnitRow.snapped_offset_m,
        UnitRow.agency,
        UnitRow.station_id,
        UnitRow.status_changed_at,
        UnitRow.device_id,
        *position,
    ).order_by(UnitRow.id)
    types = as_set(unit_type, UnitType)
    if types is not None:
        stmt = stmt.where(UnitRow.unit_type.in_(sorted(types)))
    snapshots = []
    for row in session.execute(stmt):
        values: tuple[Any, ...] = tuple(row)
        uid, kind, status, fix_time, edge_u, edge_v, offset_m = values[:7]
        agency, station, changed, device = values[7:11]
        where = values[11:]
        point: LonLat | None
        if postgis:
            point = None if where[0] is None else LonLat(float(where[0]), float(where[1]))
        else:
            point = None if where[0] is None else _as_lonlat(where[0])
        snapshots.append(
            UnitSnapshot(
                uid, kind, status, point, fix_time, edge_u, edge_v, offset_m, agency, station, changed, device
            )
        )
    return snapshots


def _as_lonlat(value: object) -> LonLat:
    # PointType has already turned the stored text into a LonLat; a raw value is parsed here
    return value if isinstance(value, LonLat) else point_to_lonlat(value)
