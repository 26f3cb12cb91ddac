"""A column-only read of the units a recommendation ranks: no ORM objects, no WKB parsing.

Loading every candidate as a full :class:`~dispatch_geo.storage.models.UnitRow` (identity map, one
shapely parse of the point per row) was about half of a recommendation at 500 units. This query
selects only the columns the recommender reads; on PostGIS the position comes back as two floats
(``ST_X``/``ST_Y``), on SQLite the stored WKT is parsed. Like every repository it never commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Float, cast, func, select
from sqlalchemy.orm import Session

from dispatch_geo.domain.units import UnitStatus, UnitType
from dispatch_geo.domain.values import LonLat
from dispatch_geo.storage._common import as_set
from dispatch_geo.storage.models import UnitRow
from dispatch_geo.storage.types import point_to_lonlat


@dataclass(frozen=True, slots=True)
class UnitSnapshot:
    """What the recommender needs of one unit, named as on :class:`UnitRow` (either can be ranked)."""

    id: str
    unit_type: UnitType
    status: UnitStatus
    last_position: LonLat | None
    last_fix_time: datetime | None
    snapped_edge_u: int | None
    snapped_edge_v: int | None
    snapped_offset_m: float | None


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
        *position,
    ).order_by(UnitRow.id)
    types = as_set(unit_type, UnitType)
    if types is not None:
        stmt = stmt.where(UnitRow.unit_type.in_(sorted(types)))
    snapshots = []
    for row in session.execute(stmt):
        values: tuple[Any, ...] = tuple(row)
        uid, kind, status, fix_time, edge_u, edge_v, offset_m, *where = values
        point: LonLat | None
        if postgis:
            point = None if where[0] is None else LonLat(float(where[0]), float(where[1]))
        else:
            point = None if where[0] is None else _as_lonlat(where[0])
        snapshots.append(UnitSnapshot(uid, kind, status, point, fix_time, edge_u, edge_v, offset_m))
    return snapshots


def _as_lonlat(value: object) -> LonLat:
    # PointType has already turned the stored text into a LonLat; a raw value is parsed here
    return value if isinstance(value, LonLat) else point_to_lonlat(value)
