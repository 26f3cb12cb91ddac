"""What-if evaluation on the Siak grid: agrees with the report's analysis; drag, add, remove, units."""

from __future__ import annotations

import pytest

from dispatch_geo.boundaries import load_boundaries
from dispatch_geo.coverage import analysis
from dispatch_geo.coverage.demand import allocate_demand
from dispatch_geo.coverage.expected import expected_summary
from dispatch_geo.coverage.multisource import multi_source_times
from dispatch_geo.coverage.posts import Post
from dispatch_geo.coverage.whatif import PlannedPost, WhatIfModel, result_dict
from dispatch_geo.errors import InputError
from dispatch_geo.graph.roadgraph import RoadGraph
from dispatch_geo.graph.snap import EdgeSnapper

STANDARD_S = 480.0
POSTS = [
    PlannedPost("siak", "PSC Siak", 102.05, 0.80, 1),
    PlannedPost("perawang", "Puskesmas Perawang", 101.62, 0.65, 1),
]


@pytest.fixture(scope="module")
def model(siak_grid: RoadGraph) -> WhatIfModel:
    boundaries = load_boundaries()
    demand = allocate_demand(siak_grid, boundaries.desa, boundaries.kecamatan)
    return WhatIfModel(siak_grid, demand, STANDARD_S, EdgeSnapper(siak_grid))


def test_covered_population_is_the_reports_headline_figure(model: WhatIfModel) -> None:
    result = model.evaluate(POSTS, 0.0)
    points, _ = model.snap(POSTS)
    times = multi_source_times(model.road, points)
    headline = analysis.overall_coverage(model.demand, times, STANDARD_S)
    assert result.covered == pytest.approx(headline["covered_population"])
    assert result.expected == pytest.approx(result.covered)  # no busy units: expected = plain
    assert result.desa_covered.sum() == pytest.approx(result.covered)


def test_moving_adding_and_removing_a_post_change_the_figures(model: WhatIfModel) -> None:
    before = model.evaluate(POSTS, 0.1)
    moved = model.evaluate([POSTS[0], PlannedPost("perawang", "Puskesmas Perawang", 101.9, 0.9, 1)], 0.1)
    assert moved.covered != pytest.approx(before.covered)
    added = model.evaluate([*POSTS, PlannedPost("new-1", "Pos baru", 102.08, 0.98, 1)], 0.1)
    assert added.covered > before.covered
    gaps_before = result_dict(model, before)["gap_count"]
    assert result_dict(model, added)["gap_count"] < gaps_before
    removed = model.evaluate(POSTS[:1], 0.1)
    assert removed.covered < before.covered
    no_units = model.evaluate([POSTS[0], PlannedPost("perawang", "Puskesmas Perawang", 101.62, 0.65, 0)], 0.1)
    assert no_units.covered == pytest.approx(removed.covered)


def test_a_second_unit_raises_expected_coverage_only(model: WhatIfModel) -> None:
    one = model.evaluate(POSTS, 0.2)
    two = model.evaluate([PlannedPost("siak", "PSC Siak", 102.05, 0.80, 2), POSTS[1]], 0.2)
    assert two.covered == pytest.approx(one.covered)
    assert two.expected > one.expected
    assert one.expected == pytest.approx(0.8 * one.covered, rel=0.05)  # single cover almost everywhere


def test_figures_as_json_are_whole_people_with_the_nearest_post(model: WhatIfModel) -> None:
    body = result_dict(model, model.evaluate(POSTS, 0.1))
    assert isinstance(body["covered_population"], int)
    assert len(body["desa"]) == len(model.demand.desa)
    assert body["gaps"][0]["uncovered_population"] >= body["gaps"][-1]["uncovered_population"]
    assert {row["nearest_post_id"] for row in body["desa"]} <= {"siak", "perawang", None}
    assert [p["id"] for p in body["posts"]] == ["siak", "perawang"]


def test_a_bad_scenario_names_every_problem(model: WhatIfModel) -> None:
    with pytest.raises(InputError) as caught:
        model.evaluate([POSTS[0], POSTS[0], PlannedPost("x", "X", 102.0, 0.8, 99)], 0.1)
    assert caught.value.code == "invalid_scenario"
    assert len(caught.value.params["problems"]) == 2


def test_report_gives_expected_coverage_beside_plain_and_names_mexclp_sites(model: WhatIfModel) -> None:
    posts = [Post(p.id, p.name, "psc_119", p.lon, p.lat) for p in POSTS]

    def place(lon: float, lat: float) -> tuple[str | None, str | None]:
        return "Desa X", "Kecamatan Y"

    summary = expected_summary(
        model.road,
        model.demand,
        posts,
        {"siak": 2},
        STANDARD_S,
        busy_fraction=0.3,
        busy_source="assumed",
        place=place,
        add_units=(1, 2),
        n_candidates=100,
    )
    assert summary["units"] == 3
    assert summary["busy_source"] == "assumed"
    assert 0 < summary["expected_covered_population"] < summary["covered_population"]
    one, two = summary["scenarios"]
    assert summary["expected_covered_population"] < one["expected_after"] <= two["expected_after"]
    assert sum(s["units"] for s in two["sites"]) == 2
    assert all(s.get("desa") == "Desa X" for s in one["sites"] if "post_id" not in s)
