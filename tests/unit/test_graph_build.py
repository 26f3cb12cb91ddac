"""OSM → road graph: network filter, speeds, travel times, SCC pruning, metadata and errors.

A tiny hand-made network gives answers that can be checked by hand; the real extracts in
tests/data (Aguascalientes as XML and PBF) show the pipeline copes with messy real data.
"""

from __future__ import annotations

import bz2
import math
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from shapely.geometry import box

from dispatch_geo.errors import GraphBuildError
from dispatch_geo.graph.build import build_from_file, validate_graph
from dispatch_geo.graph.profile import load_profile
from dispatch_geo.graph.roadgraph import SCHEMATIC_LABEL
from tests.unit.osm_xml import write_osm

DATA = Path(__file__).resolve().parent.parent / "data"
PROFILE = load_profile()

# A square of four villages ~4 km apart (A, B, C, D), both diagonals, a one-way dead end C→F,
# a footway A–G, a road closed to traffic B–H, and an emergency-only road D–K.
LON0, LAT0, STEP = 101.5, 0.8, 0.036
A, B, C, D, F, G, H, K = 1, 2, 3, 4, 5, 6, 7, 8
NODES = [
    (A, LON0, LAT0),
    (B, LON0 + STEP, LAT0),
    (C, LON0 + STEP, LAT0 + STEP),
    (D, LON0, LAT0 + STEP),
    (F, LON0 + STEP + 0.005, LAT0 + STEP),
    (G, LON0 - 0.005, LAT0),
    (H, LON0 + STEP, LAT0 - 0.005),
    (K, LON0 - 0.005, LAT0 + STEP),
    # geometry nodes every ~500 m along A–B
    *[(100 + k, LON0 + STEP * k / 8, LAT0) for k in range(1, 8)],
]
WAYS = [
    (10, [A, *range(101, 108), B], {"highway": "tertiary", "maxspeed": "60", "surface": "asphalt"}),
    (11, [B, C], {"highway": "residential", "maxspeed": "30 mph"}),
    (12, [C, D], {"highway": "residential"}),
    (13, [D, A], {"highway": "residential", "surface": "ground"}),
    (14, [A, C], {"highway": "unclassified", "surface": "gravel"}),
    (15, [B, D], {"highway": "track", "surface": "ground"}),
    (16, [C, F], {"highway": "service", "oneway": "yes"}),
    (17, [A, G], {"highway": "footway"}),
    (18, [B, H], {"highway": "residential", "access": "no"}),
    (19, [D, K], {"highway": "residential", "access": "no", "emergency": "yes"}),
]


@pytest.fixture(scope="module")
def square(tmp_path_factory):
    path = write_osm(tmp_path_factory.mktemp("osm") / "square.osm", NODES, WAYS)
    return build_from_file(path, PROFILE, clip_polygon=None)


def edge(result, u, v):
    data = result.graph.get_edge_data(u, v)
    assert data is not None, f"no edge {u}->{v}"
    return next(iter(data.values()))


def test_network_keeps_what_an_ambulance_can_drive(square):
    nodes = set(square.graph.nodes)
    assert {A, B, C, D, K} <= nodes
    assert G not in nodes, "a footway must not be routable"
    assert H not in nodes, "access=no without emergency access must not be routable"
    assert K in nodes, "emergency=yes opens an access=no road to emergency vehicles"


def test_one_way_dead_end_is_pruned_and_reported(square):
    assert F not in square.graph
    assert nx.is_strongly_connected(square.graph)
    assert square.road.meta.dropped_nodes == 1
    assert square.road.meta.dropped_edges == 1


def test_long_rural_edge_keeps_its_length_speed_and_travel_time(square):
    ab = edge(square, A, B)
    expected_m = 2 * math.pi * 6_371_009 * STEP / 360 * math.cos(math.radians(LAT0))
    assert ab["length"] == pytest.approx(expected_m, rel=0.005)
    assert ab["speed_kph"] == pytest.approx(60 * PROFILE.maxspeed_factor)
    assert ab["travel_time_s"] == pytest.approx(ab["length"] / (ab["speed_kph"] / 3.6))
    assert len(ab["geometry"].coords) == 9, "the simplified edge keeps its intermediate geometry"


def test_speeds_follow_tags_and_surface(square):
    assert edge(square, B, C)["speed_kph"] == pytest.approx(30 * 1.609344 * PROFILE.maxspeed_factor)
    assert edge(square, D, A)["speed_kph"] == 20  # residential, earth cap equal
    assert edge(square, A, C)["speed_kph"] == 30  # unclassified, gravel cap
    assert edge(square, B, D)["speed_kph"] == 15  # track below the earth cap


def test_metadata_records_provenance(square):
    meta = square.road.meta
    assert meta.source.endswith("square.osm")
    assert meta.osm_timestamp == "2025-06-01T00:00:00+00:00"
    assert meta.profile_hash == PROFILE.hash
    assert meta.profile_name == PROFILE.name
    assert meta.schematic is False
    assert meta.n_nodes == square.graph.number_of_nodes() == square.road.n_nodes
    assert meta.n_edges == square.graph.number_of_edges() == square.road.n_edges
    assert meta.built_at.endswith("+00:00")
    assert "OpenStreetMap" in meta.label


