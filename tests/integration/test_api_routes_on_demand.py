"""Routes on demand (issue 15): a recommendation carries the first route of each list; any other
ranked unit's route comes from GET /incidents/{id}/routes/{unit_id}, the same line the ranking timed."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.integration.api_fixtures import SIAK_TOWN, auth, new_incident, place_unit

API = "/api/v1"


@pytest.fixture
def ranked_twice(client: TestClient) -> tuple[int, dict, dict]:  # type: ignore[type-arg]
    place_unit(client, "AMB-SIAK-01", SIAK_TOWN)
    place_unit(client, "AMB-SIAK-02", (102.0, 0.9))
    incident_id = new_incident(client, "medical")
    url = f"{API}/incidents/{incident_id}/recommendations"
    first = client.post(url, headers=auth("dispatcher"))
    every = client.post(url, headers=auth("dispatcher"), json={"routes": "all"})
    assert first.status_code == every.status_code == 200, (first.text, every.text)
    return incident_id, first.json(), every.json()


def test_only_the_first_route_comes_with_the_ranking(ranked_twice: tuple[int, dict, dict]) -> None:  # type: ignore[type-arg]
    _, first, every = ranked_twice
    (group,) = first["groups"]
    assert [u["unit_id"] for u in group["ranked"]] == ["AMB-SIAK-01", "AMB-SIAK-02"]
    assert group["ranked"][0]["route"]["type"] == "LineString"
    assert group["ranked"][1]["route"] is None
    (all_group,) = every["groups"]
    assert all(u["route"]["type"] == "LineString" for u in all_group["ranked"])
    # the same ranking either way: only the geometry is left out
    assert [(u["unit_id"], u["eta_s"]) for u in group["ranked"]] == [
        (u["unit_id"], u["eta_s"]) for u in all_group["ranked"]
    ]


def test_another_units_route_is_unpacked_on_demand(
    client: TestClient,
    ranked_twice: tuple[int, dict, dict],  # type: ignore[type-arg]
) -> None:
    incident_id, _, every = ranked_twice
    second = every["groups"][0]["ranked"][1]
    answer = client.get(f"{API}/incidents/{incident_id}/routes/AMB-SIAK-02", headers=auth("planner"))
    assert answer.status_code == 200, answer.text
    route = answer.json()
    assert route["unit_id"] == "AMB-SIAK-02"
    assert route["route"] == second["route"]
    assert route["eta_s"] == pytest.approx(second["eta_s"], abs=0.1)
    assert route["distance_m"] == pytest.approx(second["distance_m"], abs=0.1)
    assert route["schematic"] is True
    assert route["label_code"] == "graph_schematic"


def test_a_unit_without_a_position_or_unknown_gets_a_coded_error(
    client: TestClient,
    ranked_twice: tuple[int, dict, dict],  # type: ignore[type-arg]
) -> None:
    incident_id = ranked_twice[0]
    silent = client.get(f"{API}/incidents/{incident_id}/routes/AMB-SIAK-03", headers=auth("dispatcher"))
    assert silent.status_code == 409, silent.text
    assert silent.json()["code"] == "no_position"
    assert silent.json()["params"]["unit_id"] == "AMB-SIAK-03"
    unknown = client.get(f"{API}/incidents/{incident_id}/routes/NOPE-01", headers=auth("dispatcher"))
    assert unknown.status_code == 404
    missing = client.get(f"{API}/incidents/999999/routes/AMB-SIAK-01", headers=auth("dispatcher"))
    assert missing.status_code == 404
