"""Place resolution on the shipped schematic graph: a named place lands where people are, on a road.

The table test: every kecamatan within 2 km of its seat's settlement core, every desa ≤ 300 m from a
road. The settlement core is recomputed here by brute force (every pair of road nodes inside the seat
desa) and road distances with shapely in UTM 47N, independently of the snapper the product uses.
Before this, "Sungai Apit" landed at the kecamatan polygon's inside point, in desa Penyengat, 47 km
from the town and 6 km from any road.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest
import shapely
from pyproj import Transformer

from dispatch_geo.boundaries import METRIC_CRS, load_boundaries
from dispatch_geo.dispatch.locate import locate_incident
from dispatch_geo.domain.values import LonLat
from dispatch_geo.gazetteer import DesaArea, Gazetteer
from dispatch_geo.graph.roadgraph import RoadGraph
from dispatch_geo.graph.snap import EdgeSnapper
from dispatch_geo.places import SETTLEMENT_RADIUS_M, PlaceIndex, ResolvedBy
from dispatch_geo.seats import KecamatanSeat, load_kecamatan_seats

KECAMATAN_TO_SEAT_CORE_M = 2_000.0
DESA_TO_ROAD_M = 300.0
SEATS = load_kecamatan_seats()
TO_METRIC = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.from_boundaries(load_boundaries())


@pytest.fixture(scope="module")
def places(schematic_road: RoadGraph, gazetteer: Gazetteer) -> PlaceIndex:
    return PlaceIndex.build(
        road=schematic_road, gazetteer=gazetteer, snapper=EdgeSnapper(schematic_road), seats=SEATS
    )


@pytest.fixture(scope="module")
def node_xy(schematic_road: RoadGraph) -> npt.NDArray[np.float64]:
    x, y = TO_METRIC.transform(schematic_road.node_lon, schematic_road.node_lat)
    return np.column_stack((x, y))


@pytest.fixture(scope="module")
def areas(gazetteer: Gazetteer) -> dict[str, DesaArea]:
    return {a.kode: a for a in gazetteer.desa_areas()}


def metric(p: LonLat) -> shapely.Point:
    x, y = TO_METRIC.transform(p.lon, p.lat)
    return shapely.Point(x, y)


def brute_force_core(
    node_xy: npt.NDArray[np.float64], polygon: shapely.Geometry
) -> tuple[shapely.Point, int]:
    """The road node of ``polygon`` with most of its road nodes within the radius (all pairs compared)."""
    xy = node_xy[shapely.contains_xy(polygon, node_xy[:, 0], node_xy[:, 1])]
    assert len(xy), "the seat desa has road nodes on the schematic graph"
    d2 = ((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=-1)
    counts = (d2 <= SETTLEMENT_RADIUS_M**2).sum(axis=1)
    best = int(np.argmax(counts))
    return shapely.Point(xy[best]), int(counts[best])


def road_distances_m(road: RoadGraph, points: list[LonLat]) -> npt.NDArray[np.float64]:
    gx, gy = TO_METRIC.transform(road.geom_lon, road.geom_lat)
    parts = np.repeat(np.arange(road.n_edges), np.diff(road.geom_offsets))
    tree = shapely.STRtree(shapely.linestrings(np.column_stack((gx, gy)), indices=parts))
    queried = shapely.points([tuple(TO_METRIC.transform(p.lon, p.lat)) for p in points])
    (pi, _), dist = tree.query_nearest(queried, return_distance=True, all_matches=False)
    out = np.empty(len(points))
    out[pi] = dist
    return out


@pytest.mark.parametrize("seat", SEATS, ids=[s.kecamatan_nama for s in SEATS])
def test_every_kecamatan_resolves_near_its_seats_settlement_core(
    seat: KecamatanSeat,
    places: PlaceIndex,
    gazetteer: Gazetteer,
    areas: dict[str, DesaArea],
    node_xy: npt.NDArray[np.float64],
) -> None:
    kecamatan = places.get(seat.kecamatan_kode)
    assert kecamatan.level == "kecamatan"
    assert kecamatan.resolved_by is ResolvedBy.SEAT
    assert kecamatan.seat_desa_kode == seat.seat_desa_kode
    core, _ = brute_force_core(node_xy, areas[seat.seat_desa_kode].polygon_metric)
    distance_m = metric(kecamatan.point).distance(core)
    assert distance_m <= KECAMATAN_TO_SEAT_CORE_M, (
        f"kecamatan {seat.kecamatan_nama} resolves {distance_m:.0f} m from the core of its seat "
        f"{seat.seat_desa_nama}"
    )
    assert gazetteer.locate(kecamatan.point).desa_kode == seat.seat_desa_kode


def test_every_desa_resolves_to_a_point_near_a_road_inside_it(
    schematic_road: RoadGraph, places: PlaceIndex, gazetteer: Gazetteer
) -> None:
    desa = [p for p in places if p.level == "desa"]
    assert len(desa) == 131
    distance_m = road_distances_m(schematic_road, [p.point for p in desa])
    far = [(p.nama, round(float(d))) for p, d in zip(desa, distance_m, strict=True) if d > DESA_TO_ROAD_M]
    assert far == [], f"desa farther than {DESA_TO_ROAD_M:.0f} m from a road: {far}"
    reported_off = [p.nama for p, d in zip(desa, distance_m, strict=True) if abs(p.road_distance_m - d) > 1.0]
    assert reported_off == [], "road_distance_m agrees with an independent measurement"
    elsewhere = [p.nama for p in desa if gazetteer.locate(p.point).desa_kode != p.kode]
    assert elsewhere == [], "each settlement core lies in its own desa"
    assert {p.resolved_by for p in desa} == {ResolvedBy.SETTLEMENT_CORE}, "every schematic desa has streets"


def test_sungai_apit_is_the_town_not_penyengat(
    places: PlaceIndex, gazetteer: Gazetteer, areas: dict[str, DesaArea], node_xy: npt.NDArray[np.float64]
) -> None:
    seat = next(s for s in SEATS if s.kecamatan_nama == "Sungai Apit")
    core, _ = brute_force_core(node_xy, areas[seat.seat_desa_kode].polygon_metric)
    by_text = locate_incident(gazetteer, location=None, place="Sungai Apit", places=places)
    by_kode = locate_incident(gazetteer, location=None, place=None, place_kode="14.08.02", places=places)
    for found in (by_text, by_kode):
        assert found.place_point is not None
        assert found.place_point.kode == "14.08.02", "the name is the kecamatan's (and its seat's)"
        assert found.location.desa_nama == "Sungai Apit"
        assert found.location.desa_nama != "Penyengat"
        assert metric(found.point).distance(core) <= KECAMATAN_TO_SEAT_CORE_M


def test_kandis_desa_and_kandis_kecamatan_are_different_places(
    places: PlaceIndex, gazetteer: Gazetteer
) -> None:
    matches = {m.level: m.kode for m in gazetteer.search("Kandis", limit=8) if m.nama == "Kandis"}
    assert set(matches) == {"desa", "kecamatan"}
    desa, kecamatan = places.get(matches["desa"]), places.get(matches["kecamatan"])
    assert desa.kode != kecamatan.kode
    assert desa.point != kecamatan.point
    assert kecamatan.seat_desa_nama == "Telaga Sam-Sam"
    assert metric(desa.point).distance(metric(kecamatan.point)) > 1_000
