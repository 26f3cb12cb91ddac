"""The fast (distance-field) isochrones agree with the exact buffered pieces within the stated tolerance.

The test graph is a scale fixture squeezed into a 12 km square near Perawang (about 2,500 nodes, junctions
some 250 m apart, as dense as the 200k-node regency fixture): bends, one-way streets, dead ends and
mixed road classes, so the strips overlap and leave holes as they do at full scale.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import shapely
from pyproj import Transformer

from dispatch_geo.boundaries import METRIC_CRS
from dispatch_geo.coverage.isochrones import (
    Isochrone,
    isochrones,
    isochrones_geojson,
    reachable_length_m,
    reachable_pieces,
    reachable_road_length_m,
)
from dispatch_geo.coverage.multisource import NodeTimes, multi_source_times
from dispatch_geo.errors import InputError
from dispatch_geo.graph.build import build_from_file
from dispatch_geo.graph.profile import load_profile
from dispatch_geo.graph.roadgraph import RoadGraph
from dispatch_geo.graph.scale_fixture import scale_fixture
from dispatch_geo.routing.travel_time import EdgePoint

THRESHOLDS_S = (120.0, 240.0, 420.0)
IOU_MIN = 0.95
"""Stated tolerance: intersection over union of the two constructions' areas (documented)."""

_TO_M = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)


@pytest.fixture(scope="module")
def dense(tmp_path_factory: pytest.TempPathFactory) -> RoadGraph:
    square = shapely.box(101.60, 0.62, 101.71, 0.73)
    path = scale_fixture(tmp_path_factory.mktemp("dense"), square, 2_500, seed=3)
    return build_from_file(path, load_profile(), clip_polygon=None).road


@pytest.fixture(scope="module")
def times(dense: RoadGraph) -> NodeTimes:
    rng = np.random.default_rng(7)
    posts = [
        EdgePoint(int(e), float(f))
        for e, f in zip(rng.integers(0, dense.n_edges, 3), rng.random(3), strict=True)
    ]
    return multi_source_times(dense, posts, limit_s=max(THRESHOLDS_S))


def _metric(geom: shapely.Geometry) -> shapely.Geometry:
    return shapely.transform(geom, lambda c: np.column_stack(_TO_M.transform(c[:, 0], c[:, 1])))


def _iou(a: shapely.Geometry, b: shapely.Geometry) -> float:
    a, b = _metric(a), _metric(b)
    return float(shapely.intersection(a, b).area / shapely.union(a, b).area)


def _both(road: RoadGraph, times: NodeTimes, **kw: float) -> tuple[list[Isochrone], list[Isochrone]]:
    fast = isochrones(road, times, THRESHOLDS_S, method="raster", **kw)  # type: ignore[arg-type]
    exact = isochrones(road, times, THRESHOLDS_S, method="vector", **kw)  # type: ignore[arg-type]
    return fast, exact


def test_raster_bands_match_the_buffered_roads_within_the_stated_iou(
    dense: RoadGraph, times: NodeTimes
) -> None:
    fast, exact = _both(dense, times)
    for f, e in zip(fast, exact, strict=True):
        assert f.threshold_s == e.threshold_s
        assert f.label == e.label
        assert _iou(f.geometry, e.geometry) >= IOU_MIN, f.label
        assert f.road_length_m == pytest.approx(e.road_length_m)
        assert f.tolerance_m == 25.0
        assert e.tolerance_m == 0.0
        assert f.geometry.is_valid
        assert f.geometry.geom_type in ("Polygon", "MultiPolygon")
    # nested bands: a larger threshold covers (almost all of) the smaller one
    for small, large in itertools.pairwise(fast):
        assert (
            _metric(small.geometry).difference(_metric(large.geometry)).area
            < 0.01 * _metric(small.geometry).area
        )


def test_the_planning_page_settings_agree_too(dense: RoadGraph, times: NodeTimes) -> None:
    fast, exact = _both(dense, times, buffer_m=300.0, simplify_m=60.0)
    for f, e in zip(fast, exact, strict=True):
        assert _iou(f.geometry, e.geometry) >= 0.93, f.label  # the 60 m simplification on both sides


def test_each_post_gets_the_part_nearest_to_it_and_the_parts_make_the_area(
    dense: RoadGraph, times: NodeTimes
) -> None:
    fast, exact = _both(dense, times)
    largest, largest_exact = fast[-1], exact[-1]
    assert len(largest.by_origin) == len(times.origins)
    parts = shapely.union_all(np.asarray(largest.by_origin, dtype=object))
    assert _iou(parts, largest.geometry) >= 0.99
    for k, origin in enumerate(times.origins):
        lon, lat = dense.edge_coords(origin.edge)[0]
        post = shapely.Point(lon, lat)
        assert largest.by_origin[k].buffer(1e-3).contains(post), f"post {k} lies in its own part"
        assert _iou(largest.by_origin[k], largest_exact.by_origin[k]) >= 0.8, k


def test_far_from_every_road_is_outside_and_on_a_reached_road_is_inside(
    dense: RoadGraph, times: NodeTimes
) -> None:
    (band,) = isochrones(dense, times, [max(THRESHOLDS_S)])
    reached = np.flatnonzero(times.time_s[dense.tail] + dense.travel_time_s <= max(THRESHOLDS_S))
    mids = [dense.edge_coords(int(e)) for e in reached[:: max(1, reached.size // 50)]]
    on_road = [shapely.Point(*c[len(c) // 2]) for c in mids]
    assert all(band.geometry.buffer(1e-5).contains(p) for p in on_road)
    assert not band.geometry.contains(shapely.Point(101.40, 0.90))  # 30 km away


def test_fast_road_length_equals_the_interval_merge(dense: RoadGraph, times: NodeTimes) -> None:
    for threshold in (0.0, 30.0, *THRESHOLDS_S):
        expected = reachable_length_m(dense, reachable_pieces(dense, times, threshold))
        assert reachable_road_length_m(dense, times, threshold) == pytest.approx(expected, rel=1e-9, abs=1e-6)


def test_bad_construction_settings_are_refused(dense: RoadGraph, times: NodeTimes) -> None:
    with pytest.raises(InputError, match="resolution_m"):
        isochrones(dense, times, [60.0], resolution_m=0.0)
    with pytest.raises(InputError, match="method"):
        isochrones(dense, times, [60.0], method="circle")  # type: ignore[arg-type]


def test_no_origin_gives_empty_bands(dense: RoadGraph) -> None:
    nothing = multi_source_times(dense, [], limit_s=60.0)
    (band,) = isochrones(dense, nothing, [60.0])
    assert band.geometry.is_empty
    assert band.road_length_m == 0.0
    assert band.by_origin == ()


def test_the_geojson_says_the_outline_is_approximate(dense: RoadGraph, times: NodeTimes) -> None:
    fast, exact = _both(dense, times)
    doc = isochrones_geojson(fast, label=dense.meta.label, schematic=True)
    assert all(f["properties"]["approximate"] for f in doc["features"])
    assert {f["properties"]["outline_tolerance_m"] for f in doc["features"]} == {25.0}
    exact_doc = isochrones_geojson(exact, label=dense.meta.label, schematic=True)
    assert not any(f["properties"]["approximate"] for f in exact_doc["features"])
