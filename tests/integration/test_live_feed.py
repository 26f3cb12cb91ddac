"""GET /live: one cached picture for every console; dispatch changes in the next answer; ETag/304.

Issue 16 (the live feed), on both backends.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from siaga.api.live import LivePicture
from tests.integration.api_fixtures import NEAR_TOWN, SIAK_TOWN, auth, new_incident, place_unit
from tests.integration.test_live_picture import OPEN, seed_cancelled

API = "/api/v1"


def live(client: TestClient, role: str = "dispatcher") -> dict[str, object]:
    response = client.get(f"{API}/live", headers=auth(role))
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def open_ids(body: dict[str, object]) -> list[int]:
    incidents = body["incidents"]
    assert isinstance(incidents, list)
    return [i["id"] for i in incidents]


def test_the_live_picture_holds_every_open_incident_and_the_fleet(client: TestClient) -> None:
    seed_cancelled(client, 600)
    place_unit(client, "AMB-SIAK-01", SIAK_TOWN)
    newest = new_incident(client, "other", NEAR_TOWN)
    client.patch(f"{API}/incidents/{newest}", headers=auth("dispatcher"), json={"priority": 3})
    body = live(client)
    assert open_ids(body) == [newest], "the open P3 incident behind 600 cancelled ones"
    polled = client.get(f"{API}/incidents?{OPEN}", headers=auth("dispatcher")).json()
    assert body["incidents"] == polled, "the same incidents as the per-request list"
    units = body["units"]
    assert isinstance(units, dict)
    assert units["type"] == "FeatureCollection"
    geojson = client.get(f"{API}/units.geojson", headers=auth("dispatcher")).json()
    assert [f["id"] for f in units["features"]] == [f["id"] for f in geojson["features"]]
    # each unit as /units.geojson shows it, less what changes with the clock alone
    for feature in geojson["features"]:
        for name in ("fix_age_s", "stale"):
            del feature["properties"][name]
    assert units["features"] == geojson["features"]
    assert any(f["geometry"] for f in units["features"]), "a unit with a position is among them"


@pytest.fixture
def eager(db_url: str, make_client: Callable[..., TestClient]) -> TestClient:
    """An app rebuilding the picture on every change (no minimum interval between builds)."""
    return make_client(db_url, live_min_interval_s=0)


def test_a_dispatch_change_is_in_the_very_next_answer(eager: TestClient) -> None:
    client = eager
    place_unit(client, "AMB-SIAK-01", SIAK_TOWN)
    before = live(client)
    assert open_ids(before) == []
    incident = new_incident(client, "medical", NEAR_TOWN)
    assert open_ids(live(client)) == [incident], "a new incident is not held back by the cache"
    assign = client.post(
        f"{API}/incidents/{incident}/assignments", headers=auth("dispatcher"), json={"unit_id": "AMB-SIAK-01"}
    )
    assert assign.status_code == 201, assign.text
    after = live(client)
    units = after["units"]
    assert isinstance(units, dict)
    amb = next(f for f in units["features"] if f["id"] == "AMB-SIAK-01")
    assert amb["properties"]["status"] == "dispatched"
    incidents = after["incidents"]
    assert isinstance(incidents, list)
    assert incidents[0]["assigned_units"] == ["AMB-SIAK-01"]
    cancel = client.post(f"{API}/incidents/{incident}/cancel", headers=auth("dispatcher"), json={})
    assert cancel.status_code == 200, cancel.text
    assert open_ids(live(client)) == [], "a cancelled incident leaves the picture at once"


def test_an_unchanged_picture_is_answered_304(eager: TestClient) -> None:
    client = eager
    first = client.get(f"{API}/live", headers=auth("dispatcher"))
    etag = first.headers["ETag"]
    again = client.get(f"{API}/live", headers={**auth("dispatcher"), "If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    new_incident(client, "fire", NEAR_TOWN)
    changed = client.get(f"{API}/live", headers={**auth("dispatcher"), "If-None-Match": etag})
    assert changed.status_code == 200, "a change gives a new picture, not 304"
    assert changed.headers["ETag"] != etag


def test_planners_get_the_picture_without_caller_identity(client: TestClient) -> None:
    response = client.post(
        f"{API}/incidents",
        headers=auth("dispatcher"),
        json={
            "incident_type": "medical",
            "priority": 1,
            "lon": NEAR_TOWN[0],
            "lat": NEAR_TOWN[1],
            "caller_phone": "+6281234567890",
            "caller_name": "Siti",
        },
    )
    assert response.status_code == 201, response.text
    dispatcher = live(client, "dispatcher")["incidents"]
    planner = live(client, "planner")["incidents"]
    assert isinstance(dispatcher, list)
    assert isinstance(planner, list)
    assert dispatcher[0]["caller_phone"] == "+6281234567890"
    assert planner[0]["caller_phone"] is None
    assert planner[0]["caller_name"] is None
    assert "6281234567890" not in json.dumps(planner)
    device = client.get(f"{API}/live", headers=auth("device"))
    assert device.status_code == 403


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_builds_are_bounded_however_often_the_state_changes(client: TestClient) -> None:
    state = client.app.state.siaga  # type: ignore[attr-defined]
    clock = Clock()
    live = LivePicture(sessions=state.sessions, geo=state.geo, max_age_s=10, min_interval_s=0.25, clock=clock)
    first = live.current()
    assert live.current() is first, "unchanged: the same picture, not rebuilt"
    incident = new_incident(client, "fire", NEAR_TOWN)
    assert live.current() is first, "changed right after a build: held back (at most 0.25 s)"
    clock.now += 0.25
    second = live.current()
    assert second is not first
    whole = json.loads(second.answer(since=None, caller_data=True).raw)
    assert [i["id"] for i in whole["incidents"]] == [incident]
    clock.now += 0.1
    assert live.current() is second, "no change since: kept"
    clock.now += 10
    assert live.current() is not second, "rebuilt when older than max_age_s (positions, fix ages)"
    assert live.builds == 3


def test_every_console_gets_the_one_picture_built_once(
    db_url: str, make_client: Callable[..., TestClient]
) -> None:
    client = make_client(db_url, live_max_age_s=10)
    first = client.get(f"{API}/live", headers=auth("dispatcher")).headers["ETag"]
    live = client.app.state.siaga_live  # type: ignore[attr-defined]
    etags = {client.get(f"{API}/live", headers=auth("dispatcher")).headers["ETag"] for _ in range(11)}
    assert etags == {first}
    client.get(f"{API}/live", headers=auth("planner"))
    assert client.app.state.siaga_live is live, "one picture per process"  # type: ignore[attr-defined]
    assert live.builds == 1, "twelve polls and a planner's: one build"
