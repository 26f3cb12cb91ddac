"""Helpers shared by the repositories (not part of the public API)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dispatch_geo.domain.values import LonLat
from dispatch_geo.errors import ConflictError

EARTH_RADIUS_M = 6_371_008.8
"""Mean Earth radius (IUGG), for great-circle distances where PostGIS is not available."""

_E = TypeVar("_E", bound=StrEnum)


@contextmanager
def conflict_savepoint(session: Session, what: str) -> Iterator[None]:
    """Run the block's writes in a savepoint and flush them; a constraint violation becomes
    :class:`ConflictError` naming ``what``, and the caller's transaction stays usable.

    Add the new objects *inside* the block: opening a savepoint flushes what is already pending
    (outside the savepoint), so objects added before it would not be protected.
    """
    try:
        with session.begin_nested():
            yield
            session.flush()
    except IntegrityError as exc:
        raise ConflictError(f"{what}: {exc.orig}") from exc


def as_set(value: _E | Iterable[_E] | None, enum_cls: type[_E]) -> set[_E] | None:
    """``None``, one enum member or several, as a set of members (None means "no filter")."""
    if value is None:
        return None
    if isinstance(value, str):
        return {enum_cls(value)}
    return {enum_cls(v) for v in value}


def great_circle_m(a: LonLat, b: LonLat) -> float:
    """Haversine distance between ``a`` and ``b`` in metres (spherical Earth; < 0.5 % error)."""
    lon1, lat1, lon2, lat2 = map(math.radians, (a.lon, a.lat, b.lon, b.lat))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))
