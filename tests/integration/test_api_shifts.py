"""Shifts and handover through HTTP, on both backends: a supervisor opens the shift, two dispatchers log
in and work, the shift is closed with two incidents still open, the handover lists them with their
units, and the incoming supervisor acknowledges it (audited, once, not by the outgoing one)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from dispatch_geo.storage import operator_repo
from tests.integration.api_fixtures import auth, place_unit
from tests.integration.test_api_operators import Person, create_operator, new_incident

API = "/api/v1"


@pytest.fixture
def client(db_url: str, make_client: Callable[..., TestClient]) -> TestClient:
    return make_client(db_url, auth_failure_limit=0)


def test_two_dispatchers_on_one_shift_and_the_handover(client: TestClient) -> None:
    people = {}
    for username, role, desk in (
        ("sari", "supervisor", "Meja S"),
        ("siti", "dispatcher", "Meja 1"),
        ("budi", "dispatcher", "Meja 2"),
        ("rudi", "supervisor", "Meja S"),
    ):
        people[username] = Person(client, username, create_operator(client, username, role), desk=desk)
    sari, siti, budi, rudi = people["sari"], people["siti"], people["budi"], people["rudi"]
    assert sari.login().status_code == 200
    proposed = sari.call("GET", "/shifts/current").json()
    assert proposed["shift"] is None
    assert proposed["proposed"]["name"] in {"07-15", "15-23", "23-07"}
    refused = siti.login() and siti.call("POST", "/shifts", json={})
    assert refused.status_code == 403, "a dispatcher does not open shifts"
    opened = sari.call("POST", "/shifts", json={})
    assert opened.status_code == 201, opened.text
    shift_id = opened.json()["id"]
    assert opened.json()["name"] == proposed["proposed"]["name"]
    assert budi.login().json()["shift"]["id"] == shift_id

    place_unit(client, "AMB-SIAK-01", (102.05, 0.80))
    first = new_incident(siti)
    second = new_incident(budi)
    third = new_incident(budi)
    assigned = siti.call("POST", f"/incidents/{first}/assignments", json={"unit_id": "AMB-SIAK-01"})
    assert assigned.status_code == 201, assigned.text
    closed = budi.call("POST", f"/incidents/{third}/cancel", json={"reason": "false_alarm"})
    assert closed.status_code == 200, closed.text
    assert (
        client.get(f"{API}/incidents/{first}", headers=auth("dispatcher")).json()["created_by"]
        == "siti@Meja 1"
    )
    assert (
        client.get(f"{API}/incidents/{second}", headers=auth("dispatcher")).json()["created_by"]
        == "budi@Meja 2"
    )
    timeline = client.get(f"{API}/incidents/{first}/timeline", headers=auth("dispatcher")).json()["entries"]
    assert {e["by"] for e in timeline} == {"siti@Meja 1"}

    members = sari.call("GET", "/shifts/current").json()["shift"]["members"]
    assert {(m["username"], m["desk"]) for m in members} == {
        ("sari", "Meja S"),
        ("siti", "Meja 1"),
        ("budi", "Meja 2"),
    }

    handover = sari.call("POST", f"/shifts/{shift_id}/close", json={"notes": "Ambulans 01 masih di lokasi."})
    assert handover.status_code == 200, handover.text
    body = handover.json()
    assert body["frozen"] is True
    assert body["notes"] == "Ambulans 01 masih di lokasi."
    summary = body["summary"]
    still_open = {i["id"]: i for i in summary["still_open"]}
    assert set(still_open) == {first, second}
    assert still_open[first]["status"] == "dispatched"
    assert [u["unit_id"] for u in still_open[first]["units"]] == ["AMB-SIAK-01"]
    assert still_open[second]["units"] == []
    assert {i["id"] for i in summary["opened"]} == {first, second, third}
    assert {i["id"] for i in summary["closed"]} == {third}
    p1 = {i["id"]: i for i in summary["p1"]}
    assert p1[first]["first_assigned_at"] is not None
    assert p1[second]["first_assigned_at"] is None

    own = sari.call("POST", f"/shifts/{shift_id}/acknowledge")
    assert own.status_code == 409
    assert own.json()["code"] == "handover_own"
    assert rudi.login().status_code == 200
    acknowledged = rudi.call("POST", f"/shifts/{shift_id}/acknowledge")
    assert acknowledged.status_code == 200, acknowledged.text
    assert acknowledged.json()["acknowledged_by"] == "rudi@Meja S"
    twice = rudi.call("POST", f"/shifts/{shift_id}/acknowledge")
    assert twice.status_code == 409
    assert twice.json()["code"] == "handover_already_acknowledged"
    # the incident that stayed open still shows in the frozen handover after it is closed later
    siti.login()
    siti.call("POST", f"/incidents/{second}/cancel", json={"reason": "other"})
    again = rudi.call("GET", f"/shifts/{shift_id}/handover").json()
    assert {i["id"] for i in again["summary"]["still_open"]} == {first, second}

    sessions = client.app.state.siaga.sessions  # type: ignore[attr-defined]
    with sessions() as session:
        kinds = [(e.kind, e.username) for e in operator_repo.list_account_events(session)]
    assert ("handover_acknowledged", "rudi") in kinds
    assert ("shift_closed", "sari") in kinds
    assert ("shift_opened", "sari") in kinds


def test_only_one_shift_open_and_bad_bounds(client: TestClient) -> None:
    first = client.post(f"{API}/shifts", headers=auth("supervisor"), json={})
    assert first.status_code == 201
    second = client.post(f"{API}/shifts", headers=auth("supervisor"), json={})
    assert second.status_code == 409
    assert second.json()["code"] == "shift_already_open"
    client.post(f"{API}/shifts/{first.json()['id']}/close", headers=auth("supervisor"), json={})
    backwards = client.post(
        f"{API}/shifts",
        headers=auth("supervisor"),
        json={"planned_start": "2026-11-30T15:00:00+07:00", "planned_end": "2026-11-30T07:00:00+07:00"},
    )
    assert backwards.status_code == 422
    assert backwards.json()["code"] == "shift_bounds"
    naive = client.post(
        f"{API}/shifts", headers=auth("supervisor"), json={"planned_start": "2026-11-30T07:00:00"}
    )
    assert naive.status_code == 422
