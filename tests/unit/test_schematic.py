"""The schematic stand-in: deterministic, valid OSM, labelled, Siak-shaped, and routable end to end."""

from __future__ import annotations

import bz2
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest
import shapely
from shapely.geometry import Point

from dispatch_geo.boundaries import Boundaries, load_boundaries
from dispatch_geo.graph.build import build_from_file
from dispatch_geo.graph.profile import load_profile
from dispatch_geo.graph.roadgraph import SCHEMATIC_LABEL
from dispatch_geo.graph.schematic import SURFACE_TARGET_KM, generate_schematic_osm, write_schematic_osm
from siaga.graphs import buffer_m

SHIPPED = Path(__file__).resolve().parents[2] / "data" / "siak_schematic.osm.bz2"
SUBSET = ("14.08.01", "14.08.13")  # Siak and Mempura


@pytest.fixture(scope="module")
def boundaries() -> Boundaries:
    return load_boundaries()


@pytest.fixture(scope="module")
def subset(boundaries) -> Boundaries:
    kec = boundaries.kecamatan[boundaries.kecamatan["kode"].isin(SUBSET)].reset_index(drop=True)
    desa = boundaries.desa[boundaries.desa["parent_kode"].isin(SUBSET)].reset_index(drop=True)
    return Boundaries(regency=boundaries.regency, kecamatan=kec, desa=desa)


def test_same_input_same_bytes_and_the_seed_matters(subset):
    first = generate_schematic_osm(subset, seed=112)
    assert first == generate_schematic_osm(subset, seed=112)
    assert first != generate_schematic_osm(subset, seed=7)


def test_the_shipped_file_is_what_the_generator_makes(boundaries):
    """Same ways, tags and node references; coordinates equal to 1e-6° (floating-point libraries may
    differ in the last digit between machines)."""
    shipped = ET.fromstring(bz2.decompress(SHIPPED.read_bytes()))
    fresh = ET.fromstring(generate_schematic_osm(boundaries, seed=112))
    hint = "data/siak_schematic.osm.bz2 is out of date: run `dispatch-geo graph schematic`"

    def ways(root):
        return [
            ([nd.get("ref") for nd in w.iter("nd")], {t.get("k"): t.get("v") for t in w.iter("tag")})
            for w in root.iter("way")
        ]

    def nodes(root):
        return {n.get("id"): (float(n.get("lon")), float(n.get("lat"))) for n in root.iter("node")}

    assert ways(shipped) == ways(fresh), hint
    a, b = nodes(shipped), nodes(fresh)
    assert a.keys() == b.keys(), hint
    assert max(max(abs(a[k][0] - b[k][0]), abs(a[k][1] - b[k][1])) for k in a) < 1e-6, hint


def test_valid_osm_with_every_way_labelled_schematic(subset):
    root = ET.fromstring(generate_schematic_osm(subset))
    assert root.tag == "osm"
    assert root.get("version") == "0.6"
    assert "schematic" in root.get("generator", "")
    nodes = {n.get("id") for n in root.iter("node")}
    ways = list(root.iter("way"))
    assert ways
    for way in ways:
        refs = [nd.get("ref") for nd in way.iter("nd")]
        assert len(refs) >= 2
        assert set(refs) <= nodes
        tags = {t.get("k"): t.get("v") for t in way.iter("tag")}
        assert tags["source"] == "schematic"
        assert "SCHEMATIC" in tags["note"]
        assert "(skematik)" in tags["name"]
        assert tags["surface"] in SURFACE_TARGET_KM


def test_full_network_has_siak_proportions_and_stays_near_siak(boundaries, tmp_path):
    stats = write_schematic_osm(boundaries, tmp_path / "s.osm.bz2")
    assert 2_880 <= stats.total_km <= 3_800, "official 2,880 km of regency roads plus through corridors"
    total = sum(stats.length_km_by_surface.values())
    target_total = sum(SURFACE_TARGET_KM.values())
    for surface, km in SURFACE_TARGET_KM.items():
        assert stats.length_km_by_surface[surface] / total == pytest.approx(km / target_total, abs=0.03)
    for highway in (
        "motorway",
        "trunk",
        "primary",
        "secondary",
        "tertiary",
        "residential",
        "service",
        "track",
    ):
        assert stats.length_km_by_highway.get(highway, 0) > 0, highway
    root = ET.fromstring(bz2.decompress((tmp_path / "s.osm.bz2").read_bytes()))
    area = buffer_m(boundaries.outline, 30_000)
    shapely.prepare(area)
    for node in root.iter("node"):
        assert area.contains(Point(float(node.get("lon")), float(node.get("lat"))))


def test_shipped_schematic_goes_through_the_real_pipeline():
    clip = buffer_m(load_boundaries().outline, 5_000)
    result = build_from_file(SHIPPED, load_profile(), clip_polygon=clip)
    road = result.road
    assert road.meta.schematic is True
    assert road.meta.label == SCHEMATIC_LABEL
    assert 15_000 <= road.n_nodes <= 60_000
    assert road.meta.dropped_nodes / (road.n_nodes + road.meta.dropped_nodes) < 0.02
    assert nx.is_strongly_connected(result.graph)
    assert {"trunk", "primary", "secondary", "tertiary", "residential", "track"} <= set(road.highway_names)
    assert road.meta.osm_timestamp == "2026-01-01T00:00:00+00:00"
