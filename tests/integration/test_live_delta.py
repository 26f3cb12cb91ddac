"""GET /live?since=: a console gets only what changed since the version it holds (issue 16).

Units whose feature did not change are not sent again (no fix age in the picture), a console that
missed answers gets everything since its version, a version of another process (a restart, another
worker) gets the whole picture, and a unit gone from the fleet is named. On both backends.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from siaga.api import live as live_module
from siaga.api.live import LivePicture
from siaga.api.live_snapshot import Snapshot
from tests.integration.api_fixtures import NEAR_TOWN, SIAK_TOWN, auth, new_incident, place_unit

API = "/api/v1"


@pytest.fixture
def eager(db_url: str, make_client: Callable[..., TestClient]) -> TestClient:
    """An app that rebuilds the picture on every poll (positions are not held back half a second)."""
    return make_client(db_url, live_min_interval_s=0, live_max_age_s=0.001)


def live(client: TestClient, since: str | None = None, role: str = "dispatcher") -> dict[str, Any]:
    path = f"{API}/live" if since is None else f"{API}/live?since={since}"
    response = client.get(path, headers=auth(role))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def ids(body: dict[str, Any]) -> list[str]:
    return [f["id"] for f in body["units"]["features"]]


def test_only_what_changed_since_the_version_held(eager: TestClient) -> None:
    client = eager
    place_unit(client, "AMB-SIAK-01", SIAK_TOWN)
    place_unit(client, "AMB-SIAK-02", SIAK_TOWN)
    whole = live(client)
    assert whole["full"] is True
    assert len(ids(whole)) > 2, "the whole fleet"
    amb = next(f for f in whole["units"]["features"] if f["id"] == "AMB-SIAK-01")
    assert "fix_age_s" not in amb["properties"], "nothing that changes with the clock alone"
    assert "stale" not in amb["properties"]
    assert amb["properties"]["last_fix_time"] is not None
    assert whole["stale_after_s"] > 0, "what the console needs to mark stale positions"

    quiet = live(client, whole["version"])
    assert quiet["full"] is False
    assert quiet["version"] == whole["version"], "no change, no new version"
    assert ids(quiet) == []
    assert quiet["removed"] == []
    assert quiet["incidents"] is None

    place_unit(client, "AMB-SIAK-01", NEAR_TOWN)
    moved = live(client, whole["version"])
    assert moved["base"] == whole["version"]
    assert ids(moved) == [], "a unit that only moved is not sent whole"
    [(unit, lon, lat, fixed)] = moved["moved"]
    assert unit == "AMB-SIAK-01", "only the unit that moved"
    assert [lon, lat] == pytest.approx(list(NEAR_TOWN))
    assert fixed > amb["properties"]["last_fix_time"]
    assert moved["incidents"] is None, "the incident list did not change"

    status = client.post(
        f"{API}/units/AMB-SIAK-02/status",
        headers=auth("dispatcher"),
        json={"status": "out_of_service", "expected_status": "available"},
    )
    assert status.status_code == 200, status.text
    changed = live(client, moved["version"])
    assert ids(changed) == ["AMB-SIAK-02"], "a unit whose status changed is sent whole"
    assert changed["units"]["features"][0]["properties"]["status"] == "out_of_service"
    assert changed["moved"] == []
    missed = live(client, whole["version"])
    assert ids(missed) == ["AMB-SIAK-02"]
    assert [m[0] for m in missed["moved"]] == ["AMB-SIAK-01"]

    incident = new_incident(client, "fire", NEAR_TOWN)
    called = live(client, changed["version"])
    assert ids(called) == []
    assert [i["id"] for i in called["incidents"]] == [incident], "the open incidents when they change"


def test_a_console_that_missed_answers_gets_everything_since_its_version(eager: TestClient) -> None:
    client = eager
    held = live(client)
    place_unit(client, "AMB-SIAK-01", NEAR_TOWN)
    live(client, held["version"])  # an answer this console never got
    place_unit(client, "AMB-SIAK-02", NEAR_TOWN)
    incident = new_incident(client, "medical", NEAR_TOWN)
    caught_up = live(client, held["version"])
    assert sorted(m[0] for m in caught_up["moved"]) == ["AMB-SIAK-01", "AMB-SIAK-02"]
    assert [i["id"] for i in caught_up["incidents"]] == [incident]
    now = live(client)
    assert caught_up["version"] == now["version"]


def test_a_version_this_process_did_not_make_gets_the_whole_picture(
    eager: TestClient, db_url: str, make_client: Callable[..., TestClient]
) -> None:
    held = live(eager)
    other = make_client(db_url)  # another worker, or the server after a restart
    answer = live(other, held["version"])
    assert answer["full"] is True
    assert ids(answer) == ids(held)
    assert answer["version"].split(".")[0] != held["version"].split(".")[0]
    bad = eager.get(f"{API}/live?since=not-a-version", headers=auth("dispatcher"))
    assert bad.status_code == 422, "a malformed version is refused, not guessed at"


def test_a_unit_gone_from_the_fleet_is_named_and_a_new_one_sent(
    eager: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = eager.app.state.siaga  # type: ignore[attr-defined]
    picture = LivePicture(sessions=state.sessions, geo=state.geo, max_age_s=0, min_interval_s=0)
    first = picture.current()
    everyone = live_module.list_unit_snapshots
    monkeypatch.setattr(
        live_module,
        "list_unit_snapshots",
        lambda session: [u for u in everyone(session) if u.id != "AMB-SIAK-01"],
    )
    second = picture.current()
    gone = json.loads(second.answer(since=first.tag, caller_data=True).raw)
    assert gone["removed"] == ["AMB-SIAK-01"]
    assert gone["units"]["features"] == []
    monkeypatch.setattr(live_module, "list_unit_snapshots", everyone)
    third = picture.current()
    back = json.loads(third.answer(since=second.tag, caller_data=True).raw)
    assert [f["id"] for f in back["units"]["features"]] == ["AMB-SIAK-01"], "back in the fleet: sent whole"
    assert back["removed"] == []
    missed_both = json.loads(third.answer(since=first.tag, caller_data=True).raw)
    assert missed_both["removed"] == [], "gone and back since the version held: nothing to remove"


def test_planners_get_the_changes_without_caller_identity_and_gzip_when_asked(eager: TestClient) -> None:
    client = eager
    held = live(client, role="planner")
    response = client.post(
        f"{API}/incidents",
        headers=auth("dispatcher"),
        json={
            "incident_type": "medical",
            "priority": 1,
            "lon": NEAR_TOWN[0],
            "lat": NEAR_TOWN[1],
            "caller_phone": "+6281234567890",
        },
    )
    assert response.status_code == 201, response.text
    changed = live(client, held["version"], role="planner")
    assert changed["incidents"][0]["caller_phone"] is None
    assert "6281234567890" not in json.dumps(changed)
    whole = client.get(f"{API}/live", headers={**auth("dispatcher"), "Accept-Encoding": "gzip"})
    assert whole.headers["Content-Encoding"] == "gzip"
    assert whole.num_bytes_downloaded < len(whole.content) / 2, "sent compressed"
    assert whole.json()["incidents"][0]["caller_phone"] == "+6281234567890"


def test_a_poll_does_not_queue_behind_a_build_for_positions_alone(eager: TestClient) -> None:
    state = eager.app.state.siaga  # type: ignore[attr-defined]
    clock = Clock()
    picture = LivePicture(sessions=state.sessions, geo=state.geo, max_age_s=0.5, clock=clock)
    first = picture.current()
    clock.now += 1  # older than max_age_s: due for a rebuild
    got: list[Snapshot] = []
    with picture._lock:  # another request is building it
        poll = threading.Thread(target=lambda: got.append(picture.current()))
        poll.start()
        poll.join(10)
        assert got == [first], "the cached picture at once, not after the build"
    assert picture.current() is not first, "the next request builds"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_rebuilt_but_unchanged_picture_keeps_its_etag(eager: TestClient) -> None:
    """Rebuilt on every poll here (max_age_s ~0), the whole picture's ETag follows its content only."""
    place_unit(eager, "AMB-SIAK-01", SIAK_TOWN)
    first = eager.get(f"{API}/live", headers=auth("dispatcher"))
    again = eager.get(f"{API}/live", headers={**auth("dispatcher"), "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    place_unit(eager, "AMB-SIAK-01", NEAR_TOWN)
    moved = eager.get(f"{API}/live", headers={**auth("dispatcher"), "If-None-Match": first.headers["ETag"]})
    assert moved.status_code == 200
    assert moved.headers["ETag"] != first.headers["ETag"]
