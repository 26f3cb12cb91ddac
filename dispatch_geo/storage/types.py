"""Column types that behave the same on PostgreSQL/PostGIS and on SQLite.

* :class:`PointType` is a PostGIS ``geometry(Point, 4326)`` on PostgreSQL (so QGIS can open the
  tables) and WKT text (``POINT (lon lat)``) on SQLite, where SpatiaLite is not available. In Python the
  value is always a :class:`~dispatch_geo.domain.values.LonLat`.
* :class:`UtcDateTime` is ``timestamptz`` on PostgreSQL; on SQLite, which has no time zones, it stores
  UTC and gives back aware UTC datetimes. Naive datetimes are refused on the way in.
* :func:`enum_column_type` stores a ``StrEnum`` by value as ``VARCHAR`` with a ``CHECK`` constraint
  (portable, and a new status needs no ``ALTER TYPE``).
"""

from __future__ import annotations

import contextlib
import math
import struct
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import shapely
from geoalchemy2 import Geometry, WKBElement
from geoalchemy2.shape import to_shape
from shapely.geometry import Point
from sqlalchemy import DateTime, Dialect, Enum, Text
from sqlalchemy.types import TypeDecorator, TypeEngine

from dispatch_geo.domain.values import LonLat, require_aware
from dispatch_geo.errors import InputError

SRID = 4326
"""WGS84 longitude/latitude, the only CRS stored."""

ENUM_LENGTH = 32
"""``VARCHAR`` length of every enum column."""


def _format_wkt(point: LonLat) -> str:
    # repr() keeps every digit, so the round trip is exact.
    return f"POINT ({point.lon!r} {point.lat!r})"


_WKB_POINT, _EWKB_SRID, _EWKB_ZM = 1, 0x20000000, 0xC0000000


def _plain_point(data: bytes) -> LonLat | None:
    """A 2-D point from its (E)WKB without shapely (a fleet's worth of rows is read every half second);
    None for anything else (shapely then reads it, or says what is wrong)."""
    if len(data) not in (21, 25) or data[0] not in (0, 1):
        return None
    order = "<" if data[0] == 1 else ">"
    (kind,) = struct.unpack_from(order + "I", data, 1)
    offset = 9 if kind & _EWKB_SRID else 5
    if kind & ~_EWKB_SRID != _WKB_POINT or kind & _EWKB_ZM or len(data) != offset + 16:
        return None
    x, y = struct.unpack_from(order + "dd", data, offset)
    if math.isnan(x) or math.isnan(y):  # POINT EMPTY
        return None
    return LonLat(x, y)


def _wkb_bytes(value: object) -> bytes | None:
    data = value.data if isinstance(value, WKBElement) else value
    if isinstance(data, bytes | memoryview):
        return bytes(data)
    if isinstance(data, str) and data[:2] in ("00", "01"):
        with contextlib.suppress(ValueError):
            return bytes.fromhex(data)
    return None


def point_to_lonlat(value: object) -> LonLat:
    """Turn what a driver returns for a point (WKB element, WKB bytes/hex, WKT) into a :class:`LonLat`."""
    data = _wkb_bytes(value)
    point = None if data is None else _plain_point(data)
    if point is not None:
        return point
    geometry: Any
    if isinstance(value, WKBElement):
        geometry = to_shape(value)
    elif isinstance(value, bytes | memoryview):
        geometry = shapely.from_wkb(bytes(value))
    elif isinstance(value, str):
        text = value.split(";", 1)[1] if value.upper().startswith("SRID=") else value
        geometry = shapely.from_wkt(text) if text.lstrip()[:1].isalpha() else shapely.from_wkb(text)
    else:
        raise InputError(f"cannot read a point from {type(value).__name__}")
    if not isinstance(geometry, Point) or geometry.is_empty:
        raise InputError(f"stored geometry {geometry.wkt[:60]} is not a point")
    return LonLat(float(geometry.x), float(geometry.y))


class PointType(TypeDecorator[LonLat]):
    """A WGS84 point: PostGIS ``geometry(Point, 4326)`` or WKT text on other databases."""

    impl = Text
    cache_ok = True
    spatial_index = False
    """Read by GeoAlchemy2's DDL hooks: the migrations create the GiST indexes themselves."""

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        # GeoAlchemy2's DDL hooks may probe with no dialect; only a real PostgreSQL one gets PostGIS.
        if dialect is not None and dialect.name == "postgresql":
            # Spatial indexes are created by the migrations, never implicitly.
            return dialect.type_descriptor(Geometry("POINT", srid=SRID, spatial_index=False))
        return Text() if dialect is None else dialect.type_descriptor(Text())

    def process_bind_param(self, value: LonLat | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if isinstance(value, Point):
            value = LonLat(float(value.x), float(value.y))
        if not isinstance(value, LonLat):
            raise InputError(f"a point column needs a LonLat, got {type(value).__name__}")
        if dialect.name == "postgresql":
            return f"SRID={SRID};{_format_wkt(value)}"
        return _format_wkt(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> LonLat | None:
        if value is None:
            return None
        return point_to_lonlat(value)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware timestamp: ``timestamptz`` on PostgreSQL, UTC text on SQLite."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = require_aware(value).astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def enum_column_type(enum_cls: type[StrEnum], name: str) -> Enum:
    """``VARCHAR`` + ``CHECK`` column type for ``enum_cls``, storing the members' values.

    ``name`` names the CHECK constraint (``ck_<table>_<name>`` through the naming convention).
    """
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        validate_strings=True,
        length=ENUM_LENGTH,
        values_callable=lambda cls: [member.value for member in cls],
    )
