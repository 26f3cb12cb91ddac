"""Reading stored points: the shapely-free path for plain 2-D (E)WKB points gives what shapely gives."""

from __future__ import annotations

import pytest
import shapely
from geoalchemy2 import WKBElement
from shapely.geometry import LineString, Point

from dispatch_geo.domain.values import LonLat
from dispatch_geo.errors import InputError
from dispatch_geo.storage.types import point_to_lonlat

POINT = Point(102.0451234567891, 0.7912345678912345)
EWKB = shapely.to_wkb(shapely.set_srid(POINT, 4326), include_srid=True)
EXPECTED = LonLat(102.0451234567891, 0.7912345678912345)


@pytest.mark.parametrize(
    "value",
    [
        shapely.to_wkb(POINT),
        shapely.to_wkb(POINT, byte_order=0),
        shapely.to_wkb(shapely.set_srid(POINT, 4326), include_srid=True),
        shapely.to_wkb(shapely.set_srid(POINT, 4326), include_srid=True, byte_order=0),
        shapely.to_wkb(shapely.set_srid(POINT, 4326), include_srid=True, hex=True),
        memoryview(shapely.to_wkb(POINT)),
        WKBElement(EWKB, srid=4326, extended=True),
        WKBElement(shapely.to_wkb(shapely.set_srid(POINT, 4326), include_srid=True, hex=True), extended=True),
        "POINT (102.0451234567891 0.7912345678912345)",
        "SRID=4326;POINT (102.0451234567891 0.7912345678912345)",
    ],
)
def test_every_form_of_a_stored_point_reads_exactly(value: object) -> None:
    assert point_to_lonlat(value) == EXPECTED


def test_a_3d_point_and_other_geometries_go_through_shapely() -> None:
    assert point_to_lonlat(shapely.to_wkb(Point(1.5, 2.5, 7.0))) == LonLat(1.5, 2.5)
    with pytest.raises(InputError):
        point_to_lonlat(shapely.to_wkb(LineString([(0, 0), (1, 1)])))
    with pytest.raises(InputError):
        point_to_lonlat(shapely.to_wkb(Point()))  # POINT EMPTY
