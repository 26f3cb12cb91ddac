"""The schematic stand-in: deterministic, valid OSM, labelled, Siak-shaped, and routable end to end."""

from __future__ import annotations

import bz2
import itertools
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import numpy as np
import osmnx as ox
import pytest
import shapely
from shapely.geometry import Point

from dispatch_geo.boundaries import Boundaries, load_boundaries
from dispatch_geo.graph.profile import load_profile, parse_maxspeed_kph
from dispatch_geo.graph.schematic import (
    SURFACE_CLASS,
    SURFACE_TARGET_KM,
    SchematicStats,
    generate_schematic_osm,
    write_schematic_osm,
)
from dispatch_geo.graph.schematic_network import Network
from siaga.graphs import buffer_m

SHIPPED = Path(__file__).resolve().parents[2] / "data" / "siak_schematic.osm.bz2"
SUBSET = ("14.08.01", "14.08.13")  # Siak and Mempura


@pytest.fixture(scope="module")
def boundaries() -> Boundaries:
    return load_boundaries()


@pytest.fixture(scope="module")
def full(boundaries, tmp_path_factory) -> tuple[SchematicStats, bytes, int]:
    """The whole regency, generated once: its stats, its XML and the compressed file's size."""
    path = tmp_path_factory.mktemp("schematic") / "siak.osm.bz2"
    stats = write_schematic_osm(boundaries, path)
    return stats, bz2.decompress(path.read_bytes()), path.stat().st_size


@pytest.fixture(scope="module")
def subset(boundaries) -> Boundaries:
    kec = boundaries.kecamatan[boundaries.kecamatan["kode"].isin(SUBSET)].reset_index(drop=True)
    desa = boundaries.desa[boundaries.desa["parent_kode"].isin(SUBSET)].reset_index(drop=True)
    return Boundaries(regency=boundaries.regency, kecamatan=kec, desa=desa)


def test_same_input_same_bytes_and_the_seed_matters(subset):
    first = generate_schematic_osm(subset, seed=112)
    assert first == generate_schematic_osm(subset, seed=112)
    assert first != generate_schematic_osm(subset, seed=7)


def test_the_shipped_file_is_what_the_generator_makes(full):
    """Same ways, tags and node references; coordinates equal to 1e-6° (floating-point libraries may
    differ in the last digit between machines)."""
    shipped = ET.fromstring(bz2.decompress(SHIPPED.read_bytes()))
    fresh = ET.fromstring(full[1])
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


def _tags(way: ET.Element) -> dict[str, str]:
    return {t.get("k"): t.get("v") for t in way.iter("tag")}


def test_valid_osm_with_every_way_labelled_schematic(subset):
    root = ET.fromstring(generate_schematic_osm(subset))
    assert root.tag == "osm"
    assert root.get("version") == "0.6"
    assert "schematic" in root.get("generator", "")
    assert root.find("bounds") is not None
    nodes = {n.get("id") for n in root.iter("node")}
    ways = list(root.iter("way"))
    assert ways
    for way in ways:
        refs = [nd.get("ref") for nd in way.iter("nd")]
        assert len(refs) >= 2
        assert set(refs) <= nodes
        tags = _tags(way)
        assert tags["source"] == "schematic"
        assert "SCHEMATIC" in tags["note"]
        assert "(skematik)" in tags["name"]
        assert tags["surface"] in SURFACE_CLASS


def test_maxspeed_and_oneway_tags_are_ones_the_speed_profile_reads(full):
    root = ET.fromstring(full[1])
    profile = load_profile()
    maxspeeds = {tags["maxspeed"] for w in root.iter("way") if "maxspeed" in (tags := _tags(w))}
    assert {"60", "50 km/h", "ID:urban"} <= maxspeeds, "numeric, with unit and implicit forms"
    for value in maxspeeds:
        assert parse_maxspeed_kph(value, profile.implicit_kph) is not None, value
    oneway = [w for w in root.iter("way") if _tags(w).get("oneway") == "yes"]
    assert oneway, "kelurahan have one-way streets"
    assert {_tags(w)["highway"] for w in oneway} == {"residential"}


def test_full_network_has_siak_proportions_and_stays_near_siak(boundaries, full):
    stats, xml, compressed_size = full
    assert 2_900 <= stats.total_km <= 3_600, "official 2,880 km of regency roads plus through corridors"
    by_class = stats.length_km_by_surface_class
    total = sum(by_class.values())
    target_total = sum(SURFACE_TARGET_KM.values())
    for surface, km in SURFACE_TARGET_KM.items():
        assert by_class[surface] / total == pytest.approx(km / target_total, abs=0.03), surface
    for highway in (
        "motorway",
        "trunk",
        "primary",
        "secondary",
        "tertiary",
        "residential",
        "unclassified",
        "service",
        "track",
    ):
        assert stats.length_km_by_highway.get(highway, 0) > 0, highway
    assert compressed_size < 8_000_000
    root = ET.fromstring(xml)
    assert stats.nodes == len(root.findall("node"))
    assert stats.ways == len(root.findall("way"))
    area = buffer_m(boundaries.outline, 20_000)
    shapely.prepare(area)
    for node in root.iter("node"):
        assert area.contains(Point(float(node.get("lon")), float(node.get("lat"))))


def test_osmnx_reads_the_subset_as_one_strongly_connected_graph(subset, tmp_path):
    path = tmp_path / "subset.osm"
    path.write_bytes(generate_schematic_osm(subset))
    graph = ox.graph_from_xml(path, simplify=True, retain_all=True)
    assert graph.number_of_nodes() > 500
    assert nx.is_strongly_connected(graph), "one-way streets must not strand any junction"
    assert any(data.get("oneway") for _, _, data in graph.edges(data=True))
    highways = {h for _, _, d in graph.edges(data=True) for h in np.atleast_1d(d["highway"])}
    assert {"primary", "secondary", "tertiary", "residential", "service"} <= highways


def test_one_way_streets_that_would_strand_a_junction_become_two_way():
    net = Network()
    ring = [(0.0, 0.0), (100.0, 0.0), (100.0, 100.0), (0.0, 100.0), (0.0, 0.0)]
    loop = [net.add(pair, {"highway": "residential", "oneway": "yes"}) for pair in itertools.pairwise(ring)]
    dead_end = net.add([(100.0, 100.0), (200.0, 100.0)], {"highway": "residential", "oneway": "yes"})
    assert net.drop_stranding_oneways() == 1
    assert dead_end is not None
    assert "oneway" not in dead_end.tags, "a one-way dead end traps whoever enters"
    assert [way.tags["oneway"] for way in loop if way is not None] == ["yes"] * 4, "a one-way ring is fine"


def test_crossing_roads_share_a_junction_except_across_the_toll_road():
    net = Network()
    east = net.add([(0.0, 50.0), (100.0, 50.0)], {"highway": "residential"})
    north = net.add([(50.0, 0.0), (50.0, 100.0)], {"highway": "tertiary"})
    toll = net.add([(25.0, -10.0), (25.0, 110.0)], {"highway": "motorway"})
    assert net.node_crossings(grade_separated=frozenset({"motorway"})) == 1
    assert east is not None
    assert north is not None
    assert toll is not None
    junction = net.node(50.0, 50.0)
    assert east.refs == [east.refs[0], junction, east.refs[-1]], "no junction where it passes the toll road"
    assert junction in north.refs
    assert len(toll.refs) == 2, "the toll road passes over on a bridge"
