"""A moved incident no longer reads as where it was (issue 11 §1), on PostGIS and on SQLite.

Before: an incident created at "Kampung Dalam" and moved to Kampung Rempak kept "Kampung Dalam
(desa), Kecamatan Siak" as its place text, so the panel and Riwayat named the old place. Now a move by
a new place takes that place's text, a move by dragging (coordinates) clears it (the desa and
kecamatan of the new point say where it is), and the old text stays in the timeline's event.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.integration.api_fixtures import SIAK_TOWN, auth

API = "/api/v1"


def _place(client: TestClient, name: str) -> dict[str, Any]:
    found = client.get(f"{API}/places", headers=auth("dispatcher"), params={"q": name}).json()
    return next(p for p in found if p["nama"] == name and p["level"] == "desa")


def _move(client: TestClient, incident_id: int, body: dict[str, Any]) -> dict[str, Any]:
    moved = client.patch(f"{API}/incidents/{incident_id}", headers=auth("dispatcher"), json=body)
    assert moved.status_code == 200, moved.text
    answer: dict[str, Any] = moved.json()
    return answer


def test_a_move_replaces_the_place_text_and_the_timeline_keeps_the_old(client: TestClient) -> None:
    dalam, rempak = _place(client, "Kampung Dalam"), _place(client, "Kampung Rempak")
    created = client.post(
        f"{API}/incidents",
        headers=auth("dispatcher"),
        json={
            "incident_type": "fire",
            "priority": 1,
            "place_kode": dalam["kode"],
            "landmark": "depan masjid",
        },
    )
    assert created.status_code == 201, created.text
    incident_id = created.json()["id"]
    assert created.json()["address"] == "Kampung Dalam (desa), Kecamatan Siak"

    by_place = _move(client, incident_id, {"place_kode": rempak["kode"]})
    assert by_place["address"] == "Kampung Rempak (desa), Kecamatan Siak"
    assert by_place["desa"]["nama"] == "Kampung Rempak"
    assert by_place["landmark"] == "depan masjid", "what the caller said about the spot is kept"
    assert client.get(f"{API}/incidents/{incident_id}", headers=auth("dispatcher")).json()["address"] == (
        "Kampung Rempak (desa), Kecamatan Siak"
    )

    by_drag = _move(client, incident_id, {"lon": SIAK_TOWN[0], "lat": SIAK_TOWN[1]})
    assert by_drag["address"] == "", "a dragged point is no longer the named place"
    assert "Kampung Rempak" not in str(by_drag["address"])
    assert by_drag["desa"]["nama"] != "Kampung Rempak"

    timeline = client.get(f"{API}/incidents/{incident_id}/timeline", headers=auth("dispatcher")).json()
    moves = [e for e in timeline["entries"] if e["kind"] == "relocated"]
    assert [(m["detail"]["old"]["address"], m["detail"]["new"]["address"]) for m in moves] == [
        ("Kampung Dalam (desa), Kecamatan Siak", "Kampung Rempak (desa), Kecamatan Siak"),
        ("Kampung Rempak (desa), Kecamatan Siak", ""),
    ]
    assert [(m["params"]["from_desa"], m["params"]["to_desa"]) for m in moves] == [
        ("Kampung Dalam", "Kampung Rempak"),
        ("Kampung Rempak", by_drag["desa"]["nama"]),
    ]
    assert "Kampung Dalam → Kampung Rempak" in moves[0]["summary"]
