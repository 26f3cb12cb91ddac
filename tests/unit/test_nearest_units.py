"""Recommending the nearest available units: ranking, exclusions, stale positions and routes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Geod

from dispatch_geo.domain.values import LonLat
from dispatch_geo.graph.build import build_from_file
from dispatch_geo.graph.profile import load_profile
from dispatch_geo.graph.snap import EdgeSnapper
from dispatch_geo.routing.cch import CchRouter
from dispatch_geo.routing.nearest import UnitCandidate, recommend
from dispatch_geo.routing.travel_time import EdgePoint, TravelTimeRouter
from tests.unit.routing_graphs import rural_grid
from tests.unit.test_travel_time import oracle_time

DATA = Path(__file__).resolve().parent.parent / "data"
NOW = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
GEOD = Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def env():
    road = build_from_file(DATA / "aguascalientes.osm.pbf", load_profile(), clip_polygon=None).road
    return road, TravelTimeRouter(road), EdgeSnapper(road)


@pytest.fixture(scope="module", params=["osm_city", "rural_grid", "osm_city_cch", "rural_grid_cch"])
def graphs(request, env):
    """The OSM city extract, and a rural grid with roads of up to an hour (beyond the first radius),
    each with the Dijkstra router and with the CCH router (which times a ranking's units in order of
    a lower bound and leaves out those that cannot be among the k nearest)."""
    road = env[0] if request.param.startswith("osm_city") else rural_grid()
    if request.param.endswith("_cch"):
        router = CchRouter(road)
        router.first_timed = 4  # fewer than the fleets drawn: the ranking leaves units out
        return road, router, EdgeSnapper(road)
    return road, TravelTimeRouter(road), EdgeSnapper(road)


def random_point(road, rng) -> LonLat:
    return LonLat(
        float(rng.uniform(road.node_lon.min(), road.node_lon.max())),
        float(rng.uniform(road.node_lat.min(), road.node_lat.max())),
    )


PLACES = ("anywhere", "junction", "long_road", "one_way")
places = st.tuples(
    st.sampled_from(PLACES),
    st.integers(min_value=0, max_value=10**9),
    st.floats(min_value=0.0, max_value=1.0),
)
"""Where a unit or incident is drawn: anywhere in the graph's bounds; exactly on a junction;
anywhere along one of the longest roads; anywhere along a one-way street."""


def place(road, drawn) -> LonLat:
    kind, index, fraction = drawn
    if kind == "junction":
        node = index % road.n_nodes
        return LonLat(float(road.node_lon[node]), float(road.node_lat[node]))
    if kind in ("long_road", "one_way"):
        choice = (
            np.argsort(road.travel_time_s)[-20:] if kind == "long_road" else np.flatnonzero(road.twin < 0)
        )
        coords = road.edge_coords(int(choice[index % choice.shape[0]]))
        steps = np.hypot(*np.diff(coords, axis=0).T)
        cum = np.concatenate([[0.0], np.cumsum(steps)])
        at = fraction * cum[-1]
        return LonLat(float(np.interp(at, cum, coords[:, 0])), float(np.interp(at, cum, coords[:, 1])))
    lon = road.node_lon.min() + fraction * (road.node_lon.max() - road.node_lon.min())
    lat = road.node_lat.min() + (index % 10_001) / 10_000 * (road.node_lat.max() - road.node_lat.min())
    return LonLat(float(lon), float(lat))


def unit(uid, rng, road, *, unit_type="ambulance", status="available", age_s=10.0) -> UnitCandidate:
    return UnitCandidate(
        unit_id=uid,
        call_sign=uid.upper(),
        unit_type=unit_type,
        status=status,
        position=random_point(road, rng),
        fix_time=NOW - timedelta(seconds=age_s),
    )


def test_every_unit_is_either_ranked_or_explained(env):
    road, router, snapper = env
    rng = np.random.default_rng(1)
    units = [
        unit("a1", rng, road),
        unit("a2", rng, road),
        unit("a3", rng, road),
        unit("busy", rng, road, status="en_route"),
        unit("fire", rng, road, unit_type="fire_engine"),
        unit("old", rng, road, age_s=3600),
        UnitCandidate("nopos", "NOPOS", "ambulance", "available", None, None),
    ]
    rec = recommend(
        router=router,
        snapper=snapper,
        incident=random_point(road, rng),
        units=units,
        needed_types={"ambulance"},
        now=NOW,
        k=2,
    )
    assert [r.unit_id for r in rec.stale] == ["old"]
    assert rec.stale[0].stale
    assert len(rec.ranked) == 2
    assert all(not r.stale for r in rec.ranked)
    reasons = {x.unit_id: x.reason for x in rec.excluded}
    assert reasons["busy"] == "busy"
    assert reasons["fire"] == "wrong_type"
    assert reasons["nopos"] == "no_position"
    third = ({"a1", "a2", "a3"} - {r.unit_id for r in rec.ranked}).pop()
    assert reasons[third] == "farther"
    assert set(reasons) | {r.unit_id for r in rec.ranked + rec.stale} == {u.unit_id for u in units}
    assert "en_route" in next(x.detail for x in rec.excluded if x.unit_id == "busy")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    incident_at=places,
    fleet_at=st.lists(places, min_size=1, max_size=30),
    k=st.integers(min_value=1, max_value=5),
)
def test_ranking_equals_exhaustive_shortest_paths(graphs, incident_at, fleet_at, k):
    road, router, snapper = graphs
    units = [
        UnitCandidate(f"u{i:02d}", f"U{i:02d}", "ambulance", "available", place(road, p), NOW)
        for i, p in enumerate(fleet_at)
    ]
    incident = place(road, incident_at)
    rec = recommend(
        router=router,
        snapper=snapper,
        incident=incident,
        units=units,
        needed_types={"ambulance"},
        now=NOW,
        k=k,
    )
    target = snapper.snap_one(incident)
    tp = EdgePoint(target.edge, target.fraction)
    exhaustive = []
    for u in units:
        s = snapper.snap_one(u.position)
        exhaustive.append((oracle_time(road, EdgePoint(s.edge, s.fraction), tp), u.unit_id))
    best = sorted(t for t in exhaustive if np.isfinite(t[0]))[:k]
    # the CCH holds times in whole tenths of a millisecond: at most half of one per road segment
    tolerance = 0.01 if isinstance(router, CchRouter) else 1e-6
    assert [r.eta_s for r in rec.ranked] == pytest.approx([t for t, _ in best], rel=1e-9, abs=tolerance)
    # ties aside, the same units in the same order
    for r, (t, uid) in zip(rec.ranked, best, strict=True):
        assert r.unit_id == uid or r.eta_s == pytest.approx(t, abs=tolerance)


@pytest.mark.parametrize("seed", [5, 6, 7, 8])
def test_route_runs_from_the_unit_to_the_incident_and_matches_its_distance(env, seed):
    road, router, snapper = env
    rng = np.random.default_rng(seed)
    u = unit("a1", rng, road)
    incident = random_point(road, rng)
    rec = recommend(
        router=router, snapper=snapper, incident=incident, units=[u], needed_types={"ambulance"}, now=NOW
    )
    best = rec.ranked[0]
    coords = best.route["coordinates"]
    assert best.route["type"] == "LineString"
    start, end = snapper.snap_one(u.position).position, snapper.snap_one(incident).position
    assert coords[0] == pytest.approx([start.lon, start.lat], abs=1e-5)  # within ~1 m
    assert coords[-1] == pytest.approx([end.lon, end.lat], abs=1e-5)
    lons, lats = zip(*coords, strict=True)
    assert GEOD.line_length(lons, lats) == pytest.approx(best.distance_m, rel=0.02)
    assert best.eta_s > 0


def test_naive_datetimes_are_refused(env):
    _road, router, snapper = env
    with pytest.raises(ValueError, match="timezone"):
        recommend(
            router=router,
            snapper=snapper,
            incident=LonLat(-102.27, 21.87),
            units=[],
            needed_types={"ambulance"},
            now=datetime(2026, 1, 1),  # noqa: DTZ001
        )
