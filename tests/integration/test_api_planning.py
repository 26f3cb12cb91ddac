"""What-if planning over HTTP: start, evaluate, suggest, isochrones, saved scenarios, busy fraction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from dispatch_geo.storage.models import AssignmentRow
from tests.integration.api_fixtures import auth, new_incident

PLANNER = auth("planner")
GAP_FILLER = {"id": "pos-baru", "name": "Pos baru", "lon": 102.08, "lat": 0.98, "units": 1}


def _start(client: TestClient) -> dict[str, Any]:
    r = client.get("/api/v1/planning/ambulance", headers=PLANNER)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def _posts(start: dict[str, Any]) -> list[dict[str, Any]]:
    return [{k: p[k] for k in ("id", "name", "lon", "lat", "units")} for p in start["figures"]["posts"]]


def test_planner_moves_adds_and_removes_posts_and_the_figures_follow(client: TestClient) -> None:
    start = _start(client)
    assert start["schematic"] is True
    assert start["busy"]["source"] == "assumed", "no dispatch history yet"
    assert start["bands_min"] == [5.0, 8.0, 10.0, 15.0, 30.0]
    figures = start["figures"]
    assert figures["posts"], "today's ambulance posts come from the fleet"
    assert figures["expected_covered_population"] < figures["covered_population"], "busy units cover less"
    assert len(start["density"]) == len(figures["desa"])
    posts = _posts(start)
    q = start["busy"]["busy_fraction"]

    def evaluate(scenario: list[dict[str, Any]]) -> dict[str, Any]:
        r = client.post(
            "/api/v1/planning/ambulance/evaluate",
            headers=PLANNER,
            json={"posts": scenario, "busy_fraction": q},
        )
        assert r.status_code == 200, r.text
        out: dict[str, Any] = r.json()
        return out

    same = evaluate(posts)
    assert same["covered_population"] == figures["covered_population"]
    added = evaluate([*posts, GAP_FILLER])
    assert added["covered_population"] > figures["covered_population"]
    assert added["gap_count"] < figures["gap_count"]
    doubled = evaluate([{**posts[0], "units": 3}, *posts[1:]])
    assert doubled["covered_population"] == figures["covered_population"]
    assert doubled["expected_covered_population"] > figures["expected_covered_population"]
    # the post that alone covers the most people
    alone = max(figures["posts"], key=lambda p: p["covers_alone_population"])
    assert alone["covers_alone_population"] > 0
    removed = evaluate([p for p in posts if p["id"] != alone["id"]])
    assert removed["covered_population"] < figures["covered_population"]

    r = client.post(
        "/api/v1/planning/ambulance/evaluate",
        headers=PLANNER,
        json={"posts": [posts[0], posts[0], {**GAP_FILLER, "units": 99}], "busy_fraction": 2},
    )
    assert r.status_code == 422
    assert r.json()["code"] == "validation_error"
    r = client.post(
        "/api/v1/planning/ambulance/evaluate", headers=PLANNER, json={"posts": [posts[0], posts[0]]}
    )
    assert r.status_code == 422
    assert r.json()["code"] == "invalid_scenario"

    bands = client.post("/api/v1/planning/ambulance/isochrones", headers=PLANNER, json={"posts": posts[:2]})
    assert bands.status_code == 200, bands.text
    features = bands.json()["features"]
    assert {f["properties"]["band_min"] for f in features} <= {5.0, 8.0, 10.0, 15.0, 30.0}
    assert {f["properties"]["post_id"] for f in features} <= {p["id"] for p in posts[:2]}
    assert features


def test_mexclp_suggestion_names_the_place_and_gains_expected_cover(client: TestClient) -> None:
    posts = _posts(_start(client))
    r = client.post(
        "/api/v1/planning/ambulance/suggest",
        headers=PLANNER,
        json={"posts": posts, "busy_fraction": 0.2, "add_units": 2},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert sum(s["units"] for s in body["sites"]) == 2
    assert body["expected_after_desa_centres"] > body["expected_before_desa_centres"]
    assert all(s["desa"] for s in body["sites"] if s["post_id"] is None), "a new site is named by its desa"


def test_scenarios_are_saved_listed_compared_and_deleted(client: TestClient) -> None:
    posts = _posts(_start(client))
    saved = []
    for name, scenario in (("Hari ini", posts), ("Tambah pos Dayang Suri", [*posts, GAP_FILLER])):
        r = client.post(
            "/api/v1/planning-scenarios",
            headers=PLANNER,
            json={"name": name, "service": "ambulance", "posts": scenario, "busy_fraction": 0.1},
        )
        assert r.status_code == 201, r.text
        saved.append(r.json())
    assert saved[1]["figures"]["covered_population"] > saved[0]["figures"]["covered_population"]
    assert saved[0]["created_by"]
    again = client.post(
        "/api/v1/planning-scenarios",
        headers=PLANNER,
        json={"name": "Hari ini", "service": "ambulance", "posts": posts, "busy_fraction": 0.1},
    )
    assert again.status_code == 409
    assert again.json()["code"] == "scenario_exists"
    blank = client.post(
        "/api/v1/planning-scenarios",
        headers=PLANNER,
        json={"name": "   ", "service": "ambulance", "posts": posts, "busy_fraction": 0.1},
    )
    assert blank.status_code == 422
    listed = client.get("/api/v1/planning-scenarios?service=ambulance", headers=PLANNER).json()
    assert [s["name"] for s in listed] == ["Tambah pos Dayang Suri", "Hari ini"]
    one = client.get(f"/api/v1/planning-scenarios/{saved[1]['id']}", headers=PLANNER).json()
    assert one["current"]["covered_population"] == saved[1]["figures"]["covered_population"]
    assert client.delete(f"/api/v1/planning-scenarios/{saved[0]['id']}", headers=PLANNER).status_code == 204
    assert client.get(f"/api/v1/planning-scenarios/{saved[0]['id']}", headers=PLANNER).status_code == 404
    assert client.get("/api/v1/planning-scenarios", headers=auth("dispatcher")).status_code == 403


def test_busy_fraction_comes_from_the_assignment_history(client: TestClient) -> None:
    incident_id = new_incident(client)
    units = [
        u["id"] for u in client.get("/api/v1/units", headers=PLANNER).json() if u["unit_type"] == "ambulance"
    ]
    now = datetime.now(UTC)
    with client.app.state.siaga.sessions.begin() as session:  # type: ignore[attr-defined]
        for day in range(30):  # one ambulance busy 12 h a day for 30 days
            start = now - timedelta(days=day + 1)
            session.add(
                AssignmentRow(
                    incident_id=incident_id,
                    unit_id=units[0],
                    assigned_at=start,
                    assigned_by="history",
                    released_at=start + timedelta(hours=12),
                )
            )
    busy = client.get("/api/v1/planning/ambulance?days=30", headers=PLANNER).json()["busy"]
    assert busy["source"] == "history"
    assert busy["assignments"] == 30
    assert busy["busy_fraction"] == round(0.5 / len(units), 4)
    # per post, for information: the busy ambulance's post measures its own share (too thin a record
    # for the others, which had no assignment)
    by_post = {p["post_id"]: p for p in busy["per_post"]}
    station = next(
        u["station_id"] for u in client.get("/api/v1/units", headers=PLANNER).json() if u["id"] == units[0]
    )
    assert by_post[station]["source"] == "history"
    assert by_post[station]["measured"] == round(0.5 / by_post[station]["units"], 4)
    assert sum(p["units"] for p in busy["per_post"]) == len(units)
