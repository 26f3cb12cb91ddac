"""One 112 call carried by the API the console uses (issue 11), on PostGIS and on SQLite: the status
buttons a unit offers (``next_statuses``), the intake fields, notes, close/cancel reasons, added
requirements and relocation. The history search and the message codes have files of their own
(test_api_history_search.py, test_api_message_codes.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from tests.integration.api_fixtures import NEAR_TOWN, SIAK_TOWN, auth, new_incident, place_unit
from tests.integration.call_steps import create, set_status, timeline, walk

API = "/api/v1"


def test_next_statuses_follow_the_table_and_never_offer_dispatched(client: TestClient) -> None:
    unit = client.get(f"{API}/units/AMB-SIAK-01", headers=auth("planner")).json()
    assert unit["status"] == "available"
    assert unit["next_statuses"] == ["out_of_service"]  # dispatched only through an assignment
    police = client.get(f"{API}/units/POL-SIAK-01", headers=auth("dispatcher")).json()
    assert police["next_statuses"] == ["out_of_service"]
    place_unit(client, "POL-SIAK-01", SIAK_TOWN)
    incident_id = new_incident(client, "crime")
    assigned = client.post(
        f"{API}/incidents/{incident_id}/assignments",
        headers=auth("dispatcher"),
        json={"unit_id": "POL-SIAK-01"},
    )
    assert assigned.status_code == 201, assigned.text
    police = client.get(f"{API}/units/POL-SIAK-01", headers=auth("dispatcher")).json()
    assert police["next_statuses"] == ["available", "en_route", "out_of_service"]
    changed = set_status(client, "POL-SIAK-01", "en_route")
    assert changed["unit"]["next_statuses"] == ["available", "on_scene", "returning", "out_of_service"]  # type: ignore[index]
    changed = set_status(client, "POL-SIAK-01", "on_scene")
    # a police car carries no patient: no transporting / at_hospital
    assert changed["unit"]["next_statuses"] == ["available", "returning", "out_of_service"]  # type: ignore[index]
    listed = {u["id"]: u for u in client.get(f"{API}/units", headers=auth("planner")).json()}
    assert listed["POL-SIAK-01"]["next_statuses"] == ["available", "returning", "out_of_service"]


def test_intake_fields_are_stored_and_caller_name_is_hidden_from_planners(client: TestClient) -> None:
    started = (datetime.now(UTC) - timedelta(minutes=3)).replace(microsecond=0)
    created = create(
        client,
        landmark="depan Masjid Raya, dekat jembatan",
        caller_name="Ibu Siti",
        caller_phone="0812 7000 1234",
        victims=3,
        call_received_at=started.isoformat(),
    )
    assert created["landmark"] == "depan Masjid Raya, dekat jembatan"
    assert created["caller_name"] == "Ibu Siti"
    assert created["victims"] == 3
    assert datetime.fromisoformat(created["call_received_at"]) == started
    for role in ("dispatcher", "admin"):
        seen = client.get(f"{API}/incidents/{created['id']}", headers=auth(role)).json()
        assert seen["caller_name"] == "Ibu Siti"
        assert seen["landmark"] == "depan Masjid Raya, dekat jembatan"
    planner = client.get(f"{API}/incidents/{created['id']}", headers=auth("planner")).json()
    assert planner["caller_name"] is None
    assert planner["caller_phone"] is None
    assert planner["landmark"] == "depan Masjid Raya, dekat jembatan"
    assert planner["victims"] == 3
    listed = client.get(f"{API}/incidents", headers=auth("planner")).json()
    assert all(i["caller_name"] is None for i in listed)
    assert (
        "Ibu Siti"
        not in client.get(f"{API}/incidents/{created['id']}/timeline", headers=auth("planner")).text
    )
    assert "Ibu Siti" not in client.get(f"{API}/incidents.geojson", headers=auth("dispatcher")).text
    # optional fields stay optional
    ahead = create(client, call_received_at=(datetime.now(UTC) + timedelta(seconds=30)).isoformat())
    assert datetime.fromisoformat(ahead["call_received_at"]) <= datetime.fromisoformat(ahead["created_at"])
    plain = create(client)
    assert (plain["landmark"], plain["caller_name"], plain["victims"], plain["call_received_at"]) == (
        "",
        None,
        None,
        None,
    )


def test_intake_fields_are_bounded(client: TestClient) -> None:
    now = datetime.now(UTC)
    base = {"incident_type": "medical", "priority": 2, "lon": NEAR_TOWN[0], "lat": NEAR_TOWN[1]}
    bad: list[tuple[dict[str, object], str]] = [
        ({"landmark": "x" * 201}, "landmark"),
        ({"caller_name": "y" * 121}, "caller_name"),
        ({"caller_name": "Ibu\x00Siti"}, "caller_name"),
        ({"landmark": "a\x00"}, "landmark"),
        ({"victims": -1}, "victims"),
        ({"victims": 1000}, "victims"),
        ({"victims": 10**20}, "victims"),
        ({"call_received_at": "2026-01-01T10:00:00"}, "call_received_at"),  # naive
        ({"call_received_at": (now + timedelta(hours=1)).isoformat()}, "call_received_at"),
        ({"call_received_at": (now - timedelta(hours=25)).isoformat()}, "call_received_at"),
    ]
    for extra, field in bad:
        response = client.post(f"{API}/incidents", headers=auth("dispatcher"), json={**base, **extra})
        assert response.status_code == 422, (extra, response.text)
        body = response.json()
        assert field in body["detail"], body
        assert body["code"] in {"validation_error", "call_time_in_future", "call_time_too_old"}, body
    assert client.get(f"{API}/incidents", headers=auth("dispatcher")).json() == []


def test_notes_and_cancel_reason_appear_in_the_timeline(client: TestClient) -> None:
    incident_id = new_incident(client)
    added = client.post(
        f"{API}/incidents/{incident_id}/notes",
        headers=auth("dispatcher"),
        json={"text": "penelepon di depan warung"},
    )
    assert added.status_code == 201, added.text
    assert added.json()["by"] == "demo-dispatcher"
    assert added.json()["text"] == "penelepon di depan warung"
    for bad in (
        {"text": ""},
        {"text": "   "},
        {"text": "x" * 2001},
        {"text": "a\x00b"},
        {},
        {"text": "ok", "x": 1},
    ):
        refused = client.post(f"{API}/incidents/{incident_id}/notes", headers=auth("dispatcher"), json=bad)
        assert refused.status_code == 422, (bad, refused.text)
    assert (
        client.post(
            f"{API}/incidents/999999/notes", headers=auth("dispatcher"), json={"text": "x"}
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"{API}/incidents/{incident_id}/notes", headers=auth("planner"), json={"text": "x"}
        ).status_code
        == 403
    )

    wrong = client.post(
        f"{API}/incidents/{incident_id}/cancel",
        headers=auth("dispatcher"),
        json={"reason": "no_patient_found"},
    )
    assert wrong.status_code == 422
    assert wrong.json()["code"] == "invalid_reason"
    assert "caller_cancelled" in wrong.json()["params"]["allowed"]
    assert client.get(f"{API}/incidents/{incident_id}", headers=auth("dispatcher")).json()["status"] == "new"
    cancelled = client.post(
        f"{API}/incidents/{incident_id}/cancel",
        headers=auth("dispatcher"),
        json={"reason": "duplicate", "note": "sama dengan kejadian sebelumnya"},
    )
    assert cancelled.status_code == 200, cancelled.text
    # a follow-up after the end is still part of the story
    late = client.post(
        f"{API}/incidents/{incident_id}/notes", headers=auth("admin"), json={"text": "dicek ulang"}
    )
    assert late.status_code == 201
    entries = timeline(client, incident_id)
    notes = [e for e in entries if e["kind"] == "note"]
    assert [(n["by"], n["detail"]["text"]) for n in notes] == [
        ("demo-dispatcher", "penelepon di depan warung"),
        ("demo-admin", "dicek ulang"),
    ]
    final = [e for e in entries if e["kind"] == "incident_status"][-1]
    assert final["detail"]["reason"] == "duplicate"
    assert final["detail"]["note"] == "sama dengan kejadian sebelumnya"
    assert "duplicate" in final["summary"]
    assert entries[-1]["kind"] == "note"


def test_a_fire_call_from_intake_to_close(client: TestClient) -> None:
    for unit_id in ("DMK-SIAK-01", "DMK-SIAK-02", "POL-SIAK-01", "AMB-SIAK-01"):
        place_unit(client, unit_id, SIAK_TOWN)
    created = create(client, landmark="belakang pasar", caller_name="Pak Budi", victims=2)
    incident_id = created["id"]
    assert created["outstanding"] == ["2 × fire_engine"]

    added = client.post(
        f"{API}/incidents/{incident_id}/requirements",
        headers=auth("dispatcher"),
        json={"unit_types": ["police_motorbike", "police_car"], "count": 1},
    )
    assert added.status_code == 201, added.text
    assert added.json()["outstanding"] == ["2 × fire_engine", "1 × police_car or police_motorbike"]
    assert added.json()["caller_name"] == "Pak Budi"
    ambulance = client.post(
        f"{API}/incidents/{incident_id}/requirements",
        headers=auth("admin"),
        json={"unit_types": ["ambulance"], "count": 1},
    )
    assert ambulance.status_code == 201
    needs = ambulance.json()["outstanding_needs"]
    assert [(n["label_code"], n["params"]) for n in needs] == [
        ("requirement", {"count": 2, "unit_types": ["fire_engine"]}),
        ("requirement", {"count": 1, "unit_types": ["police_car", "police_motorbike"]}),
        ("requirement", {"count": 1, "unit_types": ["ambulance"]}),
    ]
    for bad in (
        {"unit_types": [], "count": 1},
        {"unit_types": ["ambulance"], "count": 0},
        {"unit_types": ["ambulance"], "count": 6},
        {"unit_types": ["helicopter"], "count": 1},
        {"unit_types": ["ambulance"]},
        {"unit_types": ["ambulance"], "count": 10**30},
    ):
        refused = client.post(
            f"{API}/incidents/{incident_id}/requirements", headers=auth("dispatcher"), json=bad
        )
        assert refused.status_code == 422, (bad, refused.text)

    rec = client.post(f"{API}/incidents/{incident_id}/recommendations", headers=auth("dispatcher")).json()
    assert [g["requirement"] for g in rec["groups"]] == [
        "2 × fire_engine",
        "1 × police_car or police_motorbike",
        "1 × ambulance",
    ]
    engines, police, amb = rec["groups"]
    assert {u["unit_id"] for u in engines["ranked"][:2]} == {"DMK-SIAK-01", "DMK-SIAK-02"}
    assert police["ranked"][0]["unit_id"] == "POL-SIAK-01"
    assert amb["ranked"][0]["unit_id"] == "AMB-SIAK-01"
    for unit_id in ("DMK-SIAK-01", "POL-SIAK-01", "AMB-SIAK-01"):
        response = client.post(
            f"{API}/incidents/{incident_id}/assignments",
            headers=auth("dispatcher"),
            json={"unit_id": unit_id},
        )
        assert response.status_code == 201, response.text
    incident = client.get(f"{API}/incidents/{incident_id}", headers=auth("dispatcher")).json()
    assert incident["outstanding"] == ["1 × fire_engine"]
    rec = client.post(f"{API}/incidents/{incident_id}/recommendations", headers=auth("dispatcher")).json()
    assert [g["requirement"] for g in rec["groups"]] == ["1 × fire_engine"]

    # the caller said "behind the market, not in front": the pin is moved about 150 m
    moved = client.patch(
        f"{API}/incidents/{incident_id}", headers=auth("dispatcher"), json={"lon": 102.0713, "lat": 0.7903}
    )
    assert moved.status_code == 200, moved.text
    assert sorted(moved.json()["assigned_units"]) == ["AMB-SIAK-01", "DMK-SIAK-01", "POL-SIAK-01"]
    note = client.post(
        f"{API}/incidents/{incident_id}/notes",
        headers=auth("dispatcher"),
        json={"text": "api sudah padam sebagian"},
    )
    assert note.status_code == 201
    walk(client, "AMB-SIAK-01", ["en_route", "on_scene", "transporting", "at_hospital", "available"])
    walk(client, "DMK-SIAK-01", ["en_route", "on_scene"])
    assert client.get(f"{API}/units/AMB-SIAK-01", headers=auth("dispatcher")).json()["next_statuses"] == [
        "out_of_service"
    ]
    closed = client.post(
        f"{API}/incidents/{incident_id}/close",
        headers=auth("dispatcher"),
        json={"reason": "resolved", "note": "api padam, 2 korban dibawa ke RSUD"},
    )
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed"
    assert closed.json()["outstanding"] == []

    entries = timeline(client, incident_id)
    kinds = [e["kind"] for e in entries]
    assert kinds.count("requirement_added") == 2
    assert [e["by"] for e in entries if e["kind"] == "requirement_added"] == ["demo-dispatcher", "demo-admin"]
    assert [e["detail"]["text"] for e in entries if e["kind"] == "note"] == ["api sudah padam sebagian"]
    (relocated,) = [e for e in entries if e["kind"] == "relocated"]
    assert 100 < relocated["detail"]["distance_m"] < 200
    assert relocated["detail"]["new"]["lon"] == 102.0713
    assert relocated["detail"]["new"]["kecamatan"] == "Mempura"
    final = entries[-1]
    assert final["kind"] == "incident_status"
    assert (final["detail"]["to"], final["detail"]["reason"]) == ("closed", "resolved")
    assert final["detail"]["note"] == "api padam, 2 korban dibawa ke RSUD"
    statuses = [
        e["detail"]["to"] for e in entries if e["kind"] == "unit_status" and e["unit_id"] == "AMB-SIAK-01"
    ]
    assert statuses == ["dispatched", "en_route", "on_scene", "transporting", "at_hospital", "available"]
    finished = client.post(
        f"{API}/incidents/{incident_id}/requirements",
        headers=auth("dispatcher"),
        json={"unit_types": ["rescue"], "count": 1},
    )
    assert finished.status_code == 409
    assert finished.json()["code"] == "incident_finished"


def test_relocation_keeps_assignments_and_is_in_the_timeline(client: TestClient) -> None:
    place_unit(client, "AMB-SIAK-01", SIAK_TOWN)
    created = create(client, incident_type="medical", lon=NEAR_TOWN[0], lat=NEAR_TOWN[1])
    incident_id = created["id"]
    assert created["kecamatan"]["nama"] == "Mempura"
    assigned = client.post(
        f"{API}/incidents/{incident_id}/assignments",
        headers=auth("dispatcher"),
        json={"unit_id": "AMB-SIAK-01"},
    )
    assert assigned.status_code == 201
    walk(client, "AMB-SIAK-01", ["en_route"])

    moved = client.patch(
        f"{API}/incidents/{incident_id}",
        headers=auth("dispatcher"),
        json={"lon": SIAK_TOWN[0], "lat": SIAK_TOWN[1]},
    )
    assert moved.status_code == 200, moved.text
    body = moved.json()
    assert body["location"] == {"lon": SIAK_TOWN[0], "lat": SIAK_TOWN[1]}
    assert body["kecamatan"]["nama"] == "Siak"
    assert body["assigned_units"] == ["AMB-SIAK-01"]
    assert body["status"] == "dispatched"
    assert client.get(f"{API}/units/AMB-SIAK-01", headers=auth("dispatcher")).json()["status"] == "en_route"

    kandis = client.get(f"{API}/places", headers=auth("dispatcher"), params={"q": "Kandis"}).json()
    kecamatan = next(i for i in kandis if i["level"] == "kecamatan")
    by_kode = client.patch(
        f"{API}/incidents/{incident_id}",
        headers=auth("dispatcher"),
        json={"place_kode": kecamatan["kode"], "priority": 2},
    )
    assert by_kode.status_code == 200, by_kode.text
    assert by_kode.json()["location"] == {"lon": kecamatan["lon"], "lat": kecamatan["lat"]}
    assert by_kode.json()["kecamatan"]["nama"] == "Kandis"
    assert by_kode.json()["priority"] == 2
    assert by_kode.json()["assigned_units"] == ["AMB-SIAK-01"]

    for bad in (
        {"lon": 102.0},
        {"lon": 102.0, "lat": 0.8, "place_kode": kecamatan["kode"]},
        {"lon": 200, "lat": 0.8},
        {"place_kode": "14.08.99.9999"},
        {"place_kode": "abc\x00"},
        {"lon": 101.0, "lat": 0.5},  # outside Siak
        {},
    ):
        refused = client.patch(f"{API}/incidents/{incident_id}", headers=auth("dispatcher"), json=bad)
        assert refused.status_code == 422, (bad, refused.text)
    after = client.get(f"{API}/incidents/{incident_id}", headers=auth("dispatcher")).json()
    assert after["location"] == by_kode.json()["location"]  # a refused move changes nothing

    relocations = [e for e in timeline(client, incident_id) if e["kind"] == "relocated"]
    assert len(relocations) == 2
    first, second = relocations
    assert first["by"] == "demo-dispatcher"
    assert first["detail"]["old"]["lon"] == NEAR_TOWN[0]
    assert first["detail"]["new"]["lon"] == SIAK_TOWN[0]
    assert 2000 < first["detail"]["distance_m"] < 3000  # 0.02° lon and 0.01° lat at the equator
    assert second["detail"]["source"] == "place"
    assert second["detail"]["place_kode"] == kecamatan["kode"]
    assert second["detail"]["distance_m"] > 50_000  # Siak town to Kandis
    rec = client.post(f"{API}/incidents/{incident_id}/recommendations", headers=auth("dispatcher")).json()
    assert rec["groups"] == []  # the ambulance assigned still fills the requirement

    place_unit(client, "AMB-SIAK-02", SIAK_TOWN)
    walk(client, "AMB-SIAK-01", ["on_scene"])
    assert client.post(f"{API}/incidents/{incident_id}/close", headers=auth("dispatcher")).status_code == 200
    late = client.patch(
        f"{API}/incidents/{incident_id}",
        headers=auth("dispatcher"),
        json={"lon": SIAK_TOWN[0], "lat": SIAK_TOWN[1]},
    )
    assert late.status_code == 409
    assert late.json()["code"] == "incident_finished"