def test_schematic_input_is_flagged(tmp_path):
    ways = [
        (w, refs, {**tags, "source": "schematic"}) if w == 12 else (w, refs, tags) for w, refs, tags in WAYS
    ]
    result = build_from_file(write_osm(tmp_path / "s.osm.bz2", NODES, ways), PROFILE, clip_polygon=None)
    assert result.road.meta.schematic is True
    assert result.road.meta.label == SCHEMATIC_LABEL
    assert result.graph.graph["schematic"] is True


def test_clip_polygon_keeps_only_roads_touching_it(tmp_path):
    path = write_osm(tmp_path / "square.osm", NODES, WAYS)
    around_a = box(LON0 - 0.002, LAT0 - 0.002, LON0 + 0.002, LAT0 + 0.002)
    result = build_from_file(path, PROFILE, clip_polygon=around_a)
    # ways touching A: A–B, D–A, A–C (two-way) — B, C, D stay as their far ends
    assert set(result.graph.nodes) == {A, B, C, D}
    assert result.road.meta.ways_kept == 3


def test_real_extract_xml_and_pbf_give_the_same_graph():
    xml = build_from_file(DATA / "aguascalientes.osm.bz2", PROFILE, clip_polygon=None)
    pbf = build_from_file(DATA / "aguascalientes.osm.pbf", PROFILE, clip_polygon=None)
    assert xml.road.n_nodes == pbf.road.n_nodes > 500
    assert xml.road.n_edges == pbf.road.n_edges
    assert np.array_equal(xml.road.node_osmid, pbf.road.node_osmid)
    assert xml.road.travel_time_s.sum() == pytest.approx(pbf.road.travel_time_s.sum())
    assert nx.is_strongly_connected(xml.graph)
    assert xml.road.meta.dropped_nodes > 0, "the real extract has one-way dead ends at its edges"
    assert pbf.road.meta.osm_timestamp == "2026-05-16T19:40:17+00:00"  # from the PBF header
    assert "footway" not in xml.road.highway_names
    assert np.all(xml.road.speed_kph > 0)
    assert np.allclose(xml.road.travel_time_s, xml.road.length_m / (xml.road.speed_kph / 3.6))
    maxspeed_edges = [d for _, _, d in xml.graph.edges(data=True) if d.get("maxspeed") == "50"]
    assert maxspeed_edges, "the extract has tagged maxspeeds"
    for d in maxspeed_edges:
        assert d["speed_kph"] == pytest.approx(
            min(50 * PROFILE.maxspeed_factor, PROFILE.surface_cap_kph.get(d.get("surface"), 999))
        )


def test_siak_polygon_on_a_foreign_extract_says_no_roads_inside():
    siak = box(100.98, 0.41, 102.90, 1.23)
    with pytest.raises(GraphBuildError, match="none usable by emergency vehicles inside the service area"):
        build_from_file(DATA / "aguascalientes.osm.pbf", PROFILE, clip_polygon=siak)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.osm", None, "does not exist"),
        ("empty.osm", b"", "is empty"),
        ("notes.txt", b"hello", "not an OpenStreetMap file"),
        ("garbage.osm", b"this is not xml", "could not be read as OpenStreetMap data"),
        ("garbage.osm.pbf", b"\x00\x01\x02 not a pbf", "could not be read as OpenStreetMap data"),
        (
            "points.osm.bz2",
            bz2.compress(b'<osm version="0.6"><node id="1" lat="0.8" lon="101.5"/></osm>'),
            "no OSM ways with a highway tag",
        ),
        (
            "paths.osm",
            (
                b'<osm version="0.6"><node id="1" lat="0.8" lon="101.5"/><node id="2" lat="0.81" '
                b'lon="101.5"/><way id="3"><nd ref="1"/><nd ref="2"/><tag k="highway" v="footway"/>'
                b"</way></osm>"
            ),
            "none usable by emergency vehicles",
        ),
    ],
)
def test_unusable_inputs_get_a_clear_error(tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(GraphBuildError, match=message):
        build_from_file(path, PROFILE, clip_polygon=None)


def test_validation_reports_every_problem_at_once():
    g = nx.MultiDiGraph(crs="EPSG:32647")
    g.add_node(1, x=101.5, y=0.8)
    g.add_node(2, x=500.0, y=0.8)
    g.add_edge(1, 2, length=float("nan"), speed_kph=0.0, travel_time_s=float("nan"))
    with pytest.raises(GraphBuildError) as info:
        validate_graph(g)
    assert len(info.value.problems) == 5
    text = str(info.value)
    for fragment in ("EPSG:4326", "out-of-range coordinates", "length", "speed_kph", "travel_time_s"):
        assert fragment in text
