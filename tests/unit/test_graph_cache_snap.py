"""The compact routing graph: cache round trip, corrupt caches, and snapping GPS fixes to roads."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyogrio
import pytest
import shapely
from pyproj import Transformer

from dispatch_geo.domain.values import LonLat
from dispatch_geo.errors import GraphCacheError, InputError
from dispatch_geo.graph.build import build_from_file
from dispatch_geo.graph.cache import load_graph, save_graph
from dispatch_geo.graph.profile import load_profile
from dispatch_geo.graph.snap import EdgeSnapper
from tests.unit.osm_xml import write_osm
from tests.unit.test_graph_build import LAT0, LON0, NODES, STEP, WAYS, A, B

DATA = Path(__file__).resolve().parent.parent / "data"
M_PER_DEG_LAT = 110_574.0


@pytest.fixture(scope="module")
def square(tmp_path_factory):
    path = write_osm(tmp_path_factory.mktemp("osm") / "square.osm", NODES, WAYS)
    return build_from_file(path, load_profile(), clip_polygon=None)


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    return build_from_file(DATA / "aguascalientes.osm.pbf", load_profile(), clip_polygon=None)


def test_cache_round_trip_is_exact(real, tmp_path):
    save_graph(real.road, tmp_path, gis=True)
    loaded = load_graph(tmp_path)
    assert loaded.meta == real.road.meta
    for name, array in real.road.arrays().items():
        assert np.array_equal(getattr(loaded, name), array), name
    assert loaded.highway_names == real.road.highway_names
    edges = pyogrio.read_dataframe(tmp_path / "graph.gpkg", layer="edges")
    assert len(edges) == real.road.n_edges
    assert len(pyogrio.read_dataframe(tmp_path / "graph.gpkg", layer="nodes")) == real.road.n_nodes
    e = 17
    assert list(edges.geometry.iloc[e].coords) == [tuple(c) for c in real.road.edge_coords(e).tolist()]
    assert edges.travel_time_s.iloc[e] == real.road.travel_time_s[e]
    assert json.loads((tmp_path / "meta.json").read_text())["schematic"] is False


def test_csr_layout_lists_each_nodes_outgoing_edges(real):
    road = real.road
    for u in range(0, road.n_nodes, 37):
        out = {int(road.node_osmid[road.head[e]]) for e in range(road.indptr[u], road.indptr[u + 1])}
        assert out == set(real.graph.successors(int(road.node_osmid[u])))


def test_twins_are_the_same_road_driven_back(real):
    road = real.road
    twins = np.flatnonzero(road.twin >= 0)
    assert twins.size > 0
    t = road.twin[twins]
    assert np.array_equal(road.tail[t], road.head[twins])
    assert np.array_equal(road.twin[t], twins)
    one_way = [
        (u, v) for u, v, d in real.graph.edges(data=True) if d.get("oneway") and not real.graph.has_edge(v, u)
    ]
    assert one_way, "the extract has one-way streets"


@pytest.mark.parametrize(
    "damage", ["missing_meta", "bad_json", "old_format", "truncated_arrays", "wrong_counts"]
)
def test_damaged_cache_is_refused_with_a_clear_error(real, tmp_path, damage):
    save_graph(real.road, tmp_path)
    meta_path, arrays_path = tmp_path / "meta.json", tmp_path / "roadgraph.npz"
    meta = json.loads(meta_path.read_text())
    if damage == "missing_meta":
        meta_path.unlink()
    elif damage == "bad_json":
        meta_path.write_text("{not json")
    elif damage == "old_format":
        meta_path.write_text(json.dumps({**meta, "format_version": 0}))
    elif damage == "truncated_arrays":
        arrays_path.write_bytes(arrays_path.read_bytes()[:1000])
    elif damage == "wrong_counts":
        meta_path.write_text(json.dumps({**meta, "n_edges": meta["n_edges"] + 1}))
    with pytest.raises(GraphCacheError):
        load_graph(tmp_path)


def test_a_unit_halfway_along_a_long_rural_edge_is_not_at_either_end(square):
    snapper = EdgeSnapper(square.road)
    # 100 m north of the middle of the ~4 km edge A–B
    p = snapper.snap_one(LonLat(LON0 + STEP / 2, LAT0 + 100 / M_PER_DEG_LAT))
    road = square.road
    ends = {int(road.node_osmid[road.tail[p.edge]]), int(road.node_osmid[road.head[p.edge]])}
    assert ends == {A, B}
    assert p.fraction == pytest.approx(0.5, abs=0.01)
    assert p.offset_m == pytest.approx(road.length_m[p.edge] / 2, rel=0.02)
    assert 1900 < p.offset_m < 2100
    assert p.distance_m == pytest.approx(100, abs=2)
    assert p.position.lat == pytest.approx(LAT0, abs=1e-6)
    assert not p.off_road
    twin = road.twin[p.edge]
    assert twin >= 0, "A–B is two-way, so the other direction is known"


def test_a_point_far_from_any_road_is_flagged(square):
    snapper = EdgeSnapper(square.road, max_distance_m=250)
    far = snapper.snap_one(LonLat(LON0 + STEP / 2, LAT0 - 1000 / M_PER_DEG_LAT))
    near = snapper.snap_one(LonLat(LON0 + STEP / 2, LAT0 - 200 / M_PER_DEG_LAT))
    assert far.off_road
    assert far.distance_m == pytest.approx(1000, abs=10)
    assert not near.off_road


def test_snapping_finds_the_truly_nearest_road_for_many_points(real):
    road = real.road
    snapper = EdgeSnapper(road)
    rng = np.random.default_rng(7)
    lon = rng.uniform(road.node_lon.min(), road.node_lon.max(), 400)
    lat = rng.uniform(road.node_lat.min(), road.node_lat.max(), 400)
    result = snapper.snap(lon, lat)
    # brute force in the same local projection
    lon0, lat0 = float(np.median(road.node_lon)), float(np.median(road.node_lat))
    proj = Transformer.from_crs(
        "EPSG:4326", f"+proj=tmerc +lat_0={lat0} +lon_0={lon0} +ellps=WGS84", always_xy=True
    )
    lines = [
        shapely.LineString(np.column_stack(proj.transform(*road.edge_coords(e).T)))
        for e in range(road.n_edges)
    ]
    px, py = proj.transform(lon, lat)
    for i in range(0, 400, 4):
        best = min(shapely.distance(shapely.Point(px[i], py[i]), line) for line in lines)
        assert result.distance_m[i] == pytest.approx(best, abs=0.01)
    # the vectorised call agrees with single-point calls
    for i in range(0, 400, 50):
        one = snapper.snap_one(LonLat(float(lon[i]), float(lat[i])))
        assert one.distance_m == pytest.approx(result.distance_m[i])
        assert one.offset_m == pytest.approx(result.offset_m[i])


def test_snapping_refuses_invalid_coordinates(square):
    snapper = EdgeSnapper(square.road)
    with pytest.raises(InputError, match="invalid coordinates"):
        snapper.snap([101.5, float("nan")], [0.8, 0.8])
    with pytest.raises(InputError, match="2 longitudes but 1 latitudes"):
        snapper.snap([101.5, 101.6], [0.8])
