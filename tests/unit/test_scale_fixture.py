"""The scale fixture: deterministic, road-like, inside the regency, labelled schematic, of the size asked."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely

from dispatch_geo.boundaries import load_boundaries
from dispatch_geo.errors import InputError
from dispatch_geo.graph.build import build_from_file
from dispatch_geo.graph.profile import load_profile
from dispatch_geo.graph.scale_fixture import scale_fixture, write_scale_osm


@pytest.fixture(scope="module")
def outline():
    return load_boundaries().outline


def test_same_size_and_seed_write_the_same_file_and_it_is_cached(tmp_path: Path, outline) -> None:
    a = scale_fixture(tmp_path / "a", outline, 2_000, seed=4)
    b = scale_fixture(tmp_path / "b", outline, 2_000, seed=4)
    assert a.read_bytes() == b.read_bytes()
    stamp = a.stat().st_mtime_ns
    assert scale_fixture(tmp_path / "a", outline, 2_000, seed=4) == a
    assert a.stat().st_mtime_ns == stamp, "a cached fixture is not written again"
    assert scale_fixture(tmp_path / "a", outline, 2_000, seed=5).read_bytes() != a.read_bytes()


def test_the_built_graph_is_road_like_inside_siak_and_labelled_schematic(tmp_path: Path, outline) -> None:
    path = scale_fixture(tmp_path, outline, 3_000, seed=1)
    road = build_from_file(path, load_profile(), clip_polygon=None).road
    assert road.meta.schematic, "synthetic roads are never passed off as real"
    assert 2_400 <= road.n_nodes <= 3_600, road.n_nodes
    inside = shapely.contains_xy(outline.buffer(0.01), road.node_lon, road.node_lat)
    assert inside.all()
    classes = {road.highway_names[h] for h in np.unique(road.highway)}
    assert {"primary", "secondary", "tertiary", "track", "service"} <= classes
    assert {road.surface_names[s] for s in np.unique(road.surface)} >= {"asphalt", "ground"}
    assert (road.twin < 0).sum() > 0, "some one-way streets"
    out_degree = np.diff(road.indptr)
    assert (out_degree == 1).sum() > 0.03 * road.n_nodes, "dead ends (driveways)"
    shaped = np.diff(road.geom_offsets) > 2
    assert shaped.sum() > 0.2 * road.n_edges, "edges keep their bends as geometry"


def test_a_size_out_of_range_is_refused(tmp_path: Path, outline) -> None:
    with pytest.raises(InputError, match="1,000"):
        write_scale_osm(outline, tmp_path / "x.osm", 10)
